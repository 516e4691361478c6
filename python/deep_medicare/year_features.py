"""Growth against the provider's own previous year, and size, from provider_year_summary.

Growth (log of 1 + payment_yoy_change or services_yoy_change) is judged against practices of similar
previous-year size in the same year: a practice going from 15 to 60 services is far more common than one
going from 1,500 to 6,000. Size (log of total services and of total payment) is judged against providers
of the same specialty in the same year (all specialties when that group is small).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from deep_medicare.feature_sets import GROWTH_MEASURES, SIZE_MEASURES, growth_feature, size_feature
from deep_medicare.robust import LOG_FLOOR, peer_robust_z

# Growth peers: up to this many equal-count bands of previous-year size per year.
MAX_SIZE_BANDS = 10


def previous_size_band(summary: pd.DataFrame, min_peer_group_size: int) -> pd.Series:
    """Band (0 = smallest) of the previous year's total services among the year's providers that have a
    previous year; -1 for those that do not. Bands hold at least `min_peer_group_size` providers each."""
    previous = summary["total_services"] / (1.0 + summary["services_yoy_change"])
    has_previous = previous.notna() & (previous > 0)
    year = summary["data_year"]
    count = has_previous.groupby(year).transform("sum")
    bands = (count // max(min_peer_group_size, 1)).clip(lower=1, upper=MAX_SIZE_BANDS)
    # Rank with npi as the tie-break, so equal sizes never depend on row order.
    order = summary.assign(_previous=previous.where(has_previous)).sort_values(
        ["data_year", "_previous", "npi"], kind="mergesort", na_position="last"
    )
    position = order.groupby("data_year", sort=False).cumcount().reindex(summary.index)
    band = position * bands // count.where(count > 0, 1)
    return band.where(has_previous, -1).astype("int64")


def growth_features(summary: pd.DataFrame, min_peer_group_size: int) -> pd.DataFrame:
    """Growth columns for `summary` (same index): has_previous_year, previous_size_band, and per measure
    (payment, services) the peers' median change and the robust z of log growth."""
    out = pd.DataFrame(index=summary.index)
    out["has_previous_year"] = summary["payment_yoy_change"].notna() | summary["services_yoy_change"].notna()
    out["previous_size_band"] = previous_size_band(summary, min_peer_group_size)
    for measure in GROWTH_MEASURES:
        growth = np.log((1.0 + summary[f"{measure}_yoy_change"]).clip(lower=LOG_FLOOR))
        median, z, _ = peer_robust_z(
            growth,
            pd.DataFrame({"data_year": summary["data_year"], "band": out["previous_size_band"]}),
            summary[["data_year"]],
            min_peer_group_size,
        )
        out[f"{measure}_yoy_change_peer_median"] = np.expm1(median).where(growth.notna())
        out[growth_feature(measure)] = z
    return out


def size_features(summary: pd.DataFrame, min_peer_group_size: int) -> pd.DataFrame:
    """Size columns for `summary` (same index): per measure the ratio to the peers' median (geometric) and
    the robust z of its log, and size_peer_scope ("specialty" or "all")."""
    out = pd.DataFrame(index=summary.index)
    for measure in SIZE_MEASURES:
        log_size = np.log(summary[measure].clip(lower=LOG_FLOOR))
        median, z, is_fallback = peer_robust_z(
            log_size, summary[["data_year", "provider_type"]], summary[["data_year"]], min_peer_group_size
        )
        out[f"{measure}_peer_ratio"] = np.exp(log_size - median)
        out[size_feature(measure)] = z
        if measure == "total_services":
            out["size_peer_scope"] = np.where(is_fallback, "all", "specialty")
    return out
