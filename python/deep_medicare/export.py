"""Export every mart of the served warehouse as Parquet, for tools that read files rather than databases.

    python -m deep_medicare.export [--warehouse PATH] [--out DIR]      (make export)

Each table of the `marts` schema becomes `<out>/<table>/data_year=<year>/*.parquet` when it has a
data_year column (hive partitions, which DuckDB, Spark, pandas and Arrow read back as a column), else
`<out>/<table>.parquet`. `<out>/manifest.json` lists the files with their row counts and names the build
they came from (the warehouse_build row the publish hook writes). The export is written beside `<out>` and
swapped in at the end, so a failed export leaves the previous one whole.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

from deep_medicare.served import WarehouseUnavailableError, open_served, served_path

MARTS_SCHEMA = "marts"
PARTITION_COLUMN = "data_year"
BUILD_TABLE = "main.warehouse_build"
MANIFEST = "manifest.json"


def mart_tables(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, bool]]:
    """(relation, has a data_year column) for every table and view of the marts schema, by name (a mart may
    be a view of an intermediate table: provider_peer_benchmarks)."""
    return connection.execute(
        f"""
        select table_name, bool_or(column_name = '{PARTITION_COLUMN}')
        from duckdb_columns()
        where schema_name = '{MARTS_SCHEMA}'
        group by table_name
        order by table_name
        """
    ).fetchall()


def build_of(connection: duckdb.DuckDBPyConnection) -> dict | None:
    """The warehouse_build row (dbt invocation id, time, dbt version, raw files) of the served file."""
    try:
        cursor = connection.execute(f"select * from {BUILD_TABLE}")
    except duckdb.CatalogException:
        return None
    names = [column[0] for column in cursor.description]
    row = cursor.fetchall()[0]
    return {name: str(value) for name, value in zip(names, row, strict=True)}


def parquet_rows(connection: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Rows of one Parquet file, from its footer."""
    return connection.execute("select sum(num_rows) from parquet_file_metadata(?)", [str(path)]).fetchall()[
        0
    ][0]


def export_table(connection: duckdb.DuckDBPyConnection, table: str, partitioned: bool, out: Path) -> dict:
    """Write one mart as Parquet under out and describe what was written."""
    relation = f"{MARTS_SCHEMA}.{table}"
    if partitioned:
        target = out / table
        connection.execute(
            f"copy (select * from {relation}) to '{target}' "
            f"(format parquet, partition_by ({PARTITION_COLUMN}), filename_pattern 'part_{{i}}')"
        )
        files = sorted(target.rglob("*.parquet"))
    else:
        target = out / f"{table}.parquet"
        connection.execute(f"copy (select * from {relation}) to '{target}' (format parquet)")
        files = [target]
    rows = connection.execute(f"select count(*) from {relation}").fetchall()[0][0]
    described = [
        {
            "path": str(path.relative_to(out)),
            "rows": parquet_rows(connection, path),
            "bytes": path.stat().st_size,
        }
        for path in files
    ]
    if sum(file["rows"] for file in described) != rows:
        raise RuntimeError(f"the Parquet files of {relation} do not hold its {rows} rows")
    return {
        "table": relation,
        "rows": rows,
        "partitioned_by": PARTITION_COLUMN if partitioned else None,
        "files": described,
    }


def export(warehouse: Path, out: Path) -> dict:
    """Export every mart of the warehouse to out (replaced whole at the end); returns the manifest."""
    out = out.resolve()
    staging = out.with_name(out.name + ".partial")
    started = time.monotonic()
    with open_served(warehouse) as connection:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            tables = [
                export_table(connection, table, partitioned, staging)
                for table, partitioned in mart_tables(connection)
            ]
            manifest = {
                "warehouse": str(warehouse.resolve()),
                "build": build_of(connection),
                "tables": tables,
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    previous = out.with_name(out.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if out.exists():
        out.rename(previous)
    staging.rename(out)
    shutil.rmtree(previous, ignore_errors=True)
    manifest["seconds"] = round(time.monotonic() - started, 2)
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse", type=Path, default=None, help="the served warehouse (MEDICARE_DUCKDB_PATH)"
    )
    parser.add_argument("--out", type=Path, default=Path("warehouse") / "export", help="the export folder")
    args = parser.parse_args(argv)
    warehouse = args.warehouse or served_path()
    try:
        manifest = export(warehouse, args.out)
    except WarehouseUnavailableError as error:
        print(error, file=sys.stderr)
        return 2
    files = sum(len(table["files"]) for table in manifest["tables"])
    tables, seconds = len(manifest["tables"]), manifest["seconds"]
    print(f"Exported {tables} marts ({files} Parquet files) to {args.out} in {seconds} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
