"""Run the SQL model int_provider_year_code_features on hand-made rows.

dbt compiles the model (once per value of min_peer_group_size, into a throwaway folder); each run creates the
model's two inputs, int_provider_service_peer_benchmarks and the seed hcpcs_add_on_codes, as tables of an
in-memory DuckDB under the names the compiled SQL refers to, and runs the SQL unchanged.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from deep_medicare.feature_sets import PEER_METRICS, peer_prefix

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
MODEL = "int_provider_year_code_features"
INPUTS = ("model.deep_medicare.int_provider_service_peer_benchmarks", "seed.deep_medicare.hcpcs_add_on_codes")

# The seed hcpcs_add_on_codes as shipped (Mohs surgery: two bases, three add-ons).
ADD_ON_CODES = pd.DataFrame(
    {
        "hcpcs_code": ["17311", "17312", "17313", "17314", "17315"],
        "base_hcpcs_code": ["17311", "17311", "17313", "17313", "17311"],
        "is_add_on": [False, True, False, True, True],
        "description": ["", "", "", "", ""],
    }
)


# Types of int_provider_service_peer_benchmarks columns, so a hand-made column of only nulls keeps its type.
BENCHMARK_TYPES = {
    "data_year": "integer",
    "total_services": "double",
    "is_peer_fallback": "boolean",
    "is_state_peer_fallback": "boolean",
    **{
        f"{peer_prefix(metric, group)}_{statistic}": "double"
        for metric, group in PEER_METRICS
        for statistic in ("ratio", "robust_z")
    },
}


@dataclass(frozen=True)
class CompiledModel:
    """The model's compiled SQL and, per input, its (database, schema, identifier) in that SQL."""

    sql: str
    inputs: dict[str, tuple[str, str, str]]


@functools.cache
def compiled_model(min_peer_group_size: int = 11) -> CompiledModel:
    """dbt compile of the model with the given var min_peer_group_size (the project default is 11)."""
    work = Path(tempfile.mkdtemp(prefix="code_features_sql_"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(REPO_ROOT),
            "MEDICARE_DUCKDB_PATH": str(work / "warehouse.duckdb"),
            "MEDICARE_DUCKDB_TEMP_DIR": str(work / "tmp"),
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    completed = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "compile",
            "--select",
            MODEL,
            "--vars",
            json.dumps({"min_peer_group_size": min_peer_group_size}),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, (
        f"dbt compile failed:\n{completed.stdout[-4000:]}{completed.stderr[-4000:]}"
    )
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    node = manifest["nodes"][f"model.deep_medicare.{MODEL}"]
    inputs = {}
    for unique_id in INPUTS:
        source = manifest["nodes"][unique_id]
        inputs[source["name"]] = (source["database"], source["schema"], source["alias"])
    return CompiledModel(node["compiled_code"], inputs)


def code_features(
    benchmarks: pd.DataFrame,
    add_on_codes: pd.DataFrame = ADD_ON_CODES,
    min_peer_group_size: int = 11,
    column_types: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The model's rows for the given int_provider_service_peer_benchmarks rows, sorted by (npi, data_year).

    Columns of the benchmarks get the mart's types (BENCHMARK_TYPES), or those of `column_types` (e.g.
    {"total_services": "decimal(18, 3)"}, as the mart types it).
    """
    model = compiled_model(min_peer_group_size)
    casts = {**BENCHMARK_TYPES, **(column_types or {})}
    with duckdb.connect() as con:
        frames = {"int_provider_service_peer_benchmarks": benchmarks, "hcpcs_add_on_codes": add_on_codes}
        for name, frame in frames.items():
            database, schema, identifier = model.inputs[name]
            if database not in {
                row[0] for row in con.execute("select database_name from duckdb_databases()").fetchall()
            }:
                con.execute(f"attach ':memory:' as \"{database}\"")
            con.execute(f'create schema if not exists "{database}"."{schema}"')
            con.register("input_frame", frame)
            types = casts if name == "int_provider_service_peer_benchmarks" else {}
            columns = ", ".join(
                f'cast("{column}" as {types[column]}) as "{column}"' if column in types else f'"{column}"'
                for column in frame.columns
            )
            con.execute(
                f'create table "{database}"."{schema}"."{identifier}" as select {columns} from input_frame'
            )
            con.unregister("input_frame")
        return con.sql(model.sql).order("npi, data_year").df()
