"""When the warehouse cannot be reached, the project's tools say so in one line, without a traceback: a
second build while one holds the build file, and `make export` with no warehouse or with a client holding
the served file open for writing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from serving_support import REPO_ROOT, link_files, sample_files, scratch_copy_of_served

pytestmark = pytest.mark.slow


def export(warehouse: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deep_medicare.export", "--warehouse", str(warehouse), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_build_while_another_holds_the_build_file_stops_with_one_line(tmp_path):
    scratch = scratch_copy_of_served(tmp_path / "serve")
    files_glob = link_files(tmp_path / "raw", sample_files([2021]))
    # This process stands for the other build: it holds the build file open for writing.
    with duckdb.connect(str(scratch.build_file)):
        build = scratch.dbt(files_glob, "build", "--select", "dim_service")
    assert build.returncode != 0
    lines = [line for line in build.stdout.splitlines() if "Another process is using the build file" in line]
    assert len(lines) == 1, build.stdout[-3000:]
    assert str(scratch.build_file) in lines[0]
    assert "Traceback" not in build.stdout
    assert "Could not set lock" not in build.stdout


def test_export_without_a_warehouse_says_so_in_one_line(tmp_path):
    completed = export(tmp_path / "missing.duckdb", tmp_path / "out")
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert not (tmp_path / "out.partial").exists()
    assert completed.stderr.splitlines() == [
        f"No warehouse at {tmp_path / 'missing.duckdb'}: build it with `make build` "
        "(or point MEDICARE_DUCKDB_PATH at one)."
    ]


def test_export_while_a_client_writes_to_the_served_file_says_so_in_one_line(tmp_path):
    scratch = scratch_copy_of_served(tmp_path / "serve")
    with duckdb.connect(str(scratch.served)):  # a client that opened the served file for writing
        completed = export(scratch.served, tmp_path / "out")
    assert completed.returncode == 2
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"{scratch.served} is held open for writing by another process")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "out.partial").exists()
