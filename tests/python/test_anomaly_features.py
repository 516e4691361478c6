"""The provider-year features Python builds (growth, size, code-mix change), from small hand-made rows of
provider_year_summary and int_provider_year_code_features read through DuckDB as the warehouse is, with
hand-computed expected values. The code-level roll-ups themselves are SQL: test_anomaly_code_features.py."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from deep_medicare.feature_sets import CODE_FEATURE_INPUTS
from deep_medicare.features import build_features
from deep_medicare.inputs import read_provider_years


def code_row(npi: str, year: int = 2020, **values: float | None) -> dict:
    """One int_provider_year_code_features row (the columns the scorer reads): every z at the peer median,
    no add-on share, unless given."""
    row: dict = {
        "npi": npi,
        "data_year": year,
        **dict.fromkeys(CODE_FEATURE_INPUTS, 0.0),
        "add_on_share": None,
    }
    row.update(values)
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


def build(
    code_rows: list[dict],
    summaries: list[dict],
    min_peer_group_size: int = 11,
    summary_types: dict[str, str] | None = None,
) -> pd.DataFrame:
    """build_features on the rows of every year at once, read through an in-memory DuckDB."""
    with duckdb.connect() as con:
        con.register("code_frame", pd.DataFrame(code_rows).astype({"add_on_share": float}))
        con.execute("create table codes as select * from code_frame")
        summary = pd.DataFrame(summaries)
        casts = summary_types or {}
        columns = ", ".join(f"cast({c} as {casts[c]}) as {c}" if c in casts else c for c in summary.columns)
        con.register("summary_frame", summary)
        con.execute(f"create table summary as select {columns} from summary_frame")
        years = sorted({row["data_year"] for row in summaries})
        rows = read_provider_years(con.table("codes"), con.table("summary"), years)
    return build_features(rows, min_peer_group_size)


def features_of(code_rows: list[dict], summaries: list[dict], **options: object) -> pd.DataFrame:
    """`build`, indexed by npi for reading (single-year cases)."""
    return build(code_rows, summaries, **options).set_index("npi")


def test_add_on_share_change_against_the_previous_year():
    code_rows = [
        code_row("A", year=2019, add_on_share=0.2),
        code_row("A", year=2020, add_on_share=0.5),
        code_row("B", year=2018, add_on_share=0.2),
        code_row("B", year=2020, add_on_share=0.2),
    ]
    summaries = [
        summary_row("A", 100, year=2019),
        summary_row("A", 100, year=2020, payment_yoy_change=0.0, services_yoy_change=0.0),
        summary_row("B", 100, year=2018),
        summary_row("B", 100, year=2020),
    ]
    row = build(code_rows, summaries).set_index(["npi", "data_year"])
    assert row.loc[("A", 2020), "add_on_share_previous"] == pytest.approx(0.2)
    assert row.loc[("A", 2020), "add_on_share_change"] == pytest.approx(0.3)
    # B skipped 2019, so 2018 is not its previous year.
    assert np.isnan(row.loc[("B", 2020), "add_on_share_change"])
    assert np.isnan(row.loc[("A", 2019), "add_on_share_previous"])


def test_add_on_share_change_is_judged_against_growth_peers():
    # Five providers of similar previous size (one band) whose add-on share moved by these points.
    changes = {"A": 0.0, "B": 0.01, "C": -0.01, "D": 0.02, "E": 0.3}
    previous = {"A": 0.2, "B": 0.45, "C": 0.3, "D": 0.1, "E": 0.35}
    code_rows, summaries = [], []
    for npi, change in changes.items():
        code_rows += [
            code_row(npi, 2019, add_on_share=previous[npi]),
            code_row(npi, 2020, add_on_share=previous[npi] + change),
        ]
        summaries += [
            summary_row(npi, 100, 2019),
            summary_row(npi, 100, 2020, payment_yoy_change=0.0, services_yoy_change=0.0),
        ]
    row = build(code_rows, summaries, min_peer_group_size=3).set_index(["npi", "data_year"])
    # Changes 0, .01, -.01, .02, .3: median .01; absolute deviations .01, 0, .02, .01, .29 -> MAD .01.
    expected = (0.3 - 0.01) / (1.4826 * 0.01)
    assert row.loc[("E", 2020), "add_on_share_change_robust_z"] == pytest.approx(expected)


def test_growth_is_nan_in_a_first_year_and_judged_against_the_year_otherwise():
    summaries = [summary_row("A", 100, year=2019)]
    changes = {"B": 0.0, "C": 0.1, "D": -0.1, "E": 1.0}
    summaries += [
        summary_row(npi, 100 * (1 + change), year=2020, payment_yoy_change=change, services_yoy_change=change)
        for npi, change in changes.items()
    ]
    code_rows = [code_row(row["npi"], year=row["data_year"]) for row in summaries]
    features = features_of(code_rows, summaries, min_peer_group_size=100)
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
    features = features_of([code_row(npi) for npi in sizes], summaries, min_peer_group_size=3)
    assert features.loc["C", "total_services_peer_ratio"] == pytest.approx(2.0)
    assert features.loc["A", "total_services_peer_ratio"] == pytest.approx(0.5)
    # log sizes: deviations from log 200 are log 2, 0, log 2 -> MAD log 2.
    assert features.loc["C", "total_services_peer_robust_z"] == pytest.approx(1 / 1.4826)
    assert features.loc["C", "size_peer_scope"] == "specialty"


def test_code_level_roll_ups_come_through_as_the_sql_model_gives_them():
    code_rows = [code_row("A", services_per_beneficiary_peer_robust_z=2.5, add_on_share=0.4)]
    features = features_of(code_rows, [summary_row("A", 100)])
    assert features.loc["A", "services_per_beneficiary_peer_robust_z"] == 2.5
    assert features.loc["A", "add_on_share"] == 0.4


def test_one_row_per_provider_year_of_the_summary_even_without_code_feature_rows():
    features = features_of([code_row("A")], [summary_row("A", 100), summary_row("Z", 50)])
    assert list(features.index) == ["A", "Z"]
    assert np.isnan(features.loc["Z", "services_per_beneficiary_peer_robust_z"])
    assert np.isnan(features.loc["Z", "add_on_share"])


def test_warehouse_types_give_the_same_features():
    code_rows = [
        code_row(npi, services_per_beneficiary_peer_robust_z=z) for npi, z in (("A", 3.0), ("B", 0.5))
    ]
    summaries = [summary_row("A", 80.5, payment_yoy_change=0.25), summary_row("B", 120.25)]
    plain = features_of(code_rows, summaries, min_peer_group_size=2)
    # The marts' DECIMAL amounts and integer data years.
    typed = features_of(
        code_rows,
        summaries,
        min_peer_group_size=2,
        summary_types={
            "total_services": "decimal(18, 3)",
            "total_medicare_payment": "decimal(38, 13)",
            "payment_yoy_change": "decimal(18, 6)",
            "data_year": "bigint",
        },
    )
    pd.testing.assert_frame_equal(plain, typed)


def test_row_order_does_not_change_the_features():
    code_rows = [
        code_row(npi, 2020, add_on_share=share) for npi, share in (("A", 0.3), ("B", 0.5), ("C", 0.1))
    ]
    code_rows += [code_row(npi, 2019, add_on_share=0.2) for npi in "ABC"]
    summaries = [
        summary_row(npi, size, 2020, services_yoy_change=change, payment_yoy_change=change)
        for npi, size, change in (("A", 100, 0.1), ("B", 300, -0.2), ("C", 50, 0.5))
    ]
    summaries += [summary_row(npi, 90, 2019) for npi in "ABC"]
    first = build(code_rows, summaries, min_peer_group_size=2)
    second = build(code_rows[::-1], summaries[::-1], min_peer_group_size=2)
    pd.testing.assert_frame_equal(first, second)
