"""score_warehouse (the dbt model's entry) builds features one data year at a time straight from DuckDB
relations: that must equal building every year at once, and the scores must not depend on the order the
warehouse hands rows over."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from deep_medicare.features import build_features
from deep_medicare.inputs import read_provider_years
from deep_medicare.pipeline import score_warehouse, warehouse_features
from deep_medicare_dev.benchmark import generate_code_features, generate_evidence, generate_year_summary

KEY = ["data_year", "npi"]


@pytest.fixture(scope="module")
def warehouse() -> duckdb.DuckDBPyConnection:
    """Tables provider_year_summary, int_provider_year_code_features and int_provider_year_evidence of about
    3,000 generated provider-years (nine years), and the same rows in a shuffled order (tables ending in
    _shuffled)."""
    summary = generate_year_summary(provider_years=3_000, seed=7)
    codes = generate_code_features(summary, seed=7)
    evidence = generate_evidence(codes, summary, seed=7)
    con = duckdb.connect()
    for name, frame in (
        ("provider_year_summary", summary),
        ("int_provider_year_code_features", codes),
        ("int_provider_year_evidence", evidence),
    ):
        con.register("frame", frame)
        con.execute(f"create table {name} as select * from frame")
        con.execute(f"create table {name}_shuffled as select * from frame order by hash(npi, data_year)")
        con.unregister("frame")
    yield con
    con.close()


def test_year_by_year_features_equal_features_of_every_year_at_once(warehouse):
    codes, summary, evidence = (
        warehouse.table("int_provider_year_code_features"),
        warehouse.table("provider_year_summary"),
        warehouse.table("int_provider_year_evidence"),
    )
    years = sorted(row[0] for row in summary.project("data_year").distinct().fetchall())
    assert len(years) > 2  # the chunking is exercised across several years

    by_year = warehouse_features(codes, summary, evidence=evidence)
    at_once = build_features(read_provider_years(codes, summary, years, evidence))
    assert by_year["evidence_score"].gt(0).any()

    assert len(by_year) == len(summary)
    pd.testing.assert_frame_equal(
        by_year.sort_values(KEY).reset_index(drop=True),
        at_once.sort_values(KEY).reset_index(drop=True),
        check_exact=True,
    )


def scores_in_rank_order(warehouse, suffix: str = ""):
    """score_warehouse on the tables of the three inputs whose names end in `suffix`, read in rank order (the
    table's rows come in none)."""
    return (
        score_warehouse(
            warehouse,
            warehouse.table(f"int_provider_year_code_features{suffix}"),
            warehouse.table(f"provider_year_summary{suffix}"),
            evidence=warehouse.table(f"int_provider_year_evidence{suffix}"),
        )
        .order("data_year, anomaly_rank")
        .df()
    )


def test_scores_do_not_depend_on_the_order_of_the_rows(warehouse):
    ordered = scores_in_rank_order(warehouse)
    shuffled = scores_in_rank_order(warehouse, "_shuffled")
    assert len(ordered) == len(warehouse.table("provider_year_summary"))
    assert ordered["is_flagged"].sum() >= 9  # at least one per year
    pd.testing.assert_frame_equal(ordered, shuffled, check_exact=True)


def test_an_empty_warehouse_scores_to_an_empty_table(warehouse):
    empty_codes = warehouse.table("int_provider_year_code_features").filter("false")
    empty_summary = warehouse.table("provider_year_summary").filter("false")

    scores = score_warehouse(warehouse, empty_codes, empty_summary).df()

    assert scores.empty
    assert {"npi", "data_year", "anomaly_score", "anomaly_rank", "is_flagged", "reasons"} <= set(
        scores.columns
    )


def scores_of(warehouse, years=None, without_year=None):
    """score_warehouse on the three inputs (without the rows of `without_year`, when given), for `years`
    (default every year), in rank order."""
    keep = "true" if without_year is None else f"data_year != {int(without_year)}"
    return (
        score_warehouse(
            warehouse,
            warehouse.table("int_provider_year_code_features").filter(keep),
            warehouse.table("provider_year_summary").filter(keep),
            evidence=warehouse.table("int_provider_year_evidence").filter(keep),
            years=years,
        )
        .order("data_year, anomaly_rank")
        .df()
    )


def test_scoring_some_years_equals_those_years_of_scoring_every_year(warehouse):
    # A refresh scores only the years it changed; their fit must still see the neighbours it does not score.
    every = scores_of(warehouse)
    chosen = [2016, 2017]
    assert {2015, 2018} <= set(every["data_year"])  # both chosen years have a neighbour left unscored

    some = scores_of(warehouse, years=chosen)

    expected = every[every["data_year"].isin(chosen)].reset_index(drop=True)
    pd.testing.assert_frame_equal(some, expected, check_exact=True)


def test_a_years_scores_follow_its_neighbours_and_no_year_beyond(warehouse):
    # The scorer of 2016 is fitted on 2015-2017: without 2017 its scores move; without 2018 (beyond the
    # window, and no input of 2016's features) they are identical.
    every = scores_of(warehouse)
    of_2016 = every[every["data_year"] == 2016].reset_index(drop=True)

    without_2018 = scores_of(warehouse, without_year=2018)
    without_2017 = scores_of(warehouse, without_year=2017)

    pd.testing.assert_frame_equal(
        without_2018[without_2018["data_year"] == 2016].reset_index(drop=True), of_2016, check_exact=True
    )
    moved = without_2017[without_2017["data_year"] == 2016].reset_index(drop=True)
    assert len(moved) == len(of_2016)
    assert not np.allclose(
        moved.sort_values("npi")["anomaly_score"].to_numpy(), of_2016.sort_values("npi")["anomaly_score"]
    )
