"""Features per provider-year, from small hand-made marts rows with hand-computed expected values."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from deep_medicare.feature_sets import PEER_METRICS, peer_prefix
from deep_medicare.features import build_features

ADD_ON_CODES = pd.DataFrame(
    {
        "hcpcs_code": ["17311", "17312", "17313", "17314", "17315"],
        "base_hcpcs_code": ["17311", "17311", "17313", "17313", "17311"],
        "is_add_on": [False, True, False, True, True],
    }
)


def benchmark_row(npi: str, hcpcs_code: str, services: float, year: int = 2020, **metrics: float) -> dict:
    """One provider_peer_benchmarks row: every metric at its peer median (ratio 1, z 0) unless given.

    Pass e.g. services_per_beneficiary_peer_ratio=2.0 and services_per_beneficiary_peer_robust_z=4.0.
    """
    row = {
        "data_year": year,
        "npi": npi,
        "hcpcs_code": hcpcs_code,
        "place_of_service": "O",
        "provider_type": "Dermatology",
        "provider_state": "NC",
        "total_services": services,
        "is_peer_fallback": False,
        "is_state_peer_fallback": False,
    }
    for metric, group in PEER_METRICS:
        prefix = peer_prefix(metric, group)
        row[f"{prefix}_ratio"] = 1.0
        row[f"{prefix}_robust_z"] = 0.0
    row.update(metrics)
    return row


def summary_row(npi: str, services: float, year: int = 2020, **values: object) -> dict:
    """One provider_year_summary row (first year: no year-over-year change) unless values say otherwise."""
    row = {
        "npi": npi,
        "data_year": year,
        "provider_type": "Dermatology",
        "provider_state": "NC",
        "total_services": services,
        "total_medicare_payment": services * 100.0,
        "payment_yoy_change": None,
        "services_yoy_change": None,
    }
    row.update(values)
    return row


def features_of(benchmarks: list[dict], summaries: list[dict], **options: int) -> pd.DataFrame:
    """build_features on the rows, indexed by npi for reading (single-year cases)."""
    features = build_features(pd.DataFrame(benchmarks), pd.DataFrame(summaries), ADD_ON_CODES, **options)
    return features.set_index("npi")


def test_peer_ratio_and_z_are_services_weighted_means_and_top_code_is_the_most_extreme():
    benchmarks = [
        benchmark_row(
            "A",
            "17311",
            100,
            services_per_beneficiary_peer_ratio=2.0,
            services_per_beneficiary_peer_robust_z=4.0,
        ),
        benchmark_row("A", "17312", 300),
    ]
    features = features_of(benchmarks, [summary_row("A", 400)])
    # (100 * 2.0 + 300 * 1.0) / 400 and (100 * 4.0 + 300 * 0.0) / 400
    assert features.loc["A", "services_per_beneficiary_peer_ratio"] == pytest.approx(1.25)
    assert features.loc["A", "services_per_beneficiary_peer_robust_z"] == pytest.approx(1.0)
    assert features.loc["A", "services_per_beneficiary_peer_top_hcpcs_code"] == "17311"
    assert features.loc["A", "services_per_beneficiary_peer_top_place_of_service"] == "O"
    assert features.loc["A", "services_per_beneficiary_peer_top_ratio"] == pytest.approx(2.0)
    assert features.loc["A", "services_per_beneficiary_peer_top_peer_scope"] == "specialty"


def test_top_code_follows_the_direction_of_the_roll_up():
    benchmarks = [
        benchmark_row(
            "A",
            "17311",
            300,
            payment_per_service_state_peer_ratio=0.5,
            payment_per_service_state_peer_robust_z=-3.0,
        ),
        benchmark_row(
            "A",
            "17312",
            100,
            payment_per_service_state_peer_ratio=1.2,
            payment_per_service_state_peer_robust_z=2.0,
        ),
    ]
    features = features_of(benchmarks, [summary_row("A", 400)])
    # z roll-up (300 * -3 + 100 * 2) / 400 = -1.75 is negative, so the lowest ratio is the one to show.
    assert features.loc["A", "payment_per_service_state_peer_robust_z"] == pytest.approx(-1.75)
    assert features.loc["A", "payment_per_service_state_peer_top_hcpcs_code"] == "17311"
    assert features.loc["A", "payment_per_service_state_peer_top_ratio"] == pytest.approx(0.5)
    assert features.loc["A", "payment_per_service_state_peer_top_peer_scope"] == "state"


def test_peer_scope_words_follow_the_fallback_flags():
    benchmarks = [
        benchmark_row("A", "17311", 100, is_state_peer_fallback=True),
        benchmark_row("B", "17311", 100, is_peer_fallback=True, is_state_peer_fallback=True),
    ]
    features = features_of(benchmarks, [summary_row("A", 100), summary_row("B", 100)])
    assert features.loc["A", "payment_per_service_state_peer_top_peer_scope"] == "specialty"
    assert features.loc["B", "payment_per_service_state_peer_top_peer_scope"] == "all"
    assert features.loc["B", "services_per_beneficiary_peer_top_peer_scope"] == "all"


def test_null_robust_z_from_zero_mad_is_filled_from_the_log_ratio_spread():
    ratios = {"A": 1.0, "B": 1.1, "C": 1.2, "D": 2.0}
    benchmarks = [
        benchmark_row(
            npi,
            "17311",
            100,
            services_per_beneficiary_peer_ratio=ratio,
            services_per_beneficiary_peer_robust_z=None if npi == "D" else 0.5,
        )
        for npi, ratio in ratios.items()
    ]
    features = features_of(benchmarks, [summary_row(npi, 100) for npi in ratios])
    # |log ratio| of the code/place/year: 0, 0.0953, 0.1823, 0.6931; median = (0.0953 + 0.1823) / 2.
    spread = 1.4826 * (math.log(1.1) + math.log(1.2)) / 2
    assert features.loc["D", "services_per_beneficiary_peer_robust_z"] == pytest.approx(
        math.log(2.0) / spread
    )


def test_robust_z_is_capped_by_the_minimum_relative_spread():
    benchmarks = [
        benchmark_row(
            "A",
            "17311",
            100,
            allowed_per_service_state_peer_ratio=1.01,
            allowed_per_service_state_peer_robust_z=50.0,
        )
    ]
    features = features_of(benchmarks, [summary_row("A", 100)])
    # A 1% difference can count for at most 0.01 / 0.05 = 0.2 peer spreads.
    assert features.loc["A", "allowed_per_service_state_peer_robust_z"] == pytest.approx(0.2)


def test_add_on_share_against_peers_billing_the_same_base_code():
    # Base 17311 with add-ons 17312 and 17315 (17315 counts in the 17311 family).
    add_on_services = {"A": 20, "B": 30, "C": 40, "D": 50}
    benchmarks = []
    for npi, add_on in add_on_services.items():
        benchmarks.append(benchmark_row(npi, "17311", 100 - add_on))
        benchmarks.append(benchmark_row(npi, "17312", add_on - 10))
        benchmarks.append(benchmark_row(npi, "17315", 10))
    features = features_of(
        benchmarks, [summary_row(npi, 100) for npi in add_on_services], min_peer_group_size=3
    )
    # Shares 0.2, 0.3, 0.4, 0.5: median 0.35, absolute deviations 0.15, 0.05, 0.05, 0.15 -> MAD 0.1.
    assert features.loc["D", "add_on_share"] == pytest.approx(0.5)
    assert features.loc["D", "add_on_share_peer_median"] == pytest.approx(0.35)
    assert features.loc["D", "add_on_share_peer_robust_z"] == pytest.approx(0.15 / (1.4826 * 0.1))
    assert features.loc["A", "add_on_share_peer_robust_z"] == pytest.approx(-0.15 / (1.4826 * 0.1))
    assert features.loc["D", "add_on_top_base_hcpcs_code"] == "17311"
    assert features.loc["D", "add_on_top_peer_scope"] == "specialty"


def test_add_on_share_falls_back_to_all_specialties_and_skips_families_without_a_base():
    benchmarks = [
        benchmark_row("A", "17311", 60),
        benchmark_row("A", "17312", 40),
        benchmark_row("B", "17314", 40),  # an add-on whose base 17313 B does not bill
    ]
    features = features_of(benchmarks, [summary_row("A", 100), summary_row("B", 40)], min_peer_group_size=3)
    assert features.loc["A", "add_on_share"] == pytest.approx(0.4)
    assert features.loc["A", "add_on_top_peer_scope"] == "all"
    assert np.isnan(features.loc["B", "add_on_share"])
    assert np.isnan(features.loc["B", "add_on_share_peer_robust_z"])


def test_add_on_share_change_against_the_previous_year():
    benchmarks = [
        benchmark_row("A", "17311", 80, year=2019),
        benchmark_row("A", "17312", 20, year=2019),
        benchmark_row("A", "17311", 50, year=2020),
        benchmark_row("A", "17312", 50, year=2020),
        benchmark_row("B", "17311", 80, year=2018),
        benchmark_row("B", "17312", 20, year=2018),
        benchmark_row("B", "17311", 80, year=2020),
        benchmark_row("B", "17312", 20, year=2020),
    ]
    summaries = [
        summary_row("A", 100, year=2019),
        summary_row("A", 100, year=2020, payment_yoy_change=0.0, services_yoy_change=0.0),
        summary_row("B", 100, year=2018),
        summary_row("B", 100, year=2020),
    ]
    features = build_features(pd.DataFrame(benchmarks), pd.DataFrame(summaries), ADD_ON_CODES)
    row = features.set_index(["npi", "data_year"])
    assert row.loc[("A", 2020), "add_on_share_previous"] == pytest.approx(0.2)
    assert row.loc[("A", 2020), "add_on_share_change"] == pytest.approx(0.3)
    # B skipped 2019, so 2018 is not its previous year.
    assert np.isnan(row.loc[("B", 2020), "add_on_share_change"])


def test_growth_is_nan_in_a_first_year_and_judged_against_the_year_otherwise():
    summaries = [summary_row("A", 100, year=2019)]
    changes = {"B": 0.0, "C": 0.1, "D": -0.1, "E": 1.0}
    summaries += [
        summary_row(npi, 100 * (1 + change), year=2020, payment_yoy_change=change, services_yoy_change=change)
        for npi, change in changes.items()
    ]
    benchmarks = [
        benchmark_row(row["npi"], "17311", row["total_services"], year=row["data_year"]) for row in summaries
    ]
    features = features_of(benchmarks, summaries, min_peer_group_size=100)
    assert not features.loc["A", "has_previous_year"]
    assert np.isnan(features.loc["A", "services_growth_robust_z"])
    assert features.loc["E", "has_previous_year"]
    # log growth: 0, log 1.1, log 0.9, log 2 -> median (0 + log 1.1) / 2.
    logs = [0.0, math.log(1.1), math.log(0.9), math.log(2.0)]
    median = (0.0 + math.log(1.1)) / 2
    mad = sorted(abs(value - median) for value in logs)[1:3]
    expected = (math.log(2.0) - median) / (1.4826 * sum(mad) / 2)
    assert features.loc["E", "services_growth_robust_z"] == pytest.approx(expected)
    assert features.loc["E", "services_yoy_change_peer_median"] == pytest.approx(math.exp(median) - 1)


def test_size_ratio_is_against_the_median_provider_of_the_specialty_and_year():
    sizes = {"A": 100, "B": 200, "C": 400}
    summaries = [summary_row(npi, size) for npi, size in sizes.items()]
    features = features_of(
        [benchmark_row(npi, "17311", s) for npi, s in sizes.items()], summaries, min_peer_group_size=3
    )
    assert features.loc["C", "total_services_peer_ratio"] == pytest.approx(2.0)
    assert features.loc["A", "total_services_peer_ratio"] == pytest.approx(0.5)
    # log sizes: deviations from log 200 are log 2, 0, log 2 -> MAD log 2.
    assert features.loc["C", "total_services_peer_robust_z"] == pytest.approx(1 / 1.4826)
    assert features.loc["C", "size_peer_scope"] == "specialty"


def test_one_row_per_provider_year_of_the_summary_even_without_benchmark_rows():
    features = features_of([benchmark_row("A", "17311", 100)], [summary_row("A", 100), summary_row("Z", 50)])
    assert list(features.index) == ["A", "Z"]
    assert np.isnan(features.loc["Z", "services_per_beneficiary_peer_ratio"])


def test_warehouse_types_give_the_same_features():
    benchmarks = [
        benchmark_row(
            "A",
            "17311",
            80,
            services_per_beneficiary_peer_ratio=1.5,
            services_per_beneficiary_peer_robust_z=3.0,
        ),
        benchmark_row("A", "17312", 20),
    ]
    plain = features_of(benchmarks, [summary_row("A", 100)])
    # DECIMAL columns as Decimal objects, codes as integers, flags as strings.
    typed = pd.DataFrame(benchmarks)
    typed["total_services"] = typed["total_services"].map(lambda value: Decimal(str(value)))
    typed["hcpcs_code"] = typed["hcpcs_code"].astype(int)
    typed["is_peer_fallback"] = "false"
    codes = ADD_ON_CODES.assign(
        hcpcs_code=ADD_ON_CODES["hcpcs_code"].astype(int), is_add_on=["false", "true"] * 2 + ["true"]
    )
    other = build_features(typed, pd.DataFrame([summary_row("A", 100)]), codes).set_index("npi")
    pd.testing.assert_frame_equal(plain, other)


def test_row_order_does_not_change_the_features():
    benchmarks = [
        benchmark_row(
            npi,
            code,
            services,
            services_per_beneficiary_peer_ratio=ratio,
            services_per_beneficiary_peer_robust_z=z,
        )
        for npi, code, services, ratio, z in [
            ("A", "17311", 100, 1.2, 1.0),
            ("A", "17312", 100, 1.2, 1.0),
            ("B", "17311", 50, 0.9, -0.5),
            ("B", "17313", 50, 1.5, 2.0),
            ("C", "17311", 70, 1.0, 0.0),
        ]
    ]
    summaries = [summary_row(npi, 100) for npi in "ABC"]
    first = build_features(pd.DataFrame(benchmarks), pd.DataFrame(summaries), ADD_ON_CODES)
    second = build_features(pd.DataFrame(benchmarks[::-1]), pd.DataFrame(summaries[::-1]), ADD_ON_CODES)
    pd.testing.assert_frame_equal(first, second)
