"""The Spark scoring entry point's settings (deep_medicare.spark_scores): Spark opened as the profile's spark
target says, and the scoring's parameters from the project's vars. No Spark needed: the scores themselves
are compared with DuckDB's by tests/python/test_spark_equivalence.py (make test-spark)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deep_medicare.spark_scores import project_vars, score_spark, spark_settings

REPO = Path(__file__).resolve().parents[2]


def test_spark_settings_are_the_spark_targets_rendered_with_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MEDICARE_SPARK_WAREHOUSE", "/data/spark")
    monkeypatch.setenv("MEDICARE_SPARK_SHUFFLE_PARTITIONS", "16")
    monkeypatch.delenv("MEDICARE_SPARK_DRIVER_MEMORY", raising=False)
    settings = spark_settings(REPO)
    assert settings["spark.sql.warehouse.dir"] == "/data/spark/tables"
    assert "-Dderby.system.home=/data/spark " in settings["spark.driver.extraJavaOptions"]
    assert settings["spark.sql.shuffle.partitions"] == "16"
    # the profile's default when the variable is unset
    assert settings["spark.driver.memory"] == "4g"
    assert settings["spark.sql.session.timeZone"] == "UTC"


def test_a_target_that_is_not_spark_is_refused_naming_the_profiles_file() -> None:
    with pytest.raises(SystemExit, match=r"profiles\.yml: profile deep_medicare has no spark target 'dev'"):
        spark_settings(REPO, target="dev")


def test_scoring_parameters_are_the_dbt_projects_vars() -> None:
    # dbt_project.yml: anomaly_flag_share 0.01, anomaly_random_state 0, min_peer_group_size 11
    assert project_vars(REPO) == {"flag_share": 0.01, "random_state": 0, "min_peer_group_size": 11}


class CatalogWithout:
    """A Spark session's catalog and settings, as much as score_spark reads before scoring: every table
    exists but those named."""

    def __init__(self, *missing: str) -> None:
        self.catalog = self
        self.conf = {"spark.sql.warehouse.dir": "/data/spark/tables"}
        self.missing = set(missing)

    def tableExists(self, name: str) -> bool:  # noqa: N802 (pyspark's name)
        return name not in self.missing


def test_scoring_before_the_spark_build_names_the_missing_tables_and_the_warehouse() -> None:
    spark = CatalogWithout("intermediate.int_provider_year_evidence", "marts.provider_year_summary")
    with pytest.raises(SystemExit) as stopped:
        score_spark(spark, flag_share=0.01, random_state=0, min_peer_group_size=11)
    assert str(stopped.value) == (
        "no Spark table marts.provider_year_summary, intermediate.int_provider_year_evidence in the Spark "
        "warehouse (/data/spark/tables): run dbt build --target spark first"
    )
