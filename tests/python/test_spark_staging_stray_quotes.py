"""Staging on Spark quarantines a broken line alone and loses nothing, as staging on DuckDB does.

The hand-made file of test_staging_stray_quotes.py (real 2021 sample rows; three lines whose opening quote
never closes, a blank line, a row with a number that does not parse), staged on Spark (`make test-spark`;
about a minute). Spark parses each line on its own, so a stray quote cannot run on into the next lines.
The build runs staging's data tests on Spark too, among them the reconciliation of raw lines with staged
and rejected rows. Every expected value is set by that file, as in the DuckDB test.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from dbt_runner import REPO_ROOT, count_data_lines, fetch_dicts
from test_spark_equivalence import spark_table_files
from test_staging_stray_quotes import (
    FILE_NAME,
    INVALID_LINE,
    STRAY_QUOTES,
    data_lines,
    expected_staged,
    staged_keys,
    write_files,
)

pytestmark = pytest.mark.spark

SPARK_DBT = REPO_ROOT / ".venv-spark" / "bin" / "dbt"
DATA_YEAR = 2021


@pytest.fixture(scope="module")
def spark_staging(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stage the file on Spark into a warehouse folder of its own; return that folder."""
    if not SPARK_DBT.exists():
        pytest.fail(f"no {SPARK_DBT}: run make spark-install first")
    root = tmp_path_factory.mktemp("spark_stray_quotes")
    raw = root / "raw"
    raw.mkdir()
    write_files(raw)
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(REPO_ROOT),
        MEDICARE_PHYSICIAN_FILES=str(raw / "*.csv"),
        MEDICARE_SPARK_WAREHOUSE=str(root / "spark"),
        DBT_LOG_PATH=str(root / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    selection = ["--select", "resource_type:seed path:models/staging", "--indirect-selection", "cautious"]
    # the file's name says 2004, before the data years staging's tests accept (2012 on): it is staged as 2021
    year = ["--vars", f"{{physician_file_years: {{{FILE_NAME}: {DATA_YEAR}}}}}"]
    completed = subprocess.run(
        [
            str(SPARK_DBT),
            "build",
            "--target",
            "spark",
            "--target-path",
            str(root / "target"),
            *selection,
            *year,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]
    return root


def spark_rows(root: Path, relation: str, order_by: str) -> list[dict]:
    """The rows of a table the fixture's Spark build wrote, as dicts, in `order_by` order."""
    files = spark_table_files(relation, root / "spark")
    with duckdb.connect() as connection:
        return fetch_dicts(connection, f"select * from read_parquet('{files}') order by {order_by}")


def test_only_the_lines_with_a_stray_quote_and_the_invalid_row_are_rejected(spark_staging: Path) -> None:
    rejected = spark_rows(spark_staging, "staging.stg_cms__provider_services_rejected", "line_number")
    assert [(row["line_number"], row["rejection_stage"]) for row in rejected] == [
        *((line, "malformed line") for line in STRAY_QUOTES),
        (INVALID_LINE, "invalid row"),
    ]
    assert {row["data_year"] for row in rejected} == {DATA_YEAR}


@pytest.mark.parametrize("line_number", list(STRAY_QUOTES))
def test_line_whose_quote_never_closes_is_quarantined_with_its_text(spark_staging: Path, line_number: int):
    rejected = spark_rows(spark_staging, "staging.stg_cms__provider_services_rejected", "line_number")
    rows = [row for row in rejected if row["line_number"] == line_number]
    assert len(rows) == 1
    assert rows[0]["rejection_reason"].startswith("malformed line (")
    assert rows[0]["raw_line"] == data_lines()[line_number]


def test_invalid_row_keeps_its_line_number_and_reason(spark_staging: Path) -> None:
    rejected = spark_rows(spark_staging, "staging.stg_cms__provider_services_rejected", "line_number")
    rows = [row for row in rejected if row["line_number"] == INVALID_LINE]
    assert [row["rejection_reason"] for row in rows] == ["total_services '12x' is not a number"]


def test_every_other_line_is_staged_once_with_its_own_values(spark_staging: Path) -> None:
    staged = [
        row
        for row in spark_rows(spark_staging, "staging.base_cms__provider_service_rows", "source_row_number")
        if row["rejection_reason"] is None
    ]
    assert len(staged) == len(expected_staged()) == 26
    assert staged_keys(staged) == expected_staged()
    rejected = spark_rows(spark_staging, "staging.stg_cms__provider_services_rejected", "line_number")
    assert count_data_lines(spark_staging / "raw" / FILE_NAME) == len(staged) + len(rejected) == 30
