"""Helpers of the LEIE tests: write LEIE-like files from real rows of the shipped OIG files, and build the
exclusion models over them into a throwaway warehouse."""

from __future__ import annotations

import csv
import functools
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from dbt_runner import DBT_EXECUTABLE, REPO_ROOT, DbtResult, format_line

LEIE_DIR = REPO_ROOT / "data" / "sample" / "oig" / "leie"

# the exclusion models and the reconciliation test, with the seed they need (a fresh warehouse has none)
EXCLUSION_MODELS = (
    "leie_exclusion_types",
    "base_oig__leie_rows",
    "stg_oig__leie_exclusions",
    "stg_oig__leie_exclusions_rejected",
    "int_leie_exclusion_periods",
    "provider_exclusions",
    "assert_leie_raw_lines_reconcile_per_file",
)


@functools.cache
def leie_header() -> tuple[str, ...]:
    """OIG's header, as the shipped January 2013 supplement has it."""
    with (LEIE_DIR / "exclusions" / "1301EXCL.csv").open(newline="") as handle:
        return tuple(next(csv.reader(handle)))


def leie_row(file_name: str, npi: str) -> dict[str, str]:
    """The row of a shipped LEIE file (exclusions/ or reinstatements/) with this NPI, as strings."""
    folder = "reinstatements" if "REIN" in file_name.upper() else "exclusions"
    with (LEIE_DIR / folder / file_name).open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["NPI"] == npi]
    assert len(rows) == 1, f"expected one row of NPI {npi} in {file_name}, found {len(rows)}"
    return rows[0]


def write_leie_file(path: Path, rows: Sequence[dict[str, str]], header: Sequence[str] | None = None) -> Path:
    """An LEIE file as OIG writes them: CRLF line ends, the header, then the rows."""
    header = tuple(header or leie_header())
    lines = [format_line(header), *(format_line([row.get(name, "") for name in header]) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    return path


def run_dbt(
    work_dir: Path, leie_glob: str, arguments: Sequence[str], physician_glob: str | None = None
) -> DbtResult:
    """One dbt command over the LEIE files matching `leie_glob`, into a warehouse of its own in work_dir."""
    work_dir.mkdir(parents=True, exist_ok=True)
    served = work_dir / "served.duckdb"
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(REPO_ROOT),
            "MEDICARE_LEIE_FILES": leie_glob,
            "MEDICARE_DUCKDB_PATH": str(served),
            "MEDICARE_DUCKDB_BUILD_PATH": str(work_dir / "served.duckdb.build"),
            "DBT_TARGET_PATH": str(work_dir / "target"),
            "DBT_LOG_PATH": str(work_dir / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    if physician_glob is not None:
        env["MEDICARE_PHYSICIAN_FILES"] = physician_glob
    completed = subprocess.run(
        [str(DBT_EXECUTABLE), *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    return DbtResult(completed.returncode, completed.stdout + completed.stderr, served)


def build_exclusion_models(work_dir: Path, leie_glob: str) -> DbtResult:
    """dbt build of the exclusion models (and their tests) over `leie_glob`."""
    return run_dbt(work_dir, leie_glob, ["build", "--select", *EXCLUSION_MODELS])
