"""LEIE staging on messy input: every row staged or quarantined with its reason, raw = staged + rejected,
an empty month loads, exclusion periods are kept apart, and a file missing a required column stops the build.

The rows are real rows of OIG's shipped files (data/sample/oig/leie/), some edited; every expected value
below follows from the files written here, not from the code under test.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dbt_runner import fetch_dicts
from leie_support import build_exclusion_models, leie_header, leie_row, write_leie_file

pytestmark = pytest.mark.slow

NPI = "1043219405"  # excluded 2015-09-01 (1128b7), reinstated 2020-09-02: a real case of the sample
EXCLUSION = leie_row("1508EXCL.csv", NPI)
REINSTATEMENT = leie_row("2009REIN.csv", NPI)

# name of the case -> (changes to the real exclusion row, reason it is refused or None when staged)
CASES: dict[str, tuple[dict[str, str], str | None]] = {
    "real row": ({}, None),
    "padded code, no NPI, 2-digit-year birth date": (
        {"LASTNAME": "PADDED", "NPI": "0000000000", "EXCLTYPE": "1128a1   ", "DOB": "02/06/58"},
        None,
    ),
    "bad exclusion date": (
        {"LASTNAME": "BADDATE", "NPI": "1000000003", "EXCLDATE": "20151340"},
        "exclusion date '20151340' is not a date (YYYYMMDD)",
    ),
    "non-numeric NPI": ({"LASTNAME": "BADNPI", "NPI": "10432X9405"}, "NPI '10432X9405' is not 10 digits"),
    "unknown type": (
        {"LASTNAME": "BADTYPE", "NPI": "1000000004", "EXCLTYPE": "1128z9"},
        "exclusion type '1128z9' is not a known LEIE type (seed leie_exclusion_types)",
    ),
    "repeat of the real row": ({}, "repeats the exclusion in {exclusions} data row 1, which was loaded"),
}

EXCLUSIONS_FILE = "1508EXCL.csv"
REINSTATEMENTS_FILE = "2009rein.csv"  # lower case, as some of OIG's archived names are
EXCLUDED_AGAIN_FILE = "2209EXCL.csv"
EMPTY_MONTH_FILE = "2307EXCL.csv"
FULL_LIST_FILE = "UPDATED.csv"  # OIG's full current list, beside the supplements: its rows repeat theirs


def write_messy_files(directory: Path) -> None:
    rows = [{**EXCLUSION, **changes} for changes, _ in CASES.values()]
    write_leie_file(directory / EXCLUSIONS_FILE, rows)
    write_leie_file(directory / REINSTATEMENTS_FILE, [REINSTATEMENT])
    again = {**EXCLUSION, "EXCLDATE": "20221020", "REINDATE": "00000000"}  # same type, a new period
    write_leie_file(directory / EXCLUDED_AGAIN_FILE, [again])
    write_leie_file(directory / EMPTY_MONTH_FILE, [])
    other = {**EXCLUSION, "LASTNAME": "LISTED", "NPI": "1000000005", "EXCLDATE": "20100105"}
    write_leie_file(directory / FULL_LIST_FILE, [again, other])


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    raw_dir = tmp_path_factory.mktemp("leie_raw")
    write_messy_files(raw_dir)
    result = build_exclusion_models(tmp_path_factory.mktemp("leie_dbt"), str(raw_dir / "*.csv"))
    assert result.returncode == 0, f"dbt failed on the LEIE files:\n{result.output[-6000:]}"
    with result.connect() as connection:
        yield raw_dir, connection


def test_each_bad_row_is_quarantined_with_its_reason_and_the_others_are_staged(messy):
    raw_dir, connection = messy
    exclusions = str(raw_dir / EXCLUSIONS_FILE)
    rejected = fetch_dicts(
        connection,
        "select source_row_number, rejection_reason, raw_values "
        "from staging.stg_oig__leie_exclusions_rejected where source_file = ? order by 1",
        [exclusions],
    )
    expected = [
        (number, reason.format(exclusions=exclusions))
        for number, (_, reason) in enumerate(CASES.values(), start=1)
        if reason is not None
    ]
    assert [(row["source_row_number"], row["rejection_reason"]) for row in rejected] == expected
    # the raw values are kept as OIG wrote them
    assert json.loads(rejected[0]["raw_values"])["EXCLDATE"] == "20151340"
    staged = fetch_dicts(
        connection,
        "select source_row_number, npi, exclusion_type, date_of_birth from staging.stg_oig__leie_exclusions "
        "where source_file = ? order by 1",
        [exclusions],
    )
    assert staged == [
        {"source_row_number": 1, "npi": NPI, "exclusion_type": "1128b7", "date_of_birth": date(1965, 5, 31)},
        {"source_row_number": 2, "npi": None, "exclusion_type": "1128a1", "date_of_birth": date(1958, 2, 6)},
    ]


def test_raw_rows_equal_staged_plus_rejected_per_file_and_an_empty_month_loads(messy):
    raw_dir, connection = messy
    counts = dict(
        connection.execute(
            "select source_file, count(*) from ("
            " select source_file from staging.stg_oig__leie_exclusions"
            " union all select source_file from staging.stg_oig__leie_exclusions_rejected) group by 1"
        ).fetchall()
    )
    written = {EXCLUSIONS_FILE: len(CASES), REINSTATEMENTS_FILE: 1, EXCLUDED_AGAIN_FILE: 1, FULL_LIST_FILE: 2}
    assert counts == {str(raw_dir / name): rows for name, rows in written.items()}
    assert leie_header()[0] == "LASTNAME"


def test_the_full_list_loads_beside_the_supplements_and_its_repeats_are_quarantined(messy):
    raw_dir, connection = messy
    rows = fetch_dicts(
        connection,
        "select source_row_number, npi, record_kind, exclusion_date from staging.stg_oig__leie_exclusions"
        " where source_file = ? order by 1",
        [str(raw_dir / FULL_LIST_FILE)],
    )
    # its exclusion from before the supplements' months is staged; the one 2209EXCL.csv already holds is not
    assert rows == [
        {
            "source_row_number": 2,
            "npi": "1000000005",
            "record_kind": "exclusion",
            "exclusion_date": date(2010, 1, 5),
        }
    ]
    rejected = connection.execute(
        "select source_row_number, rejection_reason from staging.stg_oig__leie_exclusions_rejected"
        " where source_file = ?",
        [str(raw_dir / FULL_LIST_FILE)],
    ).fetchall()
    first = raw_dir / EXCLUDED_AGAIN_FILE
    assert rejected == [(1, f"repeats the exclusion in {first} data row 1, which was loaded")]


def test_excluded_reinstated_and_excluded_again_gives_two_periods(messy):
    _, connection = messy
    periods = fetch_dicts(
        connection,
        "select exclusion_date, exclusion_type, reinstatement_date, is_excluded_now, is_fraud_related,"
        " exclusion_period_number from marts.provider_exclusions where npi = ? order by exclusion_date",
        [NPI],
    )
    assert periods == [
        {
            "exclusion_date": date(2015, 9, 1),
            "exclusion_type": "1128b7",
            "reinstatement_date": date(2020, 9, 2),
            "is_excluded_now": False,
            "is_fraud_related": True,
            "exclusion_period_number": 1,
        },
        {
            "exclusion_date": date(2022, 10, 20),
            "exclusion_type": "1128b7",
            "reinstatement_date": None,
            "is_excluded_now": True,
            "is_fraud_related": True,
            "exclusion_period_number": 2,
        },
    ]


def test_an_exclusion_with_no_npi_is_kept_and_counted(messy):
    _, connection = messy
    assert connection.execute(
        "select count(*) from intermediate.int_leie_exclusion_periods where npi is null"
    ).fetchone() == (1,)
    assert connection.execute(
        "select count(*) from marts.provider_exclusions where last_name = 'PADDED'"
    ).fetchone() == (0,)


def test_a_file_missing_a_required_column_fails_naming_the_file_and_the_column(tmp_path):
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    write_leie_file(raw_dir / "1508EXCL.csv", [EXCLUSION])
    header = [name for name in leie_header() if name != "EXCLDATE"]
    write_leie_file(raw_dir / "1509EXCL.csv", [EXCLUSION], header=header)
    result = build_exclusion_models(tmp_path / "dbt", str(raw_dir / "*.csv"))
    assert result.returncode != 0
    assert f"LEIE file '{raw_dir / '1509EXCL.csv'}' lacks the required column 'EXCLDATE'" in result.output
    assert str(raw_dir / "1508EXCL.csv") not in result.output
