"""provider_anomaly_scores end to end, from hand-made marts rows in the shape of the column contract: the SQL
model int_provider_year_code_features rolls them up (run by DuckDB), then the package scores."""

from __future__ import annotations

import statistics

import pandas as pd
import pytest

from code_features_sql import code_features
from deep_medicare.feature_sets import PEER_METRICS, peer_prefix
from deep_medicare.pipeline import score_provider_years

PROVIDERS = 40
OUTLIER = "1000000013"


def marts(services_per_beneficiary: dict[tuple[str, int], float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """provider_peer_benchmarks and provider_year_summary for providers billing 17311 (100 beneficiaries)
    and 17312 (40), every metric ordinary except the given 17311 services per beneficiary. Peer columns
    are computed here as the marts define them (median, ratio, robust z), with the statistics module."""
    rows = []
    for (npi, year), value in services_per_beneficiary.items():
        wobble = (int(npi) % 7 - 3) / 100
        for code, benes, per_bene in (("17311", 100, value), ("17312", 40, 1.5 + wobble)):
            row = {
                "data_year": year,
                "npi": npi,
                "hcpcs_code": code,
                "place_of_service": "O",
                "provider_type": "Dermatology",
                "provider_state": "NC",
                "total_beneficiaries": benes,
                "total_services": benes * per_bene,
                "is_peer_fallback": False,
                "is_state_peer_fallback": False,
                "services_per_beneficiary": per_bene,
                "beneficiary_day_services_per_beneficiary": 1.0 + wobble,
                "payment_per_service": 300.0 * (1 + wobble),
                "allowed_per_service": 380.0 * (1 + wobble),
                "charge_to_allowed_ratio": 2.0 + wobble,
            }
            rows.append(row)
    benchmarks = pd.DataFrame(rows)
    for metric, group in PEER_METRICS:
        prefix = peer_prefix(metric, group)
        peers = benchmarks.groupby(["data_year", "hcpcs_code"])[metric]
        median = peers.transform(statistics.median)
        mad = peers.transform(lambda values: statistics.median(abs(values - statistics.median(values))))
        benchmarks[f"{prefix}_median"] = median
        benchmarks[f"{prefix}_ratio"] = benchmarks[metric] / median
        benchmarks[f"{prefix}_robust_z"] = (benchmarks[metric] - median) / (1.4826 * mad)
    summary = (
        benchmarks.groupby(["npi", "data_year"], as_index=False)
        .agg(total_services=("total_services", "sum"))
        .assign(
            provider_type="Dermatology",
            provider_state="NC",
            payment_yoy_change=None,
            services_yoy_change=None,
        )
    )
    summary["total_medicare_payment"] = summary["total_services"] * 300.0
    return benchmarks, summary


def scores_of(benchmarks: pd.DataFrame, summary: pd.DataFrame, **options: object) -> pd.DataFrame:
    """provider_anomaly_scores for the marts rows: the SQL roll-ups, then the package."""
    return score_provider_years(code_features(benchmarks), summary, **options)


def ordinary(year: int) -> dict[tuple[str, int], float]:
    """Services per beneficiary of 17311 for PROVIDERS ordinary providers: 1.25 give or take 0.03."""
    return {(f"{1000000000 + index}", year): 1.25 + (index % 7 - 3) / 100 for index in range(PROVIDERS)}


def test_a_provider_at_four_times_the_peer_median_ranks_first_with_that_reason():
    values = ordinary(2020)
    values[(OUTLIER, 2020)] = 5.0  # the peer median stays 1.25, so 4.0x
    benchmarks, summary = marts(values)
    scores = scores_of(benchmarks, summary).set_index("npi")
    assert scores.loc[OUTLIER, "anomaly_rank"] == 1
    assert scores.loc[OUTLIER, "is_flagged"]
    assert (
        "services per beneficiary 4.0× the peer median (Dermatology, 17311, office)"
        in scores.loc[OUTLIER, "reasons"]
    )


def test_output_has_one_row_per_provider_year_ranks_flags_and_reasons():
    values = {**ordinary(2020), **ordinary(2021)}
    values[(OUTLIER, 2021)] = 3.0
    benchmarks, summary = marts(values)
    scores = scores_of(benchmarks, summary, flag_share=0.05)
    assert list(scores.columns[:6]) == [
        "npi",
        "data_year",
        "anomaly_score",
        "anomaly_rank",
        "is_flagged",
        "reasons",
    ]
    assert "services_per_beneficiary_peer_ratio" in scores.columns
    assert not scores.duplicated(["npi", "data_year"]).any()
    assert len(scores) == 2 * PROVIDERS
    assert scores["anomaly_score"].between(0.0, 1.0).all()
    # ceil(0.05 * 40) = 2 flagged per year, ranks 1..40 per year.
    assert scores.groupby("data_year")["is_flagged"].sum().to_dict() == {2020: 2, 2021: 2}
    assert (
        scores.groupby("data_year")["anomaly_rank"].apply(sorted).map(list).tolist()
        == [list(range(1, 41))] * 2
    )
    assert (scores.loc[scores["is_flagged"], "reasons"] != "").all()


def test_rebuilds_give_identical_scores():
    values = ordinary(2020)
    values[(OUTLIER, 2020)] = 2.0
    benchmarks, summary = marts(values)
    first = scores_of(benchmarks, summary)
    second = scores_of(benchmarks.iloc[::-1], summary.iloc[::-1])
    pd.testing.assert_frame_equal(first, second)


@pytest.mark.parametrize("providers", [1, 3])
def test_tiny_inputs_are_scored(providers):
    values = {key: value for key, value in list(ordinary(2020).items())[:providers]}
    benchmarks, summary = marts(values)
    scores = scores_of(benchmarks, summary)
    assert len(scores) == providers
    assert scores["is_flagged"].sum() == 1
