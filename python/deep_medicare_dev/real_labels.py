"""The anomaly scores measured against a real label: OIG's exclusions (LEIE) for fraud-related types.

Report only. The scores never see the LEIE, and nothing here feeds back into them: with a handful of excluded
providers in the sample, any change made to move these figures would be overfitting. Scorer changes are judged
on the injected evaluations (deep_medicare_dev.evaluate).

Labels, per provider-year of marts.provider_anomaly_scores:
- positive: a year up to and including the year of the NPI's first fraud-related exclusion (the billing the
  exclusion followed; an excluded provider may not bill Medicare after it);
- negative: every year of an NPI that is never excluded;
- left out, and counted: every year of an NPI excluded for other types only, and the years after the year of a
  fraud-related exclusion.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

POSITIVE = "fraud-related exclusion later"
NEGATIVE = "never excluded"
LEFT_OUT_OTHER = "excluded for other types only"
LEFT_OUT_AFTER = "after a fraud-related exclusion"

LABEL_QUERY = """
with exclusions as (
    select
        npi,
        min(case when is_fraud_related then exclusion_date end) as first_fraud_exclusion_date,
        count(*) as exclusion_periods
    from marts.provider_exclusions
    group by npi
)
select
    scores.npi,
    scores.data_year,
    scores.anomaly_score,
    exclusions.first_fraud_exclusion_date,
    coalesce(exclusions.exclusion_periods, 0) as exclusion_periods
from marts.provider_anomaly_scores as scores
left join exclusions on scores.npi = exclusions.npi
order by scores.npi, scores.data_year
"""


def read_label_inputs(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each scored provider-year with its NPI's first fraud-related exclusion date and exclusion count."""
    return connection.execute(LABEL_QUERY).df()


def label_provider_years(inputs: pd.DataFrame) -> pd.DataFrame:
    """The inputs with `group` (positive, negative or why left out) and `label` (1, 0, NA if left out)."""
    fraud_year = pd.to_datetime(inputs["first_fraud_exclusion_date"]).dt.year
    has_fraud = fraud_year.notna()
    group = np.select(
        [
            has_fraud & (inputs["data_year"] <= fraud_year),
            has_fraud,
            inputs["exclusion_periods"] > 0,
        ],
        [POSITIVE, LEFT_OUT_AFTER, LEFT_OUT_OTHER],
        default=NEGATIVE,
    )
    label = pd.Series(pd.NA, index=inputs.index, dtype="Int64")
    label[group == POSITIVE] = 1
    label[group == NEGATIVE] = 0
    return inputs.assign(group=group, label=label)


def rank_percentiles(labelled: pd.DataFrame) -> pd.Series:
    """Each provider-year's rank within its data year over the year's scored providers (0.01 = top 1%),
    among all scored provider-years, left-out ones included, as an investigator's list has them."""
    ranks = labelled.groupby("data_year")["anomaly_score"].rank(method="first", ascending=False)
    sizes = labelled.groupby("data_year")["anomaly_score"].transform("size")
    return ranks / sizes


def _auc_ap(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    """ROC-AUC and average precision (NaN when only one class is present); weights count repeated rows."""
    present = labels if weights is None else labels[weights > 0]
    if len(present) == 0 or present.min() == present.max():
        return float("nan"), float("nan")
    return (
        float(roc_auc_score(labels, scores, sample_weight=weights)),
        float(average_precision_score(labels, scores, sample_weight=weights)),
    )


def provider_level(labelled: pd.DataFrame) -> pd.DataFrame:
    """One row per labelled NPI: its highest score over its labelled years, and its label."""
    kept = labelled[labelled["label"].notna()]
    return (
        kept.groupby("npi", sort=True)
        .agg(anomaly_score=("anomaly_score", "max"), label=("label", "max"))
        .reset_index()
    )


def precision_at_k(labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Share of positives among the k highest scores (ties broken by position, i.e. by npi and year)."""
    order = np.argsort(-scores, kind="stable")
    return float(labels[order[:k]].mean()) if k else float("nan")


def bootstrap_intervals(
    labelled: pd.DataFrame, repeats: int = 1000, seed: int = 0, level: float = 0.95
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of ROC-AUC and average precision at both levels, resampling providers (all their
    labelled years go together) with replacement, positives and negatives separately so every resample has
    both. A provider drawn n times weighs n. Seeded: the same data give the same intervals."""
    kept = labelled[labelled["label"].notna()]
    providers = provider_level(labelled)
    provider_labels = providers["label"].to_numpy(int)
    provider_scores = providers["anomaly_score"].to_numpy(float)
    positives = np.flatnonzero(provider_labels == 1)
    negatives = np.flatnonzero(provider_labels == 0)
    if len(positives) == 0 or len(negatives) == 0:
        return {}
    # each labelled provider-year's provider, as a position in `providers` (sorted by npi)
    year_provider = np.searchsorted(providers["npi"].to_numpy(), kept["npi"].to_numpy())
    year_labels = kept["label"].to_numpy(int)
    year_scores = kept["anomaly_score"].to_numpy(float)
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {
        key: [] for key in ("year_auc", "year_ap", "provider_auc", "provider_ap")
    }
    for _ in range(repeats):
        chosen = np.concatenate(
            [rng.choice(positives, len(positives)), rng.choice(negatives, len(negatives))]
        )
        weights = np.bincount(chosen, minlength=len(providers)).astype(float)
        values = (
            *_auc_ap(year_labels, year_scores, weights[year_provider]),
            *_auc_ap(provider_labels, provider_scores, weights),
        )
        for key, value in zip(samples, values, strict=True):
            samples[key].append(value)
    tail = (1 - level) / 2 * 100
    return {
        key: (float(np.nanpercentile(values, tail)), float(np.nanpercentile(values, 100 - tail)))
        for key, values in samples.items()
    }


def real_label_report(inputs: pd.DataFrame, repeats: int = 1000, seed: int = 0) -> dict:
    """Counts, ROC-AUC and average precision (provider-year and provider level) with bootstrap intervals,
    precision at k, and each positive provider's best yearly rank percentile."""
    labelled = label_provider_years(inputs)
    labelled = labelled.assign(rank_percentile=rank_percentiles(labelled))
    kept = labelled[labelled["label"].notna()]
    year_labels = kept["label"].to_numpy(int)
    year_scores = kept["anomaly_score"].to_numpy(float)
    providers = provider_level(labelled)
    provider_labels = providers["label"].to_numpy(int)
    provider_scores = providers["anomaly_score"].to_numpy(float)
    year_auc, year_ap = _auc_ap(year_labels, year_scores) if len(kept) else (float("nan"),) * 2
    provider_auc, provider_ap = (
        _auc_ap(provider_labels, provider_scores) if len(providers) else (float("nan"),) * 2
    )
    positives = labelled[labelled["group"] == POSITIVE]
    best = (
        positives.sort_values(["rank_percentile", "data_year"])
        .groupby("npi", sort=True)
        .first()
        .reset_index()[["npi", "data_year", "rank_percentile", "first_fraud_exclusion_date"]]
        .sort_values(["rank_percentile", "npi"])
    )
    counts = labelled.groupby("group").agg(provider_years=("npi", "size"), providers=("npi", "nunique"))
    k_years = int(year_labels.sum())
    k_providers = int(provider_labels.sum())
    return {
        "counts": counts,
        "year": {
            "auc": year_auc,
            "ap": year_ap,
            "k": k_years,
            "precision_at_k": precision_at_k(year_labels, year_scores, k_years),
            "base_rate": float(year_labels.mean()) if len(year_labels) else float("nan"),
        },
        "provider": {
            "auc": provider_auc,
            "ap": provider_ap,
            "k": k_providers,
            "precision_at_k": precision_at_k(provider_labels, provider_scores, k_providers),
            "base_rate": float(provider_labels.mean()) if len(provider_labels) else float("nan"),
        },
        "intervals": bootstrap_intervals(labelled, repeats=repeats, seed=seed),
        "best_percentiles": best,
        "repeats": repeats,
    }


def _interval(intervals: dict, key: str) -> str:
    if key not in intervals:
        return ""
    low, high = intervals[key]
    return f" [{low:.3f}, {high:.3f}]"


def format_real_label_report(report: dict) -> str:
    """The report as text: one line per level (counts, figures with 95% intervals), what was left out, then
    each positive provider's best yearly rank percentile."""
    counts: pd.DataFrame = report["counts"]

    def count(group: str, column: str) -> int:
        return int(counts.loc[group, column]) if group in counts.index else 0

    intervals = report["intervals"]
    lines = [
        f"{'level':<14} {'positives':>9} {'negatives':>9}  {'ROC-AUC [95% CI]':<21}  "
        f"{'avg precision [95% CI]':<21}  precision@k"
    ]
    for level, name, column in (
        ("year", "provider-year", "provider_years"),
        ("provider", "provider", "providers"),
    ):
        row = report[level]
        auc = f"{row['auc']:.3f}{_interval(intervals, level + '_auc')}"
        ap = f"{row['ap']:.3f}{_interval(intervals, level + '_ap')}"
        lines.append(
            f"{name:<14} {count(POSITIVE, column):>9} {count(NEGATIVE, column):>9}  {auc:<21}  {ap:<21}  "
            f"{row['precision_at_k']:.3f} (k={row['k']})"
        )
    lines.append(
        f"left out: {count(LEFT_OUT_OTHER, 'provider_years')} provider-years "
        f"({count(LEFT_OUT_OTHER, 'providers')} providers) of other exclusion types, "
        f"{count(LEFT_OUT_AFTER, 'provider_years')} after a fraud-related exclusion; "
        f"CI: {report['repeats']} resamples"
    )
    if report["year"]["k"] == 0:
        lines.append(
            "No positive: no LEIE file loaded, or no scored NPI was excluded for a fraud-related type."
        )
        return "\n".join(lines)
    for row in report["best_percentiles"].itertuples(index=False):
        excluded = pd.Timestamp(row.first_fraud_exclusion_date).date().isoformat()
        best = f"{row.rank_percentile:.1%} of {row.data_year}'s providers"
        lines.append(
            f"positive {row.npi}: best yearly rank in the top {best}; fraud-related exclusion {excluded}"
        )
    return "\n".join(lines)


def evaluate_real_labels(warehouse: str, repeats: int = 1000, seed: int = 0) -> str:
    """The real-label section of `make evaluate`, from a built warehouse (read-only)."""
    with duckdb.connect(warehouse, read_only=True) as connection:
        inputs = read_label_inputs(connection)
    return format_real_label_report(real_label_report(inputs, repeats=repeats, seed=seed))


__all__: Sequence[str] = (
    "bootstrap_intervals",
    "evaluate_real_labels",
    "format_real_label_report",
    "label_provider_years",
    "precision_at_k",
    "provider_level",
    "rank_percentiles",
    "read_label_inputs",
    "real_label_report",
)
