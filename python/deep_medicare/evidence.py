"""The evidence the ranking weighs, calibrated per family, and the dollars at stake behind it.

The SQL model int_provider_year_evidence gives, per provider-year, shrunk log ratios to peers (empirical
Bayes over the provider's codes), the part of each that the provider's neighbouring years do not already
show (`..._new_log_ratio`), the payment's departure from its neighbouring years, and `excess_payment` split
into price and volume. Here each family's measure is calibrated against its own peer distribution: a robust
z within the data year and a band of similar size (small practices have noisier rates and swings), its
positive part divided by the family's ordinary high (DEFAULT_TAIL_QUANTILE of that positive part, at least 1),
so that no family dominates the top by scale alone. Each family's evidence is then weighted by its dollars at
stake, (1 + dollars / median payment of the year) ** DOLLAR_EXPONENT: among equally unusual provider-years,
the one with more money above its peers ranks first. The strongest family is the provider-year's evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from deep_medicare.feature_sets import EVIDENCE_COLUMNS, EVIDENCE_FAMILIES, EVIDENCE_INPUTS
from deep_medicare.robust import group_robust_z

# Tuning choices that `make evaluate` and its tests protect (DOLLAR_EXPONENT also has a unit test): change
# one and rerun the evaluation.
# How many equal-count size bands a year's calibration uses at most (each holds min_peer_group_size rows).
MAX_SIZE_BANDS = 10
DEFAULT_TAIL_QUANTILE = 0.995
# How much the dollars at stake weigh: evidence x (1 + dollars / median payment) ** DOLLAR_EXPONENT.
DOLLAR_EXPONENT = 0.2


def npi_ranks(npi: pd.Series) -> np.ndarray:
    """Each row's position in npi order (0 = lowest), the tie-break of `size_bands`; one string sort."""
    order = np.argsort(npi.to_numpy(dtype=str), kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def size_bands(values: pd.Series, years: pd.Series, npi_rank: np.ndarray, min_group_size: int) -> pd.Series:
    """Per row, its equal-count band (0 = smallest) of `values` within its data year: up to MAX_SIZE_BANDS
    bands of at least `min_group_size` rows; -1 where the value is missing. Ties go by `npi_rank`
    (`npi_ranks`), never by row order. Numeric sorts only, so a national year takes well under a second.
    """
    value = values.to_numpy(dtype=float, na_value=np.nan)
    year = years.to_numpy()
    present = ~np.isnan(value)
    count = pd.Series(present).groupby(year).transform("sum").to_numpy()
    bands = np.clip(count // max(min_group_size, 1), 1, MAX_SIZE_BANDS)
    # Missing values sort last within their year, so the present ones take positions 0 .. count - 1.
    order = np.lexsort((npi_rank, np.where(present, value, np.inf), year))
    sorted_year = year[order]
    starts = np.flatnonzero(np.r_[True, sorted_year[1:] != sorted_year[:-1]]) if len(order) else order
    sizes = np.diff(np.r_[starts, len(order)])
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order)) - np.repeat(starts, sizes)
    band = position * bands // np.where(count > 0, count, 1)
    return pd.Series(np.where(present, band, -1), index=values.index, dtype="int64")


def calibrated(values: pd.Series, groups: pd.Series) -> pd.Series:
    """Robust z of `values` within `groups` (one integer per data year and band); NaN stays NaN."""
    _, z, _ = group_robust_z(values, groups.to_frame("group"))
    return z


def family_evidence(
    features: pd.DataFrame, min_group_size: int = 11, tail_quantile: float = DEFAULT_TAIL_QUANTILE
) -> pd.DataFrame:
    """EVIDENCE_COLUMNS for `features` (same index), which hold total_services, total_medicare_payment,
    data_year, npi and EVIDENCE_INPUTS: growth_payment (payment above the neighbouring years' mean, dollars),
    per family its evidence (calibrated positive z weighted by dollars at stake, 0 when not measurable), the
    strongest family and its evidence (evidence_score)."""
    years, npi = features["data_year"], features["npi"]
    payment = features["total_medicare_payment"].astype(float)
    out = pd.DataFrame(index=features.index)
    out["growth_payment"] = (payment - np.exp(features["payment_log_baseline"].astype(float))).clip(lower=0.0)
    # The columns the families read, by name, without copying the whole (wide) features frame.
    inputs: dict[str, pd.Series] = {
        "log_services": np.log(features["total_services"].astype(float).clip(lower=1.0)),
        "growth_payment": out["growth_payment"],
        **{column: features[column] for column in EVIDENCE_INPUTS},
    }
    median_payment = payment.groupby(years).transform("median").where(lambda value: value > 0, 1.0)
    ranks = npi_ranks(npi)
    bands_of: dict[str, pd.Series] = {}
    for family in EVIDENCE_FAMILIES:
        if family.band_by not in bands_of:
            bands = size_bands(inputs[family.band_by].astype(float), years, ranks, min_group_size)
            # One integer per (data year, band): grouping on one key is several times faster than on two.
            bands_of[family.band_by] = pd.Series(
                years.to_numpy(dtype=np.int64) * (MAX_SIZE_BANDS + 1) + bands.to_numpy() + 1,
                index=bands.index,
            )
        groups = bands_of[family.band_by]
        strongest = pd.concat(
            [calibrated(inputs[measure].astype(float), groups) for measure in family.measures], axis=1
        ).max(axis=1)
        positive = strongest.clip(lower=0.0).fillna(0.0)
        # Per data year, so building the features one year at a time changes nothing.
        scale = positive.groupby(years).transform(lambda value: value.quantile(tail_quantile)).clip(lower=1.0)
        dollars = inputs[family.dollars].astype(float).clip(lower=0.0).fillna(0.0)
        out[f"{family.name}_evidence"] = (
            positive / scale * (1.0 + dollars / median_payment) ** DOLLAR_EXPONENT
        )
    strength = out[[f"{family.name}_evidence" for family in EVIDENCE_FAMILIES]].to_numpy()
    names = np.array([family.name for family in EVIDENCE_FAMILIES])
    best = np.argmax(strength, axis=1) if len(out) else np.zeros(0, dtype=int)
    out["evidence_score"] = strength.max(axis=1) if len(out) else np.zeros(0)
    out["evidence_family"] = np.where(out["evidence_score"] > 0, names[best], "")
    return out[list(EVIDENCE_COLUMNS)]
