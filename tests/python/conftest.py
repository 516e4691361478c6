"""Fixtures of the staging tests: build the staging models over raw files a test writes, then read them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from xdist.scheduler import LoadFileScheduling

from dbt_runner import DbtResult, StagingRunner, fetch_dicts

# `make pytest` runs the tests on two pytest-xdist workers (PYTEST_WORKERS). The scheduler below sends each
# test module whole to one worker, so its module fixtures (dbt builds, the docs server) run once. The modules
# that use the project's own dbt files go to one worker together, one after another: dbt docs generate and mf
# open the build file beside the served warehouse for writing (one process at a time may), mf reads
# target/semantic_manifest.json after the `dbt parse` that rewrites target/, and the serving tests read
# target/manifest.json. (xdist's own --dist loadgroup cannot do this: it renames the tests' node ids in a way
# pytest 9 no longer sees.)
PROJECT_FILES_GROUP = "modules using the project's build file and target/"
USE_PROJECT_FILES = frozenset(
    {"test_docs_browser", "test_semantic_layer", "test_serving_comments", "test_serving_keys"}
)


# The modules that take over a minute each (their dbt builds) start first, one on each worker; the rest follow
# in file order, so that the workers finish about together (4 min 31 s instead of 4 min 57 s, when the
# longest came last).
START_FIRST = ("test_serving_refresh", "test_serving_publish")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of the START_FIRST modules first, in that order; every other test keeps its place."""
    rank = {module: position for position, module in enumerate(START_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(START_FIRST)))


class ModuleScheduling(LoadFileScheduling):
    """xdist's per-file scheduling, with the modules of USE_PROJECT_FILES in one unit of work, handed out in
    the order of the collection (not xdist's default, most tests first)."""

    def __init__(self, config: pytest.Config, log: object = None) -> None:
        super().__init__(config, log)
        config.option.loadscopereorder = False

    def _split_scope(self, nodeid: str) -> str:
        module = super()._split_scope(nodeid)
        return PROJECT_FILES_GROUP if Path(module).stem in USE_PROJECT_FILES else module


# optional: the hook is xdist's, and `-p no:xdist` (or PYTEST_WORKERS=0 without xdist) must still collect
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> ModuleScheduling:
    return ModuleScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def duckdb_temp_directory_of_this_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """DuckDB's spill folder for the dbt runs this test process starts, one per pytest worker.

    The profile's default (warehouse/duckdb_tmp) would be shared by the two workers' builds, and DuckDB
    deletes the temp files it made, and the folder if it made it, when its database closes.
    """
    folder = tmp_path_factory.mktemp("duckdb_tmp")
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("MEDICARE_DUCKDB_TEMP_DIR", str(folder))
        yield folder


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
