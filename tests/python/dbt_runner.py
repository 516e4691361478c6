"""Helpers of the staging tests: write raw CMS-like files from real sample rows, build the dbt staging models
over them into a throwaway DuckDB warehouse, and read the result."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"

# `dbt run`, not `dbt build`: the staging tests check the models' output themselves, and the data tests
# of the YAML files (some of which need seeds) are `make test`'s job.
STAGING_COMMAND = ("run", "--select", "staging.cms")
PARSE_STATE = "partial_parse.msgpack"


@dataclass(frozen=True)
class DbtResult:
    """One finished dbt invocation: its exit code, everything it printed, and the warehouse it wrote."""

    returncode: int
    output: str
    warehouse: Path

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the warehouse the run wrote."""
        return duckdb.connect(str(self.warehouse), read_only=True)


class StagingRunner:
    """Runs staging builds one after another, each into its own directory, parsing the project only once.

    dbt reparses the whole project (most of a build's time) unless it finds the partial-parse state of an
    earlier run with the same profile. The profile holds the warehouse path, so dbt always writes to one
    path under `root` and the runner moves the finished warehouse into the build's directory. Builds
    must therefore not overlap (pytest runs them in turn). `dbt run` never publishes (only a passing
    `dbt build` does), so the runner takes dbt's build file itself (MEDICARE_DUCKDB_BUILD_PATH).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._parse_state: Path | None = None

    def run(self, files_glob: str | Path, work_dir: Path, extra_args: Sequence[str] = ()) -> DbtResult:
        """Build staging over the raw files matching `files_glob`; dbt's artefacts go to work_dir."""
        target = work_dir / "target"
        target.mkdir(parents=True, exist_ok=True)
        if self._parse_state is not None:
            shutil.copyfile(self._parse_state, target / PARSE_STATE)
        self.root.mkdir(parents=True, exist_ok=True)
        shared_warehouse = self.root / "warehouse.duckdb"
        for leftover in (shared_warehouse, shared_warehouse.with_name(shared_warehouse.name + ".wal")):
            leftover.unlink(missing_ok=True)
        env = dict(os.environ)
        env.update(
            {
                "DBT_PROFILES_DIR": str(REPO_ROOT),
                "MEDICARE_PHYSICIAN_FILES": str(files_glob),
                "MEDICARE_DUCKDB_BUILD_PATH": str(shared_warehouse),
                "MEDICARE_DUCKDB_PATH": str(self.root / "served.duckdb"),
                "DBT_TARGET_PATH": str(target),
                "DBT_LOG_PATH": str(work_dir / "logs"),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            }
        )
        completed = subprocess.run(
            [str(DBT_EXECUTABLE), *STAGING_COMMAND, *extra_args],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if (target / PARSE_STATE).exists():
            self._parse_state = target / PARSE_STATE
        warehouse = work_dir / "w.duckdb"
        if shared_warehouse.exists():
            shared_warehouse.replace(warehouse)
        return DbtResult(completed.returncode, completed.stdout + completed.stderr, warehouse)


def fetch_dicts(connection: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
    """The rows of a query as dicts keyed by column name."""
    cursor = connection.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- raw files for the tests, made from real sample rows ------------------------------------------------

SAMPLE_DIR = REPO_ROOT / "data" / "sample"
SAMPLE_GLOB = SAMPLE_DIR / "*.csv.gz"


def sample_path(year: int) -> Path:
    """The real CMS sample file of a data year (current layout, gzip-compressed CSV)."""
    return SAMPLE_DIR / f"Medicare_Physician_Other_Practitioners_by_Provider_and_Service_{year}.csv.gz"


@functools.cache
def sample_header(year: int) -> tuple[str, ...]:
    """The column names of the real sample file of `year`, in file order."""
    with gzip.open(sample_path(year), "rt", encoding="utf-8", newline="") as handle:
        return tuple(next(csv.reader(handle)))


@functools.cache
def sample_rows(year: int) -> tuple[dict[str, str], ...]:
    """Every data row of the real sample file of `year`, read with Python's csv module: all values strings."""
    with gzip.open(sample_path(year), "rt", encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def format_line(values: Sequence[str], delimiter: str = ",") -> str:
    """One delimited line (no line ending), quoted the way Python's csv module quotes when it must."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(values)
    return buffer.getvalue()


def write_raw_file(
    path: Path,
    lines: Sequence[str],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    final_newline: bool = True,
    bom: bool = False,
) -> Path:
    """Write the lines (header first) as a raw file; a name ending .gz is gzip-compressed."""
    text = newline.join(lines) + (newline if final_newline else "")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def count_data_lines(path: Path) -> int:
    """Data lines of a raw file counted without any CSV parsing: the non-blank lines, minus the header."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    non_blank = [line for line in data.split(b"\n") if line.strip()]
    return max(len(non_blank) - 1, 0)
