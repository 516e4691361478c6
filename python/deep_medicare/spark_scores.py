"""provider_anomaly_scores on Apache Spark: the scoring's entry point for the Spark target.

dbt-spark's session method runs no Python models, so on Spark the scores are written by this module once
`dbt build --target spark` has built the SQL models (`make build-spark` runs both;
docs/spark.md):

    .venv-spark/bin/python -m deep_medicare.spark_scores

It opens Spark as dbt's spark target does (the server_side_parameters of profiles.yml's spark output: the
same warehouse folder, metastore and settings), reads the three provider-year relations
int_provider_year_code_features, provider_year_summary and int_provider_year_evidence through Spark as
Arrow tables, scores them with `pipeline.score_warehouse` in an in-memory DuckDB, the code the dbt Python
model runs on the DuckDB target, and writes provider_anomaly_scores back to Spark as a Parquet table. No
code-level row is read: those are rolled up by the SQL models on Spark. The parameters default to the vars
of dbt_project.yml, as the dbt model's do.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import jinja2
import yaml

from deep_medicare.pipeline import score_warehouse

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

LOGGER = logging.getLogger(__name__)
# pyspark 4.3 warns about pandas 3 when it converts; the scores go through Arrow, never through pandas there.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

# The dbt vars the scoring takes: score_warehouse's parameter, the var's name, its type.
SCORING_VARS = {
    "flag_share": ("anomaly_flag_share", float),
    "random_state": ("anomaly_random_state", int),
    "min_peer_group_size": ("min_peer_group_size", int),
}


def project_vars(project_dir: Path) -> dict[str, Any]:
    """The scoring parameters from the vars of dbt_project.yml (score_warehouse's names)."""
    variables = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]
    return {parameter: kind(variables[name]) for parameter, (name, kind) in SCORING_VARS.items()}


def spark_settings(
    profiles_dir: Path, profile: str = "deep_medicare", target: str = "spark"
) -> dict[str, str]:
    """The Spark settings of a dbt target (its server_side_parameters), rendered as dbt renders them: the
    profile's env_var() reads the environment, with its default when a variable is unset."""

    def env_var(name: str, default: str | None = None) -> str:
        value = os.environ.get(name, default)
        if value is None:
            raise SystemExit(f"{profiles_dir / 'profiles.yml'}: environment variable {name} is not set")
        return value

    rendered = jinja2.Template((profiles_dir / "profiles.yml").read_text()).render(env_var=env_var)
    outputs = yaml.safe_load(rendered)[profile]["outputs"]
    if target not in outputs or outputs[target].get("type") != "spark":
        raise SystemExit(f"{profiles_dir / 'profiles.yml'}: profile {profile} has no spark target {target!r}")
    return {str(key): str(value) for key, value in outputs[target].get("server_side_parameters", {}).items()}


def open_spark(settings: dict[str, str]) -> SparkSession:
    """A Spark session built as dbt-spark's session method builds it: Hive catalog support and the
    target's settings."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("deep_medicare.spark_scores").enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def score_spark(
    spark: SparkSession,
    flag_share: float,
    random_state: int,
    min_peer_group_size: int,
    intermediate_schema: str = "intermediate",
    marts_schema: str = "marts",
) -> DataFrame:
    """provider_anomaly_scores as a Spark DataFrame, from the Spark tables of the three provider-year
    relations, scored by score_warehouse: the same rows, columns and types as the DuckDB target's table."""
    inputs = (
        (intermediate_schema, "int_provider_year_code_features"),
        (marts_schema, "provider_year_summary"),
        (intermediate_schema, "int_provider_year_evidence"),
    )
    missing = [
        f"{schema}.{name}" for schema, name in inputs if not spark.catalog.tableExists(f"{schema}.{name}")
    ]
    if missing:
        raise SystemExit(
            f"no Spark table {', '.join(missing)} in the Spark warehouse "
            f"({spark.conf.get('spark.sql.warehouse.dir')}): run dbt build --target spark first"
        )
    with duckdb.connect() as connection:
        # The Arrow tables stay referenced while DuckDB reads them.
        arrow = {name: spark.table(f"{schema}.{name}").toArrow() for schema, name in inputs}
        scores = score_warehouse(
            connection,
            connection.from_arrow(arrow["int_provider_year_code_features"]),
            connection.from_arrow(arrow["provider_year_summary"]),
            flag_share=flag_share,
            random_state=random_state,
            min_peer_group_size=min_peer_group_size,
            evidence=connection.from_arrow(arrow["int_provider_year_evidence"]),
        )
        return spark.createDataFrame(scores.to_arrow_table())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deep_medicare.spark_scores",
        description="Score the Spark build's provider-years and write provider_anomaly_scores to Spark.",
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), help="the dbt project (default: here)"
    )
    parser.add_argument(
        "--profiles-dir",
        type=Path,
        default=None,
        help="where profiles.yml is (default: $DBT_PROFILES_DIR, else the project)",
    )
    parser.add_argument("--target", default="spark", help="the profile's Spark target (default: spark)")
    parser.add_argument("--intermediate-schema", default="intermediate")
    parser.add_argument("--marts-schema", default="marts", help="where provider_anomaly_scores is written")
    parser.add_argument("--flag-share", type=float, help="default: var anomaly_flag_share")
    parser.add_argument("--random-state", type=int, help="default: var anomaly_random_state")
    parser.add_argument("--min-peer-group-size", type=int, help="default: var min_peer_group_size")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="provider_anomaly_scores: %(message)s", stream=sys.stderr)
    profiles_dir = args.profiles_dir or Path(os.environ.get("DBT_PROFILES_DIR", args.project_dir))
    parameters = project_vars(args.project_dir)
    for name in parameters:
        if getattr(args, name) is not None:
            parameters[name] = getattr(args, name)

    started = time.perf_counter()
    spark = open_spark(spark_settings(profiles_dir, target=args.target))
    try:
        scores = score_spark(
            spark,
            intermediate_schema=args.intermediate_schema,
            marts_schema=args.marts_schema,
            **parameters,
        )
        table = f"{args.marts_schema}.provider_anomaly_scores"
        scores.write.mode("overwrite").format("parquet").saveAsTable(table)
        LOGGER.info(
            "wrote %s: %s rows in %.1f s",
            table,
            f"{spark.table(table).count():,}",
            time.perf_counter() - started,
        )
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
