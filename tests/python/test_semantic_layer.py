"""The semantic layer's metrics, queried with `mf query` from the project root as an analyst would, equal the
figures of the marts, queried directly in SQL: sums straight from the facts, and the ratios the marts already
publish (region_year_summary, cost_trends_by_place_of_service). Reads the warehouse `make test` just built.

`mf` opens the warehouse itself, so every metric query runs (module fixture) before this module connects."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MF = Path(sys.executable).parent / "mf"
CENT = 0.005

QUERIES = {
    "by_year": [
        "--metrics",
        "total_medicare_payment,total_allowed_amount,total_submitted_charge_amount,services,beneficiaries,"
        "providers,payment_per_service,allowed_per_service,services_per_beneficiary,payment_per_provider,"
        "flagged_provider_years,flagged_medicare_payment",
        "--group-by",
        "metric_time__year",
    ],
    "by_region": [
        "--metrics",
        "payment_per_service,services_per_beneficiary,total_medicare_payment,providers",
        "--group-by",
        "metric_time__year,provider_year__census_region",
    ],
    "by_state": [
        "--metrics",
        "payment_per_service,payment_per_provider",
        "--group-by",
        "metric_time__year,provider_year__provider_state",
    ],
    "by_ruca_class": [
        "--metrics",
        "payment_per_service",
        "--group-by",
        "metric_time__year,provider_year__ruca_class",
    ],
    "by_code_and_setting": [
        "--metrics",
        "payment_per_service,services",
        "--group-by",
        "metric_time__year,service,provider_service_year__place_of_service",
    ],
    "saved_query": ["--saved-query", "payment_per_service_by_setting"],
    "excluded_by_year_and_type": ["--saved-query", "excluded_providers_by_year_and_type"],
}


def warehouse_path() -> Path:
    return Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO_ROOT / "warehouse" / "medicare.duckdb"))


def mf_env() -> dict[str, str]:
    return dict(os.environ, DBT_PROFILES_DIR=str(REPO_ROOT), MEDICARE_DUCKDB_PATH=str(warehouse_path()))


def parse_project() -> None:
    """`dbt parse`: mf reads target/semantic_manifest.json, which must reflect the YAML as it is now."""
    dbt = Path(sys.executable).parent / "dbt"
    completed = subprocess.run(
        [str(dbt), "parse"], cwd=REPO_ROOT, env=mf_env(), capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-3000:]


def run_mf(arguments: list[str], csv_path: Path) -> list[dict[str, str]]:
    """Rows of one `mf query`, run from the project root, read back from its CSV output."""
    env = mf_env()
    completed = subprocess.run(
        [str(MF), "query", *arguments, "--csv", str(csv_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.returncode == 0 and csv_path.exists(), output
    with csv_path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    if not warehouse_path().exists():
        pytest.fail(f"no warehouse at {warehouse_path()}: run `make build` first")
    parse_project()
    folder = tmp_path_factory.mktemp("mf")
    return {name: run_mf(arguments, folder / f"{name}.csv") for name, arguments in QUERIES.items()}


@pytest.fixture(scope="module")
def warehouse(metrics) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(warehouse_path()), read_only=True)
    yield con
    con.close()


def year_of(row: dict[str, str]) -> int:
    return int(row["metric_time__year"][:4])


def number(value: str) -> float | None:
    return None if value in ("", None) else float(value)


def test_yearly_metrics_equal_sums_over_the_marts(metrics, warehouse):
    expected = {
        row[0]: row[1:]
        for row in warehouse.execute(
            """
            with facts as (
                select
                    data_year,
                    sum(total_medicare_payment) as payment,
                    sum(total_allowed_amount) as allowed,
                    sum(total_submitted_charge_amount) as charges,
                    sum(total_services) as services
                from marts.fct_provider_service_year
                group by data_year
            ),
            provider_years as (
                select data_year, sum(beneficiaries) as beneficiaries, count(distinct npi) as providers
                from marts.provider_year_summary
                group by data_year
            ),
            flags as (
                select
                    data_year,
                    count(*) filter (where is_flagged) as flagged,
                    coalesce(sum(total_medicare_payment) filter (where is_flagged), 0) as flagged_payment
                from marts.provider_anomaly_scores
                group by data_year
            )
            select
                facts.data_year, payment, allowed, charges, services, beneficiaries, providers, flagged,
                flagged_payment
            from facts
            inner join provider_years using (data_year)
            inner join flags using (data_year)
            """
        ).fetchall()
    }
    rows = {year_of(row): row for row in metrics["by_year"]}
    assert sorted(rows) == sorted(expected) and len(rows) == 9
    for year, row in rows.items():
        payment, allowed, charges, services, beneficiaries, providers, flagged, flagged_payment = (
            float(value) for value in expected[year]
        )
        assert float(row["total_medicare_payment"]) == pytest.approx(payment, abs=CENT)
        assert float(row["total_allowed_amount"]) == pytest.approx(allowed, abs=CENT)
        assert float(row["total_submitted_charge_amount"]) == pytest.approx(charges, abs=CENT)
        assert float(row["services"]) == pytest.approx(services, abs=1e-6)
        assert float(row["beneficiaries"]) == beneficiaries
        assert float(row["providers"]) == providers
        assert float(row["flagged_provider_years"]) == flagged > 0
        assert float(row["flagged_medicare_payment"]) == pytest.approx(flagged_payment, abs=CENT)
        # ratios of sums, never averages of the per-row averages
        assert float(row["payment_per_service"]) == pytest.approx(payment / services, rel=1e-12)
        assert float(row["allowed_per_service"]) == pytest.approx(allowed / services, rel=1e-12)
        assert float(row["services_per_beneficiary"]) == pytest.approx(services / beneficiaries, rel=1e-12)
        assert float(row["payment_per_provider"]) == pytest.approx(payment / providers, rel=1e-12)


def test_national_payment_per_service_equals_region_year_summary(metrics, warehouse):
    published = dict(
        warehouse.execute(
            "select data_year, payment_per_service from marts.region_year_summary "
            "where geography_level = 'national'"
        ).fetchall()
    )
    for row in metrics["by_year"]:
        assert float(row["payment_per_service"]) == pytest.approx(float(published[year_of(row)]), rel=1e-12)


@pytest.mark.parametrize(
    ("query", "dimension", "level"),
    [
        ("by_region", "provider_year__census_region", "census_region"),
        ("by_state", "provider_year__provider_state", "state"),
        ("by_ruca_class", "provider_year__ruca_class", "ruca_class"),
    ],
)
def test_geography_metrics_equal_region_year_summary(metrics, warehouse, query, dimension, level):
    published = {
        (year, code): (float(per_service), float(per_provider), providers, float(payment))
        for year, code, per_service, per_provider, providers, payment in warehouse.execute(
            "select data_year, geography_code, payment_per_service, payment_per_provider, providers, "
            "total_medicare_payment from marts.region_year_summary where geography_level = ?",
            [level],
        ).fetchall()
    }
    rows = metrics[query]
    # the mart labels a missing region 'unassigned'; the metric leaves it null
    keys = {(year_of(row), row[dimension] or "unassigned"): row for row in rows}
    assert set(keys) == set(published)
    for key, row in keys.items():
        per_service, per_provider, providers, payment = published[key]
        assert float(row["payment_per_service"]) == pytest.approx(per_service, rel=1e-12), key
        if "payment_per_provider" in row:
            assert float(row["payment_per_provider"]) == pytest.approx(per_provider, rel=1e-12), key
        if "providers" in row:
            assert float(row["providers"]) == providers, key
            assert float(row["total_medicare_payment"]) == pytest.approx(payment, abs=CENT), key


def test_payment_per_service_by_code_and_setting_equals_cost_trends(metrics, warehouse):
    published = {
        (year, code, place): (float(per_service), float(services))
        for year, code, place, per_service, services in warehouse.execute(
            "select data_year, hcpcs_code, place_of_service, payment_per_service, total_services "
            "from marts.cost_trends_by_place_of_service"
        ).fetchall()
    }
    for query in ("by_code_and_setting", "saved_query"):
        rows = {
            (year_of(row), row["service"], row["provider_service_year__place_of_service"]): row
            for row in metrics[query]
        }
        assert set(rows) == set(published), query
        for key, row in rows.items():
            per_service, services = published[key]
            assert float(row["payment_per_service"]) == pytest.approx(per_service, rel=1e-12), key
            assert float(row["services"]) == pytest.approx(services, abs=1e-6), key


def test_excluded_providers_by_year_and_type_equal_counts_over_provider_exclusions(metrics, warehouse):
    expected = {
        (year, exclusion_type, str(is_fraud).lower()): providers
        for year, exclusion_type, is_fraud, providers in warehouse.execute(
            "select year(exclusion_date), exclusion_type, is_fraud_related, count(distinct npi)"
            " from marts.provider_exclusions group by all"
        ).fetchall()
    }
    rows = {
        (
            year_of(row),
            row["exclusion_period__exclusion_type"],
            row["exclusion_period__is_fraud_related"].lower(),
        ): float(row["excluded_providers"])
        for row in metrics["excluded_by_year_and_type"]
    }
    assert rows == expected
    # the shipped files hold every year from 2013 to 2023, and fraud-related types in each
    assert {year for year, _, is_fraud in rows if is_fraud == "true"} >= set(range(2013, 2024))
