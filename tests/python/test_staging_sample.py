"""The real CMS sample (9 files, 2013-2021) stages whole: every row kept, none rejected, total to the cent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from dbt_runner import SAMPLE_DIR, count_data_lines

pytestmark = pytest.mark.slow

# hand figures from the shared data README (not computed by the code under test)
SAMPLE_ROWS = 69_334
SAMPLE_PAYMENT_TOTAL = Decimal("4722180538.72")
SAMPLE_ROWS_BY_YEAR = {
    2013: 6_570,
    2014: 6_746,
    2015: 7_067,
    2016: 7_464,
    2017: 7_679,
    2018: 8_019,
    2019: 8_362,
    2020: 8_489,
    2021: 8_938,
}
SAMPLE_FILES = sorted(SAMPLE_DIR.glob("*.csv.gz"))


def copy_sample(directory: Path) -> None:
    for path in SAMPLE_FILES:
        (directory / path.name).write_bytes(path.read_bytes())


@pytest.fixture(scope="module")
def build(build_staging):
    return build_staging("sample", copy_sample)


def test_sample_stages_every_row(build):
    [row] = build.query("select count(*) as n from staging.stg_cms__provider_services")
    assert row["n"] == SAMPLE_ROWS


def test_sample_payment_total_matches_the_hand_figure(build):
    [row] = build.query(
        "select round(sum(avg_medicare_payment_amount * total_services), 2) as total "
        "from staging.stg_cms__provider_services"
    )
    assert row["total"] == SAMPLE_PAYMENT_TOTAL


def test_sample_rejects_nothing(build):
    assert build.query("select * from staging.stg_cms__provider_services_rejected") == []


def test_npis_are_ten_character_strings_and_hcpcs_codes_are_text(build):
    [types] = build.query(
        "select max(data_type) filter (where column_name = 'npi') as npi, "
        "max(data_type) filter (where column_name = 'hcpcs_code') as hcpcs_code "
        "from information_schema.columns "
        "where table_schema = 'staging' and table_name = 'stg_cms__provider_services'"
    )
    assert types == {"npi": "VARCHAR", "hcpcs_code": "VARCHAR"}
    [lengths] = build.query(
        "select min(length(npi)) as low, max(length(npi)) as high from staging.stg_cms__provider_services"
    )
    assert lengths == {"low": 10, "high": 10}
    assert build.query(
        "select count(*) as n from staging.stg_cms__provider_services where hcpcs_code = '17311'"
    )[0]["n"]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: path.name[-11:-7])
def test_each_sample_file_stages_its_rows_under_its_year(build, path):
    rows = build.query(
        "select data_year, count(*) as n from staging.stg_cms__provider_services "
        "where source_file = ? group by all",
        build.path(path.name),
    )
    year = int(path.name[-11:-7])
    assert rows == [{"data_year": year, "n": SAMPLE_ROWS_BY_YEAR[year]}]
    assert count_data_lines(path) == SAMPLE_ROWS_BY_YEAR[year]


def test_the_raw_files_view_holds_every_line_of_every_file(build):
    # the source's relation: one row per raw line, headers included (one per file), with absolute file names
    rows = build.query(
        "select filename, count(*) as n from raw_files.physician_by_provider_and_service group by filename"
    )
    assert {row["filename"] for row in rows} == {
        str(path.resolve()) for path in build.directory.glob("*.csv.gz")
    }
    assert sum(row["n"] for row in rows) == SAMPLE_ROWS + len(SAMPLE_FILES)
