"""Code mix: the share of add-on (additional-stage) services per procedure family, against peers and
against the provider's own previous year.

A family is a base code and the add-on codes that name it as their base in the seed hcpcs_add_on_codes.
Peers are providers of the same specialty and year who bill the base code (all specialties when that group
is smaller than the minimum). Families where the provider bills no base-code service are left out: there is
no peer group billing the same base procedure to judge them against.
"""

from __future__ import annotations

import pandas as pd

from deep_medicare.feature_sets import KEYS
from deep_medicare.inputs import as_code, as_flag
from deep_medicare.peer_metrics import direction_of, top_rows
from deep_medicare.robust import peer_robust_z, weighted_group_mean


def family_shares(rows: pd.DataFrame, add_on_codes: pd.DataFrame, min_peer_group_size: int) -> pd.DataFrame:
    """One row per provider_year and base code: add-on and family services, share, peer median and z."""
    codes = pd.DataFrame(
        {
            "hcpcs_code": as_code(add_on_codes["hcpcs_code"]),
            "base_hcpcs_code": as_code(add_on_codes["base_hcpcs_code"]),
            "is_add_on": as_flag(add_on_codes["is_add_on"]),
        }
    ).drop_duplicates("hcpcs_code")
    billed = rows[["provider_year", "data_year", "provider_type", "hcpcs_code", "total_services"]].merge(
        codes, on="hcpcs_code", how="inner"
    )
    billed["add_on_services"] = billed["total_services"].where(billed["is_add_on"], 0.0)
    billed["base_services"] = billed["total_services"].where(~billed["is_add_on"], 0.0)
    families = (
        billed.groupby(["provider_year", "base_hcpcs_code"], sort=True)
        .agg(
            data_year=("data_year", "first"),
            provider_type=("provider_type", "first"),
            add_on_services=("add_on_services", "sum"),
            base_services=("base_services", "sum"),
        )
        .reset_index()
    )
    families = families[families["base_services"] > 0].reset_index(drop=True)
    families["family_services"] = families["add_on_services"] + families["base_services"]
    families["share"] = families["add_on_services"] / families["family_services"]
    median, z, is_fallback = peer_robust_z(
        families["share"],
        families[["data_year", "base_hcpcs_code", "provider_type"]],
        families[["data_year", "base_hcpcs_code"]],
        min_peer_group_size,
    )
    return families.assign(peer_median=median, z=z, is_fallback=is_fallback)


def code_mix_features(
    rows: pd.DataFrame, add_on_codes: pd.DataFrame, min_peer_group_size: int
) -> pd.DataFrame:
    """Per provider_year (the index): add-on share over all families, services-weighted peer median and
    robust z, and the family where the share is most extreme as context for reasons."""
    families = family_shares(rows, add_on_codes, min_peer_group_size)
    by = [families["provider_year"]]
    sums = families.groupby(by, sort=True)[["add_on_services", "family_services"]].sum()
    features = pd.DataFrame(index=sums.index)
    features["add_on_share"] = sums["add_on_services"] / sums["family_services"]
    features["add_on_share_peer_median"] = weighted_group_mean(
        families["peer_median"], families["family_services"], by
    )
    features["add_on_share_peer_robust_z"] = weighted_group_mean(
        families["z"], families["family_services"], by
    )
    top = top_rows(families, families["z"], direction_of(features["add_on_share_peer_robust_z"]))
    features["add_on_top_base_hcpcs_code"] = top["base_hcpcs_code"]
    features["add_on_top_share"] = top["share"]
    features["add_on_top_peer_median"] = top["peer_median"]
    features["add_on_top_peer_scope"] = top["is_fallback"].map({True: "all", False: "specialty"})
    return features


def code_mix_shift(features: pd.DataFrame, min_peer_group_size: int) -> pd.DataFrame:
    """Add the change in add-on share against the provider's own previous year, judged like growth
    (same year, similar previous size; `previous_size_band` must be present).

    A practice that suddenly bills twice the additional stages it used to shows here even when its new
    share is still within the range of its peers.
    """
    ordered = features.sort_values(KEYS, kind="mergesort").reset_index(drop=True)
    previous = ordered.groupby("npi", sort=False)[["data_year", "add_on_share"]].shift(1)
    is_previous_year = previous["data_year"].eq(ordered["data_year"] - 1)
    ordered["add_on_share_previous"] = previous["add_on_share"].where(is_previous_year)
    ordered["add_on_share_change"] = ordered["add_on_share"] - ordered["add_on_share_previous"]
    _, z, _ = peer_robust_z(
        ordered["add_on_share_change"],
        ordered[["data_year", "previous_size_band"]],
        ordered[["data_year"]],
        min_peer_group_size,
    )
    ordered["add_on_share_change_robust_z"] = z
    return ordered
