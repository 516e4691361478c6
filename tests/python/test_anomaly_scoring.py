"""Scores, ranks and flags, from hand-made feature rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import IsolationForest

from deep_medicare.feature_sets import MODEL_FEATURES, SUSPICION_FAMILIES, SUSPICION_FEATURES
from deep_medicare.scoring import (
    family_evidence,
    isolation_component,
    rank_and_flag,
    robust_component,
    robust_location_scale,
    score_features,
    tail_scale,
)


def feature_rows(years: dict[int, int], seed: int = 0) -> pd.DataFrame:
    """Ordinary provider-years: every model feature a small deterministic wobble around the peer median."""
    rng = np.random.default_rng(seed)
    frames = []
    for year, count in years.items():
        frame = pd.DataFrame({"npi": [f"{1000000000 + index}" for index in range(count)], "data_year": year})
        for column in MODEL_FEATURES:
            frame[column] = rng.normal(0.0, 1.0, size=count)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_robust_component_maps_evidence_to_zero_one():
    # Norm of (3, 4) is 5 -> 5 / 6; no evidence -> 0; evidence 1 (an ordinary extreme) -> 0.5.
    evidence = np.array([[3.0, 4.0, 0, 0, 0], [0, 0, 0, 0, 0], [1.0, 0, 0, 0, 0]])
    assert robust_component(evidence) == pytest.approx([5 / 6, 0.0, 0.5])


def test_family_evidence_takes_the_strongest_feature_of_a_family_times_its_weight():
    matrix = np.zeros((1, len(SUSPICION_FEATURES)))
    position = {name: index for index, name in enumerate(SUSPICION_FEATURES)}
    matrix[0, position["payment_per_service_state_peer_robust_z"]] = 6.0
    matrix[0, position["allowed_per_service_state_peer_robust_z"]] = 4.0
    matrix[0, position["charge_to_allowed_ratio_peer_robust_z"]] = 8.0
    matrix[0, position["services_growth_robust_z"]] = -9.0  # low growth is not suspicious
    evidence = family_evidence(matrix, np.full(len(SUSPICION_FEATURES), 2.0), SUSPICION_FEATURES)
    by_name = dict(zip([name for name, _, _ in SUSPICION_FAMILIES], evidence[0], strict=True))
    assert by_name == pytest.approx(
        {"price": 3.0, "volume": 0.0, "charges": 2.0, "code_mix": 0.0, "growth": 0.0}
    )


def test_tail_scale_is_the_quantile_of_the_positive_part_at_least_one():
    matrix = np.column_stack([np.arange(101, dtype=float), -np.arange(101, dtype=float)])
    # 99th percentile of 0..100 is 99; a column with no positive values gets the floor 1.
    assert tail_scale(matrix, 0.99) == pytest.approx([99.0, 1.0])


def test_robust_location_is_the_median_and_scale_the_mad():
    matrix = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    # median 3, absolute deviations 2, 1, 0, 1, 97 -> MAD 1.
    median, scale = robust_location_scale(matrix)
    assert median == pytest.approx([3.0]) and scale == pytest.approx([1.4826])


def test_an_extreme_provider_year_scores_highest_and_scores_stay_in_zero_one():
    features = feature_rows({2020: 300})
    features.loc[17, "services_per_beneficiary_peer_robust_z"] = 25.0
    features.loc[17, "beneficiary_day_services_per_beneficiary_peer_robust_z"] = 20.0
    scored = score_features(features)
    assert scored["anomaly_score"].between(0.0, 1.0).all()
    assert scored["isolation_score"].between(0.0, 1.0).all()
    assert scored["robust_score"].between(0.0, 1.0).all()
    assert scored.loc[scored["anomaly_score"].idxmax(), "npi"] == "1000000017"


def test_identical_input_gives_identical_scores_whatever_the_row_order():
    features = feature_rows({2019: 150, 2020: 150})
    first = score_features(features, random_state=7)
    again = score_features(features, random_state=7)
    shuffled = score_features(features.sample(frac=1.0, random_state=3), random_state=7)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, shuffled)


def test_missing_features_count_as_the_peer_median():
    features = feature_rows({2020: 50})
    features.loc[0, list(MODEL_FEATURES)] = np.nan
    scored = score_features(features).set_index("npi")
    assert scored.loc["1000000000", "robust_score"] == 0.0


def test_a_single_row_is_scored():
    scored = score_features(feature_rows({2020: 1}))
    assert len(scored) == 1
    assert 0.0 <= scored.loc[0, "anomaly_score"] <= 1.0


@pytest.mark.parametrize(
    ("rows", "share", "flagged"),
    # 700 rows: 0.01 * 700 is 7.000000000000001 in floating point, and still flags 7.
    [(300, 0.01, 3), (301, 0.01, 4), (700, 0.01, 7), (5, 0.01, 1), (10, 0.5, 5)],
)
def test_each_year_flags_the_ceiling_of_its_share_and_at_least_one(rows, share, flagged):
    ranked = rank_and_flag(score_features(feature_rows({2020: rows, 2021: 20})), flag_share=share)
    per_year = ranked.groupby("data_year")["is_flagged"].sum()
    assert per_year[2020] == flagged
    assert per_year[2021] == {0.01: 1, 0.5: 10}[share]


def test_rank_one_is_the_highest_score_of_its_year_and_ties_go_to_the_lower_npi():
    scored = pd.DataFrame(
        {
            "npi": ["30", "10", "20", "40", "50"],
            "data_year": [2020, 2020, 2020, 2021, 2021],
            "anomaly_score": [0.9, 0.5, 0.9, 0.1, 0.2],
        }
    )
    ranked = rank_and_flag(scored, flag_share=0.5).set_index("npi")
    assert ranked["anomaly_rank"].to_dict() == {"20": 1, "30": 2, "10": 3, "50": 1, "40": 2}
    assert ranked["is_flagged"].to_dict() == {"20": True, "30": True, "10": False, "50": True, "40": False}


def test_flag_share_outside_zero_one_is_refused():
    scored = pd.DataFrame({"npi": ["1"], "data_year": [2020], "anomaly_score": [0.5]})
    with pytest.raises(ValueError, match="flag_share"):
        rank_and_flag(scored, flag_share=0.0)
    with pytest.raises(ValueError, match="flag_share"):
        rank_and_flag(scored, flag_share=1.5)


def test_isolation_scores_are_sklearns_whatever_the_number_of_threads():
    matrix = np.random.default_rng(3).normal(size=(2_001, 4))
    forest = IsolationForest(n_estimators=100, max_samples=512, random_state=5, n_jobs=1).fit(matrix)
    expected = np.clip((-forest.score_samples(matrix) - 0.5) / 0.5, 0.0, 1.0)
    for threads in (1, 2, 3, 7):
        assert np.array_equal(isolation_component(matrix, random_state=5, threads=threads), expected)


def test_rank_and_flag_of_rows_in_any_order_ranks_ties_by_npi():
    scored = pd.DataFrame(
        {
            "npi": ["3", "1", "2", "1", "2"],
            "data_year": [2020, 2020, 2020, 2021, 2021],
            "anomaly_score": [0.5, 0.5, 0.5, 0.1, 0.1],
        }
    )
    ranked = rank_and_flag(scored, flag_share=0.5)
    assert ranked[["data_year", "npi", "anomaly_rank"]].values.tolist() == [
        [2020, "1", 1],
        [2020, "2", 2],
        [2020, "3", 3],
        [2021, "1", 1],
        [2021, "2", 2],
    ]


def test_anomaly_score_is_nine_tenths_evidence_and_one_tenth_peer_score_a_quarter_of_it_isolation():
    # The stated mix (docs/anomaly-scores.md): anomaly_score = 0.9 * e / (e + 1) + 0.1 * peer, where
    # e is the weighed evidence and peer = 0.25 * isolation + 0.75 * robust. Evidence 3 gives 0.9 * 0.75.
    features = feature_rows({2020: 80}).assign(evidence_score=lambda frame: np.linspace(0.0, 3.0, len(frame)))
    scored = score_features(features)
    evidence = scored["evidence_score"].to_numpy()
    peer = 0.25 * scored["isolation_score"].to_numpy() + 0.75 * scored["robust_score"].to_numpy()
    expected = 0.9 * evidence / (evidence + 1.0) + 0.1 * peer
    np.testing.assert_allclose(scored["anomaly_score"].to_numpy(), expected, rtol=0, atol=1e-12)
    assert scored["isolation_score"].std() > 0.01 and scored["robust_score"].std() > 0.01


def test_robust_scale_falls_back_to_the_iqr_when_the_mad_is_zero():
    values = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 10.0])
    # median 0 and MAD 0; quartiles (linear) 0 and 0 + 0.25 * 5 = 1.25, so the scale is 1.25 / 1.349.
    median, scale = robust_location_scale(values[:, None])
    assert median == pytest.approx([0.0]) and scale == pytest.approx([1.25 / 1.349])


def test_the_default_tail_is_the_99th_percentile():
    # 99th percentile of 0..100 is 99.
    assert tail_scale(np.arange(101, dtype=float)[:, None]) == pytest.approx([99.0])
