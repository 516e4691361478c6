"""A stray quote must not cost the lines after it: the broken line is quarantined, the rest is staged.

DuckDB's CSV reader, inside a quote that never closes, runs on into the next lines (up to the next quote, or
the end of the file) and rejects them all as one. One build over a hand-made file of real 2021 sample rows:
a stray quote near the end of a line that the next line's quote closes, and, in lines with no quoted field at
all, a stray quote whose run-on hides a second one that runs to the end of the file. Every expected value is
set by the file written here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from dbt_runner import count_data_lines, format_line, sample_header, sample_rows, write_raw_file

pytestmark = pytest.mark.slow

FILE_NAME = "stray_quotes_2004.csv"
HEADER = sample_header(2021)
ROWS = sample_rows(2021)[:30]  # data lines 2 to 31, one row each, except the blank line below
UNQUOTED_FROM = 18  # rows from here on are written without commas or quotes in any field, so no quote at all

STRAY_QUOTES = {
    # line number: (row, column whose value gets an opening quote that never closes)
    5: (3, "Tot_Srvcs"),  # the quoted description of line 6 closes it, one line later
    20: (18, "Rndrng_Prvdr_Last_Org_Name"),  # closed by the stray quote of line 21
    21: (19, "HCPCS_Desc"),  # hidden inside line 20's run-on; alone, it runs to the end of the file
}
BLANK_LINE = 24
INVALID_LINE = 27  # a number that does not parse, after the run-ons and the blank line
INVALID_ROW = 24


def row_values(row: int) -> dict[str, str]:
    values = dict(ROWS[row])
    if row >= UNQUOTED_FROM:
        values = {column: value.replace(",", "").replace('"', "") for column, value in values.items()}
    if row == INVALID_ROW:
        values["Tot_Srvcs"] = "12x"
    return values


def line_of(row: int, stray_column: str | None = None) -> str:
    values = row_values(row)
    if stray_column is None:
        return format_line([values[column] for column in HEADER])
    at = HEADER.index(stray_column)
    fields = [format_line([values[column]]) for column in HEADER]
    fields[at] = '"' + values[stray_column]
    return ",".join(fields)


def data_lines() -> dict[int, str]:
    """The file's data lines by line number (the header is line 1)."""
    stray = {row: column for row, column in STRAY_QUOTES.values()}
    lines: dict[int, str] = {}
    number = 2
    for row in range(len(ROWS)):
        if number == BLANK_LINE:
            lines[number] = ""
            number += 1
        lines[number] = line_of(row, stray.get(row))
        number += 1
    return lines


def row_of_line() -> dict[int, int]:
    numbers = [number for number, line in data_lines().items() if line]
    return dict(zip(numbers, range(len(ROWS)), strict=True))


def write_files(directory: Path) -> None:
    write_raw_file(directory / FILE_NAME, [format_line(HEADER), *data_lines().values()])


@pytest.fixture(scope="module")
def build(build_staging):
    return build_staging("stray_quotes", write_files)


def test_the_fixture_is_what_the_tests_say(build):
    lines = data_lines()
    assert lines[INVALID_LINE].count("12x") == 1
    assert all(lines[number].count('"') == 0 for number in range(22, 32) if number != BLANK_LINE)
    assert lines[5].count('"') % 2 == 1 and lines[6].count('"') > 0
    assert count_data_lines(build.directory / FILE_NAME) == 30


def test_only_the_lines_with_a_stray_quote_and_the_invalid_row_are_rejected(build):
    assert [row["line_number"] for row in build.rejected(FILE_NAME)] == [5, 20, 21, INVALID_LINE]


@pytest.mark.parametrize("line_number", list(STRAY_QUOTES))
def test_line_whose_quote_never_closes_is_quarantined_alone_with_its_text(build, line_number):
    rows = [row for row in build.rejected(FILE_NAME) if row["line_number"] == line_number]
    assert len(rows) == 1
    assert rows[0]["rejection_stage"] == "malformed line"
    assert rows[0]["rejection_reason"].startswith("malformed line (unterminated quote): ")
    assert rows[0]["raw_line"] == data_lines()[line_number]
    assert rows[0]["data_year"] == 2004


def test_invalid_row_after_the_run_ons_keeps_its_line_number(build):
    rows = [row for row in build.rejected(FILE_NAME) if row["line_number"] == INVALID_LINE]
    assert [row["rejection_reason"] for row in rows] == ["total_services '12x' is not a number"]


def expected_staged() -> set[tuple]:
    """(npi, hcpcs_code, place_of_service, total_services, avg payment) of every line staging keeps."""
    rejected_lines = {*STRAY_QUOTES, INVALID_LINE}
    return {
        (
            row_values(row)["Rndrng_NPI"],
            row_values(row)["HCPCS_Cd"],
            row_values(row)["Place_Of_Srvc"],
            Decimal(row_values(row)["Tot_Srvcs"]),
            Decimal(row_values(row)["Avg_Mdcr_Pymt_Amt"]),
        )
        for number, row in row_of_line().items()
        if number not in rejected_lines
    }


def staged_keys(staged: list[dict]) -> set[tuple]:
    """The same five values of staged rows."""
    return {
        (
            row["npi"],
            row["hcpcs_code"],
            row["place_of_service"],
            row["total_services"],
            row["avg_medicare_payment_amount"],
        )
        for row in staged
    }


def test_every_other_line_is_staged_once_with_its_own_values(build):
    staged = build.staged(FILE_NAME)
    assert len(staged) == len(expected_staged()) == 26
    assert staged_keys(staged) == expected_staged()


def test_every_raw_data_line_is_staged_or_rejected(build):
    raw_lines = count_data_lines(build.directory / FILE_NAME)
    assert raw_lines == len(build.staged(FILE_NAME)) + len(build.rejected(FILE_NAME))


# The file above needs three reads: the first finds line 5's and line 20's run-ons, the second line 21's
# (hidden inside line 20's), the third none. var quote_recovery_passes bounds them.
@pytest.mark.parametrize(("passes", "succeeds"), [(2, False), (3, True)])
def test_quote_recovery_passes_bound_the_reads_and_a_file_that_needs_more_fails_naming_it(
    build_staging, passes, succeeds
):
    result = build_staging(
        f"stray_quotes_{passes}_passes",
        write_files,
        expect_success=False,
        extra_args=("--vars", f"{{quote_recovery_passes: {passes}}}"),
    ).result
    assert (result.returncode == 0) is succeeds, result.output[-3000:]
    if not succeeds:
        assert FILE_NAME in result.output
        assert f"after {passes} reads, lines whose quote never closes" in result.output
