"""`make sql`, the analysts' SQL prompt: a query piped to it is answered from the served warehouse with the
answer alone, and it refuses to write. Counts to compare with come from a separate read-only connection
(Python's duckdb), not through the prompt.

The write is tried on a scratch copy of the served warehouse (MEDICARE_DUCKDB_PATH), so that a prompt that
wrongly allowed it could not change the warehouse the other tests read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from serving_support import REPO_ROOT, built_served_warehouse

# make's own variables, set when pytest runs under `make test`: the make started here would take them for a
# sub-make's and print "Entering directory" lines
MAKE_VARIABLES = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")
READ_ONLY_ERROR = "attached in read-only mode"


def make_sql(query: str, warehouse: Path, *make_options: str) -> subprocess.CompletedProcess:
    """`make sql` from the repository root with query on its standard input, as `echo ... | make sql`."""
    environment = {name: value for name, value in os.environ.items() if name not in MAKE_VARIABLES}
    environment["MEDICARE_DUCKDB_PATH"] = str(warehouse)
    return subprocess.run(
        ["make", *make_options, "sql"],
        input=query,
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def served() -> Path:
    return built_served_warehouse()


def count_of(warehouse: Path, relation: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(f"select count(*) from {relation}").fetchone()[0]


# silent (-s) as scripts call it, and as the README shows it: the target itself echoes nothing
@pytest.mark.parametrize("make_options", [("-s",), ()], ids=["make -s sql", "make sql"])
def test_a_piped_query_prints_its_answer_and_nothing_else(served, make_options):
    expected = count_of(served, "marts.dim_provider")
    completed = make_sql("select count(*) as providers from marts.dim_provider;\n", served, *make_options)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stderr == ""
    # DuckDB's table: the column's name, its type and the value, inside box-drawing characters only
    assert re.findall(r"[\w()]+", completed.stdout) == ["providers", "int64", str(expected)], completed.stdout


def test_a_write_fails_with_duckdbs_read_only_error(served, tmp_path):
    scratch = tmp_path / "medicare.duckdb"
    shutil.copyfile(served, scratch)
    tables_before = count_of(scratch, "duckdb_tables()")
    completed = make_sql("create table marts.written_through_make_sql as select 1 as one;\n", scratch, "-s")
    assert completed.returncode != 0, completed.stdout + completed.stderr
    assert READ_ONLY_ERROR in completed.stdout + completed.stderr
    assert count_of(scratch, "duckdb_tables()") == tables_before


def test_without_a_warehouse_it_says_to_build_first(tmp_path):
    completed = make_sql("select 1;\n", tmp_path / "medicare.duckdb", "-s")
    assert completed.returncode != 0
    assert "run make build first" in completed.stderr
