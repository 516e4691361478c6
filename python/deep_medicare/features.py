"""Anomaly features per provider-year, each judged against peers: `build_features`.

Inputs are the marts provider_peer_benchmarks (one row per data_year, npi, hcpcs_code, place_of_service)
and provider_year_summary (one row per npi, data_year), and the seed hcpcs_add_on_codes. The output has one
row per (npi, data_year) of the year summary, sorted, with:

- price, volume intensity and charge-to-allowed ratio against peers (`peer_metrics`);
- code mix against peers billing the same base procedure and against the previous year (`code_mix`);
- growth against the provider's own previous year, and size (`year_features`).

NaN means "not measurable" (no previous year, no base procedure billed, no peer statistics); the scorer
treats it as the peer median. Robust z-scores whose MAD is 0 are filled (`robust`, `peer_metrics`).
"""

from __future__ import annotations

import pandas as pd

from deep_medicare.code_mix import code_mix_features, code_mix_shift
from deep_medicare.feature_sets import KEYS
from deep_medicare.inputs import prepare_benchmarks, prepare_year_summary
from deep_medicare.peer_metrics import DEFAULT_MIN_RELATIVE_SPREAD, all_peer_metric_features
from deep_medicare.year_features import growth_features, size_features

DEFAULT_MIN_PEER_GROUP_SIZE = 11


def build_features(
    peer_benchmarks: pd.DataFrame,
    year_summary: pd.DataFrame,
    add_on_codes: pd.DataFrame,
    min_peer_group_size: int = DEFAULT_MIN_PEER_GROUP_SIZE,
    min_relative_spread: float = DEFAULT_MIN_RELATIVE_SPREAD,
) -> pd.DataFrame:
    """One row per (npi, data_year) of `year_summary` with named peer-relative features and their context.

    `min_peer_group_size` applies to the peer groups built here (code mix, growth, size) and should match
    the marts' dbt var of the same name; `min_relative_spread` floors the spread of per-code peer metrics.
    """
    summary = prepare_year_summary(year_summary)
    summary = pd.concat(
        [summary, growth_features(summary, min_peer_group_size), size_features(summary, min_peer_group_size)],
        axis=1,
    )
    rows = prepare_benchmarks(peer_benchmarks)
    per_code = pd.concat(
        [
            all_peer_metric_features(rows, min_relative_spread),
            code_mix_features(rows, add_on_codes, min_peer_group_size),
        ],
        axis=1,
    )
    keys = rows.groupby("provider_year", sort=True)[KEYS].first()
    per_code.index = pd.MultiIndex.from_frame(keys.loc[per_code.index])
    features = summary.join(per_code, on=KEYS, how="left")
    return code_mix_shift(features, min_peer_group_size)
