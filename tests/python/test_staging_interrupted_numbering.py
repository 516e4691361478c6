"""A build stopped after staging committed its rows, before numbering them, is healed by the next build.

base_cms__provider_service_rows commits the rows it wrote before its post-hooks number them in file order
(commit_staged_rows(), docs/decisions/0039-number-rows-after-commit.md). A failure in those hooks leaves
committed rows without line numbers. Here the failure is a record of raw files with a column too many, which
the last hook (record_year_loads()) cannot write to, during a `--full-refresh`: the one build whose old record
would otherwise still match the files. The next build must stage the files again, whole, with the
same line numbers as before.
"""

from __future__ import annotations

import duckdb
import pytest

from serving_support import Scratch, link_files, sample_files

pytestmark = pytest.mark.slow

SELECT = ("--select", "+base_cms__provider_service_rows")
ROWS = "staging.base_cms__provider_service_rows"
RECORD = "main.deep_medicare_year_loads"


def line_numbers(scratch: Scratch) -> list[tuple]:
    """Every staged row's file, line number and key, in order."""
    with duckdb.connect(str(scratch.build_file), read_only=True) as connection:
        return connection.execute(
            "select source_file, source_row_number, npi, hcpcs_code, place_of_service"
            f" from {ROWS} order by all"
        ).fetchall()


def test_rows_committed_without_line_numbers_are_staged_again(tmp_path):
    scratch = Scratch(tmp_path / "warehouse")
    scratch.root.mkdir()
    files_glob = link_files(tmp_path / "raw", sample_files([2019, 2020]))

    first = scratch.dbt(files_glob, "run", *SELECT)
    assert first.returncode == 0, first.stdout[-4000:]
    numbered = line_numbers(scratch)
    assert len(numbered) > 10_000 and all(row[1] is not None for row in numbered)

    # a record the last hook cannot write to: the hooks after the commit fail
    with duckdb.connect(str(scratch.build_file)) as connection:
        connection.execute(f"alter table {RECORD} add column unexpected integer")
    stopped = scratch.dbt(files_glob, "run", "--full-refresh", *SELECT)
    assert stopped.returncode != 0, stopped.stdout[-4000:]
    with duckdb.connect(str(scratch.build_file)) as connection:
        unnumbered = connection.execute(
            f"select count(*) from {ROWS} where source_row_number is null"
        ).fetchone()[0]
        # the state a stop between the two commits leaves: rows written, not numbered
        assert unnumbered == len(numbered)
        connection.execute(f"alter table {RECORD} drop column unexpected")

    healed = scratch.dbt(files_glob, "run", *SELECT)
    assert healed.returncode == 0, healed.stdout[-4000:]
    assert "base_cms__provider_service_rows: built whole" in healed.stdout
    assert line_numbers(scratch) == numbered
