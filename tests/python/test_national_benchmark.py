"""Rules of the national benchmark's synthetic CMS years, checked with independent SQL on the written files.

The generator runs at a small size (20,000 lines a year, two years); every expected value is a fixed number
from the brief the generator follows (about 9 lines per NPI, skewed codes, ~90% of NPIs kept a year), never
one the generator computes.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from deep_medicare_dev.national_benchmark import generate_years, warm_page_cache

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_GLOB = str(REPO_ROOT / "data" / "sample" / "*.csv.gz")
ROWS = 20_000
FILE_NAMES = (
    "Medicare_Physician_Other_Practitioners_by_Provider_and_Service_2020.csv",
    "Medicare_Physician_Other_Practitioners_by_Provider_and_Service_2021.csv",
)
IDENTITY_COLUMNS = """
    Rndrng_Prvdr_Last_Org_Name, Rndrng_Prvdr_First_Name, Rndrng_Prvdr_MI, Rndrng_Prvdr_Crdntls,
    Rndrng_Prvdr_Gndr, Rndrng_Prvdr_Ent_Cd, Rndrng_Prvdr_St1, Rndrng_Prvdr_St2, Rndrng_Prvdr_City,
    Rndrng_Prvdr_State_Abrvtn, Rndrng_Prvdr_State_FIPS, Rndrng_Prvdr_Zip5, Rndrng_Prvdr_RUCA,
    Rndrng_Prvdr_RUCA_Desc, Rndrng_Prvdr_Cntry, Rndrng_Prvdr_Type, Rndrng_Prvdr_Mdcr_Prtcptg_Ind
"""


def generate(directory: Path, *, rows: int, years: int, seed: int = 0) -> list[Path]:
    """Run the generator into `directory` on a fresh in-memory DuckDB."""
    connection = duckdb.connect()
    try:
        return generate_years(connection, SAMPLE_GLOB, directory, rows=rows, years=years, seed=seed)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two synthetic years of 20,000 lines each, in their own folder."""
    directory = tmp_path_factory.mktemp("national")
    generate(directory, rows=ROWS, years=2)
    return directory


@pytest.fixture(scope="module")
def lines(generated: Path) -> duckdb.DuckDBPyConnection:
    """A connection with table `lines`: every parsed line as text, with its data year from the file name."""
    connection = duckdb.connect()
    connection.execute(
        f"""
        create table lines as
        select
            *,
            cast(regexp_extract(filename, '_([0-9]{{4}})\\.csv$', 1) as integer) as data_year
        from read_csv('{generated}/*.csv', header = true, all_varchar = true, filename = true,
            strict_mode = true)
        """
    )
    return connection


def scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The single value of a query."""
    return connection.execute(sql).fetchall()[0][0]


def test_one_file_per_year_named_as_cms_names_them(generated: Path) -> None:
    assert sorted(path.name for path in generated.iterdir()) == list(FILE_NAMES)


def test_header_is_the_samples_header(generated: Path) -> None:
    sample = REPO_ROOT / "data" / "sample" / (FILE_NAMES[1] + ".gz")
    with gzip.open(sample, "rt", encoding="utf-8") as handle:
        sample_header = handle.readline()
    for name in FILE_NAMES:
        with open(generated / name, encoding="utf-8") as handle:
            assert handle.readline() == sample_header


def test_every_file_has_the_requested_lines(generated: Path, lines: duckdb.DuckDBPyConnection) -> None:
    per_year = lines.execute("select data_year, count(*) from lines group by 1 order by 1").fetchall()
    assert per_year == [(2020, ROWS), (2021, ROWS)]
    for name in FILE_NAMES:
        # raw text lines (header + data): a broken quote would merge or split lines in the parse above
        assert (generated / name).read_bytes().count(b"\n") == ROWS + 1


def test_descriptions_with_commas_are_quoted(generated: Path) -> None:
    text = (generated / FILE_NAMES[1]).read_text(encoding="utf-8")
    assert ',"Metropolitan area core: primary flow within an urbanized area of 50,000 and greater",' in text
    assert text.count('"') > 4 * ROWS  # RUCA and HCPCS descriptions at least, quoted on every line


def test_key_is_unique_within_a_year(lines: duckdb.DuckDBPyConnection) -> None:
    repeated = scalar(
        lines,
        """
        select count(*) from (
            select data_year, Rndrng_NPI, HCPCS_Cd, Place_Of_Srvc
            from lines group by all having count(*) > 1
        )
        """,
    )
    assert repeated == 0


def test_npis_are_ten_digits(lines: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(lines, "select count(*) from lines where not regexp_full_match(Rndrng_NPI, '[0-9]{10}')") == 0
    )


def test_each_npi_keeps_one_identity_across_lines_and_years(lines: duckdb.DuckDBPyConnection) -> None:
    split = scalar(
        lines,
        f"""
        select count(*) from (
            select Rndrng_NPI from lines group by Rndrng_NPI
            having count(distinct row({IDENTITY_COLUMNS})) > 1
        )
        """,
    )
    assert split == 0
    # identities come from the sample's providers: more than a few of them, never all the same
    assert scalar(lines, "select count(distinct Rndrng_Prvdr_Last_Org_Name) from lines") > 100


def test_about_nine_lines_per_npi(lines: duckdb.DuckDBPyConnection) -> None:
    per_npi = scalar(lines, "select count(*) / count(distinct (data_year, Rndrng_NPI)) from lines")
    assert 5 < per_npi < 15


def test_many_codes_with_a_skewed_distribution(lines: duckdb.DuckDBPyConnection) -> None:
    assert scalar(lines, "select count(distinct HCPCS_Cd) from lines") > 500
    top_share = scalar(
        lines,
        """
        with per_code as (select HCPCS_Cd, count(*) as line_count from lines group by 1),
        ranked as (
            select line_count, row_number() over (order by line_count desc) as code_rank,
                count(*) over () as codes
            from per_code
        )
        select sum(line_count) filter (where code_rank <= codes / 100) / sum(line_count) from ranked
        """,
    )
    assert top_share > 0.2
    # a code has one description and one drug indicator
    assert (
        scalar(
            lines,
            "select count(*) from (select HCPCS_Cd from lines group by 1 "
            "having count(distinct (HCPCS_Desc, HCPCS_Drug_Ind)) > 1)",
        )
        == 0
    )


def test_both_places_of_service(lines: duckdb.DuckDBPyConnection) -> None:
    places = lines.execute("select Place_Of_Srvc, count(*) from lines group by 1 order by 1").fetchall()
    assert [place for place, _ in places] == ["F", "O"]
    assert min(count for _, count in places) > 0.1 * 2 * ROWS


def test_most_npis_of_a_year_were_there_the_year_before(lines: duckdb.DuckDBPyConnection) -> None:
    kept = scalar(
        lines,
        """
        select avg(cast(Rndrng_NPI in (select Rndrng_NPI from lines where data_year = 2020) as integer))
        from (select distinct Rndrng_NPI from lines where data_year = 2021)
        """,
    )
    assert 0.7 < kept < 1.0


def test_every_line_passes_the_staging_rules(lines: duckdb.DuckDBPyConnection) -> None:
    broken = scalar(
        lines,
        """
        with typed as (
            select
                Place_Of_Srvc,
                try_cast(Tot_Benes as bigint) as benes,
                try_cast(Tot_Srvcs as decimal(18, 3)) as services,
                try_cast(Tot_Bene_Day_Srvcs as bigint) as bene_day_services,
                try_cast(Avg_Sbmtd_Chrg as decimal(38, 10)) as charge,
                try_cast(Avg_Mdcr_Alowd_Amt as decimal(38, 10)) as allowed,
                try_cast(Avg_Mdcr_Pymt_Amt as decimal(38, 10)) as payment,
                try_cast(Avg_Mdcr_Stdzd_Amt as decimal(38, 10)) as standardized
            from lines
        )
        select count(*) from typed
        where not coalesce(
            Place_Of_Srvc in ('F', 'O')
            and benes >= 11
            and services >= bene_day_services
            and bene_day_services >= benes
            and least(charge, allowed, payment, standardized) >= 0
            and payment <= allowed,
            false
        )
        """,
    )
    assert broken == 0


def test_amounts_have_cms_like_decimals(lines: duckdb.DuckDBPyConnection) -> None:
    too_long = scalar(
        lines,
        "select count(*) from lines where not regexp_full_match(Avg_Mdcr_Pymt_Amt, '[0-9]+(\\.[0-9]{1,8})?')",
    )
    assert too_long == 0


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    first = generate(tmp_path / "first", rows=3_000, years=1, seed=7)
    again = generate(tmp_path / "again", rows=3_000, years=1, seed=7)
    other = generate(tmp_path / "other", rows=3_000, years=1, seed=8)
    assert first[0].read_bytes() == again[0].read_bytes()
    assert first[0].read_bytes() != other[0].read_bytes()


def test_warming_the_page_cache_reads_every_byte_of_every_file(tmp_path: Path) -> None:
    # sizes on both sides of the chunk size, and an empty file: each is read to its end
    sizes = {"a.csv": 0, "b.csv": 1, "c.csv": 5, "d.csv": 12}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    files = [tmp_path / name for name in sizes]
    assert warm_page_cache(files, chunk_bytes=4) == 18
