"""Every table the build writes is documented: each model and seed has a description that starts with its
grain ("One row per ..."), and every column in the warehouse is described in YAML (and no YAML column is
stale). Reads the warehouse `make test` just built (MEDICARE_DUCKDB_PATH, as the Makefile exports it)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ("staging", "intermediate", "marts", "reference")
# Written by a post-hook of base_cms__provider_service_rows, not a dbt node: documented in that model.
NOT_NODES = {"base_cms__provider_service_malformed_lines"}


def documented_nodes() -> dict[str, dict]:
    """Model and seed properties from every YAML file under models/ and seeds/, by name."""
    nodes: dict[str, dict] = {}
    for path in [*REPO_ROOT.glob("models/**/*.yml"), *REPO_ROOT.glob("seeds/**/*.yml")]:
        properties = yaml.safe_load(path.read_text()) or {}
        for kind in ("models", "seeds"):
            for node in properties.get(kind) or []:
                nodes[node["name"]] = node
    return nodes


@pytest.fixture(scope="module")
def warehouse_columns() -> dict[str, list[str]]:
    path = Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO_ROOT / "warehouse" / "medicare.duckdb"))
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make build` (or `make test`, which builds first)")
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name from information_schema.columns "
            f"where table_schema in {SCHEMAS} order by table_name, ordinal_position"
        ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if table not in NOT_NODES:
            tables.setdefault(table, []).append(column)
    return tables


def test_the_warehouse_holds_the_documented_layers(warehouse_columns):
    assert {"stg_cms__provider_services", "stg_cms__provider_services_rejected", "us_states"} <= set(
        warehouse_columns
    )


def test_every_table_is_described_starting_with_its_grain(warehouse_columns):
    nodes = documented_nodes()
    undocumented = sorted(set(warehouse_columns) - set(nodes))
    assert not undocumented, f"tables with no YAML properties: {undocumented}"
    no_grain = sorted(
        name
        for name in warehouse_columns
        if not " ".join(str(nodes[name].get("description", "")).split()).startswith("One row per")
    )
    assert not no_grain, f"descriptions that do not start with 'One row per': {no_grain}"


def test_every_column_is_described_and_no_description_is_stale(warehouse_columns):
    nodes = documented_nodes()
    missing, stale = [], []
    for table, columns in warehouse_columns.items():
        described = {
            column["name"]: str(column.get("description") or "").strip()
            for column in nodes.get(table, {}).get("columns") or []
        }
        missing += [f"{table}.{column}" for column in columns if not described.get(column)]
        stale += [f"{table}.{column}" for column in described if column not in columns]
    assert not missing, f"columns without a description: {missing}"
    assert not stale, f"YAML columns the table does not have: {stale}"
