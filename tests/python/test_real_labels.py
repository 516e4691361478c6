"""The real-label evaluation (OIG exclusions): who is positive, negative or left out, and the figures, on a
small hand-made set of scores whose every figure is worked out by hand below."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from deep_medicare_dev.real_labels import (
    LEFT_OUT_AFTER,
    LEFT_OUT_OTHER,
    NEGATIVE,
    POSITIVE,
    bootstrap_intervals,
    format_real_label_report,
    label_provider_years,
    real_label_report,
)

FRAUD = date(2016, 2, 18)
# npi, data_year, anomaly_score, first fraud-related exclusion date, exclusion periods
ROWS = [
    ("A", 2014, 0.9, FRAUD, 1),  # positive: before the exclusion year
    ("A", 2015, 0.2, FRAUD, 1),  # positive
    ("A", 2016, 0.6, FRAUD, 1),  # positive: the year of the exclusion
    ("A", 2017, 0.99, FRAUD, 1),  # left out: after it (its high score must not count)
    ("B", 2015, 0.8, None, 1),  # left out: excluded for another type (licence)
    ("C", 2015, 0.5, None, 0),
    ("D", 2015, 0.1, None, 0),
    ("E", 2015, 0.7, None, 0),
    ("E", 2016, 0.3, None, 0),
]


def inputs() -> pd.DataFrame:
    return pd.DataFrame(
        ROWS, columns=["npi", "data_year", "anomaly_score", "first_fraud_exclusion_date", "exclusion_periods"]
    )


def test_years_up_to_the_fraud_exclusion_are_positive_and_the_rest_left_out_or_negative():
    labelled = label_provider_years(inputs())
    assert list(labelled["group"]) == [
        POSITIVE,
        POSITIVE,
        POSITIVE,
        LEFT_OUT_AFTER,
        LEFT_OUT_OTHER,
        NEGATIVE,
        NEGATIVE,
        NEGATIVE,
        NEGATIVE,
    ]
    assert list(labelled["label"].astype("object").where(labelled["label"].notna(), None)) == [
        1, 1, 1, None, None, 0, 0, 0, 0,
    ]  # fmt: skip


def test_figures_at_both_levels_match_the_hand_computation():
    report = real_label_report(inputs(), repeats=50, seed=0)
    # 3 positives x 4 negatives = 12 pairs; the positive scores 0.9, 0.2 and 0.6 beat 4, 1 and 3 negatives
    assert report["year"]["auc"] == pytest.approx(8 / 12)
    # ranked .9 P, .7 N, .6 P, .5 N, .3 N, .2 P, .1 N: precision 1/1, 2/3 and 3/6 at the positives
    assert report["year"]["ap"] == pytest.approx((1 + 2 / 3 + 3 / 6) / 3)
    # k = 3 positives: the top three are .9 P, .7 N, .6 P
    assert report["year"]["precision_at_k"] == pytest.approx(2 / 3)
    # provider level: A's highest labelled score 0.9 (not 0.99, a year after) beats C .5, D .1 and E .7
    assert report["provider"]["auc"] == pytest.approx(1.0)
    assert report["provider"]["precision_at_k"] == pytest.approx(1.0)
    counts = report["counts"]
    assert counts.loc[POSITIVE].tolist() == [3, 1]
    assert counts.loc[NEGATIVE].tolist() == [4, 3]
    assert counts.loc[LEFT_OUT_OTHER].tolist() == [1, 1]
    assert counts.loc[LEFT_OUT_AFTER].tolist() == [1, 1]
    # A's best year: 2016, first of 2 scored providers (0.5); 2014 is 1 of 1 (1.0), 2015 4 of 5 (0.8)
    best = report["best_percentiles"]
    assert best[["npi", "data_year"]].values.tolist() == [["A", 2016]]
    assert best["rank_percentile"].tolist() == [pytest.approx(0.5)]


def test_the_bootstrap_is_seeded_and_its_intervals_hold_the_perfect_provider_ranking():
    labelled = label_provider_years(inputs())
    first = bootstrap_intervals(labelled, repeats=200, seed=7)
    # 40 more negative providers (scores 0.01 ... 0.40, E's 0.7 above them): the intervals vary with the draw
    extra = pd.DataFrame(
        [(f"N{i:02d}", 2015, i / 100, None, 0) for i in range(1, 41)], columns=inputs().columns
    )
    wider = label_provider_years(pd.concat([inputs(), extra], ignore_index=True))
    assert bootstrap_intervals(wider, repeats=200, seed=7) == bootstrap_intervals(wider, repeats=200, seed=7)
    assert bootstrap_intervals(wider, repeats=200, seed=7) != bootstrap_intervals(wider, repeats=200, seed=8)
    # every resample keeps A above every negative provider: the provider-level AUC is always 1
    assert first["provider_auc"] == (1.0, 1.0)
    low, high = first["year_auc"]
    assert 0 <= low <= 8 / 12 <= high <= 1


def test_the_report_says_so_when_there_is_no_positive():
    frame = inputs().assign(first_fraud_exclusion_date=None, exclusion_periods=0)
    text = format_real_label_report(real_label_report(frame, repeats=10))
    assert "No positive" in text
    assert text.splitlines()[1].split()[:3] == ["provider-year", "0", "9"]  # all 9 years negative
