"""The evaluation: injection into raw CMS rows, the metrics, and (slow) the full run against dbt."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from deep_medicare_dev.evaluate import (
    RECIPES,
    SUBTLE_RECIPES,
    evaluation_metrics,
    inject_anomalies,
    invalid_rows,
    read_raw_files,
    run_evaluation,
    write_raw_files,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
ADD_ON = ["17312", "17314", "17315"]


def raw_rows() -> pd.DataFrame:
    """CMS-layout rows, all strings: 12 providers in 2019 and 2020, each billing 17311 and 17312 in the
    office, and provider 0 also 11 services of a code with leading zeros. Provider i bills 100 + 10 i first
    stages and half as many additional stages: 161, 165, 180, ..., 315 services in all."""
    rows = []
    for year in (2019, 2020):
        for index in range(12):
            first_stages = 100 + 10 * index
            for code, services in (("17311", first_stages), ("17312", first_stages // 2)):
                rows.append(
                    {
                        "Rndrng_NPI": f"{1000000000 + index}",
                        "HCPCS_Cd": code,
                        "Place_Of_Srvc": "O",
                        "Tot_Benes": str(services * 4 // 5),
                        "Tot_Srvcs": str(services),
                        "Tot_Bene_Day_Srvcs": str(services * 9 // 10),
                        "Avg_Sbmtd_Chrg": "900.5",
                        "Avg_Mdcr_Alowd_Amt": "400.25",
                        "Avg_Mdcr_Pymt_Amt": "320.2",
                        "Avg_Mdcr_Stdzd_Amt": "" if year == 2019 else "330.1",
                        "data_year": year,
                    }
                )
        small = {"Tot_Benes": "11", "Tot_Srvcs": "11", "Tot_Bene_Day_Srvcs": "11"}
        rows.append({**rows[0], **small, "HCPCS_Cd": "0001F", "data_year": year})
    return pd.DataFrame(rows)


def test_each_recipe_gets_its_own_providers_and_a_factor_in_its_range():
    injected, labels = inject_anomalies(raw_rows(), ADD_ON, per_recipe=2, seed=1)
    assert labels.groupby("recipe").size().to_dict() == {recipe.name: 2 for recipe in RECIPES}
    assert labels["npi"].is_unique
    for recipe in RECIPES:
        factors = labels.loc[labels["recipe"] == recipe.name, "factor"]
        assert factors.between(recipe.low, recipe.high).all()
    growth = labels[labels["recipe"] == "sudden_growth"]
    # Growth needs the previous year at or above that year's median, (225 + 240) / 2: providers 6..11.
    assert (growth["data_year"] == 2020).all()
    assert growth["npi"].map(lambda npi: int(npi) - 1000000000 >= 6).all()
    assert invalid_rows(injected).empty


def test_injection_is_deterministic_and_leaves_other_rows_untouched():
    raw = raw_rows()
    injected, labels = inject_anomalies(raw, ADD_ON, per_recipe=2, seed=1)
    again, labels_again = inject_anomalies(raw, ADD_ON, per_recipe=2, seed=1)
    pd.testing.assert_frame_equal(injected, again)
    pd.testing.assert_frame_equal(labels, labels_again)
    keys = pd.MultiIndex.from_frame(raw[["Rndrng_NPI", "data_year"]])
    untouched = ~keys.isin(pd.MultiIndex.from_frame(labels[["npi", "data_year"]]))
    pd.testing.assert_frame_equal(injected[untouched], raw[untouched])
    assert "0001F" in set(injected["HCPCS_Cd"])


def injected_rows(recipe: str) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """(original rows, injected rows, factor) of the first provider-year given `recipe`."""
    raw = raw_rows()
    injected, labels = inject_anomalies(raw, ADD_ON, per_recipe=2, seed=1)
    label = labels[labels["recipe"] == recipe].iloc[0]
    rows = (raw["Rndrng_NPI"] == label["npi"]) & (raw["data_year"] == label["data_year"])
    return raw[rows], injected[rows], float(label["factor"])


def test_inflated_price_multiplies_every_amount_and_keeps_empty_cells():
    before, after, factor = injected_rows("inflated_price")
    assert (after["Avg_Mdcr_Pymt_Amt"] == f"{320.2 * factor:.8f}").all()
    assert (after["Avg_Mdcr_Alowd_Amt"] == f"{400.25 * factor:.8f}").all()
    assert (after["Tot_Srvcs"] == before["Tot_Srvcs"]).all()
    assert ((after["Avg_Mdcr_Stdzd_Amt"] == "") == (before["Avg_Mdcr_Stdzd_Amt"] == "")).all()


def test_inflated_volume_multiplies_services_not_beneficiaries():
    before, after, factor = injected_rows("inflated_volume")
    expected = (pd.to_numeric(before["Tot_Srvcs"]) * factor).round().astype(int).astype(str)
    assert (after["Tot_Srvcs"] == expected).all()
    assert (after["Tot_Benes"] == before["Tot_Benes"]).all()


def test_shifted_code_mix_changes_only_the_add_on_codes():
    before, after, factor = injected_rows("shifted_code_mix")
    add_on = before["HCPCS_Cd"].isin(ADD_ON)
    expected = (pd.to_numeric(before.loc[add_on, "Tot_Srvcs"]) * factor).round().astype(int).astype(str)
    assert (after.loc[add_on, "Tot_Srvcs"] == expected).all()
    pd.testing.assert_frame_equal(after[~add_on], before[~add_on])


def test_sudden_growth_multiplies_beneficiaries_and_services():
    before, after, factor = injected_rows("sudden_growth")
    for column in ("Tot_Benes", "Tot_Srvcs", "Tot_Bene_Day_Srvcs"):
        expected = (pd.to_numeric(before[column]) * factor).round().astype(int).astype(str)
        assert (after[column] == expected).all()


def test_metrics_by_hand():
    scores = pd.DataFrame(
        {
            "npi": ["a", "b", "c", "d", "e", "f"],
            "data_year": 2020,
            "anomaly_score": [0.9, 0.5, 0.8, 0.7, 0.6, 0.1],
        }
    )
    labels = pd.DataFrame({"npi": ["a", "b", "c"], "data_year": 2020, "recipe": ["x", "x", "y"]})
    metrics = evaluation_metrics(scores, labels)
    # x: a beats d, e, f; b beats f -> 4 of 6 pairs. Top 2 of a, b, d, e, f: a, d.
    assert metrics["x"]["roc_auc"] == pytest.approx(4 / 6)
    assert metrics["x"]["precision_at_k"] == pytest.approx(0.5)
    assert metrics["y"]["roc_auc"] == pytest.approx(1.0)
    assert metrics["y"]["precision_at_k"] == pytest.approx(1.0)
    # overall: a 3 + b 1 + c 3 of 9 pairs; top 3: a, c, d.
    assert metrics["overall"]["roc_auc"] == pytest.approx(7 / 9)
    assert metrics["overall"]["precision_at_k"] == pytest.approx(2 / 3)
    assert metrics["overall"]["k"] == 3


def test_raw_files_round_trip_as_strings(tmp_path):
    raw = raw_rows().assign(source_file=lambda frame: frame["data_year"].map("Physician_{}.csv.gz".format))
    written = write_raw_files(raw, tmp_path)
    assert [path.name for path in written] == ["Physician_2019.csv.gz", "Physician_2020.csv.gz"]
    back = read_raw_files(written)
    pd.testing.assert_frame_equal(back[raw.columns], raw, check_dtype=False)
    assert "0001F" in set(back["HCPCS_Cd"])


# Precision at k per recipe, each floor about 0.1 under the lowest of seeds 0, 1 and 2 (30 injected each):
# standard price 0.80/0.83/0.83, volume 0.87/0.87/0.83, code mix 0.70/0.67/0.60, growth 0.73/0.77/0.70;
# subtle price 0.40/0.63/0.53, volume 0.73/0.73/0.67, code mix 0.43/0.40/0.37, growth 0.33/0.27/0.23.
# Overall the tests hold the targets at seed 0 (the evaluation is deterministic): standard 0.875
# (seeds 1 and 2: 0.875, 0.850), subtle 0.667 (0.650, 0.617).
STANDARD_PRECISION_FLOORS = {
    "inflated_price": 0.7,
    "inflated_volume": 0.7,
    "shifted_code_mix": 0.5,
    "sudden_growth": 0.6,
}
SUBTLE_PRECISION_FLOORS = {
    "inflated_price": 0.3,
    "inflated_volume": 0.55,
    "shifted_code_mix": 0.25,
    "sudden_growth": 0.15,
}


def test_every_recipe_has_a_precision_floor():
    assert set(STANDARD_PRECISION_FLOORS) == {recipe.name for recipe in RECIPES}
    assert set(SUBTLE_PRECISION_FLOORS) == {recipe.name for recipe in SUBTLE_RECIPES}


@pytest.mark.slow
def test_injected_anomalies_are_found(tmp_path):
    # no skip: a missing model or input fails here, it does not turn the evaluation off
    metrics = run_evaluation(PROJECT_DIR, tmp_path)
    for recipe in RECIPES:
        assert metrics[recipe.name]["roc_auc"] >= 0.95, recipe.name
        assert metrics[recipe.name]["precision_at_k"] >= STANDARD_PRECISION_FLOORS[recipe.name], recipe.name
    assert metrics["overall"]["roc_auc"] >= 0.98
    assert metrics["overall"]["precision_at_k"] >= 0.85


@pytest.mark.slow
def test_subtle_anomalies_reach_the_top(tmp_path):
    metrics = run_evaluation(PROJECT_DIR, tmp_path, recipes=SUBTLE_RECIPES)
    for recipe in SUBTLE_RECIPES:
        assert metrics[recipe.name]["roc_auc"] >= 0.9, recipe.name
        assert metrics[recipe.name]["precision_at_k"] >= SUBTLE_PRECISION_FLOORS[recipe.name], recipe.name
    assert metrics["overall"]["roc_auc"] >= 0.95
    assert metrics["overall"]["precision_at_k"] >= 0.6
