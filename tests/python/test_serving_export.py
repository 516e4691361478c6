"""`make export` (python -m deep_medicare.export) writes every mart as Parquet, partitioned by data_year
where the mart has one, with a manifest of files, row counts and the build they came from; the Parquet
holds exactly the marts' rows and totals.

Expected figures: counts and sums of every numeric column read from the warehouse's tables (the export
reads the same tables, the check reads the Parquet files back through DuckDB's Parquet reader), and the fact
table's payment from the raw files (serving_support.sample_totals).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from serving_support import MARTS, MARTS_BY_YEAR, REPO_ROOT, sample_files, sample_totals, served_warehouse

NUMERIC = ("DECIMAL", "INTEGER", "BIGINT", "DOUBLE")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, dict]:
    served = served_warehouse()
    if not served.exists():
        pytest.fail(f"no warehouse at {served}: run `make build` (or `make test`, which builds first)")
    out = tmp_path_factory.mktemp("export") / "parquet"
    completed = subprocess.run(
        [sys.executable, "-m", "deep_medicare.export", "--warehouse", str(served), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(f"Exported {len(MARTS)} marts"), completed.stdout
    return out, json.loads((out / "manifest.json").read_text())


def columns_of(connection: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return connection.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = 'marts' and table_name = ? "
        "order by column_index",
        [table],
    ).fetchall()


def totals_sql(relation: str, columns: list[tuple[str, str]]) -> str:
    """count(*) and the sum of every numeric column of a relation (exact for decimals and integers)."""
    sums = [f'sum("{name}")' for name, kind in columns if kind.startswith(NUMERIC)]
    return f"select count(*), {', '.join(sums)} from {relation}"


def test_the_manifest_lists_every_mart_its_files_rows_and_build(exported):
    out, manifest = exported
    with duckdb.connect(str(served_warehouse()), read_only=True) as connection:
        build = connection.execute("select invocation_id from main.warehouse_build").fetchall()[0][0]
        counts = {
            table: connection.execute(f"select count(*) from marts.{table}").fetchall()[0][0]
            for table in MARTS
        }
        years = {
            table: sorted(
                year
                for (year,) in connection.execute(f"select distinct data_year from marts.{table}").fetchall()
            )
            for table in MARTS_BY_YEAR
        }
    assert [entry["table"] for entry in manifest["tables"]] == [f"marts.{table}" for table in MARTS]
    assert manifest["build"]["invocation_id"] == build
    assert len(build) == 36
    for entry in manifest["tables"]:
        table = entry["table"].split(".")[1]
        assert counts[table] > 0, table
        assert entry["rows"] == counts[table]
        assert sum(file["rows"] for file in entry["files"]) == counts[table]
        assert all((out / file["path"]).is_file() for file in entry["files"])
        if table in MARTS_BY_YEAR:
            assert entry["partitioned_by"] == "data_year"
            folders = sorted({int(Path(file["path"]).parent.name.split("=")[1]) for file in entry["files"]})
            assert folders == years[table]
        else:
            assert entry["partitioned_by"] is None
            assert [file["path"] for file in entry["files"]] == [f"{table}.parquet"]


def test_the_parquet_holds_the_marts_totals(exported):
    out, manifest = exported
    with duckdb.connect(str(served_warehouse()), read_only=True) as connection:
        for entry in manifest["tables"]:
            table = entry["table"].split(".")[1]
            columns = columns_of(connection, table)
            expected = connection.execute(totals_sql(entry["table"], columns)).fetchall()[0]
            if entry["partitioned_by"]:
                source = f"read_parquet('{out / table}/*/*.parquet', hive_partitioning = true)"
            else:
                source = f"read_parquet('{out / table}.parquet')"
            actual = connection.execute(totals_sql(source, columns)).fetchall()[0]
            assert len(actual) == len(expected)
            for got, want in zip(actual, expected, strict=True):
                if isinstance(want, float):  # doubles: the sum's order may differ in the last bits
                    assert math.isclose(got, want, rel_tol=1e-12), (table, got, want)
                else:
                    assert got == want, (table, got, want)
        fact = connection.execute(
            f"select count(*), round(sum(total_medicare_payment), 2)::varchar "
            f"from read_parquet('{out}/fct_provider_service_year/*/*.parquet')"
        ).fetchall()[0]
    assert list(fact) == sample_totals(sample_files(range(2013, 2022)))
