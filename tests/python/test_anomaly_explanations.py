"""Reasons in words, from hand-made scored rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from deep_medicare import explanations
from deep_medicare.explanations import explain, format_change, format_ratio, place_name
from deep_medicare.feature_sets import MODEL_FEATURES, PEER_METRICS, peer_prefix


def scored_rows(count: int) -> pd.DataFrame:
    """`count` ordinary scored provider-years (Dermatology, NC, 2020) with every feature at the peer median,
    except a deterministic wobble so the features' ordinary extremes are about 1; none flagged."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "npi": [f"{1000000000 + index}" for index in range(count)],
            "data_year": 2020,
            "provider_type": "Dermatology",
            "provider_state": "NC",
            "is_flagged": False,
            "isolation_score": 0.0,
            "payment_yoy_change": 0.0,
            "services_yoy_change": 0.0,
            "payment_yoy_change_peer_median": 0.02,
            "services_yoy_change_peer_median": 0.02,
            "total_services_peer_ratio": 1.0,
            "total_medicare_payment_peer_ratio": 1.0,
            "size_peer_scope": "specialty",
            "add_on_share": 0.35,
            "add_on_share_previous": 0.35,
            "add_on_top_share": 0.35,
            "add_on_top_peer_median": 0.35,
            "add_on_top_base_hcpcs_code": "17311",
            "add_on_top_peer_scope": "specialty",
        }
    )
    for metric, group in PEER_METRICS:
        prefix = peer_prefix(metric, group)
        frame[f"{prefix}_top_ratio"] = 1.0
        frame[f"{prefix}_top_hcpcs_code"] = "17311"
        frame[f"{prefix}_top_place_of_service"] = "O"
        frame[f"{prefix}_top_peer_scope"] = "state" if group == "state_peer" else "specialty"
    for column in MODEL_FEATURES:
        frame[column] = rng.uniform(-0.5, 0.5, size=count)
    return frame


def test_number_and_place_words():
    assert format_ratio(4.0) == "4.0×"
    assert format_ratio(4.06) == "4.1×"
    assert format_ratio(0.5) == "0.50×"
    assert format_change(2.5) == "up 250%"
    assert format_change(-0.4) == "down 40%"
    assert place_name("O") == "office"
    assert place_name("F") == "facility"


def test_services_per_beneficiary_reason_names_ratio_specialty_code_and_place():
    rows = scored_rows(200)
    rows.loc[5, "services_per_beneficiary_peer_robust_z"] = 12.0
    rows.loc[5, "services_per_beneficiary_peer_top_ratio"] = 4.1
    reasons = explain(rows)
    assert reasons[5] == "services per beneficiary 4.1× the peer median (Dermatology, 17311, office)"


def test_price_reason_names_the_state_peers_and_fallbacks_name_all_specialties():
    rows = scored_rows(200)
    rows.loc[3, "payment_per_service_state_peer_robust_z"] = 9.0
    rows.loc[3, "payment_per_service_state_peer_top_ratio"] = 1.6
    rows.loc[3, "payment_per_service_state_peer_top_place_of_service"] = "F"
    rows.loc[4, "charge_to_allowed_ratio_peer_robust_z"] = 9.0
    rows.loc[4, "charge_to_allowed_ratio_peer_top_ratio"] = 3.0
    rows.loc[4, "charge_to_allowed_ratio_peer_top_peer_scope"] = "all"
    rows.loc[4, "charge_to_allowed_ratio_peer_top_hcpcs_code"] = "17313"
    reasons = explain(rows)
    assert reasons[3] == "payment per service 1.6× the state peer median (Dermatology, 17311, facility, NC)"
    assert reasons[4] == "charge-to-allowed ratio 3.0× the peer median (all specialties, 17313, office)"


def test_reasons_are_strongest_first_one_per_family_and_at_most_max_reasons():
    rows = scored_rows(200)
    rows.loc[0, "services_growth_robust_z"] = 20.0
    rows.loc[0, "services_yoy_change"] = 2.5
    rows.loc[0, "payment_growth_robust_z"] = 18.0  # same family as services growth: no second reason
    rows.loc[0, "payment_per_service_state_peer_robust_z"] = 10.0
    rows.loc[0, "payment_per_service_state_peer_top_ratio"] = 1.5
    rows.loc[0, "add_on_share_change_robust_z"] = 5.0
    rows.loc[0, "add_on_share"] = 0.62
    rows.loc[0, "add_on_share_previous"] = 0.31
    rows.loc[0, "total_services_peer_robust_z"] = 4.0
    reasons = explain(rows, max_reasons=3)[0].split("; ")
    assert reasons == [
        "services up 250% on the previous year (similar-size practices: up 2%)",
        "payment per service 1.5× the state peer median (Dermatology, 17311, office, NC)",
        "add-on share 62%, up from 31% the previous year",
    ]


def test_add_on_and_size_reasons():
    rows = scored_rows(200)
    rows.loc[1, "add_on_share_peer_robust_z"] = 9.0
    rows.loc[1, "add_on_top_share"] = 0.68
    rows.loc[1, "add_on_top_peer_median"] = 0.36
    rows.loc[2, "total_services_peer_robust_z"] = 9.0
    rows.loc[2, "total_services_peer_ratio"] = 6.8
    reasons = explain(rows)
    assert reasons[1] == "add-on share of 17311-family services 68% vs peer median 36% (Dermatology)"
    assert reasons[2] == "total services 6.8× the median provider (Dermatology, 2020)"


def test_low_values_are_reasons_too():
    rows = scored_rows(200)
    rows.loc[7, "allowed_per_service_state_peer_robust_z"] = -12.0
    rows.loc[7, "allowed_per_service_state_peer_top_ratio"] = 0.19
    assert (
        explain(rows)[7]
        == "allowed amount per service 0.19× the state peer median (Dermatology, 17311, office, NC)"
    )


def test_ordinary_rows_have_no_reasons_but_every_flagged_row_has_one():
    rows = scored_rows(200)
    rows.loc[[10, 11], "is_flagged"] = True
    rows.loc[11, list(MODEL_FEATURES)] = np.nan
    rows.loc[11, "isolation_score"] = 0.62
    reasons = explain(rows)
    assert reasons[12] == ""
    assert reasons[10] != ""
    assert reasons[11] == "unusual combination of features (isolation score 0.62)"
    assert (reasons[rows["is_flagged"]] != "").all()


@pytest.mark.parametrize("count", [0, 1])
def test_tiny_inputs(count):
    rows = scored_rows(count).assign(is_flagged=True)
    reasons = explain(rows)
    assert len(reasons) == count
    assert (reasons != "").all()


def test_context_read_elsewhere_gives_the_same_words_and_is_read_only_for_rows_with_reasons():
    rows = scored_rows(200)
    rows.loc[5, "services_per_beneficiary_peer_robust_z"] = 12.0
    rows.loc[5, "services_per_beneficiary_peer_top_ratio"] = 4.1
    rows.loc[[9], "is_flagged"] = True
    context_columns = [column for column in rows.columns if "_top_" in column]
    asked: list[list[int]] = []

    def context_of(positions: np.ndarray) -> pd.DataFrame:
        asked.append(positions.tolist())
        return rows.iloc[positions][context_columns]

    reasons = explain(rows.drop(columns=context_columns), context_of=context_of)
    in_memory = explain(rows)
    pd.testing.assert_series_equal(reasons, in_memory)
    assert reasons[5] == "services per beneficiary 4.1× the peer median (Dermatology, 17311, office)"
    # Asked once, for exactly the rows whose reasons name a feature: a few of the 200.
    worded = [i for i, text in enumerate(in_memory) if text and not text.startswith("unusual combination")]
    assert asked == [worded]
    assert 5 in worded and len(worded) < 20


def test_evidence_reasons_name_the_evidence_and_the_dollars_at_stake():
    row = {column: 0.0 for column in explanations.EVIDENCE_REASON_INPUTS}
    price = {
        **row,
        "payment_per_service_shrunk_log_ratio": math.log(1.3),
        "payment_per_service_new_log_ratio": math.log(1.3) - math.log(1.05),
        "excess_payment_price": 52_410.4,
        "evidence_family": "price",
        "total_medicare_payment": 300_000.0,
        "peer_expected_payment": 250_000.0,
        "excess_payment": 50_000.0,
    }
    growth = {
        **row,
        "payment_log_departure": math.log(2.0),
        "growth_payment": 150_000.0,
        "evidence_family": "growth",
        "total_medicare_payment": 300_000.0,
        "peer_expected_payment": float("nan"),
        "excess_payment": float("nan"),
    }
    quiet = {**row, "evidence_family": "", "total_medicare_payment": 1.0, "peer_expected_payment": 1.0}
    texts = explanations.evidence_reasons(pd.DataFrame([price, growth, {**quiet, "excess_payment": 0.0}]))
    assert texts.tolist() == [
        "payment per service 1.3× its state peers across its codes (1.1× in its neighbouring years); "
        "$52,410 above peer prices; excess payment $50,000 against the $250,000 peers would have been paid "
        "for the same beneficiaries",
        "Medicare payment $300,000, 2.0× its higher neighbouring year; "
        "$150,000 above its neighbouring years' mean",
        "",
    ]
