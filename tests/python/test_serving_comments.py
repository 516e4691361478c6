"""The warehouse describes itself: every model's and seed's description is its table or view comment in
DuckDB, and every column's description its column comment (persist_docs), so BI tools and DuckDB clients
show them. Expected: the descriptions dbt rendered into target/manifest.json in the same `make test`
(the yml, doc blocks resolved), read apart from the database."""

from __future__ import annotations

import json

import duckdb
import pytest

from serving_support import REPO_ROOT, served_warehouse

SCHEMAS = ("staging", "intermediate", "marts", "reference")
MANIFEST = REPO_ROOT / "target" / "manifest.json"


@pytest.fixture(scope="module")
def documented() -> dict[tuple[str, str], dict]:
    """(schema, relation) -> manifest node, for every model and seed of the project."""
    if not MANIFEST.exists():
        pytest.fail(f"no {MANIFEST}: run `make test` (its dbt build writes it)")
    nodes = json.loads(MANIFEST.read_text())["nodes"].values()
    return {
        (node["schema"], node["alias"]): node
        for node in nodes
        if node["resource_type"] in ("model", "seed") and node["package_name"] == "deep_medicare"
    }


@pytest.fixture(scope="module")
def comments() -> tuple[dict, dict]:
    """Relation comments by (schema, relation), column comments by (schema, relation, column)."""
    served = served_warehouse()
    if not served.exists():
        pytest.fail(f"no warehouse at {served}: run `make build` (or `make test`, which builds first)")
    with duckdb.connect(str(served), read_only=True) as connection:
        relations = connection.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            f"where schema_name in {SCHEMAS} union all "
            "select schema_name, view_name, comment from duckdb_views() "
            f"where schema_name in {SCHEMAS} and not internal"
        ).fetchall()
        columns = connection.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            f"where schema_name in {SCHEMAS}"
        ).fetchall()
    return (
        {(schema, name): comment for schema, name, comment in relations},
        {(schema, name, column): comment for schema, name, column, comment in columns},
    )


def test_every_model_and_seed_carries_its_description_as_a_comment(documented, comments):
    relation_comments, _ = comments
    assert len(documented) >= 25
    for key, node in documented.items():
        assert key in relation_comments, f"{key} was not built"
        assert relation_comments[key] == node["description"], key


def test_every_column_carries_its_description_as_a_comment(documented, comments):
    _, column_comments = comments
    checked = 0
    for (schema, relation), node in documented.items():
        built = {column for (s, r, column) in column_comments if (s, r) == (schema, relation)}
        assert built == set(node["columns"]), (schema, relation)
        for column, properties in node["columns"].items():
            assert column_comments[(schema, relation, column)] == properties["description"], (
                relation,
                column,
            )
            checked += 1
    assert checked >= 500
