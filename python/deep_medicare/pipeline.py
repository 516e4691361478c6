"""provider_anomaly_scores: features, scores, ranks, flags and reasons for every provider-year.

The dbt Python model models/ml/provider_anomaly_scores.py only hands over its connection and two
provider-year relations, int_provider_year_code_features and provider_year_summary, and calls
`score_warehouse`; everything else lives here and in the modules it calls. Code-level rows never reach
Python: DuckDB rolls them up in the SQL model. Python reads the columns it computes with, one data year at a
time; scores, ranks and explains every provider-year at once; and hands back a DuckDB relation in which the
SQL model's other columns (ratios, the most extreme code and its peers) join the result, so those never go
through pandas either, except for the rows that get a reason, whose words need them.

Progress goes to the logger "deep_medicare.pipeline" (stage, data year, rows, seconds), so a national
build shows where it is when the caller lets INFO messages through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import numpy as np
import pandas as pd

from deep_medicare.code_mix import SHIFT_COLUMNS
from deep_medicare.explanations import ContextReader, explain
from deep_medicare.feature_sets import CODE_FEATURE_INPUTS, EVIDENCE_COLUMNS, EVIDENCE_INPUTS, KEYS
from deep_medicare.features import DEFAULT_MIN_PEER_GROUP_SIZE, build_features
from deep_medicare.inputs import read_provider_years
from deep_medicare.scoring import rank_and_flag, score_features

LOGGER = logging.getLogger(__name__)

LEADING_COLUMNS = (
    "npi",
    "data_year",
    "anomaly_score",
    "anomaly_rank",
    "is_flagged",
    "reasons",
    "excess_payment",
    "evidence_family",
    "evidence_score",
    "isolation_score",
    "robust_score",
    "provider_type",
    "provider_state",
)
# Working columns of the features that are not features themselves.
INTERNAL_COLUMNS = ("previous_size_band",)


@contextmanager
def _stage(name: str) -> Iterator[None]:
    """Log a stage's name with its wall-clock and CPU seconds when it ends."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    LOGGER.info("%s: %.1f s (cpu %.1f s)", name, time.perf_counter() - wall, time.process_time() - cpu)


def warehouse_features(
    code_features: duckdb.DuckDBPyRelation,
    year_summary: duckdb.DuckDBPyRelation,
    min_peer_group_size: int = DEFAULT_MIN_PEER_GROUP_SIZE,
    evidence: duckdb.DuckDBPyRelation | None = None,
) -> pd.DataFrame:
    """`build_features` for every provider-year of the warehouse relations, sorted by data_year and npi,
    built one data year at a time (each year reads its provider-years and the add-on shares of the year
    before), so memory holds the finished features plus one year's input. Growth, size and code-mix peers
    never cross a year, so this equals building every year at once (a test checks it).
    """
    counts = sorted(year_summary.aggregate("data_year, count(*)", "data_year").fetchall())
    if not counts:
        return build_features(
            read_provider_years(code_features, year_summary, [], evidence), min_peer_group_size
        )
    per_year = []
    for year, rows in counts:
        with _stage(f"features {year}, {rows:,} provider-years"):
            per_year.append(
                build_features(
                    read_provider_years(code_features, year_summary, [year], evidence), min_peer_group_size
                )
            )
    return pd.concat(per_year, ignore_index=True)


def context_reader(
    connection: duckdb.DuckDBPyConnection, code_features: duckdb.DuckDBPyRelation, ranked: pd.DataFrame
) -> ContextReader:
    """For `explanations.explain`: given row positions of `ranked`, every column of `code_features` but its
    keys for those provider-years, in that order (null where a provider-year has no row there)."""

    def read(rows: np.ndarray) -> pd.DataFrame:
        wanted = ranked.iloc[rows][KEYS].reset_index(drop=True).assign(row_position=np.arange(len(rows)))
        joined = (
            connection.from_df(wanted)
            .set_alias("wanted")
            .join(
                code_features.set_alias("codes"),
                "wanted.npi = codes.npi and wanted.data_year = codes.data_year",
                how="left",
            )
        )
        context = joined.project("wanted.row_position, codes.* exclude (npi, data_year)").order(
            "row_position"
        )
        return context.df().drop(columns="row_position")

    return read


def output_columns(ranked: pd.DataFrame, feature_columns: list[str]) -> pd.DataFrame:
    """The Python columns of provider_anomaly_scores from ranked and explained features: LEADING_COLUMNS,
    then the features in the order of `feature_columns` (not the working columns)."""
    features = [
        column for column in feature_columns if column not in (*KEYS, *LEADING_COLUMNS, *INTERNAL_COLUMNS)
    ]
    # The marts' data_year is a 32-bit integer; keep the same type so joins need no cast.
    return ranked[[*LEADING_COLUMNS, *features]].astype({"data_year": "int32"})


def with_code_features(
    connection: duckdb.DuckDBPyConnection,
    scores: pd.DataFrame,
    code_features: duckdb.DuckDBPyRelation,
    evidence: duckdb.DuckDBPyRelation | None = None,
) -> duckdb.DuckDBPyRelation:
    """The provider_anomaly_scores relation: `scores` (from `output_columns`) with every column of
    int_provider_year_code_features joined in DuckDB, in the table's column order (leading columns, growth
    and size, the code-level roll-ups, the code-mix change, then the evidence). The roll-ups the scorer read
    come from the SQL models too (EVIDENCE_INPUTS from `evidence`, int_provider_year_evidence, when given),
    so every value has one source and the wide columns never go back through pandas.

    The rows come in no particular order (a join keeps none), as a table's rows do in SQL: readers order by
    anomaly_rank. Sorting the 85 columns for the table's sake took 3.5 to 4.7 s of a national year's 28 s
    of scoring, whose budget is 30 s."""
    from_sql = (*KEYS, *CODE_FEATURE_INPUTS, *(EVIDENCE_INPUTS if evidence is not None else ()))
    python_columns = [column for column in scores.columns if column not in from_sql]
    before = [column for column in python_columns if column not in (*SHIFT_COLUMNS, *EVIDENCE_COLUMNS)]
    after = [column for column in python_columns if column in SHIFT_COLUMNS]
    last = [column for column in python_columns if column in EVIDENCE_COLUMNS]
    joined = (
        connection.from_df(scores)
        .set_alias("scores")
        .join(
            code_features.set_alias("codes"),
            "scores.npi = codes.npi and scores.data_year = codes.data_year",
            how="left",
        )
    )
    if evidence is not None:
        joined = joined.join(
            evidence.set_alias("evidence"),
            "scores.npi = evidence.npi and scores.data_year = evidence.data_year",
            how="left",
        )
    columns = [
        "scores.npi",
        "scores.data_year",
        *(f"scores.{column}" for column in before),
        "codes.* exclude (npi, data_year)",
        *(f"scores.{column}" for column in after),
        *(f"evidence.{column}" for column in (EVIDENCE_INPUTS if evidence is not None else ())),
        *(f"scores.{column}" for column in last),
    ]
    return joined.project(", ".join(columns))


def score_warehouse(
    connection: duckdb.DuckDBPyConnection,
    code_features: duckdb.DuckDBPyRelation,
    year_summary: duckdb.DuckDBPyRelation,
    flag_share: float = 0.01,
    random_state: int = 0,
    min_peer_group_size: int = DEFAULT_MIN_PEER_GROUP_SIZE,
    evidence: duckdb.DuckDBPyRelation | None = None,
) -> duckdb.DuckDBPyRelation:
    """provider_anomaly_scores from the warehouse's provider-year relations int_provider_year_code_features,
    provider_year_summary and int_provider_year_evidence (`evidence`), all of `connection` (the dbt model's
    entry): one row per (npi, data_year) with anomaly_score in [0, 1], anomaly_rank within the year (1 = most
    anomalous), is_flagged (top `flag_share` of each year, at least one), reasons, excess_payment, and the
    feature values. Without `evidence` the score is the peer comparison of the year alone.

    Features are built one data year at a time (`warehouse_features`); scoring, ranking and reasons see
    every provider-year at once. Deterministic: the same inputs, in any row order, give identical rows
    for the same random_state.
    """
    features = warehouse_features(code_features, year_summary, min_peer_group_size, evidence)
    feature_columns = list(features.columns)
    with _stage(f"scoring and ranking {len(features):,} provider-years"):
        # One copy of the features at a time: each step's input is dropped once the next has it.
        scored = score_features(features, random_state=random_state)
        del features
        ranked = rank_and_flag(scored, flag_share=flag_share)
        del scored
    with _stage("reasons"):
        ranked["reasons"] = explain(ranked, context_of=context_reader(connection, code_features, ranked))
    if evidence is not None:  # those join from SQL in with_code_features, not through another pandas copy
        feature_columns = [column for column in feature_columns if column not in EVIDENCE_INPUTS]
    return with_code_features(connection, output_columns(ranked, feature_columns), code_features, evidence)


def score_provider_years(
    code_features: pd.DataFrame,
    year_summary: pd.DataFrame,
    flag_share: float = 0.01,
    random_state: int = 0,
    min_peer_group_size: int = DEFAULT_MIN_PEER_GROUP_SIZE,
    evidence: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`score_warehouse` on DataFrames (rows of int_provider_year_code_features, provider_year_summary and
    int_provider_year_evidence), read through an in-memory DuckDB exactly as the warehouse is; returns the
    table as a DataFrame sorted by data_year and anomaly_rank."""
    with duckdb.connect() as connection:
        scores = score_warehouse(
            connection,
            connection.from_df(code_features),
            connection.from_df(year_summary),
            flag_share=flag_share,
            random_state=random_state,
            min_peer_group_size=min_peer_group_size,
            evidence=None if evidence is None else connection.from_df(evidence),
        )
        return scores.order("data_year, anomaly_rank").df()
