"""Robust statistics on pandas objects: peer medians and robust z-scores, and the package's constants.

The robust z-score is (x - median) / (1.4826 * MAD), the usual estimate of a standard deviation that a
few outliers cannot inflate. When MAD is 0 (more than half the group shares one value) the modified
z-score of Iglewicz and Hoaglin is used instead: (x - median) / (1.2533 * mean absolute deviation).

The constants here are the Python home of each; the SQL models take theirs from the dbt macro
anomaly_constant (macros/anomaly/anomaly_constants.sql), and tests/python/test_anomaly_constants.py checks
that the two agree.
"""

from __future__ import annotations

import pandas as pd

# Median absolute deviation to standard deviation, for normally distributed data.
MAD_TO_SIGMA = 1.4826
# Mean absolute deviation to standard deviation (the modified z-score, used when MAD is 0).
MEAN_AD_TO_SIGMA = 1.2533
# Floor for sizes, growth factors and ratios before taking logs, so a zero never becomes minus infinity.
LOG_FLOOR = 1e-3


def group_robust_z(values: pd.Series, keys: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Median, robust z-score and group size of each value within its group (rows with equal keys).

    NaN values are left out of the group statistics and get a NaN z. A group whose values are all equal
    gives z = 0. Returns (median, z, size), each aligned with `values`.
    """
    by = [keys[column] for column in keys.columns]
    grouped = values.groupby(by, dropna=False, sort=False)
    median = grouped.transform("median")
    size = grouped.transform("count")
    deviation = (values - median).abs()
    dev_grouped = deviation.groupby(by, dropna=False, sort=False)
    mad = dev_grouped.transform("median") * MAD_TO_SIGMA
    mean_ad = dev_grouped.transform("mean") * MEAN_AD_TO_SIGMA
    scale = mad.where(mad > 0, mean_ad)
    z = (values - median) / scale.where(scale > 0)
    z = z.mask(scale.eq(0) & values.notna(), 0.0)
    return median, z, size


def peer_robust_z(
    values: pd.Series,
    specific_keys: pd.DataFrame,
    general_keys: pd.DataFrame,
    min_group_size: int,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Robust z within the specific peer group, falling back to the general group when it is too small.

    Mirrors the marts: a specialty peer group smaller than `min_group_size` is replaced by the group of
    all specialties. Returns (median, z, is_fallback) aligned with `values`.
    """
    specific_median, specific_z, specific_size = group_robust_z(values, specific_keys)
    general_median, general_z, _ = group_robust_z(values, general_keys)
    is_fallback = specific_size < min_group_size
    median = specific_median.where(~is_fallback, general_median)
    z = specific_z.where(~is_fallback, general_z)
    return median, z, is_fallback
