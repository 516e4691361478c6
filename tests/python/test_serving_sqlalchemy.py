"""BI tools such as Superset reach the warehouse through SQLAlchemy and duckdb-engine: they list schemas,
tables and columns with the inspector, then read with pandas. That works with the pinned SQLAlchemy (2.0;
2.1 breaks duckdb-engine's column reflection) through the read-only URL docs/serving.md gives.

Expected figures: the fact table's totals from the raw files (serving_support.sample_totals); columns and
row counts as DuckDB's own catalog reports them, a route apart from SQLAlchemy's reflection.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from serving_support import MARTS, built_served_warehouse, sample_files, sample_totals

pytestmark = pytest.mark.filterwarnings("ignore:duckdb-engine doesn't yet support reflection on indices")


def read_only_url(path: Path) -> str:
    """The connection URL docs/serving.md gives ("Connecting"), for the served file at path."""
    return f"duckdb:///{path}?access_mode=read_only"


@pytest.fixture(scope="module")
def served() -> Path:
    return built_served_warehouse().resolve()


@dataclass(frozen=True)
class Catalog:
    """What DuckDB's own catalog says: the columns of every marts table in order, and one row count."""

    columns: dict[str, list[str]]
    region_year_summary_rows: int


@pytest.fixture(scope="module")
def catalog(served) -> Catalog:
    """Read before the engine opens the file: DuckDB refuses, within one process, a second connection to
    a file with another configuration (duckdb-engine sets its own)."""
    with duckdb.connect(str(served), read_only=True) as connection:
        rows = connection.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name = 'marts' order by table_name, column_index"
        ).fetchall()
        region_rows = connection.execute("select count(*) from marts.region_year_summary").fetchall()[0][0]
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return Catalog(columns, region_rows)


@pytest.fixture(scope="module")
def engine(served, catalog) -> Iterator[sa.Engine]:
    engine = sa.create_engine(read_only_url(served))
    yield engine
    engine.dispose()


def test_the_inspector_lists_schemas_tables_and_columns_as_duckdb_does(engine, catalog):
    inspector = sa.inspect(engine)
    schemas = inspector.get_schema_names()
    for schema in ("marts", "staging", "intermediate", "reference"):
        assert any(name.split(".")[-1] == schema for name in schemas), schemas
    # a mart may be a view of an intermediate table (provider_peer_benchmarks); BI tools list both
    tables = inspector.get_table_names(schema="marts") + inspector.get_view_names(schema="marts")
    assert sorted(tables) == list(MARTS)
    assert sorted(catalog.columns) == list(MARTS)
    assert "stg_cms__provider_services" in inspector.get_view_names(schema="staging")
    for table in tables:
        columns = inspector.get_columns(table, schema="marts")
        assert [column["name"] for column in columns] == catalog.columns[table], table
        assert all(column["type"] is not None for column in columns), table
    types = {
        column["name"]: column["type"]
        for column in inspector.get_columns("fct_provider_service_year", "marts")
    }
    assert isinstance(types["data_year"], sa.Integer)
    assert isinstance(types["total_medicare_payment"], sa.Numeric)
    assert (types["total_medicare_payment"].precision, types["total_medicare_payment"].scale) == (38, 13)


def test_pandas_reads_the_marts_through_the_engine(engine, catalog):
    with engine.connect() as connection:
        totals = pd.read_sql(
            sa.text(
                "select count(*) as line_count, sum(total_medicare_payment) as payment "
                "from marts.fct_provider_service_year"
            ),
            connection,
        )
        region = pd.read_sql_table("region_year_summary", connection, schema="marts")
    payment = Decimal(str(totals.loc[0, "payment"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert [int(totals.loc[0, "line_count"]), str(payment)] == sample_totals(sample_files(range(2013, 2022)))
    assert len(region) == catalog.region_year_summary_rows
    national = region[region["geography_level"] == "national"]
    assert sorted(national["data_year"]) == list(range(2013, 2022))


def test_the_url_opens_the_warehouse_read_only(engine):
    with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        connection.execute(sa.text("create table marts.scratch as select 1 as x"))
