"""Where every bad raw line goes: staging keeps good rows; each bad line lands once in the rejected model.

One dbt build over three hand-made files (real 2020/2021 sample rows, some edited): rows that break a rule,
malformed lines, a header-only file. Every expected value below is set by the file we write, not read back
from the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from dbt_runner import count_data_lines, format_line, sample_header, sample_rows, write_raw_file

pytestmark = pytest.mark.slow

VALUES_FILE = "values_2001.csv"
RESUBMITTED_FILE = "values_2001_resubmitted.csv"  # same data year, sorts after VALUES_FILE
MALFORMED_FILE = "malformed_2002.csv"
HEADER_ONLY_FILE = "header_only_2003.csv"
ALL_FILES = (VALUES_FILE, RESUBMITTED_FILE, MALFORMED_FILE, HEADER_ONLY_FILE)

HEADER = sample_header(2021)
VALUE_ROWS = sample_rows(2021)
MALFORMED_ROWS = sample_rows(2020)

REPEAT = (
    "repeats the key (data_year, npi, hcpcs_code, place_of_service) of {file} data row {row}, "
    "which was loaded"
)

# raw_values (the JSON of a rejected row) key -> CMS column
RAW_VALUE_COLUMNS = {
    "npi": "Rndrng_NPI",
    "hcpcs_code": "HCPCS_Cd",
    "place_of_service": "Place_Of_Srvc",
    "total_beneficiaries": "Tot_Benes",
    "total_services": "Tot_Srvcs",
    "total_beneficiary_day_services": "Tot_Bene_Day_Srvcs",
    "avg_submitted_charge": "Avg_Sbmtd_Chrg",
    "avg_medicare_allowed_amount": "Avg_Mdcr_Alowd_Amt",
    "avg_medicare_payment_amount": "Avg_Mdcr_Pymt_Amt",
    "avg_medicare_standardized_amount": "Avg_Mdcr_Stdzd_Amt",
}


@dataclass(frozen=True)
class RowCase:
    """One data line: a real sample row, the values we change in it, and the reason it must be rejected for
    (None: it must be staged). Line numbers follow from the order of the cases (the header is line 1)."""

    name: str
    row: int
    changes: dict[str, str] = field(default_factory=dict)
    reason: str | None = None

    def values(self, rows: tuple[dict[str, str], ...]) -> dict[str, str]:
        return {**rows[self.row], **self.changes}


VALUE_CASES = (
    RowCase("good row", 0),
    RowCase("number does not parse", 1, {"Tot_Srvcs": "12x"}, "total_services '12x' is not a number"),
    RowCase(
        "negative amount", 2, {"Avg_Mdcr_Pymt_Amt": "-12.5"}, "avg_medicare_payment_amount -12.5 is negative"
    ),
    RowCase("npi of 9 digits", 3, {"Rndrng_NPI": "123456789"}, "npi '123456789' is not 10 digits"),
    RowCase("place of service not F or O", 4, {"Place_Of_Srvc": "X"}, "place_of_service 'X' is not F or O"),
    RowCase(
        "services below beneficiary-day services",
        5,
        {"Tot_Benes": "15", "Tot_Srvcs": "20", "Tot_Bene_Day_Srvcs": "25"},
        "total_services 20 below total_beneficiary_day_services 25",
    ),
    RowCase(
        "beneficiary-day services below beneficiaries",
        6,
        {"Tot_Benes": "30", "Tot_Srvcs": "40", "Tot_Bene_Day_Srvcs": "25"},
        "total_beneficiary_day_services 25 below total_beneficiaries 30",
    ),
    RowCase(
        "fewer than 11 beneficiaries",
        7,
        {"Tot_Benes": "10", "Tot_Srvcs": "15", "Tot_Bene_Day_Srvcs": "12"},
        "fewer than 11 beneficiaries (10), which CMS never publishes",
    ),
    RowCase(
        "two rules broken",
        8,
        {"Place_Of_Srvc": "", "Avg_Mdcr_Alowd_Amt": "-3"},
        "place_of_service is missing; avg_medicare_allowed_amount -3 is negative",
    ),
    RowCase("first line of a key", 9),  # data row 10
    RowCase(
        "repeat of a loaded key", 9, {"Avg_Mdcr_Pymt_Amt": "1.11"}, REPEAT.format(file="{values}", row=10)
    ),
    RowCase("invalid first line of a key", 10, {"Tot_Srvcs": "n/a"}, "total_services 'n/a' is not a number"),
    RowCase("valid line after an invalid one of the same key", 10),
    RowCase("good last row", 11),
)

# a second file of the same data year: a key the first file already loaded comes back
RESUBMITTED_CASES = (
    RowCase(
        "repeat from another file", 0, {"Avg_Mdcr_Pymt_Amt": "2.22"}, REPEAT.format(file="{values}", row=1)
    ),
    RowCase("new key", 12),
)


def value_line(case: RowCase) -> str:
    values = case.values(VALUE_ROWS)
    return format_line([values[column] for column in HEADER])


def malformed_lines() -> dict[str, str]:
    """The data lines of MALFORMED_FILE by role, in file order (line 2 onward)."""

    def line(row: int, **changes: str) -> str:
        values = {**MALFORMED_ROWS[row], **changes}
        return format_line([values[column] for column in HEADER])

    truncated = line(7)
    # cut inside the quoted procedure description, as a download broken off mid-line
    cut = truncated.index('"Removal') + 20
    return {
        "good 1": line(0),  # line 2
        "too many fields": line(1) + ",surplus",  # line 3
        "good 2": line(2),  # line 4
        "too few fields": line(3).rsplit(",", 1)[0],  # line 5
        "bad number after malformed lines": line(4, Tot_Srvcs="7y"),  # line 6
        "blank": "",  # line 7
        "bad place after a blank line": line(5, Place_Of_Srvc="Z"),  # line 8
        "good 3": line(6),  # line 9
        "truncated last line": truncated[:cut],  # line 10, no newline after it
    }


def write_files(directory: Path) -> None:
    header_line = format_line(HEADER)
    write_raw_file(directory / VALUES_FILE, [header_line, *(value_line(case) for case in VALUE_CASES)])
    write_raw_file(
        directory / RESUBMITTED_FILE,
        [header_line, *(value_line(case) for case in RESUBMITTED_CASES)],
    )
    write_raw_file(
        directory / MALFORMED_FILE, [header_line, *malformed_lines().values()], final_newline=False
    )
    write_raw_file(directory / HEADER_ONLY_FILE, [header_line])


@pytest.fixture(scope="module")
def build(build_staging):
    return build_staging("rejections", write_files)


def as_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def staged_matches(build, file_name: str, values: dict[str, str]) -> list[dict]:
    """Staged rows of a file with the key and payment amount of `values`, and its service count where that
    is a number (a count that is not a number matches any staged count: such a line is still looked for)."""
    total_services = as_decimal(values["Tot_Srvcs"])
    return build.query(
        "select * from staging.stg_cms__provider_services where source_file = ? "
        "and npi is not distinct from ? and hcpcs_code is not distinct from ? "
        "and place_of_service is not distinct from ? "
        "and (cast(? as decimal(18, 3)) is null or total_services = ?) and avg_medicare_payment_amount = ?",
        build.path(file_name),
        values["Rndrng_NPI"] or None,
        values["HCPCS_Cd"] or None,
        values["Place_Of_Srvc"] or None,
        total_services,
        total_services,
        Decimal(values["Avg_Mdcr_Pymt_Amt"]),
    )


def good_twins(case: RowCase, cases: tuple[RowCase, ...], rows) -> int:
    """How many lines that must be staged a rejected case's staged_matches() also finds (a good line of the
    same key, payment and, where the case's count is a number, count)."""
    values = case.values(rows)
    fields = ["Rndrng_NPI", "HCPCS_Cd", "Place_Of_Srvc", "Avg_Mdcr_Pymt_Amt"]
    if as_decimal(values["Tot_Srvcs"]) is not None:
        fields.append("Tot_Srvcs")
    return sum(
        1
        for other in cases
        if other.reason is None and all(other.values(rows)[name] == values[name] for name in fields)
    )


def numbered(cases: tuple[RowCase, ...]) -> list:
    """The cases with their line numbers (header = line 1), named for the test report."""
    return [
        pytest.param(number, case, id=f"line {number}: {case.name}") for number, case in enumerate(cases, 2)
    ]


def check_row_case(
    build, file_name: str, line_number: int, case: RowCase, rows, cases: tuple[RowCase, ...]
) -> None:
    values = case.values(rows)
    rejected = [row for row in build.rejected(file_name) if row["line_number"] == line_number]
    staged = staged_matches(build, file_name, values)
    if case.reason is None:
        assert rejected == []
        assert len(staged) == 1
        return
    # the rejected line itself is not staged: only good lines that look the same are
    assert len(staged) == good_twins(case, cases, rows)
    assert len(rejected) == 1
    assert rejected[0]["data_year"] == 2001
    assert rejected[0]["rejection_stage"] == "invalid row"
    assert rejected[0]["rejection_reason"] == case.reason.format(values=build.path(VALUES_FILE))
    assert rejected[0]["raw_line"] is None
    raw_values = json.loads(rejected[0]["raw_values"])
    for key, column in RAW_VALUE_COLUMNS.items():
        assert raw_values[key] == (values[column] or None), key


@pytest.mark.parametrize(("line_number", "case"), numbered(VALUE_CASES))
def test_row_that_breaks_a_rule_is_rejected_with_its_reason(build, line_number, case):
    check_row_case(build, VALUES_FILE, line_number, case, VALUE_ROWS, VALUE_CASES)


@pytest.mark.parametrize(("line_number", "case"), numbered(RESUBMITTED_CASES))
def test_key_loaded_from_an_earlier_file_is_rejected_in_a_later_one(build, line_number, case):
    check_row_case(build, RESUBMITTED_FILE, line_number, case, VALUE_ROWS, RESUBMITTED_CASES)


@pytest.mark.parametrize(
    "row",
    [pytest.param(9, id="repeat in the same file"), pytest.param(0, id="repeat in a later file")],
)
def test_the_first_line_of_a_key_stays_and_the_repeat_does_not(build, row):
    original = VALUE_ROWS[row]  # its repeat carries another payment amount
    staged = build.query(
        "select source_file, avg_medicare_payment_amount, total_services "
        "from staging.stg_cms__provider_services "
        "where npi = ? and hcpcs_code = ? and place_of_service = ? and data_year = 2001",
        original["Rndrng_NPI"],
        original["HCPCS_Cd"],
        original["Place_Of_Srvc"],
    )
    assert staged == [
        {
            "source_file": build.path(VALUES_FILE),
            "avg_medicare_payment_amount": Decimal(original["Avg_Mdcr_Pymt_Amt"]),
            "total_services": Decimal(original["Tot_Srvcs"]),
        }
    ]


def test_staged_rows_of_the_values_files_are_exactly_the_good_lines(build):
    expected = {
        (
            VALUE_ROWS[case.row]["Rndrng_NPI"],
            VALUE_ROWS[case.row]["HCPCS_Cd"],
            VALUE_ROWS[case.row]["Place_Of_Srvc"],
        )
        for case in (*VALUE_CASES, *RESUBMITTED_CASES)
        if case.reason is None
    }
    staged = build.query(
        "select npi, hcpcs_code, place_of_service, count(*) as n from staging.stg_cms__provider_services "
        "where data_year = 2001 group by all"
    )
    assert {(row["npi"], row["hcpcs_code"], row["place_of_service"]) for row in staged} == expected
    assert all(row["n"] == 1 for row in staged)


MALFORMED_EXPECTED = {
    # line number: (role, rejection stage, what the reason says)
    3: ("too many fields", "malformed line", "malformed line (too many columns): "),
    5: ("too few fields", "malformed line", "malformed line (missing columns): "),
    6: ("bad number after malformed lines", "invalid row", "total_services '7y' is not a number"),
    8: ("bad place after a blank line", "invalid row", "place_of_service 'Z' is not F or O"),
    10: ("truncated last line", "malformed line", "malformed line ("),
}


def test_malformed_file_rejects_exactly_its_bad_lines_at_their_line_numbers(build):
    rejected = build.rejected(MALFORMED_FILE)
    assert [row["line_number"] for row in rejected] == list(MALFORMED_EXPECTED)


@pytest.mark.parametrize("line_number", list(MALFORMED_EXPECTED))
def test_malformed_or_invalid_line_is_reported_with_line_number_reason_and_raw_text(build, line_number):
    role, stage, reason = MALFORMED_EXPECTED[line_number]
    lines = malformed_lines()
    matches = [row for row in build.rejected(MALFORMED_FILE) if row["line_number"] == line_number]
    assert len(matches) == 1, f"{role}: expected one rejected row at line {line_number}"
    row = matches[0]
    assert row["data_year"] == 2002
    assert row["rejection_stage"] == stage
    if stage == "malformed line":
        assert row["rejection_reason"].startswith(reason)
        assert row["raw_line"] == lines[role]
        assert row["raw_values"] is None
    else:
        assert row["rejection_reason"] == reason
        assert row["raw_line"] is None


def test_malformed_reasons_name_the_problem(build):
    reasons = {row["line_number"]: row["rejection_reason"] for row in build.rejected(MALFORMED_FILE)}
    assert "Found: 30" in reasons[3]
    assert "Found: 28" in reasons[5]
    # the cut line ends inside the quoted procedure description
    assert "(unquoted value)" in reasons[10]
    assert "unterminated quote" in reasons[10]


def test_good_lines_around_malformed_ones_are_staged(build):
    staged = build.staged(MALFORMED_FILE)
    expected = {(MALFORMED_ROWS[i]["Rndrng_NPI"], MALFORMED_ROWS[i]["HCPCS_Cd"]) for i in (0, 2, 6)}
    assert {(row["npi"], row["hcpcs_code"]) for row in staged} == expected
    assert len(staged) == 3


def test_header_only_file_loads_nothing_and_rejects_nothing(build):
    assert build.staged(HEADER_ONLY_FILE) == []
    assert build.rejected(HEADER_ONLY_FILE) == []


@pytest.mark.parametrize("file_name", ALL_FILES)
def test_every_raw_data_line_is_staged_or_rejected(build, file_name):
    raw_lines = count_data_lines(build.directory / file_name)
    assert raw_lines == len(build.staged(file_name)) + len(build.rejected(file_name))


def test_hand_counts_of_the_fixture_files(build):
    # the reconciliation above is only as good as its counter: check it against counts known by construction
    counts = {name: count_data_lines(build.directory / name) for name in ALL_FILES}
    assert counts == {
        VALUES_FILE: len(VALUE_CASES),
        RESUBMITTED_FILE: len(RESUBMITTED_CASES),
        MALFORMED_FILE: 8,
        HEADER_ONLY_FILE: 0,
    }
