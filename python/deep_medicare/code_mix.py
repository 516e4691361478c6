"""Code mix against the provider's own previous year: the change in add-on share, judged like growth.

The add-on share itself, its comparison with peers billing the same base procedure, and the previous
year's share are relational and come from DuckDB (int_provider_year_code_features, `inputs`); this module
judges the change.
"""

from __future__ import annotations

import pandas as pd

from deep_medicare.robust import peer_robust_z

# The columns code_mix_shift adds, in order.
SHIFT_COLUMNS = ("add_on_share_previous", "add_on_share_change", "add_on_share_change_robust_z")


def code_mix_shift(
    features: pd.DataFrame, add_on_share_previous: pd.Series, min_peer_group_size: int
) -> pd.DataFrame:
    """`features` plus add_on_share_previous (aligned with it), add_on_share_change and its robust z against
    growth peers (same year, similar previous size; `previous_size_band` must be present).

    A practice that suddenly bills twice the additional stages it used to shows here even when its new
    share is still within the range of its peers.
    """
    shifted = features.assign(add_on_share_previous=add_on_share_previous.to_numpy())
    shifted["add_on_share_change"] = shifted["add_on_share"] - shifted["add_on_share_previous"]
    _, z, _ = peer_robust_z(
        shifted["add_on_share_change"],
        shifted[["data_year", "previous_size_band"]],
        shifted[["data_year"]],
        min_peer_group_size,
    )
    shifted["add_on_share_change_robust_z"] = z
    return shifted
