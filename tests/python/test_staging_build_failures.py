"""Files the build cannot place stop it, with a message that names the file and says what is wrong.

A good file sits beside the bad one in each build, so the message must point at the right file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_runner import format_line, sample_header, sample_rows, write_raw_file

pytestmark = pytest.mark.slow

GOOD_FILE = "good_2010.csv"
NO_YEAR_FILE = "physician_services_latest.csv"
MISSING_COLUMN_FILE = "missing_payment_2011.csv"
MISSING_COLUMN = "Avg_Mdcr_Pymt_Amt"


def write_good_file(directory: Path) -> None:
    header = sample_header(2021)
    lines = [format_line(header), *(format_line([row[c] for c in header]) for row in sample_rows(2021)[:2])]
    write_raw_file(directory / GOOD_FILE, lines)


def write_no_year_files(directory: Path) -> None:
    write_good_file(directory)
    header = sample_header(2021)
    lines = [format_line(header), format_line([sample_rows(2021)[2][c] for c in header])]
    write_raw_file(directory / NO_YEAR_FILE, lines)


def write_missing_column_files(directory: Path) -> None:
    write_good_file(directory)
    header = [name for name in sample_header(2021) if name != MISSING_COLUMN]
    lines = [format_line(header), format_line([sample_rows(2021)[3][c] for c in header])]
    write_raw_file(directory / MISSING_COLUMN_FILE, lines)


def test_file_whose_name_carries_no_year_fails_the_build_and_says_how_to_give_the_year(build_staging):
    build = build_staging("no_year", write_no_year_files, expect_success=False)
    assert build.result.returncode != 0
    output = build.result.output
    assert build.path(NO_YEAR_FILE) in output
    assert "carries no year" in output
    # how to give the year: the var, keyed by this file's name
    assert "physician_file_years" in output
    assert f'"{NO_YEAR_FILE}": ' in output
    assert build.path(GOOD_FILE) not in output


def test_file_missing_a_required_column_fails_the_build_naming_the_column_and_the_file(build_staging):
    build = build_staging("missing_column", write_missing_column_files, expect_success=False)
    assert build.result.returncode != 0
    output = build.result.output
    assert build.path(MISSING_COLUMN_FILE) in output
    assert f"lacks the required column '{MISSING_COLUMN}'" in output
    assert build.path(GOOD_FILE) not in output
