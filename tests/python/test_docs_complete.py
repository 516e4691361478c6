"""Every table the build writes is documented: each model, seed and source table (the one a hook writes) has a
description that starts with its grain ("One row per ..."), every column in the warehouse is described in
YAML (and no YAML column is stale), and a column name used by several of them is described once, in a doc
block. Reads the warehouse `make test` just built (MEDICARE_DUCKDB_PATH, as the Makefile exports it)."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ("staging", "intermediate", "marts", "reference")
DOC_BLOCK = re.compile(r"{%\s*docs\s+(\w+)\s*%}")


def documented_nodes() -> dict[str, dict]:
    """Model, seed and source-table properties from every YAML file under models/ and seeds/, by name."""
    nodes: dict[str, dict] = {}
    for path in [*REPO_ROOT.glob("models/**/*.yml"), *REPO_ROOT.glob("seeds/**/*.yml")]:
        properties = yaml.safe_load(path.read_text()) or {}
        for kind in ("models", "seeds"):
            for node in properties.get(kind) or []:
                nodes[node["name"]] = node
        for source in properties.get("sources") or []:
            for table in source.get("tables") or []:
                nodes[table["name"]] = table
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


def test_a_column_in_several_nodes_is_described_once_in_a_doc_block():
    descriptions: dict[str, dict[str, str]] = defaultdict(dict)
    for name, node in documented_nodes().items():
        for column in node.get("columns") or []:
            descriptions[column["name"]][name] = " ".join(str(column.get("description") or "").split())
    doc_files = REPO_ROOT.glob("models/**/*.md")
    blocks = {name for path in doc_files for name in DOC_BLOCK.findall(path.read_text())}
    shared = {column: by_node for column, by_node in descriptions.items() if len(by_node) > 1}
    assert len(shared) > 50  # data_year, npi, hcpcs_code, the totals, the peer comparisons...
    not_from_a_block = sorted(
        f"{node}.{column}"
        for column, by_node in shared.items()
        for node, description in by_node.items()
        if description != f"{{{{ doc('{column}') }}}}"
    )
    assert not not_from_a_block, f"shared columns described in place, not by doc block: {not_from_a_block}"
    assert not sorted(set(shared) - blocks), "doc blocks missing"
