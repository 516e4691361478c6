"""The served warehouse opens in the DuckDB 1.x clients analysts have: the CLI and Python of DuckDB 1.4 (the
long-term release) and 1.5, and the Node client, as `make clients` installs them into .clients/ (CI runs it
before `make test`). Each client reads every table and view of the four schemas; the fact table's totals
must equal the raw files' (computed with Python's csv and Decimal), the row counts those the project's
DuckDB 2.0 reads.

Without .clients/ the tests skip, except under CI (CI=true), where a missing client fails them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from serving_support import MARTS, REPO_ROOT, built_served_warehouse, sample_files, sample_totals

CLIENTS = Path(os.environ.get("MEDICARE_CLIENTS_DIR", REPO_ROOT / ".clients"))
NODE_SCRIPT = REPO_ROOT / "tests" / "clients" / "read_warehouse.cjs"
SCHEMAS = ("staging", "intermediate", "marts", "reference")
FACT_TOTALS_SQL = (
    "select count(*)::varchar, round(sum(total_medicare_payment), 2)::varchar "
    "from marts.fct_provider_service_year"
)


def require(path: Path) -> Path:
    """A client's executable, or skip (fail under CI) when `make clients` has not installed it."""
    if not path.exists():
        message = f"{path} is missing: run `make clients`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def served() -> Path:
    return built_served_warehouse()


@pytest.fixture(scope="module")
def relation_counts(served) -> list[list[str]]:
    """[schema.name, row count as text] of every table and view, read by the project's DuckDB (2.0)."""
    with duckdb.connect(str(served), read_only=True) as connection:
        names = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in {SCHEMAS} order by 1"
        ).fetchall()
        return [
            [name, str(connection.execute(f"select count(*) from {name}").fetchall()[0][0])]
            for (name,) in names
        ]


def counts_sql(relation_counts: list[list[str]]) -> str:
    """One query a client runs: the row count of every relation, by name, in name order."""
    return (
        " union all ".join(
            f"select '{name}' as relation, count(*)::varchar as row_count, {index} as position from {name}"
            for index, (name, _) in enumerate(relation_counts)
        )
        + " order by position"
    )


def run(command: list[str], env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert completed.returncode == 0, f"{command[0]} failed:\n{completed.stderr[-3000:]}"
    return completed.stdout


def cli_rows(line: str, served: Path, sql: str) -> tuple[str, list[list[str]]]:
    """The DuckDB CLI of a release line: its version and the rows of sql, as text."""
    cli = require(CLIENTS / f"duckdb-{line}" / "bin" / "duckdb")
    version = run([str(cli), "--version"]).split()[0]
    rows = json.loads(run([str(cli), "-readonly", "-json", str(served), "-c", sql]) or "[]")
    return version, [[str(value) for value in row.values()] for row in rows]


def python_rows(line: str, served: Path, sql: str) -> tuple[str, list[list[str]]]:
    """The DuckDB Python client of a release line: its version and the rows of sql, as text."""
    python = require(CLIENTS / f"duckdb-{line}" / "bin" / "python")
    script = (
        "import duckdb, json, sys\n"
        "connection = duckdb.connect(sys.argv[1], read_only=True)\n"
        "connection.execute('set enable_progress_bar = false')\n"
        "rows = connection.execute(sys.argv[2]).fetchall()\n"
        "print(json.dumps({'version': duckdb.__version__, 'rows': [[str(v) for v in r] for r in rows]}))\n"
    )
    result = json.loads(run([str(python), "-c", script, str(served), sql]))
    return "v" + result["version"], result["rows"]


def node_rows(served: Path, sql: str) -> tuple[str, list[list[str]]]:
    """The DuckDB Node client (@duckdb/node-api): its version and the rows of sql, as text."""
    modules = require(CLIENTS / "node" / "node_modules" / "@duckdb" / "node-api").parents[1]
    env = {**os.environ, "NODE_PATH": str(modules)}
    result = json.loads(run(["node", str(NODE_SCRIPT), str(served), sql], env=env))
    return result["version"], [[str(value) for value in row] for row in result["rows"]]


CLIENT_READERS = {
    "cli-1.4": lambda served, sql: cli_rows("1.4", served, sql),
    "cli-1.5": lambda served, sql: cli_rows("1.5", served, sql),
    "python-1.4": lambda served, sql: python_rows("1.4", served, sql),
    "python-1.5": lambda served, sql: python_rows("1.5", served, sql),
    "node-1.5": node_rows,
}


@pytest.mark.parametrize("client", sorted(CLIENT_READERS))
def test_a_duckdb_1x_client_opens_the_served_warehouse_and_reads_every_relation(
    client, served, relation_counts
):
    read = CLIENT_READERS[client]
    version, fact_totals = read(served, FACT_TOTALS_SQL)
    assert version.startswith("v1." + client.split("-")[1].split(".")[1]), version
    assert fact_totals == [[str(value) for value in sample_totals(sample_files(range(2013, 2022)))]]
    _, counts = read(served, counts_sql(relation_counts))
    assert [row[:2] for row in counts] == relation_counts
    assert {name.split(".")[0] for name, _ in relation_counts} == set(SCHEMAS)
    assert {f"marts.{mart}" for mart in MARTS} <= {name for name, _ in relation_counts}
    assert all(count != "0" for name, count in relation_counts if name.startswith("marts.")), relation_counts
