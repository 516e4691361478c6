"""Per-code peer metrics (price, volume intensity, charges) rolled up to one row per provider-year.

For each metric of provider_peer_benchmarks the provider-year gets the services-weighted mean of its per-code
peer ratio and robust z, and, as context for reasons, the code and place where the ratio is most extreme in
the direction of the roll-up, with the ratio there and the peers it was judged against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from deep_medicare.feature_sets import PEER_METRICS, peer_prefix
from deep_medicare.robust import MAD_TO_SIGMA, weighted_group_mean

# A peer metric's spread counts as at least this fraction of the peer median (see filled_robust_z).
DEFAULT_MIN_RELATIVE_SPREAD = 0.05
# Floor for ratios before taking logs, so a zero never becomes minus infinity.
LOG_FLOOR = 1e-3


def filled_robust_z(rows: pd.DataFrame, prefix: str, min_relative_spread: float) -> pd.Series:
    """Per-code robust z, filled where the marts leave it null (peer MAD = 0), with a floor on the spread.

    The fill divides the log peer ratio by the typical relative spread of all providers around their peer
    medians for the same code, place and year: 1.4826 * median |log ratio|. The floor keeps groups that are
    nearly identical (a state's fee schedule makes allowed amounts agree to the cent) from turning a 1%
    difference into z = 50: the spread counts as at least `min_relative_spread` of the peer median, so
    |z| <= |ratio - 1| / min_relative_spread.
    """
    ratio = rows[f"{prefix}_ratio"]
    log_ratio = np.log(ratio.clip(lower=LOG_FLOOR))
    spread = (
        log_ratio.abs()
        .groupby([rows["data_year"], rows["hcpcs_code"], rows["place_of_service"]], sort=False)
        .transform("median")
    )
    scale = (spread * MAD_TO_SIGMA).where(lambda s: s > 0)
    fill = (log_ratio / scale).mask(log_ratio.eq(0), 0.0)
    z = rows[f"{prefix}_robust_z"].fillna(fill)
    bound = (ratio - 1.0).abs() / min_relative_spread
    return z.clip(lower=-bound, upper=bound).where(bound.notna(), z)


def peer_scope(rows: pd.DataFrame, group: str) -> pd.Series:
    """Which peers each row was judged against: "state", "specialty" or "all" (all specialties)."""
    scope = pd.Series("specialty", index=rows.index, dtype=object)
    scope = scope.mask(rows["is_peer_fallback"], "all")
    if group == "state_peer":
        scope = scope.mask(~rows["is_state_peer_fallback"] & ~rows["is_peer_fallback"], "state")
    return scope


def top_rows(rows: pd.DataFrame, key: pd.Series, direction: pd.Series) -> pd.DataFrame:
    """Per provider_year, the row where `key` is most extreme in that provider-year's `direction` (+1/-1).

    `direction` is indexed by provider_year (missing counts as +1). Ties go to the earlier row (sorted:
    most services, then the lowest code and place). Returns one row per provider_year, indexed by it.
    """
    sign = direction.reindex(rows["provider_year"]).fillna(1.0).to_numpy()
    signed = (key * sign).fillna(-np.inf)
    position = signed.groupby(rows["provider_year"], sort=True).idxmax()
    return rows.loc[position.to_numpy()].set_index("provider_year")


def direction_of(values: pd.Series) -> pd.Series:
    """+1 where a roll-up is positive or not measurable, -1 where it is negative (same index)."""
    return pd.Series(np.where(values.fillna(0.0).to_numpy() < 0, -1.0, 1.0), index=values.index)


def peer_metric_features(
    rows: pd.DataFrame, metric: str, group: str, min_relative_spread: float
) -> pd.DataFrame:
    """One metric's roll-up per provider_year (the index): ratio, robust z and the most extreme code."""
    prefix = peer_prefix(metric, group)
    by = [rows["provider_year"]]
    ratio = rows[f"{prefix}_ratio"].where(lambda r: np.isfinite(r))
    z = filled_robust_z(rows, prefix, min_relative_spread)
    features = pd.DataFrame(
        {
            f"{prefix}_ratio": weighted_group_mean(ratio, rows["total_services"], by),
            f"{prefix}_robust_z": weighted_group_mean(z, rows["total_services"], by),
        }
    )
    context = rows.assign(_scope=peer_scope(rows, group), _ratio=ratio)
    log_ratio = np.log(ratio.clip(lower=LOG_FLOOR))
    top = top_rows(context, log_ratio, direction_of(features[f"{prefix}_robust_z"]))
    features[f"{prefix}_top_hcpcs_code"] = top["hcpcs_code"]
    features[f"{prefix}_top_place_of_service"] = top["place_of_service"]
    features[f"{prefix}_top_ratio"] = top["_ratio"]
    features[f"{prefix}_top_peer_scope"] = top["_scope"]
    return features


def all_peer_metric_features(rows: pd.DataFrame, min_relative_spread: float) -> pd.DataFrame:
    """Roll-ups of every metric in PEER_METRICS, side by side, indexed by provider_year."""
    parts = [peer_metric_features(rows, metric, group, min_relative_spread) for metric, group in PEER_METRICS]
    return pd.concat(parts, axis=1)
