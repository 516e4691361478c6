"""provider_anomaly_scores: features, scores, ranks, flags and reasons for every provider-year.

The dbt Python model models/ml/provider_anomaly_scores.py only hands over its connection and two
provider-year relations, int_provider_year_code_features and provider_year_summary, and calls
`score_warehouse`; everything else lives here and in the modules it calls. Code-level rows never reach
Python: DuckDB rolls them up in the SQL model. Python reads the columns it computes with, and scores, ranks
and explains one data year at a time, fitted on that year and its neighbours (a refresh rescores only the
years it changed); it hands back a DuckDB relation in which the SQL model's other columns (ratios, the most
extreme code and its peers) join the result, so those never go through pandas either, except for the rows
that get a reason, whose words need them.

Progress goes to the logger "deep_medicare.pipeline" (stage, data year, rows, seconds), so a national
build shows where it is when the caller lets INFO messages through.
"""

from __future__ import annotations

import ast
import hashlib
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from deep_medicare.code_mix import SHIFT_COLUMNS
from deep_medicare.explanations import ContextReader, explain
from deep_medicare.feature_sets import (
    CODE_FEATURE_INPUTS,
    EVIDENCE_COLUMNS,
    EVIDENCE_INPUTS,
    KEYS,
    MODEL_FEATURES,
)
from deep_medicare.features import DEFAULT_MIN_PEER_GROUP_SIZE, build_features
from deep_medicare.inputs import read_provider_years
from deep_medicare.scoring import feature_matrix, rank_and_flag, score_features, sorted_by_keys

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
# The temporary table each scored data year is written to before the next is read.
SCORED_YEARS_TABLE = "deep_medicare_scored_years"
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
    scores: pd.DataFrame | duckdb.DuckDBPyRelation,
    code_features: duckdb.DuckDBPyRelation,
    evidence: duckdb.DuckDBPyRelation | None = None,
) -> duckdb.DuckDBPyRelation:
    """The provider_anomaly_scores relation: `scores` (from `output_columns`, maybe with scored_by, which
    goes last) with every column of
    int_provider_year_code_features joined in DuckDB, in the table's column order (leading columns, growth
    and size, the code-level roll-ups, the code-mix change, then the evidence). The roll-ups the scorer read
    come from the SQL models too (EVIDENCE_INPUTS from `evidence`, int_provider_year_evidence, when given),
    so every value has one source and the wide columns never go back through pandas.

    The rows come in no particular order (a join keeps none), as a table's rows do in SQL: readers order by
    anomaly_rank. Sorting the 85 columns for the table's sake took 3.5 to 4.7 s of a national year's 28 s
    of scoring, whose budget is 30 s."""
    relation = scores if isinstance(scores, duckdb.DuckDBPyRelation) else connection.from_df(scores)
    from_sql = (*KEYS, *CODE_FEATURE_INPUTS, *(EVIDENCE_INPUTS if evidence is not None else ()))
    python_columns = [column for column in relation.columns if column not in from_sql]
    provenance = [column for column in python_columns if column == "scored_by"]
    before = [
        column for column in python_columns if column not in (*SHIFT_COLUMNS, *EVIDENCE_COLUMNS, *provenance)
    ]
    after = [column for column in python_columns if column in SHIFT_COLUMNS]
    last = [*(column for column in python_columns if column in EVIDENCE_COLUMNS), *provenance]
    joined = relation.set_alias("scores").join(
        code_features.set_alias("codes"),
        "scores.npi = codes.npi and scores.data_year = codes.data_year",
        how="left",
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


def scorer_fingerprint() -> str:
    """md5 of the source of this module and of every deep_medicare module it imports, directly or not: the
    code that scores. provider_anomaly_scores stores it per row (scored_by), and a build rescores every data
    year that other code scored, so a refresh never leaves years scored by two versions side by side."""
    package = Path(__file__).resolve().parent
    digest = hashlib.md5()
    seen: set[str] = set()
    pending = [Path(__file__).stem]
    while pending:
        name = pending.pop()
        if name in seen or not (package / f"{name}.py").exists():
            continue
        seen.add(name)
        source = (package / f"{name}.py").read_bytes()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("deep_medicare."):
                pending.append(node.module.split(".", 1)[1])
    for name in sorted(seen):
        digest.update(name.encode() + b"\0" + (package / f"{name}.py").read_bytes())
    return digest.hexdigest()


def fit_window(year: int, present: Sequence[int]) -> list[int]:
    """The data years the scorer of `year` is fitted on: the year and the calendar years either side of it
    that the warehouse holds. A refresh's reach previous_and_later (the year before a changed one and every
    year after it) covers every year whose window a changed year's features fall in."""
    return [neighbour for neighbour in (year - 1, year, year + 1) if neighbour in present]


def year_features(
    code_features: duckdb.DuckDBPyRelation,
    year_summary: duckdb.DuckDBPyRelation,
    years: Sequence[int],
    min_peer_group_size: int,
    evidence: duckdb.DuckDBPyRelation | None,
) -> pd.DataFrame:
    """`build_features` of the provider-years of `years` (one data year, or none for the empty shape)."""
    label = ", ".join(str(year) for year in years) or "no year"
    with _stage(f"features {label}"):
        return build_features(
            read_provider_years(code_features, year_summary, years, evidence), min_peer_group_size
        )


def score_year(
    connection: duckdb.DuckDBPyConnection,
    code_features: duckdb.DuckDBPyRelation,
    features: pd.DataFrame,
    fit: np.ndarray,
    flag_share: float,
    random_state: int,
    evidence: duckdb.DuckDBPyRelation | None,
) -> pd.DataFrame:
    """The Python columns of provider_anomaly_scores (`output_columns`) for the provider-years of `features`
    (one data year, or none for the table's empty shape), the scorer fitted on `fit` (rows of model features,
    `scoring.feature_matrix`): scores, ranks, flags and reasons."""
    label = ", ".join(str(year) for year in sorted(set(features["data_year"]))) or "no year"
    feature_columns = list(features.columns)
    with _stage(f"scoring and ranking {label}, {len(features):,} provider-years"):
        # One copy of the features at a time: each step's input is dropped once the next has it.
        scored = score_features(features, random_state=random_state, fit=fit)
        del features
        ranked = rank_and_flag(scored, flag_share=flag_share)
        del scored
    with _stage(f"reasons {label}"):
        ranked["reasons"] = explain(ranked, context_of=context_reader(connection, code_features, ranked))
    if evidence is not None:  # those join from SQL in with_code_features, not through another pandas copy
        feature_columns = [column for column in feature_columns if column not in EVIDENCE_INPUTS]
    return output_columns(ranked, feature_columns).assign(scored_by=scorer_fingerprint())


def score_warehouse(
    connection: duckdb.DuckDBPyConnection,
    code_features: duckdb.DuckDBPyRelation,
    year_summary: duckdb.DuckDBPyRelation,
    flag_share: float = 0.01,
    random_state: int = 0,
    min_peer_group_size: int = DEFAULT_MIN_PEER_GROUP_SIZE,
    evidence: duckdb.DuckDBPyRelation | None = None,
    years: Sequence[int] | None = None,
) -> duckdb.DuckDBPyRelation:
    """provider_anomaly_scores from the warehouse's provider-year relations int_provider_year_code_features,
    provider_year_summary and int_provider_year_evidence (`evidence`), all of `connection` (the dbt model's
    entry): one row per (npi, data_year) with anomaly_score in [0, 1], anomaly_rank within the year (1 = most
    anomalous), is_flagged (top `flag_share` of each year, at least one), reasons, excess_payment, and the
    feature values. Without `evidence` the score is the peer comparison of the year alone.

    Each data year is scored on its own (`score_year`): its features, ranks and reasons see that year's
    provider-years only, plus the neighbouring years' evidence the SQL models already rolled in; the scorer
    (scaling, forest, tail scales) is fitted on the model features of the year and its neighbours
    (`fit_window`), in (npi, data_year) order. So memory holds one year's features and
    three years' model features (11 doubles a provider-year), and a refresh rescores only the `years` it
    changed (default: every year of `year_summary`). Each year's rows go to a temporary table before the
    next year is read. Deterministic: the same inputs, in any row order, give identical rows for the same
    random_state.
    """
    present = sorted(year for (year,) in year_summary.aggregate("data_year", "data_year").fetchall())
    wanted = present if years is None else [year for year in present if year in {int(y) for y in years}]
    connection.execute(f"drop table if exists {SCORED_YEARS_TABLE}")
    # the npis and model features (11 doubles a provider-year) of each year the fit windows still need
    fits: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def features_of(year: int) -> pd.DataFrame:
        features = sorted_by_keys(
            year_features(code_features, year_summary, [year], min_peer_group_size, evidence)
        )
        if year not in fits:
            fits[year] = (features["npi"].to_numpy(dtype=str), feature_matrix(features, MODEL_FEATURES))
        return features

    # each year's rows in turn (with no year, the table's empty shape)
    for index, year in enumerate(wanted or [None]):
        if year is None:
            features = year_features(code_features, year_summary, [], min_peer_group_size, evidence)
            fit = feature_matrix(features, MODEL_FEATURES)
        else:
            window = fit_window(year, present)
            for done in [seen for seen in fits if seen not in window]:
                del fits[done]
            # the neighbours' model features first, so that one year's whole features are held at a time
            for neighbour in window:
                if neighbour != year and neighbour not in fits:
                    features_of(neighbour)
            features = features_of(year)
            # in (npi, data_year) order, as the rows of a fit on every year at once
            order = np.argsort(np.concatenate([fits[neighbour][0] for neighbour in window]), kind="stable")
            fit = np.concatenate([fits[neighbour][1] for neighbour in window])[order]
        scored = score_year(connection, code_features, features, fit, flag_share, random_state, evidence)
        del features, fit
        connection.register("scored_year", scored)
        verb = "create temporary table {} as" if index == 0 else "insert into {} by name"
        connection.execute(f"{verb.format(SCORED_YEARS_TABLE)} select * from scored_year")
        connection.unregister("scored_year")
        del scored
    return with_code_features(connection, connection.table(SCORED_YEARS_TABLE), code_features, evidence)


def years_to_score(
    connection: duckdb.DuckDBPyConnection, scores_table: str | None, planned: Sequence[int] | None
) -> list[int] | None:
    """The data years a build of provider_anomaly_scores scores: every year (None) for a full build (no
    table yet, or `planned` None), else the years the refresh `planned` (refresh_years()) plus every year of
    `scores_table` that other scoring code scored (its scored_by differs from `scorer_fingerprint()`)."""
    if scores_table is None or planned is None:
        return None
    columns = {row[0] for row in connection.execute(f"describe {scores_table}").fetchall()}
    if "scored_by" not in columns:
        return None
    stale = connection.execute(
        f"select distinct data_year from {scores_table} where scored_by is distinct from ?",
        [scorer_fingerprint()],
    ).fetchall()
    return sorted({int(year) for year in planned} | {int(year) for (year,) in stale})


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
