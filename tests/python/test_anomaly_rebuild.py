"""A rebuild gives identical scores: scoring the built warehouse's provider-year relations
(int_provider_year_code_features, provider_year_summary, int_provider_year_evidence) again, in this
process, reproduces marts.provider_anomaly_scores (written by dbt in another process) value for value,
and covers every provider-year of the sample."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from deep_medicare.pipeline import score_warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PROVIDER_YEARS = 22_516  # distinct (npi, data year) pairs of the shipped sample (the scoring issue)


def test_scoring_the_marts_again_reproduces_the_table_dbt_wrote():
    path = Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO_ROOT / "warehouse" / "medicare.duckdb"))
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make build` (or `make test`, which builds first)")
    with duckdb.connect(str(path), read_only=True) as con:
        stored = con.table("marts.provider_anomaly_scores").df()
        again = score_warehouse(
            con,
            con.table("intermediate.int_provider_year_code_features"),
            con.table("marts.provider_year_summary"),
            evidence=con.table("intermediate.int_provider_year_evidence"),
        ).df()
    if "MEDICARE_PHYSICIAN_FILES" not in os.environ:  # built from the shipped sample
        assert len(stored) == SAMPLE_PROVIDER_YEARS
        assert stored.groupby("data_year")["is_flagged"].sum().ge(1).all()
    key = ["data_year", "npi"]
    pd.testing.assert_frame_equal(
        again.sort_values(key).reset_index(drop=True)[stored.columns],
        stored.sort_values(key).reset_index(drop=True),
        check_dtype=False,
        check_exact=True,
    )
