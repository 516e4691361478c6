"""Typed, sorted copies of the scorer's inputs, whatever types the warehouse hands over.

DuckDB DECIMAL may arrive as float or Decimal objects, seeds may turn codes into integers and booleans into
strings; every later step can rely on floats, plain-string codes and real booleans. Sorting makes every
result independent of the order the rows arrive in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from deep_medicare.feature_sets import KEYS, PEER_METRICS, peer_prefix

TRUE_WORDS = ("true", "t", "1", "1.0", "yes", "y")


def as_float(series: pd.Series) -> pd.Series:
    """Float copy of a column that may hold DECIMAL objects, strings or integers; unparseable -> NaN."""
    return pd.to_numeric(series, errors="coerce").astype(float)


def as_code(series: pd.Series) -> pd.Series:
    """Codes as stripped strings (seeds and marts may hand them over as integers)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    words = pd.Index(uniques).astype(str).str.strip()
    return pd.Series(np.asarray(words, dtype=object)[codes], index=series.index, dtype=str)


def as_flag(series: pd.Series) -> pd.Series:
    """Booleans that may arrive as bool, 0/1 or "true"/"false" strings; missing counts as false."""
    if pd.api.types.is_bool_dtype(series.dtype) and not series.isna().any():
        return series.astype(bool)
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    truth = np.array([str(value).strip().lower() in TRUE_WORDS for value in uniques], dtype=bool)
    return pd.Series(truth[codes] if len(uniques) else np.zeros(len(series), bool), index=series.index)


def prepare_benchmarks(peer_benchmarks: pd.DataFrame) -> pd.DataFrame:
    """The columns of provider_peer_benchmarks the features use, typed, sorted by provider-year (most
    services first within it), with `provider_year`: 0, 1, ... numbering the (npi, data_year) groups."""
    rows = pd.DataFrame(
        {
            "npi": as_code(peer_benchmarks["npi"]),
            "data_year": as_float(peer_benchmarks["data_year"]).astype("int64"),
            "hcpcs_code": as_code(peer_benchmarks["hcpcs_code"]),
            "place_of_service": as_code(peer_benchmarks["place_of_service"]),
            "provider_type": as_code(peer_benchmarks["provider_type"]),
            "total_services": as_float(peer_benchmarks["total_services"]),
            "is_peer_fallback": as_flag(peer_benchmarks["is_peer_fallback"]),
            "is_state_peer_fallback": as_flag(peer_benchmarks["is_state_peer_fallback"]),
        }
    )
    for metric, group in PEER_METRICS:
        prefix = peer_prefix(metric, group)
        rows[f"{prefix}_ratio"] = as_float(peer_benchmarks[f"{prefix}_ratio"])
        rows[f"{prefix}_robust_z"] = as_float(peer_benchmarks[f"{prefix}_robust_z"])
    rows = rows.sort_values(
        [*KEYS, "total_services", "hcpcs_code", "place_of_service"],
        ascending=[True, True, False, True, True],
        kind="mergesort",
        na_position="last",
    ).reset_index(drop=True)
    starts = rows["npi"].ne(rows["npi"].shift()) | rows["data_year"].ne(rows["data_year"].shift())
    rows["provider_year"] = starts.cumsum().astype("int64") - 1
    return rows


def prepare_year_summary(year_summary: pd.DataFrame) -> pd.DataFrame:
    """The columns of provider_year_summary the features use, typed, one row per (npi, data_year), sorted."""
    summary = pd.DataFrame(
        {
            "npi": as_code(year_summary["npi"]),
            "data_year": as_float(year_summary["data_year"]).astype("int64"),
            "provider_type": as_code(year_summary["provider_type"]),
            "provider_state": as_code(year_summary["provider_state"]),
            "total_services": as_float(year_summary["total_services"]),
            "total_medicare_payment": as_float(year_summary["total_medicare_payment"]),
            "payment_yoy_change": as_float(year_summary["payment_yoy_change"]),
            "services_yoy_change": as_float(year_summary["services_yoy_change"]),
        }
    )
    return summary.sort_values(KEYS, kind="mergesort").drop_duplicates(KEYS).reset_index(drop=True)
