"""A plain `dbt build` publishes the warehouse atomically: readers are never locked out or shown half a
build, and a failed or killed build leaves the served file exactly as it was.

Each test works on a scratch copy of the warehouse `make test` built (the sample's nine years) and rebuilds
it from the sample's first eight years, so the old and the new warehouse differ in totals, which are
computed from the raw files (serving_support.sample_totals).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from serving_support import (
    PUBLISHED_LINE,
    REPO_ROOT,
    UNCHANGED_LINE,
    link_files,
    sample_files,
    sample_totals,
    scratch_copy_of_served,
)

pytestmark = pytest.mark.slow

READERS = Path(__file__).with_name("warehouse_readers.py")
ALL_YEARS = range(2013, 2022)
FIRST_EIGHT_YEARS = range(2013, 2021)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def served_totals(path: Path) -> list:
    """[lines, payment] of the fact table, through a new read-only connection."""
    with duckdb.connect(str(path), read_only=True) as connection:
        row = connection.execute(
            "select count(*), round(sum(total_medicare_payment), 2)::varchar "
            "from marts.fct_provider_service_year"
        ).fetchall()[0]
    return list(row)


def start_reader(mode: str, served: Path, stop_file: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(READERS), mode, str(served), str(stop_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def readings_of(reader: subprocess.Popen) -> list[dict]:
    stdout, stderr = reader.communicate(timeout=60)
    assert reader.returncode == 0, stderr
    return json.loads(stdout)["readings"]


def test_readers_keep_reading_through_a_full_rebuild_and_then_see_the_new_build(tmp_path):
    scratch = scratch_copy_of_served(tmp_path / "serve")
    old = sample_totals(sample_files(ALL_YEARS))
    new = sample_totals(sample_files(FIRST_EIGHT_YEARS))
    assert old != new
    assert served_totals(scratch.served) == old
    stop_file = tmp_path / "stop"
    holder = start_reader("hold", scratch.served, stop_file)
    poller = start_reader("poll", scratch.served, stop_file)
    time.sleep(1.5)
    try:
        build = scratch.dbt(link_files(tmp_path / "raw", sample_files(FIRST_EIGHT_YEARS)), "build")
        time.sleep(1.5)  # the readers go on after the publish
    finally:
        stop_file.touch()
        held, polled = readings_of(holder), readings_of(poller)

    assert build.returncode == 0, build.stdout[-5000:]
    assert PUBLISHED_LINE in build.stdout
    # The held connection read the old build, whole and consistent, all through the rebuild.
    assert len(held) >= 30
    assert [reading.get("error") for reading in held if "error" in reading] == []
    assert {tuple(reading["totals"]) for reading in held} == {(*old, old[1])}
    # Every new connection opened, and saw the old build or the new one, never anything in between.
    assert len(polled) >= 30
    assert [reading.get("error") for reading in polled if "error" in reading] == []
    seen = [reading["totals"] for reading in polled]
    assert seen[0] == [*old, old[1]]
    assert seen[-1] == [*new, new[1]]
    switch = seen.index([*new, new[1]])
    assert all(totals == [*old, old[1]] for totals in seen[:switch])
    assert all(totals == [*new, new[1]] for totals in seen[switch:])
    assert served_totals(scratch.served) == new


def test_a_killed_build_leaves_the_served_warehouse_as_it_was_and_the_next_build_succeeds(tmp_path):
    scratch = scratch_copy_of_served(tmp_path / "serve")
    before = digest(scratch.served)
    all_years = link_files(tmp_path / "raw_all", sample_files(ALL_YEARS))
    build = subprocess.Popen(
        scratch.dbt_command("build"),
        cwd=REPO_ROOT,
        env=scratch.env(all_years),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # Kill it in the middle: while an intermediate model is being written into the build file.
    output = []
    for line in build.stdout:
        output.append(line)
        if "START sql table model intermediate." in line:
            time.sleep(0.5)
            os.killpg(build.pid, signal.SIGKILL)
            break
    build.wait(timeout=60)
    build.stdout.close()
    assert build.returncode == -signal.SIGKILL, "".join(output)[-3000:]
    assert scratch.build_file.exists()
    assert digest(scratch.served) == before
    assert served_totals(scratch.served) == sample_totals(sample_files(ALL_YEARS))
    # As if a kill had also hit a publish half-way: its partial copy is left beside the served file.
    leftover = scratch.served.with_name(scratch.served.name + ".publishing")
    leftover.write_bytes(b"half a copy")

    rebuild = scratch.dbt(link_files(tmp_path / "raw_eight", sample_files(FIRST_EIGHT_YEARS)), "build")
    assert rebuild.returncode == 0, rebuild.stdout[-5000:]
    assert PUBLISHED_LINE in rebuild.stdout
    assert served_totals(scratch.served) == sample_totals(sample_files(FIRST_EIGHT_YEARS))
    assert not leftover.exists()


def test_a_failed_build_publishes_nothing(tmp_path):
    scratch = scratch_copy_of_served(tmp_path / "serve")
    before = digest(scratch.served)
    raw = tmp_path / "raw"
    files_glob = link_files(raw, sample_files([2021]))
    # A file whose name carries no year fails the staging model (test_staging_build_failures).
    (raw / "physician_services_latest.csv.gz").symlink_to(sample_files([2020])[0])
    build = scratch.dbt(files_glob, "build")
    assert build.returncode != 0
    assert "carries no year" in build.stdout
    assert UNCHANGED_LINE in build.stdout
    assert PUBLISHED_LINE not in build.stdout
    assert digest(scratch.served) == before
