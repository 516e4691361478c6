"""Every file shape CMS has published lands in the same staging columns with the same values.

One dbt build over files made from real sample rows: Latin-1 and UTF-8 (with a byte-order mark) text,
reordered and extra columns, plain .csv, .csv.gz, tab-delimited .txt with CRLF line ends, the legacy PUF
layout (the whole 2014 sample converted) and a CY2012-style legacy file with its copyright line.
Expected values come from the sample rows as Python's csv module reads them, never from the build.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from dbt_runner import count_data_lines, format_line, sample_header, sample_rows, write_raw_file

pytestmark = pytest.mark.slow

LATIN1_FILE = "latin1_2004.csv"
UTF8_FILE = "utf8_bom_2005.csv"
REORDERED_FILE = "reordered_2006.csv"
PLAIN_FILE = "plain_2007.csv"
GZIP_FILE = "gzipped_2008.csv.gz"
TAB_FILE = "tabbed_2009.txt"
LEGACY_2014_FILE = "Medicare_Provider_Util_Payment_PUF_CY2014.txt"
LEGACY_2012_FILE = "Medicare_Provider_Util_Payment_PUF_CY2012.txt"
ALL_FILES = (
    LATIN1_FILE,
    UTF8_FILE,
    REORDERED_FILE,
    PLAIN_FILE,
    GZIP_FILE,
    TAB_FILE,
    LEGACY_2014_FILE,
    LEGACY_2012_FILE,
)

HEADER = sample_header(2021)

# staging column -> current-layout CMS column, and how staging types it
TEXT_COLUMNS = {
    "npi": "Rndrng_NPI",
    "provider_last_org_name": "Rndrng_Prvdr_Last_Org_Name",
    "provider_first_name": "Rndrng_Prvdr_First_Name",
    "provider_middle_initial": "Rndrng_Prvdr_MI",
    "provider_credentials": "Rndrng_Prvdr_Crdntls",
    "provider_gender": "Rndrng_Prvdr_Gndr",
    "provider_entity_code": "Rndrng_Prvdr_Ent_Cd",
    "provider_street_1": "Rndrng_Prvdr_St1",
    "provider_street_2": "Rndrng_Prvdr_St2",
    "provider_city": "Rndrng_Prvdr_City",
    "provider_state": "Rndrng_Prvdr_State_Abrvtn",
    "provider_state_fips": "Rndrng_Prvdr_State_FIPS",
    "provider_zip5": "Rndrng_Prvdr_Zip5",
    "provider_ruca": "Rndrng_Prvdr_RUCA",
    "provider_ruca_description": "Rndrng_Prvdr_RUCA_Desc",
    "provider_country": "Rndrng_Prvdr_Cntry",
    "provider_type": "Rndrng_Prvdr_Type",
    "medicare_participation_indicator": "Rndrng_Prvdr_Mdcr_Prtcptg_Ind",
    "hcpcs_code": "HCPCS_Cd",
    "hcpcs_description": "HCPCS_Desc",
    "hcpcs_drug_indicator": "HCPCS_Drug_Ind",
    "place_of_service": "Place_Of_Srvc",
}
INTEGER_COLUMNS = {"total_beneficiaries": "Tot_Benes", "total_beneficiary_day_services": "Tot_Bene_Day_Srvcs"}
DECIMAL_COLUMNS = {
    "total_services": "Tot_Srvcs",
    "avg_submitted_charge": "Avg_Sbmtd_Chrg",
    "avg_medicare_allowed_amount": "Avg_Mdcr_Alowd_Amt",
    "avg_medicare_payment_amount": "Avg_Mdcr_Pymt_Amt",
    "avg_medicare_standardized_amount": "Avg_Mdcr_Stdzd_Amt",
}
NOT_IN_LEGACY = ("provider_state_fips", "provider_ruca", "provider_ruca_description")

# the legacy PUF layout, in its order (shared data README), with the current column each one comes from
LEGACY_COLUMNS = (
    ("npi", "Rndrng_NPI"),
    ("nppes_provider_last_org_name", "Rndrng_Prvdr_Last_Org_Name"),
    ("nppes_provider_first_name", "Rndrng_Prvdr_First_Name"),
    ("nppes_provider_mi", "Rndrng_Prvdr_MI"),
    ("nppes_credentials", "Rndrng_Prvdr_Crdntls"),
    ("nppes_provider_gender", "Rndrng_Prvdr_Gndr"),
    ("nppes_entity_code", "Rndrng_Prvdr_Ent_Cd"),
    ("nppes_provider_street1", "Rndrng_Prvdr_St1"),
    ("nppes_provider_street2", "Rndrng_Prvdr_St2"),
    ("nppes_provider_city", "Rndrng_Prvdr_City"),
    ("nppes_provider_zip", "Rndrng_Prvdr_Zip5"),
    ("nppes_provider_state", "Rndrng_Prvdr_State_Abrvtn"),
    ("nppes_provider_country", "Rndrng_Prvdr_Cntry"),
    ("provider_type", "Rndrng_Prvdr_Type"),
    ("medicare_participation_indicator", "Rndrng_Prvdr_Mdcr_Prtcptg_Ind"),
    ("place_of_service", "Place_Of_Srvc"),
    ("hcpcs_code", "HCPCS_Cd"),
    ("hcpcs_description", "HCPCS_Desc"),
    ("hcpcs_drug_indicator", "HCPCS_Drug_Ind"),
    ("line_srvc_cnt", "Tot_Srvcs"),
    ("bene_unique_cnt", "Tot_Benes"),
    ("bene_day_srvc_cnt", "Tot_Bene_Day_Srvcs"),
    ("average_Medicare_allowed_amt", "Avg_Mdcr_Alowd_Amt"),
    ("average_submitted_chrg_amt", "Avg_Sbmtd_Chrg"),
    ("average_Medicare_payment_amt", "Avg_Mdcr_Pymt_Amt"),
    ("average_Medicare_standard_amt", "Avg_Mdcr_Stdzd_Amt"),
)
# CY2012: standard deviations after three averages, no standardized amount
LEGACY_2012_AMOUNTS = (
    ("average_Medicare_allowed_amt", "Avg_Mdcr_Alowd_Amt"),
    ("stdev_Medicare_allowed_amt", None),
    ("average_submitted_chrg_amt", "Avg_Sbmtd_Chrg"),
    ("stdev_submitted_chrg_amt", None),
    ("average_Medicare_payment_amt", "Avg_Mdcr_Pymt_Amt"),
    ("stdev_Medicare_payment_amt", None),
)
LEGACY_2012_COLUMNS = (*LEGACY_COLUMNS[:22], *LEGACY_2012_AMOUNTS)
STDEV_VALUE = "98765.4321"  # in no average column: a stdev landing in one would show
COPYRIGHT_LINE_VALUES = {
    "npi": "0000000001",
    "nppes_provider_last_org_name": "CPT copyright 2011 American Medical Association.  All Rights Reserved.",
}

# names with accents, as CMS's older Latin-1 downloads carry them
ACCENTED = (
    {"Rndrng_Prvdr_Last_Org_Name": "Muñoz", "Rndrng_Prvdr_First_Name": "José"},
    {"Rndrng_Prvdr_City": "Añasco"},
)
EXTRA_COLUMN = "Extra_Note"


def changed(row: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    return {**row, **changes}


def current_lines(rows, header=HEADER, delimiter=",") -> list[str]:
    return [
        format_line(header, delimiter),
        *(format_line([row[c] for c in header], delimiter) for row in rows),
    ]


def legacy_zip(zip5: str, index: int) -> str:
    """A 9-digit ZIP+4: the row's ZIP5 followed by four digits."""
    return f"{zip5}{(index * 37) % 10000:04d}"


def legacy_2014_lines() -> list[str]:
    lines = [format_line([name for name, _ in LEGACY_COLUMNS], "\t")]
    for index, row in enumerate(sample_rows(2014)):
        values = {**row, "Rndrng_Prvdr_Zip5": legacy_zip(row["Rndrng_Prvdr_Zip5"], index)}
        lines.append(format_line([values[current] for _, current in LEGACY_COLUMNS], "\t"))
    return lines


def legacy_2012_lines() -> list[str]:
    names = [name for name, _ in LEGACY_2012_COLUMNS]
    lines = [
        format_line(names, "\t"),
        format_line([COPYRIGHT_LINE_VALUES.get(name, "") for name in names], "\t"),
    ]
    for row in sample_rows(2013)[:4]:
        lines.append(
            format_line(
                [row[current] if current else STDEV_VALUE for _, current in LEGACY_2012_COLUMNS], "\t"
            )
        )
    return lines


def reordered_header() -> list[str]:
    """The current columns reversed and lower-cased, with a column CMS never had in the middle."""
    names = [name.lower() for name in reversed(HEADER)]
    return [*names[:10], EXTRA_COLUMN, *names[10:]]


def reordered_lines() -> list[str]:
    header = reordered_header()
    lines = [format_line(header)]
    for row in sample_rows(2018)[:3]:
        values = {name.lower(): value for name, value in row.items()} | {EXTRA_COLUMN: "not CMS data, 12.5"}
        lines.append(format_line([values[name] for name in header]))
    return lines


# file -> the sample rows (with any edits) staging must hold for it, and its data year
EXPECTED_ROWS = {
    LATIN1_FILE: (
        [changed(row, edit) for row, edit in zip(sample_rows(2019)[:2], ACCENTED, strict=True)],
        2004,
    ),
    UTF8_FILE: (
        [changed(row, edit) for row, edit in zip(sample_rows(2019)[2:4], ACCENTED, strict=True)],
        2005,
    ),
    REORDERED_FILE: (list(sample_rows(2018)[:3]), 2006),
    PLAIN_FILE: (list(sample_rows(2017)[:3]), 2007),
    GZIP_FILE: (list(sample_rows(2016)[:3]), 2008),
    TAB_FILE: (list(sample_rows(2015)[:3]), 2009),
}


def write_files(directory: Path) -> None:
    write_raw_file(directory / LATIN1_FILE, current_lines(EXPECTED_ROWS[LATIN1_FILE][0]), encoding="latin-1")
    write_raw_file(directory / UTF8_FILE, current_lines(EXPECTED_ROWS[UTF8_FILE][0]), bom=True)
    write_raw_file(directory / REORDERED_FILE, reordered_lines())
    write_raw_file(directory / PLAIN_FILE, current_lines(EXPECTED_ROWS[PLAIN_FILE][0]))
    write_raw_file(directory / GZIP_FILE, current_lines(EXPECTED_ROWS[GZIP_FILE][0]))
    write_raw_file(
        directory / TAB_FILE, current_lines(EXPECTED_ROWS[TAB_FILE][0], delimiter="\t"), newline="\r\n"
    )
    write_raw_file(directory / LEGACY_2014_FILE, legacy_2014_lines())
    write_raw_file(directory / LEGACY_2012_FILE, legacy_2012_lines(), newline="\r\n")


@pytest.fixture(scope="module")
def build(build_staging):
    return build_staging("formats", write_files)


def expected_staged(row: dict[str, str], *, legacy: bool = False) -> dict[str, object]:
    """The staged row a raw row must give: text trimmed (empty is null), counts and amounts as numbers."""
    expected: dict[str, object] = {column: row[raw].strip() or None for column, raw in TEXT_COLUMNS.items()}
    expected |= {column: int(row[raw]) for column, raw in INTEGER_COLUMNS.items()}
    expected |= {column: Decimal(row[raw]) if row[raw] else None for column, raw in DECIMAL_COLUMNS.items()}
    if legacy:
        expected |= dict.fromkeys(NOT_IN_LEGACY)
    return expected


def by_key(rows) -> dict[tuple, dict]:
    keyed = {(row["npi"], row["hcpcs_code"], row["place_of_service"]): row for row in rows}
    assert len(keyed) == len(rows), "a key appears twice"
    return keyed


def assert_staged_equal(staged: list[dict], expected: list[dict]) -> None:
    staged_by_key, expected_by_key = by_key(staged), by_key(expected)
    assert staged_by_key.keys() == expected_by_key.keys()
    for key, want in expected_by_key.items():
        got = {column: staged_by_key[key][column] for column in want}
        assert got == want, key


@pytest.mark.parametrize("file_name", list(EXPECTED_ROWS))
def test_file_loads_every_row_into_the_right_columns(build, file_name):
    rows, data_year = EXPECTED_ROWS[file_name]
    staged = build.staged(file_name)
    assert_staged_equal(staged, [expected_staged(row) for row in rows])
    assert {row["data_year"] for row in staged} == {data_year}
    assert build.rejected(file_name) == []


@pytest.mark.parametrize("file_name", [LATIN1_FILE, UTF8_FILE])
def test_accented_names_keep_their_letters(build, file_name):
    names = {
        (row["provider_last_org_name"], row["provider_first_name"], row["provider_city"])
        for row in build.staged(file_name)
    }
    assert ("Muñoz", "José") in {name[:2] for name in names}
    assert "Añasco" in {name[2] for name in names}


def test_extra_column_lands_nowhere(build):
    staged = build.staged(REORDERED_FILE)
    assert not any("not CMS data" in str(value) for row in staged for value in row.values())


def test_legacy_2014_file_gives_the_rows_of_the_current_2014_file(build):
    staged = build.staged(LEGACY_2014_FILE)
    assert len(staged) == 6746  # the 2014 sample's rows (shared data README)
    assert_staged_equal(staged, [expected_staged(row, legacy=True) for row in sample_rows(2014)])
    assert {row["data_year"] for row in staged} == {2014}
    assert build.rejected(LEGACY_2014_FILE) == []


def test_legacy_2014_file_gives_the_payment_total_of_the_current_2014_file(build):
    expected = sum(
        Decimal(row["Avg_Mdcr_Pymt_Amt"]) * Decimal(row["Tot_Srvcs"]) for row in sample_rows(2014)
    ).quantize(Decimal("0.01"))
    [row] = build.query(
        "select round(sum(avg_medicare_payment_amount * total_services), 2) as total "
        "from staging.stg_cms__provider_services where source_file = ?",
        build.path(LEGACY_2014_FILE),
    )
    assert row["total"] == expected


def test_legacy_zip_plus_4_is_cut_to_the_zip5(build):
    staged = build.staged(LEGACY_2014_FILE)
    assert all(len(row["provider_zip5"]) == 5 for row in staged)
    # leading zeros survive: New England ZIPs start with 0
    assert sum(row["provider_zip5"].startswith("0") for row in staged) == sum(
        row["Rndrng_Prvdr_Zip5"].startswith("0") for row in sample_rows(2014)
    )


def test_legacy_2012_copyright_line_is_rejected_and_the_rest_loads(build):
    rejected = build.rejected(LEGACY_2012_FILE)
    assert len(rejected) == 1
    [copyright_line] = rejected
    assert copyright_line["line_number"] == 2
    assert copyright_line["data_year"] == 2012
    assert copyright_line["rejection_stage"] == "invalid row"
    assert copyright_line["rejection_reason"].startswith(
        "CPT copyright notice line of a legacy CMS file, not data"
    )
    assert build.query("select * from staging.stg_cms__provider_services where npi = '0000000001'") == []

    expected = [changed(row, {"Avg_Mdcr_Stdzd_Amt": ""}) for row in sample_rows(2013)[:4]]
    staged = build.staged(LEGACY_2012_FILE)
    assert_staged_equal(staged, [expected_staged(row, legacy=True) for row in expected])
    assert all(row["avg_medicare_standardized_amount"] is None for row in staged)


@pytest.mark.parametrize("file_name", ALL_FILES)
def test_every_raw_data_line_is_staged_or_rejected(build, file_name):
    raw_lines = count_data_lines(build.directory / file_name)
    assert raw_lines == len(build.staged(file_name)) + len(build.rejected(file_name))
