"""The warehouse describes itself: the marts carry their primary keys, their contracted column types and their
comments in the DuckDB catalog, where BI tools read them (duckdb_tables(), duckdb_columns(),
duckdb_constraints()). Expected: a fixed list written here (docs/serving.md, "Keys and contracts"), not read
from the yml, so a key or a type dropped from the yml fails here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from serving_support import (
    MARTS,
    PUBLISHED_LINE,
    REPO_ROOT,
    link_files,
    sample_files,
    scratch_copy_of_served,
    served_warehouse,
)

# Each mart's primary key, in key order: its grain. None: no key constraint on purpose (the code-level marts,
# 10 million rows a national year, whose key index DuckDB holds in memory; their grain tests check the key).
PRIMARY_KEYS: dict[str, list[str] | None] = {
    "cost_trends": ["hcpcs_code", "data_year"],
    "cost_trends_by_place_of_service": ["hcpcs_code", "place_of_service", "data_year"],
    "cost_trends_by_specialty": ["hcpcs_code", "provider_type", "data_year"],
    "dim_provider": ["npi"],
    "dim_service": ["hcpcs_code"],
    "fct_provider_service_year": None,
    "provider_anomaly_exclusions": None,  # a view of the scores beside the exclusions: no key
    "provider_anomaly_scores": ["npi", "data_year"],
    "provider_exclusions": ["npi", "exclusion_date", "exclusion_type"],
    "provider_peer_benchmarks": None,
    "provider_year_summary": ["npi", "data_year"],
    "region_year_summary": ["data_year", "geography_level", "geography_code"],
    "time_spine_days": ["date_day"],
}
# The SQL marts, whose contracts dbt enforces; provider_anomaly_scores is a Python model (no contracts).
CONTRACTED = sorted(set(MARTS) - {"provider_anomaly_scores"})
# Types the contracts promise for columns analysts sum and compare: money totals are exact decimals (CMS's
# average, 10 decimals, times services, 3 decimals), rates doubles, years integers, NPIs text.
COLUMN_TYPES = {
    ("fct_provider_service_year", "data_year"): "INTEGER",
    ("fct_provider_service_year", "npi"): "VARCHAR",
    ("fct_provider_service_year", "total_services"): "DECIMAL(18,3)",
    ("fct_provider_service_year", "avg_medicare_payment_amount"): "DECIMAL(38,10)",
    ("fct_provider_service_year", "total_medicare_payment"): "DECIMAL(38,13)",
    ("fct_provider_service_year", "total_allowed_amount"): "DECIMAL(38,13)",
    ("provider_year_summary", "total_medicare_payment"): "DECIMAL(38,13)",
    ("provider_year_summary", "payment_per_service"): "DOUBLE",
    ("region_year_summary", "total_medicare_payment"): "DECIMAL(38,13)",
    ("cost_trends", "total_services"): "DECIMAL(38,3)",
    ("cost_trends", "total_medicare_payment"): "DECIMAL(38,13)",
    ("cost_trends", "payment_per_service_index"): "DOUBLE",
    ("dim_provider", "npi"): "VARCHAR",
    ("time_spine_days", "date_day"): "DATE",
}
MANIFEST = REPO_ROOT / "target" / "manifest.json"


def catalog(path: Path) -> dict:
    """The marts schema as DuckDB's catalog describes it: tables, columns and constraints."""
    with duckdb.connect(str(path), read_only=True) as connection:
        # a mart may be a view of an intermediate table (provider_peer_benchmarks): no key, but a comment
        tables = connection.execute(
            "select table_name, has_primary_key, comment from duckdb_tables() where schema_name = 'marts' "
            "union all select view_name, false, comment from duckdb_views() where schema_name = 'marts'"
        ).fetchall()
        columns = connection.execute(
            "select table_name, column_name, data_type, is_nullable, comment from duckdb_columns() "
            "where schema_name = 'marts'"
        ).fetchall()
        constraints = connection.execute(
            "select table_name, constraint_type, constraint_column_names, referenced_table "
            "from duckdb_constraints() where schema_name = 'marts' and constraint_type <> 'NOT NULL'"
        ).fetchall()
    return {
        "tables": {name: (has_key, comment) for name, has_key, comment in tables},
        "columns": {
            (table, name): (kind, nullable, comment) for table, name, kind, nullable, comment in columns
        },
        "constraints": constraints,
    }


def primary_keys(described: dict) -> dict[str, list[str]]:
    keys = {}
    for table, kind, columns, _ in described["constraints"]:
        if kind == "PRIMARY KEY":
            assert table not in keys, f"{table} has two primary keys"
            keys[table] = list(columns)
    return keys


@pytest.fixture(scope="module")
def served() -> dict:
    path = served_warehouse()
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make build` (or `make test`, which builds first)")
    return catalog(path)


def test_the_marts_are_the_fixed_list(served):
    assert sorted(served["tables"]) == sorted(PRIMARY_KEYS) == sorted(MARTS)


def test_each_mart_has_its_grain_as_primary_key(served):
    keys = primary_keys(served)
    for mart, expected in PRIMARY_KEYS.items():
        assert keys.get(mart) == expected, mart
        assert served["tables"][mart][0] == (expected is not None), mart
        for column in expected or []:
            assert served["columns"][(mart, column)][1] is False, f"{mart}.{column} is nullable"


def test_no_foreign_keys_because_duckdb_cannot_replace_a_referenced_table(served):
    # docs/serving.md, "Keys and contracts": a referenced dimension could not be rebuilt; relationships are
    # dbt tests.
    assert [row for row in served["constraints"] if row[1] == "FOREIGN KEY"] == []


def test_contracted_columns_have_their_promised_types(served):
    for (mart, column), expected in COLUMN_TYPES.items():
        assert served["columns"][(mart, column)][0] == expected, f"{mart}.{column}"


def test_every_sql_mart_enforces_its_contract():
    if not MANIFEST.exists():
        pytest.fail(f"no {MANIFEST}: run `make test` (its dbt build writes it)")
    nodes = json.loads(MANIFEST.read_text())["nodes"].values()
    enforced = sorted(
        node["name"]
        for node in nodes
        if node["resource_type"] == "model" and node["schema"] == "marts" and node["contract"]["enforced"]
    )
    assert enforced == CONTRACTED


def test_every_mart_and_column_has_a_comment(served):
    for mart, (_, comment) in served["tables"].items():
        assert comment and comment.startswith("One row per"), mart
    for (mart, column), (_, _, comment) in served["columns"].items():
        assert comment, f"{mart}.{column}"


def test_a_rebuild_that_replaces_every_mart_keeps_the_keys(tmp_path):
    # The served copy stands as the build file, so every mart already exists and is replaced, not created;
    # the anomaly scores' post-hook adds its key to a fresh table once more.
    scratch = scratch_copy_of_served(tmp_path / "serve")
    shutil.copyfile(scratch.served, scratch.build_file)
    files_glob = link_files(tmp_path / "raw", sample_files(range(2013, 2022)))
    build = scratch.dbt(files_glob, "build", "--select", "marts", "ml", "time_spine_days")
    assert build.returncode == 0, build.stdout[-5000:]
    assert PUBLISHED_LINE in build.stdout
    rebuilt = catalog(scratch.served)
    assert sorted(rebuilt["tables"]) == sorted(MARTS)  # no leftover __dbt_backup or __dbt_tmp tables
    assert primary_keys(rebuilt) == {mart: key for mart, key in PRIMARY_KEYS.items() if key is not None}
