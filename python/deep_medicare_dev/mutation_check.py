"""Mutation check (not a test): break the code on purpose, one known line at a time; a test must fail.

Each mutation is a one-line change a real bug could make (a filter typo, `<` turned `<=`, a constant changed).
For each, a scratch copy of the project (the files git tracks) gets the change, then the mutation's command
runs there: `dbt build --fail-fast` into a scratch warehouse, or chosen pytest modules with the copy's Python
package first on the path. A mutation the command does not fail on "survives", and the check fails. Before any
mutation, every command runs once on the unchanged copy and must pass, so a mutation is never "caught" by a
test that fails anyway. A mutation whose line is no longer in its file fails the check too: the list must
follow the code.

    python -m deep_medicare_dev.mutation_check [--only NAME ...] [--list]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_BUILD = ("dbt", "build", "--fail-fast")


@dataclass(frozen=True)
class Mutation:
    """Replace `find` (which must occur exactly once in `path`) by `replace`; `command` must then fail."""

    name: str
    path: str
    find: str
    replace: str
    command: tuple[str, ...] = DBT_BUILD


def pytest_command(*modules: str) -> tuple[str, ...]:
    return ("pytest", "-x", "-q", "-p", "no:cacheprovider", *modules)


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "1 cost_trends_by_specialty emptied by a filter typo",
        "models/marts/cost_trends_by_specialty.sql",
        "breakdown='specialty'",
        "breakdown='speciality'",
    ),
    Mutation(
        "2 peer fallback at the minimum size instead of below it",
        "models/intermediate/yearly/int_provider_service_peer_benchmarks.sql",
        "specialty_group_size < {{ var('min_peer_group_size') }} as is_peer_fallback",
        "specialty_group_size <= {{ var('min_peer_group_size') }} as is_peer_fallback",
    ),
    Mutation(
        "2b state peer fallback at the minimum size instead of below it",
        "models/intermediate/yearly/int_provider_service_peer_benchmarks.sql",
        "state_group_size < {{ var('min_peer_group_size') }} as is_state_peer_fallback",
        "state_group_size <= {{ var('min_peer_group_size') }} as is_state_peer_fallback",
    ),
    Mutation(
        "3 mean-absolute-deviation scale 1.2533 to 1.0",
        "python/deep_medicare/robust.py",
        "MEAN_AD_TO_SIGMA = 1.2533",
        "MEAN_AD_TO_SIGMA = 1.0",
        pytest_command("tests/python/test_anomaly_constants.py", "tests/python/test_anomaly_scoring.py"),
    ),
    Mutation(
        "4 beneficiary floor 11 to 10",
        "macros/ingest/physician_row_rejection_reason.sql",
        "when total_beneficiaries < 11",
        "when total_beneficiaries < 10",
    ),
    Mutation(
        "4b a zero amount rejected as negative",
        "macros/ingest/physician_row_rejection_reason.sql",
        "when {{ column }} < 0",
        "when {{ column }} <= 0",
    ),
    Mutation(
        "5 facility payment summed from allowed amounts",
        "models/intermediate/yearly/int_provider_year_totals.sql",
        "when place_of_service = 'F' then total_medicare_payment else 0",
        "when place_of_service = 'F' then total_allowed_amount else 0",
    ),
    Mutation(
        "6 isolation weight 0.25 to 0.75",
        "python/deep_medicare/scoring.py",
        "DEFAULT_ISOLATION_WEIGHT = 0.25",
        "DEFAULT_ISOLATION_WEIGHT = 0.75",
        pytest_command("tests/python/test_anomaly_constants.py", "tests/python/test_anomaly_scoring.py"),
    ),
    Mutation(
        "6b evidence weight 0.9 to 0.5",
        "python/deep_medicare/scoring.py",
        "EVIDENCE_WEIGHT = 0.9",
        "EVIDENCE_WEIGHT = 0.5",
        pytest_command("tests/python/test_anomaly_constants.py", "tests/python/test_anomaly_scoring.py"),
    ),
    Mutation(
        "7 a geography level dropped from region_year_summary",
        "models/marts/yearly/region_year_summary.sql",
        "    select 'ruca_class' as geography_level",
        "    select 'ruca_class' as geography_level where false",
    ),
    Mutation(
        "8 excess payment's volume part priced at the provider's own payment per service",
        "models/intermediate/yearly/int_provider_year_evidence.sql",
        "            ) * benchmarks.payment_per_service_state_peer_median,",
        "            ) * benchmarks.payment_per_service,",
    ),
    Mutation(
        "9 dollars at stake weigh 0.3 instead of 0.2",
        "python/deep_medicare/evidence.py",
        "DOLLAR_EXPONENT = 0.2",
        "DOLLAR_EXPONENT = 0.3",
        pytest_command("tests/python/test_anomaly_evidence.py"),
    ),
    Mutation(
        "10 standardized payment summed from the standardized average rounded to cents",
        "models/marts/yearly/fct_provider_service_year.sql",
        "        total_standardized_payment\n    from provider_services",
        "        cast(round(avg_medicare_standardized_amount, 2) * total_services as decimal(38, 13))"
        " as total_standardized_payment\n    from provider_services",
    ),
    Mutation(
        "11 a year's scorer fitted on that year alone, not with its neighbours",
        "python/deep_medicare/pipeline.py",
        "for neighbour in (year - 1, year, year + 1) if neighbour in present]",
        "for neighbour in (year,) if neighbour in present]",
        pytest_command("tests/python/test_anomaly_warehouse.py"),
    ),
)


def tracked_files(root: Path) -> list[str]:
    """The files git tracks in `root` (what a fresh clone holds)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, text=True
    ).stdout
    return [name for name in listed.split("\0") if name]


def copy_project(root: Path, destination: Path) -> None:
    """A scratch copy of the tracked files of `root` in `destination`."""
    for name in tracked_files(root):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)


def apply(mutation: Mutation, project: Path) -> str:
    """Write the mutated file into `project`; return the original text to restore it. Raises if the line is
    not in the file exactly once (the mutation no longer matches the code)."""
    path = project / mutation.path
    original = path.read_text()
    count = original.count(mutation.find)
    if count != 1:
        raise ValueError(f"mutation '{mutation.name}': {mutation.path} holds its line {count} times, not 1")
    path.write_text(original.replace(mutation.find, mutation.replace))
    return original


def run(command: Sequence[str], project: Path, log: Path) -> int:
    """Run a mutation's command in the scratch project (the repo's .venv, the copy's package first on the
    path, a scratch warehouse); its output goes to `log`. Returns the exit code."""
    bin_dir = Path(sys.executable).parent
    executable = str(bin_dir / command[0]) if command[0] != "pytest" else sys.executable
    arguments = list(command[1:]) if command[0] != "pytest" else ["-m", "pytest", *command[1:]]
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(project),
            "MEDICARE_DUCKDB_PATH": str(project / "warehouse" / "medicare.duckdb"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(project / "python"), env.get("PYTHONPATH")])),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    (project / "warehouse").mkdir(exist_ok=True)
    with log.open("w") as handle:
        return subprocess.run(
            [executable, *arguments],
            cwd=project,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="run only the mutations whose name starts with these")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    mutations = [m for m in MUTATIONS if not args.only or any(m.name.startswith(o) for o in args.only)]
    if args.list:
        for mutation in mutations:
            print(f"{mutation.name}: {mutation.path} ({' '.join(mutation.command)})")
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutation-check-") as scratch:
        project = Path(scratch) / "project"
        copy_project(REPO_ROOT, project)
        logs = REPO_ROOT / "target" / "mutation-check"
        logs.mkdir(parents=True, exist_ok=True)
        for index, command in enumerate(sorted({m.command for m in mutations})):
            code = run(command, project, logs / f"baseline-{index}.log")
            print(f"baseline  {'passes' if code == 0 else 'FAILS'}: {' '.join(command)}", flush=True)
            if code != 0:
                print(f"the unchanged project must pass first; see {logs / f'baseline-{index}.log'}")
                return 2
        survivors = []
        for index, mutation in enumerate(mutations):
            original = apply(mutation, project)
            try:
                began = time.perf_counter()
                code = run(mutation.command, project, logs / f"mutation-{index}.log")
            finally:
                (project / mutation.path).write_text(original)
            verdict = "caught" if code != 0 else "SURVIVED"
            print(f"{verdict:8s}  {mutation.name}  ({time.perf_counter() - began:.0f} s)", flush=True)
            if code == 0:
                survivors.append(mutation.name)
    caught = len(mutations) - len(survivors)
    print(
        f"{caught} of {len(mutations)} mutations caught, {len(survivors)} survived, "
        f"in {time.perf_counter() - started:.0f} s (logs in {logs})"
    )
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
