"""score_warehouse (the dbt model's entry: one data year at a time, straight from DuckDB relations) must give
exactly what score_provider_years gives on the whole inputs in memory."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from deep_medicare.benchmark import ADD_ON_CODES, generate_peer_benchmarks, generate_year_summary
from deep_medicare.pipeline import score_provider_years, score_warehouse


@pytest.fixture(scope="module")
def inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    summary = generate_year_summary(provider_years=3_000, seed=7)
    return summary, generate_peer_benchmarks(summary, seed=7)


def test_year_by_year_scoring_from_duckdb_equals_scoring_everything_at_once(inputs):
    summary, benchmarks = inputs
    con = duckdb.connect()
    con.register("summary_frame", summary)
    con.register("benchmarks_frame", benchmarks)
    # tables, like the marts the dbt model reads
    con.execute("create table provider_year_summary as select * from summary_frame")
    con.execute("create table provider_peer_benchmarks as select * from benchmarks_frame")

    by_year = score_warehouse(
        con.table("provider_peer_benchmarks"), con.table("provider_year_summary"), ADD_ON_CODES
    )
    at_once = score_provider_years(benchmarks, summary, ADD_ON_CODES)

    assert summary["data_year"].nunique() > 2  # the chunking is exercised across several years
    assert len(by_year) == len(summary)
    key = ["data_year", "npi"]
    pd.testing.assert_frame_equal(
        by_year.sort_values(key).reset_index(drop=True),
        at_once.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )


def test_an_empty_warehouse_scores_to_an_empty_table(inputs):
    summary, benchmarks = inputs
    con = duckdb.connect()
    con.register("summary_frame", summary)
    con.register("benchmarks_frame", benchmarks)
    con.execute("create table provider_year_summary as select * from summary_frame where false")
    con.execute("create table provider_peer_benchmarks as select * from benchmarks_frame where false")

    scores = score_warehouse(
        con.table("provider_peer_benchmarks"), con.table("provider_year_summary"), ADD_ON_CODES
    )

    assert scores.empty
    assert {"npi", "data_year", "anomaly_score", "anomaly_rank", "is_flagged", "reasons"} <= set(
        scores.columns
    )
