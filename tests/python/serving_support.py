"""Helpers of the serving tests: the warehouse `make test` built, scratch copies of it, dbt runs into them,
and totals of the sample computed from the raw files (Python's gzip, csv and Decimal: no DuckDB, no dbt)."""

from __future__ import annotations

import csv
import gzip
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
PUBLISHED_LINE = "Published the warehouse to"
# The tables of the marts schema (the marts and MetricFlow's time spine), a fixed list so that a missing one
# fails the tests that use it; the ones with a data_year column are exported in partitions.
MARTS_BY_YEAR = (
    "cost_trends",
    "cost_trends_by_place_of_service",
    "cost_trends_by_specialty",
    "fct_provider_service_year",
    "provider_anomaly_exclusions",
    "provider_anomaly_scores",
    "provider_peer_benchmarks",
    "provider_year_summary",
    "region_year_summary",
    "time_spine_days",
)
MARTS = tuple(sorted(("dim_provider", "dim_service", "provider_exclusions", *MARTS_BY_YEAR)))
UNCHANGED_LINE = "The served warehouse is unchanged"


def served_warehouse() -> Path:
    """The warehouse `make test` built and published (MEDICARE_DUCKDB_PATH, as the Makefile exports it)."""
    return Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO_ROOT / "warehouse" / "medicare.duckdb"))


def built_served_warehouse() -> Path:
    """served_warehouse(), failing the test with what to run when no build has published it yet."""
    path = served_warehouse()
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make build` (or `make test`, which builds first)")
    return path


def sample_files(years: range | list[int]) -> list[Path]:
    """The shipped sample files of the given data years."""
    return [
        SAMPLE_DIR / f"Medicare_Physician_Other_Practitioners_by_Provider_and_Service_{year}.csv.gz"
        for year in years
    ]


def link_files(directory: Path, files: list[Path]) -> str:
    """Symlink the files into directory (created) and return a glob of them for MEDICARE_PHYSICIAN_FILES."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in files:
        (directory / path.name).symlink_to(path)
    return str(directory / "*.csv.gz")


def sample_totals(files: list[Path]) -> list:
    """[lines, payment to the cent as text] of raw files: payment = average payment × services, summed.

    The same shape as warehouse_readers.TOTALS_SQL's first two columns.
    """
    lines, payment = 0, Decimal(0)
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                lines += 1
                payment += Decimal(row["Avg_Mdcr_Pymt_Amt"]) * Decimal(row["Tot_Srvcs"])
    return [lines, str(payment.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))]


@dataclass(frozen=True)
class Scratch:
    """A scratch serving setup in `root`: the served file and dbt's artefacts, all under root."""

    root: Path

    @property
    def served(self) -> Path:
        return self.root / "medicare.duckdb"

    @property
    def build_file(self) -> Path:
        """dbt's build file, the profile's default: the served path plus `.build`."""
        return self.root / "medicare.duckdb.build"

    def env(self, files_glob: str) -> dict[str, str]:
        """The environment of a dbt run over files_glob into this scratch warehouse."""
        env = dict(os.environ)
        env.pop("MEDICARE_DUCKDB_BUILD_PATH", None)
        env.update(
            DBT_PROFILES_DIR=str(REPO_ROOT),
            MEDICARE_PHYSICIAN_FILES=files_glob,
            MEDICARE_DUCKDB_PATH=str(self.served),
            MEDICARE_DUCKDB_TEMP_DIR=str(self.root / "duckdb_tmp"),
            DBT_TARGET_PATH=str(self.root / "target"),
            DBT_LOG_PATH=str(self.root / "logs"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            DBT_USE_COLORS="false",
            PYTHONUNBUFFERED="1",
        )
        return env

    def dbt_command(self, *args: str) -> list[str]:
        return [str(DBT_EXECUTABLE), *args]

    def dbt(self, files_glob: str, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """Run dbt with args to completion; stdout and stderr together in .stdout."""
        return subprocess.run(
            self.dbt_command(*args),
            cwd=REPO_ROOT,
            env=self.env(files_glob),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )


def scratch_copy_of_served(root: Path) -> Scratch:
    """A Scratch whose served file is a copy of the warehouse `make test` built (no build file yet)."""
    source = served_warehouse()
    if not source.exists():
        raise AssertionError(f"no warehouse at {source}: run `make build` (`make test` builds first)")
    scratch = Scratch(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, scratch.served)
    return scratch
