"""provider_anomaly_scores: features, scores, ranks, flags and reasons for every provider-year.

The dbt Python model models/ml/provider_anomaly_scores.py only fetches its three inputs and calls
`score_provider_years`; everything else lives here and in the modules it calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from deep_medicare.explanations import explain
from deep_medicare.feature_sets import KEYS, PEER_METRICS, peer_prefix
from deep_medicare.features import DEFAULT_MIN_PEER_GROUP_SIZE, build_features
from deep_medicare.peer_metrics import DEFAULT_MIN_RELATIVE_SPREAD
from deep_medicare.scoring import rank_and_flag, score_features

LEADING_COLUMNS = (
    "npi",
    "data_year",
    "anomaly_score",
    "anomaly_rank",
    "is_flagged",
    "reasons",
    "isolation_score",
    "robust_score",
    "provider_type",
    "provider_state",
)
# Working columns of the features that are not features themselves.
INTERNAL_COLUMNS = ("previous_size_band",)


def score_provider_years(
    peer_benchmarks: pd.DataFrame,
    year_summary: pd.DataFrame,
    add_on_codes: pd.DataFrame,
    flag_share: float = 0.01,
    random_state: int = 0,
    min_peer_group_size: int = DEFAULT_MIN_PEER_GROUP_SIZE,
    min_relative_spread: float = DEFAULT_MIN_RELATIVE_SPREAD,
) -> pd.DataFrame:
    """One row per (npi, data_year): anomaly_score in [0, 1], anomaly_rank within the year (1 = most
    anomalous), is_flagged (top `flag_share` of each year, at least one), reasons, and the feature values.

    Deterministic: the same inputs, in any row order, give identical output for the same random_state.
    """
    features = build_features(
        peer_benchmarks,
        year_summary,
        add_on_codes,
        min_peer_group_size=min_peer_group_size,
        min_relative_spread=min_relative_spread,
    )
    return finish_scores(features, flag_share=flag_share, random_state=random_state)


def finish_scores(features: pd.DataFrame, flag_share: float, random_state: int) -> pd.DataFrame:
    """Score, rank, flag and explain provider-year features: the provider_anomaly_scores frame."""
    ranked = rank_and_flag(score_features(features, random_state=random_state), flag_share=flag_share)
    ranked["reasons"] = explain(ranked)
    feature_columns = [
        column for column in features.columns if column not in (*KEYS, *LEADING_COLUMNS, *INTERNAL_COLUMNS)
    ]
    scores = ranked[[*LEADING_COLUMNS, *feature_columns]].reset_index(drop=True)
    # The marts' data_year is a 32-bit integer; keep the same type so joins need no cast.
    return scores.astype({"data_year": "int32"})


# The columns of each input the features read (see inputs.prepare_benchmarks / prepare_year_summary).
BENCHMARK_COLUMNS = (
    "npi",
    "data_year",
    "hcpcs_code",
    "place_of_service",
    "provider_type",
    "total_services",
    "is_peer_fallback",
    "is_state_peer_fallback",
    *(
        f"{peer_prefix(metric, group)}_{statistic}"
        for metric, group in PEER_METRICS
        for statistic in ("ratio", "robust_z")
    ),
)
SUMMARY_COLUMNS = (
    "npi",
    "data_year",
    "provider_type",
    "provider_state",
    "total_services",
    "total_medicare_payment",
    "payment_yoy_change",
    "services_yoy_change",
)


def _years_of(
    relation: duckdb.DuckDBPyRelation, years: Sequence[int], columns: Sequence[str]
) -> pd.DataFrame:
    """The given columns of a warehouse relation, for the given data years only, as a DataFrame."""
    year_list = ", ".join(str(int(year)) for year in years)
    return relation.filter(f"data_year in ({year_list})").project(", ".join(columns)).df()


def score_warehouse(
    peer_benchmarks: duckdb.DuckDBPyRelation,
    year_summary: duckdb.DuckDBPyRelation,
    add_on_codes: pd.DataFrame,
    flag_share: float = 0.01,
    random_state: int = 0,
    min_peer_group_size: int = DEFAULT_MIN_PEER_GROUP_SIZE,
    min_relative_spread: float = DEFAULT_MIN_RELATIVE_SPREAD,
) -> pd.DataFrame:
    """`score_provider_years` for warehouse relations of any size: features are built one data year at a
    time (with the year before, which growth and code-mix change need), reading only the columns they use,
    so memory holds two years of code-level rows, not all of them; scoring then sees every provider-year.
    Gives the same result as `score_provider_years` on the whole inputs (a test checks it).
    """

    def features_of(years: Sequence[int]) -> pd.DataFrame:
        return build_features(
            _years_of(peer_benchmarks, years, BENCHMARK_COLUMNS),
            _years_of(year_summary, years, SUMMARY_COLUMNS),
            add_on_codes,
            min_peer_group_size=min_peer_group_size,
            min_relative_spread=min_relative_spread,
        )

    years = sorted(int(row[0]) for row in year_summary.project("data_year").distinct().fetchall())
    per_year = [features_of([year - 1, year]).query("data_year == @year") for year in years]
    features = pd.concat(per_year, ignore_index=True) if per_year else features_of([])
    return finish_scores(features, flag_share=flag_share, random_state=random_state)
