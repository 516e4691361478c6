"""The yearly incremental refresh (macros/refresh/year_refresh.sql) equals a full build, after adding a year's
file, replacing one with a revised copy, and removing one.

One scratch warehouse is refreshed step by step with `dbt build` (every data test runs on the refreshed
tables, and it publishes); after each step a second scratch warehouse is built from scratch over the same
files (`dbt build --full-refresh`, its data tests left out). Every table and view of the staging,
intermediate and marts schemas must then hold the same rows: money, counts and text exactly, doubles within
1e-9 relative (sums of doubles in parallel may differ in their last bits between any two builds). The log
must show that each step recomputed only the data years it should: the years each model recomputes are
written here by hand, per model reach.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from serving_support import MARTS, PUBLISHED_LINE, Scratch, sample_files

SAMPLE_YEARS = range(2013, 2022)
# Models the refresh keeps by data year, with their reach (macros/refresh/year_refresh.sql); a fixed list, so
# a model that stops being incremental, or changes reach, fails here.
SAME_YEAR_MODELS = (
    "base_cms__provider_service_rows",
    "base_cms__provider_service_repeated_keys",
    "stg_cms__provider_services_rejected",
    "int_provider_year_attributes",
    "int_provider_service_years_enriched",
    "int_provider_year_totals",
    "int_service_cost_years",
    "fct_provider_service_year",
    "int_provider_service_peer_benchmarks",
    "int_provider_year_code_features",
    "region_year_summary",
)
ADJACENT_YEAR_MODELS = ("int_provider_year_evidence",)
LATER_YEAR_MODELS = ("provider_year_summary",)
# The scores read a year's neighbouring evidence and the provider's previous billed year.
PREVIOUS_AND_LATER_YEAR_MODELS = ("provider_anomaly_scores",)
# Tables and views compared besides the marts (MARTS, a fixed list in serving_support).
PIPELINE_RELATIONS = (
    "staging.base_cms__physician_files",
    "staging.base_cms__provider_service_rows",
    "staging.base_cms__provider_service_repeated_keys",
    "staging.base_cms__provider_service_malformed_lines",
    "staging.stg_cms__provider_services",
    "staging.stg_cms__provider_services_rejected",
    "intermediate.int_provider_year_attributes",
    "intermediate.int_provider_service_years_enriched",
    "intermediate.int_provider_year_totals",
    "intermediate.int_provider_service_peer_stats",
    "intermediate.int_provider_service_peer_benchmarks",
    "intermediate.int_provider_year_code_features",
    "intermediate.int_provider_year_evidence",
    "intermediate.int_service_cost_years",
    "intermediate.int_service_cost_trends",
)
COMPARED = (*PIPELINE_RELATIONS, *(f"marts.{name}" for name in MARTS))
# The key of each compared relation with double columns: doubles (sums of doubles in parallel can differ in
# their last bits between any two builds) are compared row by row, joined on it.
PROVIDER_SERVICE_KEY = ("data_year", "npi", "hcpcs_code", "place_of_service")
PROVIDER_YEAR_KEY = ("data_year", "npi")
DOUBLE_KEYS = {
    "int_provider_service_peer_stats": PROVIDER_SERVICE_KEY,
    "int_provider_service_years_enriched": PROVIDER_SERVICE_KEY,
    "int_provider_service_peer_benchmarks": PROVIDER_SERVICE_KEY,
    "provider_peer_benchmarks": PROVIDER_SERVICE_KEY,
    "int_provider_year_code_features": PROVIDER_YEAR_KEY,
    "int_provider_year_evidence": PROVIDER_YEAR_KEY,
    "provider_anomaly_scores": PROVIDER_YEAR_KEY,
    "provider_anomaly_exclusions": PROVIDER_YEAR_KEY,
    "provider_year_summary": PROVIDER_YEAR_KEY,
    "int_service_cost_trends": ("breakdown", "breakdown_value", "hcpcs_code", "data_year"),
    "cost_trends": ("hcpcs_code", "data_year"),
    "cost_trends_by_place_of_service": ("hcpcs_code", "place_of_service", "data_year"),
    "cost_trends_by_specialty": ("hcpcs_code", "provider_type", "data_year"),
    "region_year_summary": ("geography_level", "geography_code", "data_year"),
}
REFRESH_LINE = re.compile(r"Year refresh: (\w+) recomputes data years \[([0-9, ]*)\]")


def expected_refresh(changed: int, known: list[int]) -> dict[str, list[int]]:
    """What each incremental model recomputes when one data year changes, among the known years (the years
    of the files now or at the model's last build: a removed year is recomputed to delete its rows)."""

    def among(years: list[int]) -> list[int]:
        return [year for year in years if year in known]

    expected = {model: [changed] for model in SAME_YEAR_MODELS}
    expected.update({model: among([changed - 1, changed, changed + 1]) for model in ADJACENT_YEAR_MODELS})
    expected.update({model: among(list(range(changed, max(known) + 1))) for model in LATER_YEAR_MODELS})
    expected.update(
        {model: among(list(range(changed - 1, max(known) + 1))) for model in PREVIOUS_AND_LATER_YEAR_MODELS}
    )
    return expected


def refreshed_years(output: str) -> dict[str, list[int]]:
    """The data years each model said it recomputed, from the dbt log."""
    found = {}
    for model, years in REFRESH_LINE.findall(output):
        found[model] = [int(year) for year in years.split(",") if year.strip()]
    return found


def write_revised_copy(source: Path, target: Path) -> None:
    """A revised CMS file: every 7th row bills twice the services at 1.25 dollars more, every 50th row is
    gone, and one row gets a negative payment (staging rejects it). Written beside, then renamed over."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = list(reader)
    revised = []
    for number, row in enumerate(rows):
        if number % 50 == 49:
            continue
        if number % 7 == 0:
            row["Tot_Srvcs"] = str(float(row["Tot_Srvcs"]) * 2).removesuffix(".0")
            row["Avg_Mdcr_Pymt_Amt"] = f"{float(row['Avg_Mdcr_Pymt_Amt']) + 1.25:.2f}"
        revised.append(row)
    revised[3]["Avg_Mdcr_Pymt_Amt"] = "-5.00"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(revised)
    partial = target.with_name(target.name + ".partial")
    with gzip.open(partial, "wt", encoding="utf-8", newline="") as handle:
        handle.write(text.getvalue())
    os.replace(partial, target)


def columns_of(connection: duckdb.DuckDBPyConnection, catalog: str, relation: str) -> list[tuple[str, bool]]:
    """(column, is a double) of catalog.relation, in order."""
    schema, name = relation.split(".")
    columns = connection.execute(
        "select column_name, data_type in ('DOUBLE', 'FLOAT') from duckdb_columns()"
        " where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, name],
    ).fetchall()
    assert columns, f"{relation} is missing from {catalog}"
    return columns


def differences(refreshed: Path, full: Path) -> dict[str, list[int]]:
    """Per compared relation that differs: [rows only in the refreshed warehouse, rows only in the full one
    (every column but the doubles, as multisets), rows in each, rows whose doubles differ beyond 1e-9
    relative (joined on the relation's key)]."""
    found = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{refreshed}' as refreshed (read_only)")
        connection.execute(f"attach '{full}' as full_build (read_only)")
        for relation in COMPARED:
            columns = columns_of(connection, "refreshed", relation)
            assert columns == columns_of(connection, "full_build", relation), relation
            exact = ", ".join(f'"{column}"' for column, is_double in columns if not is_double)
            doubles = [column for column, is_double in columns if is_double]
            left = f"select {exact} from refreshed.{relation}"
            right = f"select {exact} from full_build.{relation}"
            counts = list(
                connection.execute(
                    f"""
                    select
                        (select count(*) from ({left} except all {right})),
                        (select count(*) from ({right} except all {left})),
                        (select count(*) from refreshed.{relation}),
                        (select count(*) from full_build.{relation})
                    """
                ).fetchone()
            )
            mismatched = 0
            if doubles:
                keys = DOUBLE_KEYS[relation.split(".")[1]]
                agree = " and ".join(
                    f"(a.{c} is not distinct from b.{c}"
                    f" or abs(a.{c} - b.{c}) <= 1e-9 * greatest(1, abs(a.{c}), abs(b.{c})))"
                    for c in doubles
                )
                mismatched = connection.execute(
                    f"select count(*) from refreshed.{relation} as a full join full_build.{relation} as b"
                    f" using ({', '.join(keys)}) where a.{keys[0]} is null or b.{keys[0]} is null"
                    f" or not ({agree})"
                ).fetchone()[0]
            if counts[0] or counts[1] or counts[2] != counts[3] or mismatched:
                found[relation] = [*counts, mismatched]
    return found


def catalog_differences(refreshed: Path, full: Path) -> list[tuple]:
    """What the refreshed warehouse's catalog says differently from the full build's, for the compared
    relations: each table's constraints (primary keys and their NOT NULLs), and the table and column comments
    (persist_docs). A refresh that rebuilds a table must give it back its key and its comments."""
    schemas = sorted({relation.split(".")[0] for relation in COMPARED})
    names = [relation.split(".")[1] for relation in COMPARED]
    queries = (
        "select schema_name, table_name, constraint_type, constraint_column_names from duckdb_constraints()"
        " where database_name = $catalog",
        "select schema_name, table_name, comment from duckdb_tables() where database_name = $catalog",
        "select schema_name, table_name, column_name, comment from duckdb_columns()"
        " where database_name = $catalog",
    )
    found = []
    with duckdb.connect() as connection:
        connection.execute(f"attach '{refreshed}' as refreshed (read_only)")
        connection.execute(f"attach '{full}' as full_build (read_only)")
        for query in queries:
            rows = {}
            for catalog in ("refreshed", "full_build"):
                rows[catalog] = {
                    tuple(map(str, row))
                    for row in connection.execute(query, {"catalog": catalog}).fetchall()
                    if row[0] in schemas and row[1] in names
                }
            assert rows["full_build"], query
            found += sorted(("only refreshed", *row) for row in rows["refreshed"] - rows["full_build"])
            found += sorted(("only full", *row) for row in rows["full_build"] - rows["refreshed"])
    return found


@pytest.fixture(scope="module")
def raw_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies of the sample's 2013-2020 files (2021 is added by the test)."""
    directory = tmp_path_factory.mktemp("refresh_raw")
    for path in sample_files(range(2013, 2021)):
        shutil.copyfile(path, directory / path.name)
    return directory


def test_refresh_equals_full_build_after_adding_replacing_and_removing_files(
    raw_directory: Path, tmp_path: Path
) -> None:
    files_glob = str(raw_directory / "*.csv.gz")
    refreshed = Scratch(tmp_path / "refreshed")
    full = Scratch(tmp_path / "full")
    for scratch in (refreshed, full):
        scratch.root.mkdir(parents=True)

    first = refreshed.dbt(files_glob, "build")
    assert first.returncode == 0, first.stdout[-4000:]
    assert refreshed_years(first.stdout) == {}, "the first build of a warehouse is a full build"

    def refresh_and_compare(step: str, changed: int, known: list[int]) -> None:
        # the refresh and the full build read the same files and write warehouses of their own, so they run
        # side by side (each dbt run keeps about one core busy on the sample)
        untested = ("--exclude", "resource_type:test", "resource_type:unit_test")
        with ThreadPoolExecutor(max_workers=2) as pool:
            refreshing = pool.submit(refreshed.dbt, files_glob, "build")
            rebuilding = pool.submit(full.dbt, files_glob, "build", "--full-refresh", *untested)
            result, rebuilt = refreshing.result(), rebuilding.result()
        assert result.returncode == 0, f"{step}: the refresh failed\n{result.stdout[-4000:]}"
        assert PUBLISHED_LINE in result.stdout, step
        assert refreshed_years(result.stdout) == expected_refresh(changed, known), step
        assert rebuilt.returncode == 0, f"{step}: the full build failed\n{rebuilt.stdout[-4000:]}"
        assert differences(refreshed.served, full.served) == {}, step
        assert catalog_differences(refreshed.served, full.served) == [], step

    # CMS publishes a new year
    (latest,) = sample_files([2021])
    shutil.copyfile(latest, raw_directory / latest.name)
    refresh_and_compare("add 2021", 2021, list(SAMPLE_YEARS))

    # CMS revises a past year's file, under the same name
    (revised,) = sample_files([2017])
    write_revised_copy(revised, raw_directory / revised.name)
    refresh_and_compare("revise 2017", 2017, list(SAMPLE_YEARS))

    # a year's file is removed: its year leaves every table
    (removed,) = sample_files([2015])
    (raw_directory / removed.name).unlink()
    refresh_and_compare("remove 2015", 2015, list(SAMPLE_YEARS))
    with duckdb.connect(str(refreshed.served), read_only=True) as connection:
        assert connection.execute(
            "select count(*) from marts.fct_provider_service_year where data_year = 2015"
        ).fetchone() == (0,)

    # nothing changed: every model recomputes no year, and the build still passes and publishes
    unchanged = refreshed.dbt(files_glob, "build")
    assert unchanged.returncode == 0, unchanged.stdout[-4000:]
    assert PUBLISHED_LINE in unchanged.stdout
    models = (*SAME_YEAR_MODELS, *ADJACENT_YEAR_MODELS, *LATER_YEAR_MODELS, *PREVIOUS_AND_LATER_YEAR_MODELS)
    assert refreshed_years(unchanged.stdout) == {model: [] for model in models}
