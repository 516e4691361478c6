"""Fixtures of the staging tests: build the staging models over raw files a test writes, then read them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from dbt_runner import DbtResult, StagingRunner, fetch_dicts


@dataclass
class StagingBuild:
    """The raw files of one staging build, the dbt result, and read-only queries of its two output models."""

    directory: Path
    result: DbtResult
    _connection: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    def path(self, file_name: str) -> str:
        """A raw file's path as the build records it in source_file."""
        return str(self.directory / file_name)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the build's warehouse, opened on first use."""
        if self._connection is None:
            self._connection = self.result.connect()
        return self._connection

    def query(self, sql: str, *params: object) -> list[dict]:
        """Rows of any query over the warehouse, as dicts."""
        return fetch_dicts(self.connection, sql, params)

    def staged(self, file_name: str) -> list[dict]:
        """The rows staging kept from one raw file."""
        return self.query(
            "select * from staging.stg_cms__provider_services where source_file = ?", self.path(file_name)
        )

    def rejected(self, file_name: str) -> list[dict]:
        """The rejected lines of one raw file, in line order."""
        return self.query(
            "select * from staging.stg_cms__provider_services_rejected where source_file = ? "
            "order by line_number",
            self.path(file_name),
        )

    def close(self) -> None:
        """Release the warehouse file."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


BuildStaging = Callable[..., StagingBuild]


@pytest.fixture(scope="session")
def build_staging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildStaging]:
    """A function that writes raw files into a fresh directory (`write_files`) and builds staging over them.

    Every build costs a dbt run (several seconds), so a test module makes one build over several files and
    asserts many things about it. With expect_success (the default) a failed build fails the test at once.
    extra_args go to dbt (for example --vars).
    """
    builds: list[StagingBuild] = []
    runner = StagingRunner(tmp_path_factory.mktemp("dbt_shared"))

    def build(
        name: str,
        write_files: Callable[[Path], object],
        *,
        expect_success: bool = True,
        extra_args: tuple[str, ...] = (),
    ) -> StagingBuild:
        raw_dir = tmp_path_factory.mktemp(f"{name}_raw")
        write_files(raw_dir)
        result = runner.run(raw_dir / "*", tmp_path_factory.mktemp(f"{name}_dbt"), extra_args)
        if expect_success:
            assert result.returncode == 0, f"dbt failed on the {name} files:\n{result.output[-6000:]}"
        staging_build = StagingBuild(raw_dir, result)
        builds.append(staging_build)
        return staging_build

    yield build
    for staging_build in builds:
        staging_build.close()
