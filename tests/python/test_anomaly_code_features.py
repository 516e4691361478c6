"""The SQL model int_provider_year_code_features (per-code peer metrics and code mix rolled up to
provider-years), run by DuckDB on small hand-made int_provider_service_peer_benchmarks rows with hand-computed
expected values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from code_features_sql import ADD_ON_CODES, REPO_ROOT, code_features
from deep_medicare.feature_sets import PEER_METRICS, peer_prefix


def benchmark_row(
    npi: str, hcpcs_code: str, services: float, year: int = 2020, place: str = "O", **metrics: object
) -> dict:
    """One int_provider_service_peer_benchmarks row: every metric at its peer median (ratio 1, z 0) unless
    given.

    Pass e.g. services_per_beneficiary_peer_ratio=2.0 and services_per_beneficiary_peer_robust_z=4.0.
    """
    row = {
        "data_year": year,
        "npi": npi,
        "hcpcs_code": hcpcs_code,
        "place_of_service": place,
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


def features_of(rows: list[dict], **options: object) -> pd.DataFrame:
    """The model's rows for the benchmark rows, indexed by npi (single-year cases)."""
    return code_features(pd.DataFrame(rows), **options).set_index("npi")


def test_every_column_the_scorer_names_is_a_column_of_the_model():
    features = code_features(pd.DataFrame([benchmark_row("A", "17311", 100)]))
    expected = ["npi", "data_year"]
    for metric, group in PEER_METRICS:
        prefix = peer_prefix(metric, group)
        expected += [
            f"{prefix}_{name}"
            for name in (
                "ratio",
                "robust_z",
                "top_hcpcs_code",
                "top_place_of_service",
                "top_ratio",
                "top_peer_scope",
            )
        ]
    expected += [
        "add_on_share",
        "add_on_share_peer_median",
        "add_on_share_peer_robust_z",
        "add_on_top_base_hcpcs_code",
        "add_on_top_share",
        "add_on_top_peer_median",
        "add_on_top_peer_scope",
    ]
    assert list(features.columns) == expected


def test_peer_ratio_and_z_are_services_weighted_means_and_top_code_is_the_most_extreme():
    rows = [
        benchmark_row(
            "A",
            "17311",
            100,
            services_per_beneficiary_peer_ratio=2.0,
            services_per_beneficiary_peer_robust_z=4.0,
        ),
        benchmark_row("A", "17312", 300),
    ]
    features = features_of(rows)
    # (100 * 2.0 + 300 * 1.0) / 400 and (100 * 4.0 + 300 * 0.0) / 400
    assert features.loc["A", "services_per_beneficiary_peer_ratio"] == pytest.approx(1.25)
    assert features.loc["A", "services_per_beneficiary_peer_robust_z"] == pytest.approx(1.0)
    assert features.loc["A", "services_per_beneficiary_peer_top_hcpcs_code"] == "17311"
    assert features.loc["A", "services_per_beneficiary_peer_top_place_of_service"] == "O"
    assert features.loc["A", "services_per_beneficiary_peer_top_ratio"] == pytest.approx(2.0)
    assert features.loc["A", "services_per_beneficiary_peer_top_peer_scope"] == "specialty"


def test_top_code_follows_the_direction_of_the_roll_up():
    rows = [
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
    features = features_of(rows)
    # z roll-up (300 * -3 + 100 * 2) / 400 = -1.75 is negative, so the lowest ratio is the one to show.
    assert features.loc["A", "payment_per_service_state_peer_robust_z"] == pytest.approx(-1.75)
    assert features.loc["A", "payment_per_service_state_peer_top_hcpcs_code"] == "17311"
    assert features.loc["A", "payment_per_service_state_peer_top_ratio"] == pytest.approx(0.5)
    assert features.loc["A", "payment_per_service_state_peer_top_peer_scope"] == "state"


def test_ties_go_to_the_most_services_then_the_lowest_code_then_the_lowest_place():
    tie = {"charge_to_allowed_ratio_peer_ratio": 1.5, "charge_to_allowed_ratio_peer_robust_z": 1.0}
    rows = [
        benchmark_row("A", "17313", 200, place="O", **tie),
        benchmark_row("A", "17311", 100, place="O", **tie),
        benchmark_row("A", "17313", 200, place="F", **tie),
        benchmark_row("A", "17312", 200, place="O", **tie),
        benchmark_row("B", "17313", 200, place="O", **tie),
        benchmark_row("B", "17313", 200, place="F", **tie),
    ]
    features = features_of(rows)
    # A: the ratio ties everywhere; 200 services beat 100; of 17312 and 17313 at 200, the lower code.
    assert features.loc["A", "charge_to_allowed_ratio_peer_top_hcpcs_code"] == "17312"
    # B: one code in both places: F before O.
    assert features.loc["B", "charge_to_allowed_ratio_peer_top_place_of_service"] == "F"


def test_with_no_finite_ratio_the_top_code_is_the_one_with_most_services():
    no_ratio = {"services_per_beneficiary_peer_ratio": None, "services_per_beneficiary_peer_robust_z": None}
    rows = [
        benchmark_row("A", "17311", 50, **no_ratio),
        benchmark_row("A", "17312", 70, **no_ratio),
    ]
    features = features_of(rows)
    assert np.isnan(features.loc["A", "services_per_beneficiary_peer_ratio"])
    assert np.isnan(features.loc["A", "services_per_beneficiary_peer_robust_z"])
    assert features.loc["A", "services_per_beneficiary_peer_top_hcpcs_code"] == "17312"
    assert np.isnan(features.loc["A", "services_per_beneficiary_peer_top_ratio"])


def test_weights_that_are_all_zero_give_the_plain_mean():
    rows = [
        benchmark_row("A", "17311", 0, charge_to_allowed_ratio_peer_ratio=1.2),
        benchmark_row("A", "17312", 0, charge_to_allowed_ratio_peer_ratio=1.6),
    ]
    assert features_of(rows).loc["A", "charge_to_allowed_ratio_peer_ratio"] == pytest.approx(1.4)


def test_peer_scope_words_follow_the_fallback_flags():
    rows = [
        benchmark_row("A", "17311", 100, is_state_peer_fallback=True),
        benchmark_row("B", "17311", 100, is_peer_fallback=True, is_state_peer_fallback=True),
        benchmark_row("C", "17311", 100, is_peer_fallback=None, is_state_peer_fallback=None),
    ]
    features = features_of(rows)
    assert features.loc["A", "payment_per_service_state_peer_top_peer_scope"] == "specialty"
    assert features.loc["B", "payment_per_service_state_peer_top_peer_scope"] == "all"
    assert features.loc["B", "services_per_beneficiary_peer_top_peer_scope"] == "all"
    # A missing flag counts as false.
    assert features.loc["C", "payment_per_service_state_peer_top_peer_scope"] == "state"


def test_null_robust_z_from_zero_mad_is_filled_from_the_log_ratio_spread():
    ratios = {"A": 1.0, "B": 1.1, "C": 1.2, "D": 2.0}
    rows = [
        benchmark_row(
            npi,
            "17311",
            100,
            services_per_beneficiary_peer_ratio=ratio,
            services_per_beneficiary_peer_robust_z=None if npi == "D" else 0.5,
        )
        for npi, ratio in ratios.items()
    ]
    features = features_of(rows)
    # |log ratio| of the code/place/year: 0, 0.0953, 0.1823, 0.6931; median = (0.0953 + 0.1823) / 2.
    spread = 1.4826 * (math.log(1.1) + math.log(1.2)) / 2
    assert features.loc["D", "services_per_beneficiary_peer_robust_z"] == pytest.approx(
        math.log(2.0) / spread
    )


def test_robust_z_is_capped_by_the_minimum_relative_spread():
    rows = [
        benchmark_row(
            "A",
            "17311",
            100,
            allowed_per_service_state_peer_ratio=1.01,
            allowed_per_service_state_peer_robust_z=50.0,
        ),
        benchmark_row(
            "B",
            "17311",
            100,
            allowed_per_service_state_peer_ratio=0.9,
            allowed_per_service_state_peer_robust_z=-50.0,
        ),
    ]
    features = features_of(rows)
    # A 1% difference can count for at most 0.01 / 0.05 = 0.2 peer spreads; 10% below, for -2.
    assert features.loc["A", "allowed_per_service_state_peer_robust_z"] == pytest.approx(0.2)
    assert features.loc["B", "allowed_per_service_state_peer_robust_z"] == pytest.approx(-2.0)


def test_add_on_share_against_peers_billing_the_same_base_code():
    # Base 17311 with add-ons 17312 and 17315 (17315 counts in the 17311 family).
    add_on_services = {"A": 20, "B": 30, "C": 40, "D": 50}
    rows = []
    for npi, add_on in add_on_services.items():
        rows.append(benchmark_row(npi, "17311", 100 - add_on))
        rows.append(benchmark_row(npi, "17312", add_on - 10))
        rows.append(benchmark_row(npi, "17315", 10))
    features = features_of(rows, min_peer_group_size=3)
    # Shares 0.2, 0.3, 0.4, 0.5: median 0.35, absolute deviations 0.15, 0.05, 0.05, 0.15 -> MAD 0.1.
    assert features.loc["D", "add_on_share"] == pytest.approx(0.5)
    assert features.loc["D", "add_on_share_peer_median"] == pytest.approx(0.35)
    assert features.loc["D", "add_on_share_peer_robust_z"] == pytest.approx(0.15 / (1.4826 * 0.1))
    assert features.loc["A", "add_on_share_peer_robust_z"] == pytest.approx(-0.15 / (1.4826 * 0.1))
    assert features.loc["D", "add_on_top_base_hcpcs_code"] == "17311"
    assert features.loc["D", "add_on_top_share"] == pytest.approx(0.5)
    assert features.loc["D", "add_on_top_peer_median"] == pytest.approx(0.35)
    assert features.loc["D", "add_on_top_peer_scope"] == "specialty"


def test_add_on_z_uses_the_mean_absolute_deviation_when_the_mad_is_zero():
    shares = {"A": 0.2, "B": 0.2, "C": 0.2, "D": 0.5, "E": 0.8}
    rows = []
    for npi, share in shares.items():
        rows.append(benchmark_row(npi, "17311", 100 * (1 - share)))
        rows.append(benchmark_row(npi, "17312", 100 * share))
    features = features_of(rows, min_peer_group_size=3)
    # Median 0.2; deviations 0, 0, 0, 0.3, 0.6: MAD 0, mean absolute deviation 0.18.
    assert features.loc["E", "add_on_share_peer_robust_z"] == pytest.approx(0.6 / (1.2533 * 0.18))
    assert features.loc["A", "add_on_share_peer_robust_z"] == pytest.approx(0.0)


def test_add_on_share_falls_back_to_all_specialties_and_skips_families_without_a_base():
    rows = [
        benchmark_row("A", "17311", 60),
        benchmark_row("A", "17312", 40),
        benchmark_row("B", "17314", 40),  # an add-on whose base 17313 B does not bill
    ]
    features = features_of(rows, min_peer_group_size=3)
    assert features.loc["A", "add_on_share"] == pytest.approx(0.4)
    assert features.loc["A", "add_on_top_peer_scope"] == "all"
    assert np.isnan(features.loc["B", "add_on_share"])
    assert np.isnan(features.loc["B", "add_on_share_peer_robust_z"])
    assert pd.isna(features.loc["B", "add_on_top_base_hcpcs_code"])


def test_the_top_family_tie_goes_to_the_lowest_base_code():
    # One provider: every family is its own peer group, so every z is 0, a tie.
    rows = [
        benchmark_row("A", "17313", 50),
        benchmark_row("A", "17314", 50),
        benchmark_row("A", "17311", 80),
        benchmark_row("A", "17312", 20),
    ]
    features = features_of(rows)
    assert features.loc["A", "add_on_share"] == pytest.approx(70 / 200)
    assert features.loc["A", "add_on_top_base_hcpcs_code"] == "17311"
    assert features.loc["A", "add_on_top_share"] == pytest.approx(0.2)


def test_warehouse_types_give_the_same_features():
    # Amounts a double cannot hold exactly, as DECIMAL(18, 3) in the mart: the model works in doubles, so
    # DECIMAL arithmetic (exact sums) never makes its results differ from a double table's in the last bit.
    rows = [
        benchmark_row(
            npi,
            code,
            services,
            services_per_beneficiary_peer_ratio=ratio,
            services_per_beneficiary_peer_robust_z=3.0,
        )
        for npi, code, services, ratio in [
            ("A", "17311", 80.123, 1.5),
            ("A", "17312", 20.457, 1.1),
            ("A", "17315", 10.311, 0.7),
            ("B", "17311", 33.333, 1.3),
            ("B", "17312", 66.667, 0.9),
        ]
    ]
    plain = code_features(pd.DataFrame(rows))
    typed = code_features(pd.DataFrame(rows), column_types={"total_services": "decimal(18, 3)"})
    pd.testing.assert_frame_equal(plain, typed, check_exact=True)


def test_row_order_does_not_change_the_features():
    rows = [
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
    first = code_features(pd.DataFrame(rows))
    second = code_features(pd.DataFrame(rows[::-1]))
    pd.testing.assert_frame_equal(first, second)


def test_the_seed_in_the_tests_is_the_shipped_seed():
    shipped = pd.read_csv(REPO_ROOT / "seeds" / "hcpcs_add_on_codes.csv", dtype=str)
    assert shipped["hcpcs_code"].tolist() == ADD_ON_CODES["hcpcs_code"].tolist()
    assert shipped["base_hcpcs_code"].tolist() == ADD_ON_CODES["base_hcpcs_code"].tolist()
    assert (shipped["is_add_on"] == "true").tolist() == ADD_ON_CODES["is_add_on"].tolist()
