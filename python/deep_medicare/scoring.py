"""Anomaly scores from features: an Isolation Forest and peer robust z-scores, combined into [0, 1].

- Robust statistics: each suspicion feature's peer robust z, positive part only (higher price, volume,
  charges, add-on share or growth than peers), divided by that feature's ordinary high (its 99th
  percentile in the data, at least 1). Within a family of features that measure the same thing the
  largest counts (times the family's weight); across families the evidence adds up as a Euclidean norm
  c. The component is c / (c + 1), so a row whose only signal sits at its feature's ordinary high scores
  0.5.
- Isolation Forest (scikit-learn, fixed random_state, one job) on all model features, robustly scaled. Its
  score 2^(-E[h(x)] / c(n)) lies in (0, 1) and 0.5 or less is ordinary, so the component is
  (s - 0.5) / 0.5 clipped to [0, 1]. It sees both directions and unusual combinations of features.

These two are the peer comparison of the year; the pipeline fits them (scaling, forest, tail scales) on the
year and its neighbouring years (`score_features`'s `fit`). The ranking mostly weighs the evidence of
`evidence.family_evidence` (evidence_score: shrunk across codes, against the provider's own neighbouring
years, calibrated per family, weighted by dollars at stake), mapped to [0, 1) by e / (e + 1):

    anomaly_score = EVIDENCE_WEIGHT * e / (e + 1) + (1 - EVIDENCE_WEIGHT) * (weighted mean of the two above)

so the peer comparison of the year only orders provider-years of equal evidence. Rows are sorted by
(npi, data_year) before fitting, so the same input gives the same scores whatever order its rows arrive in.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from deep_medicare.feature_sets import KEYS, MODEL_FEATURES, SUSPICION_FAMILIES, SUSPICION_FEATURES
from deep_medicare.robust import MAD_TO_SIGMA

# Each constant below is either pinned by a unit test that fails when it changes (IQR_TO_SIGMA by the robust
# scale test's fallback, DEFAULT_ISOLATION_WEIGHT and EVIDENCE_WEIGHT by the stated-mix test, the default tail
# quantile by the tail-scale test) or a tuning choice that `make evaluate` and its tests protect (Z_CAP, the
# forest's DEFAULT_N_ESTIMATORS and DEFAULT_MAX_SAMPLES): change one of those and rerun the evaluation.
# Robust z beyond this is equally extreme; the cap keeps one wild value from flattening the forest's splits.
Z_CAP = 50.0
IQR_TO_SIGMA = 1.349
DEFAULT_ISOLATION_WEIGHT = 0.25
DEFAULT_N_ESTIMATORS = 100
DEFAULT_MAX_SAMPLES = 512
DEFAULT_TAIL_QUANTILE = 0.99
# Share of anomaly_score that comes from the calibrated evidence (evidence_score).
EVIDENCE_WEIGHT = 0.9


def feature_matrix(features: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Features as a float matrix capped at +-Z_CAP; NaN (not measurable) becomes 0, the peer median."""
    matrix = features[list(columns)].to_numpy(dtype=float, na_value=np.nan)
    return np.nan_to_num(np.clip(matrix, -Z_CAP, Z_CAP), nan=0.0)


def robust_location_scale(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the median and 1.4826 * MAD (IQR / 1.349, then 1, when that is 0)."""
    median = np.median(matrix, axis=0)
    mad = np.median(np.abs(matrix - median), axis=0) * MAD_TO_SIGMA
    q75, q25 = np.percentile(matrix, [75, 25], axis=0)
    iqr = (q75 - q25) / IQR_TO_SIGMA
    return median, np.where(mad > 0, mad, np.where(iqr > 0, iqr, 1.0))


def _usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def isolation_component(
    matrix: np.ndarray,
    random_state: int,
    n_estimators: int = DEFAULT_N_ESTIMATORS,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    threads: int | None = None,
    fit: np.ndarray | None = None,
) -> np.ndarray:
    """Isolation Forest anomaly score rescaled to [0, 1]: 0 up to the ordinary 0.5, 1 at the maximum. The
    forest is grown on the rows of `fit` (default: `matrix` itself) and scores the rows of `matrix`.

    Each tree is grown on `max_samples` rows, so fitting costs the same at a thousand rows or a million.
    Scoring every row is the expensive part; it runs on `threads` blocks of rows at once (default: one per
    core). A row's score does not depend on the other rows of its block, so the result is the same bit for
    bit whatever the number of threads.
    """
    n_rows = matrix.shape[0]
    fit = matrix if fit is None else fit
    if n_rows == 0 or fit.shape[0] < 2:
        return np.zeros(n_rows)
    model = IsolationForest(
        n_estimators=n_estimators,
        max_samples=min(max_samples, fit.shape[0]),
        random_state=random_state,
        n_jobs=1,
    )
    model.fit(fit)
    blocks = np.array_split(matrix, max(1, min(threads or _usable_cores(), n_rows)))
    with ThreadPoolExecutor(max_workers=len(blocks)) as pool:
        paper_score = -np.concatenate(list(pool.map(model.score_samples, blocks)))
    return np.clip((paper_score - 0.5) / 0.5, 0.0, 1.0)


def tail_scale(matrix: np.ndarray, quantile: float = DEFAULT_TAIL_QUANTILE) -> np.ndarray:
    """Per column, the `quantile` of max(z, 0), at least 1: how far that feature's ordinary highs reach.

    Features with naturally heavy tails (growth of small practices, charge-to-allowed ratios set by each
    practice's own charge master) need a larger deviation to count as much as a tight one (price).
    """
    if matrix.shape[0] == 0:
        return np.ones(matrix.shape[1])
    return np.maximum(np.quantile(np.clip(matrix, 0.0, None), quantile, axis=0), 1.0)


def family_evidence(matrix: np.ndarray, scale: np.ndarray, columns: Sequence[str]) -> np.ndarray:
    """Per row and suspicion family, the family's weight times its largest positive z / scale."""
    calibrated = np.clip(matrix, 0.0, None) / scale
    position = {column: index for index, column in enumerate(columns)}
    evidence = np.zeros((matrix.shape[0], len(SUSPICION_FAMILIES)))
    for family_index, (_, family, weight) in enumerate(SUSPICION_FAMILIES):
        evidence[:, family_index] = weight * calibrated[:, [position[column] for column in family]].max(
            axis=1
        )
    return evidence


def robust_component(evidence: np.ndarray) -> np.ndarray:
    """Euclidean norm c of the family evidence, mapped to [0, 1) by c / (c + 1)."""
    combined = np.sqrt(np.sum(evidence**2, axis=1))
    return combined / (combined + 1.0)


def sorted_by_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` sorted by (npi, data_year), index reset; free when it already is (as the pipeline's is)."""
    npi = frame["npi"].to_numpy(dtype=object)
    year = frame["data_year"].to_numpy()
    if len(frame) < 2 or bool(
        np.all((npi[1:] > npi[:-1]) | ((npi[1:] == npi[:-1]) & (year[1:] > year[:-1])))
    ):
        return frame.reset_index(drop=True)
    return frame.sort_values(KEYS, kind="mergesort").reset_index(drop=True)


def score_features(
    features: pd.DataFrame,
    random_state: int = 0,
    isolation_weight: float = DEFAULT_ISOLATION_WEIGHT,
    n_estimators: int = DEFAULT_N_ESTIMATORS,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    tail_quantile: float = DEFAULT_TAIL_QUANTILE,
    fit: np.ndarray | None = None,
) -> pd.DataFrame:
    """Features sorted by (npi, data_year), plus isolation_score, robust_score and anomaly_score in [0, 1]
    (evidence_score counts as 0 where the features have none).

    The scorer is fitted (robust scaling, forest, tail scales) on `fit`, rows of model features as
    `feature_matrix` gives them, default the features themselves (in (npi, data_year) order); the pipeline
    fits a data year on that year and its neighbours (`pipeline.fit_window`).
    """
    if not 0.0 <= isolation_weight <= 1.0:
        raise ValueError(f"isolation_weight must be in [0, 1], got {isolation_weight}")
    ordered = sorted_by_keys(features)
    model_matrix = feature_matrix(ordered, MODEL_FEATURES)
    fit_matrix = model_matrix if fit is None else fit
    # the fit's median and robust scale, computed once, scale both the scored rows and the fit rows
    median, scale = robust_location_scale(fit_matrix) if fit_matrix.shape[0] else (0.0, 1.0)
    scaled = (model_matrix - median) / scale
    isolation = isolation_component(
        scaled,
        random_state,
        n_estimators,
        max_samples,
        fit=scaled if fit is None else (fit_matrix - median) / scale,
    )
    # The suspicion features lead MODEL_FEATURES.
    suspicion = model_matrix[:, : len(SUSPICION_FEATURES)]
    scales = tail_scale(fit_matrix[:, : len(SUSPICION_FEATURES)], tail_quantile)
    evidence = family_evidence(suspicion, scales, SUSPICION_FEATURES)
    robust = robust_component(evidence)
    peer_score = isolation_weight * isolation + (1.0 - isolation_weight) * robust
    weighed = (
        ordered["evidence_score"].to_numpy(dtype=float, na_value=0.0)
        if "evidence_score" in ordered
        else np.zeros(len(ordered))
    )
    weighed = np.clip(np.nan_to_num(weighed, nan=0.0), 0.0, None)
    combined = EVIDENCE_WEIGHT * weighed / (weighed + 1.0) + (1.0 - EVIDENCE_WEIGHT) * peer_score
    return ordered.assign(
        isolation_score=isolation, robust_score=robust, anomaly_score=np.clip(combined, 0.0, 1.0)
    )


def rank_and_flag(scored: pd.DataFrame, flag_share: float = 0.01) -> pd.DataFrame:
    """Rows sorted by data_year and rank, with anomaly_rank (1 = most anomalous within its data_year; ties
    go to the lower npi) and is_flagged.

    Each year flags its top ceil(flag_share * rows) provider-years, so every non-empty year flags at least 1.
    """
    if not 0.0 < flag_share <= 1.0:
        raise ValueError(f"flag_share must be in (0, 1], got {flag_share}")
    # Sorted by npi first, a stable sort on (data_year, -anomaly_score) leaves ties in npi order.
    ordered = sorted_by_keys(scored)
    year = ordered["data_year"].to_numpy()
    order = np.lexsort((-ordered["anomaly_score"].to_numpy(dtype=float), year))
    ranked = ordered.take(order).reset_index(drop=True)
    year = year[order]
    starts = np.flatnonzero(np.r_[True, year[1:] != year[:-1]]) if len(year) else np.zeros(0, dtype=int)
    sizes = np.diff(np.r_[starts, len(year)])
    position = np.arange(len(year)) - np.repeat(starts, sizes)
    # The small tolerance keeps float noise (0.01 * 700 = 7.000000000000001) from flagging one extra row.
    flag_count = np.maximum(1, np.ceil(flag_share * sizes - 1e-9)).astype("int64")
    ranked["anomaly_rank"] = (position + 1).astype("int64")
    ranked["is_flagged"] = position < np.repeat(flag_count, sizes)
    return ranked
