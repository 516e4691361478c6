"""Data tests follow the change (macros/refresh/tests_follow_the_refresh.sql): in a yearly refresh the tests
of a model kept by data year read only the data years the run recomputed in it, and still catch a broken
row in such a year; a full build tests every year.

One scratch warehouse is built from the sample's 2019 and 2020 files, then refreshed with a 2021 file in
which one line's state is "ZZ", a code that passes staging's rules for a single row but not the data tests
that every state is a real one (relationships to the us_states seed).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path

from serving_support import Scratch, sample_files

# The relationships test of staging's provider_state (a view of the yearly base model): the refresh must
# fail on it.
BROKEN_STATE_TEST = "relationships_stg_cms__provider_services_provider_state__state_code__ref_us_states_"
# one year is written `data_year = Y`, several `data_year in (...)` (where_refresh_years())
FILTER = re.compile(r"where data_year (?:= ([0-9]+)|in \(([0-9, ]+)\))")


def filtered_years(sql: str) -> list[str]:
    """The year lists of the data_year filters in a compiled test, in order."""
    return [single or several for single, several in FILTER.findall(sql)]


def write_with_broken_state(source: Path, target: Path) -> None:
    """A copy of a sample file whose 11th line bills from the state "ZZ"."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = list(reader)
    rows[10]["Rndrng_Prvdr_State_Abrvtn"] = "ZZ"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with gzip.open(target, "wt", encoding="utf-8", newline="") as handle:
        handle.write(text.getvalue())


def run_tests(scratch: Scratch) -> dict[str, tuple[str, str]]:
    """Each data test of the scratch's latest run: its status and the SQL dbt ran."""
    results = json.loads((scratch.root / "target" / "run_results.json").read_text())["results"]
    return {
        result["unique_id"].split(".")[2]: (result["status"], result["compiled_code"] or "")
        for result in results
        if result["unique_id"].startswith("test.")
    }


def test_a_refresh_tests_only_its_years_and_still_catches_a_broken_one(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sample_files([2019, 2020]):
        shutil.copyfile(path, raw / path.name)
    scratch = Scratch(tmp_path / "warehouse")
    scratch.root.mkdir()
    files_glob = str(raw / "*.csv.gz")

    first = scratch.dbt(files_glob, "build")
    assert first.returncode == 0, first.stdout[-4000:]
    # a full build tests every year: no test filters its rows
    tests = run_tests(scratch)
    assert tests[BROKEN_STATE_TEST][0] == "pass"
    assert [name for name, (_, sql) in tests.items() if FILTER.search(sql)] == []
    # and reads every raw file, through the glob
    assert f"'{files_glob}'" in tests["assert_raw_lines_reconcile_per_file"][1]

    (latest,) = sample_files([2021])
    write_with_broken_state(latest, raw / latest.name)
    refresh = scratch.dbt(files_glob, "build")
    assert refresh.returncode != 0, "the refresh passed with a state no seed knows"
    tests = run_tests(scratch)
    status, sql = tests[BROKEN_STATE_TEST]
    assert status == "fail", refresh.stdout[-4000:]
    # it read the refreshed year only, as did staging's other tests
    assert filtered_years(sql) == ["2021"]
    not_null = tests["not_null_stg_cms__provider_services_npi"]
    assert not_null == ("pass", not_null[1]) and filtered_years(not_null[1]) == ["2021"]
    # the reconciliation of raw lines reads the refreshed year's file only, and still reconciles it
    status, sql = tests["assert_raw_lines_reconcile_per_file"]
    assert status == "pass", refresh.stdout[-4000:]
    read = sorted(Path(path).name for path in re.findall(r"'([^']+\.csv\.gz)'", sql))
    assert read == [latest.name], sql
    assert filtered_years(sql) == ["2021", "2021"]

    # the good 2021 file: the refresh passes, and the hash-collision guards of the peer ids (downstream of
    # staging, skipped above) check the refreshed year's groups and rows only
    shutil.copyfile(latest, raw / latest.name)
    repaired = scratch.dbt(files_glob, "build")
    assert repaired.returncode == 0, repaired.stdout[-4000:]
    tests = run_tests(scratch)
    for guard in ("assert_peer_group_ids_do_not_collide", "assert_peer_row_keys_do_not_collide"):
        status, sql = tests[guard]
        assert status == "pass", repaired.stdout[-4000:]
        assert filtered_years(sql) == ["2021"], sql
