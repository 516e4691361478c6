"""The calibrated evidence of `evidence.family_evidence`, on hand-made provider-years, values by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deep_medicare.evidence import family_evidence, npi_ranks, size_bands
from deep_medicare.feature_sets import EVIDENCE_INPUTS


def provider_years(count: int = 20, year: int = 2020) -> pd.DataFrame:
    """`count` provider-years of one data year, all with 100 services and $10,000, every measure at 0 but
    the price measure, which is 0.01 * i for provider i (so its median is 0.095 and its MAD 0.05)."""
    frame = pd.DataFrame(
        {
            "npi": [f"{1000000000 + index}" for index in range(count)],
            "data_year": year,
            "total_services": 100.0,
            "total_medicare_payment": 10_000.0,
        }
    )
    for column in EVIDENCE_INPUTS:
        frame[column] = 0.0
    frame["payment_log_baseline"] = np.log(10_000.0)
    frame["payment_per_service_new_log_ratio"] = 0.01 * np.arange(count)
    return frame


def test_size_bands_hold_equal_counts_and_break_ties_by_npi():
    values = pd.Series([5.0, 1.0, 1.0, np.nan, 3.0, 2.0])
    years = pd.Series([2020] * 6)
    npi = pd.Series(["f", "b", "a", "d", "e", "c"])
    # Five values, groups of at least 2: two bands; sorted a, b, c, e, f; band = position * 2 // 5.
    assert npi_ranks(npi).tolist() == [5, 1, 0, 3, 4, 2]
    assert size_bands(values, years, npi_ranks(npi), 2).tolist() == [1, 0, 0, -1, 1, 0]
    # Another year's rows never share a band count or position with these.
    two_years = size_bands(
        pd.concat([values, values], ignore_index=True),
        pd.Series([2020] * 6 + [2021] * 6),
        npi_ranks(pd.concat([npi, npi], ignore_index=True)),
        2,
    )
    assert two_years.tolist() == [1, 0, 0, -1, 1, 0] * 2


def test_price_evidence_is_the_calibrated_z_over_the_years_high_times_dollars():
    frame = provider_years()
    frame.loc[19, "excess_payment_price"] = 10_000.0
    out = family_evidence(frame, min_group_size=11)
    # One size band (20 rows < 2 * 11). z_i = (0.01 i - 0.095) / (1.4826 * 0.05); the 99.5th percentile of
    # the positive parts lies between z_18 and z_19: z_18 + 0.905 * 0.01 / (1.4826 * 0.05) (numpy's linear).
    scale = 1.4826 * 0.05
    z = (0.01 * np.arange(20) - 0.095) / scale
    high = max(z[18] + 0.905 * (z[19] - z[18]), 1.0)
    assert out.loc[0, "price_evidence"] == 0.0
    assert out.loc[18, "price_evidence"] == pytest.approx(z[18] / high)
    # Provider 19 has $10,000 above peer prices, one median payment: (1 + 1) ** 0.2.
    assert out.loc[19, "price_evidence"] == pytest.approx(z[19] / high * 2**0.2)
    assert out.loc[19, "evidence_family"] == "price"
    assert out.loc[19, "evidence_score"] == out.loc[19, "price_evidence"]
    assert out.loc[0, "evidence_family"] == ""
    assert (out[["volume_evidence", "code_mix_evidence", "growth_evidence"]] == 0.0).all().all()


def test_evidence_of_a_year_does_not_depend_on_the_other_years():
    both = pd.concat([provider_years(year=2020), provider_years(count=30, year=2021)], ignore_index=True)
    together = family_evidence(both)
    alone = family_evidence(provider_years(year=2020))
    pd.testing.assert_frame_equal(together.iloc[:20].reset_index(drop=True), alone)


def test_growth_dollars_are_payment_above_the_neighbouring_years_mean():
    frame = provider_years(count=3)
    frame["payment_log_baseline"] = np.log([4_000.0, 10_000.0, 12_000.0])
    out = family_evidence(frame)
    assert out["growth_payment"].tolist() == pytest.approx([6_000.0, 0.0, 0.0])
