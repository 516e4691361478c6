"""Superset for real (`make test-superset`, marked `superset`, run by .ci/run): start a scratch Superset from
.superset-venv on a copy of the served warehouse, provision it, and check that every dashboard chart's data
(through /api/v1/chart/{id}/data) equals the marts queried directly, that its metrics are the semantic
layer's, that a second bootstrap duplicates nothing, that headless Chromium draws every chart, and that a
published rebuild shows in the charts without a restart. Expected figures come from the marts' own columns
(region_year_summary, cost_trends, provider_anomaly_scores), not from the semantic metrics under test."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from browser import poll, start_chromium, wait_for
from deep_medicare.superset import charts
from deep_medicare.superset.api import Superset
from deep_medicare.superset.bootstrap import Provisioned, bootstrap
from deep_medicare.superset.server import ADMIN_USER, Server

pytestmark = pytest.mark.superset

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("DEEP_MEDICARE_SUPERSET_VENV", ROOT / ".superset-venv"))
SERVED = Path(os.environ.get("MEDICARE_DUCKDB_PATH", ROOT / "warehouse" / "medicare.duckdb"))
PASSWORD = "test-superset-password"
SCREENSHOT = ROOT / "target" / "superset_dashboard.png"
TOLERANCE = 1e-6
LOGIN_BUTTON = '[data-test="login-button"]'
SIGN_IN_ATTEMPTS = 2
SIGN_IN_TIMEOUT = 45.0


@dataclass
class Running:
    """The scratch Superset, its client, what bootstrap made, and the warehouse copy it reads."""

    server: Server
    client: Superset
    provisioned: Provisioned
    warehouse: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def superset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    if not (VENV / "bin" / "gunicorn").exists():
        pytest.fail(f"no Superset environment at {VENV}: run `make superset-install`")
    if not SERVED.exists() or not (ROOT / "target" / "semantic_manifest.json").exists():
        pytest.fail("no built warehouse or dbt artifacts: run `make build`")
    scratch = tmp_path_factory.mktemp("superset")
    warehouse = scratch / "medicare.duckdb"
    shutil.copyfile(SERVED, warehouse)
    server = Server(VENV, ROOT / "superset" / "superset_config.py", scratch / "state", port=_free_port())
    try:
        server.initialise(PASSWORD)
        server.start()
        client = Superset(server.url, ADMIN_USER, PASSWORD)
        provisioned = bootstrap(client, warehouse, ROOT / "target")
        yield Running(server, client, provisioned, warehouse)
    finally:
        server.stop()


def chart_rows(running: Running, name: str) -> list[dict]:
    """The rows of one dashboard chart, from its saved query through the chart data API."""
    chart_id = running.provisioned.charts[name]
    body = running.client.get(f"/api/v1/chart/{chart_id}/data/", params={"format": "json", "type": "full"})
    (result,) = body["result"]
    assert not result.get("error"), result["error"]
    return result["data"]


def year(epoch_ms: float) -> int:
    """The data year of a metric_time value (epoch milliseconds of 1 January)."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).year


def marts(running: Running, sql: str) -> list[tuple]:
    """Rows of an independent query over the warehouse copy Superset reads."""
    with duckdb.connect(str(running.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def assert_close(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        assert actual[key] == pytest.approx(float(value), rel=TOLERANCE), key


def test_payment_by_year_equals_the_national_rows(superset: Running) -> None:
    rows = chart_rows(superset, "Medicare payment by year")
    actual = {year(row["metric_time"]): row["total_medicare_payment"] for row in rows}
    expected = dict(
        marts(
            superset,
            "select data_year, total_medicare_payment from marts.region_year_summary "
            "where geography_level = 'national'",
        )
    )
    assert len(expected) >= 2
    assert_close(actual, expected)


def test_payment_per_service_by_setting_equals_the_national_facility_and_office_rates(
    superset: Running,
) -> None:
    rows = chart_rows(superset, "Payment per service, facility against office")
    actual = {(year(row["metric_time"]), row["place_of_service"]): row["payment_per_service"] for row in rows}
    expected = {}
    for data_year, facility, office in marts(
        superset,
        "select data_year, facility_payment_per_service, office_payment_per_service "
        "from marts.region_year_summary where geography_level = 'national'",
    ):
        # CMS's F and O, in words on the chart
        expected[(data_year, "Facility")] = facility
        expected[(data_year, "Office")] = office
    assert_close(actual, expected)


def test_states_equal_the_state_rows_of_the_latest_year(superset: Running) -> None:
    rows = chart_rows(superset, "Payment per service by state, latest year")
    actual = {row["provider_year__provider_state"]: row["payment_per_service"] for row in rows}
    expected = dict(
        marts(
            superset,
            "select geography_code, payment_per_service from marts.region_year_summary "
            "where geography_level = 'state' "
            "and data_year = (select max(data_year) from marts.region_year_summary)",
        )
    )
    assert len(expected) > 40
    assert_close(actual, expected)
    values = [row["payment_per_service"] for row in rows]
    assert values == sorted(values, reverse=True), "states are not ranked"


def test_census_regions_equal_the_region_rows(superset: Running) -> None:
    rows = chart_rows(superset, "Payment per service by Census region")
    # provider-years with no Census region (territories, XX) are "Unassigned" on the chart (no <NULL> series),
    # 'unassigned' in region_year_summary
    actual = {
        (year(row["metric_time"]), row["provider_year__census_region"]): row["payment_per_service"]
        for row in rows
    }
    assert "Unassigned" in {region for _, region in actual}
    expected = {
        (data_year, "Unassigned" if region == "unassigned" else region): value
        for data_year, region, value in marts(
            superset,
            "select data_year, geography_code, payment_per_service from marts.region_year_summary "
            "where geography_level = 'census_region'",
        )
    }
    assert {region for _, region in expected} >= {"Midwest", "Northeast", "South", "West"}
    assert_close(actual, expected)


def test_cost_trends_equal_cost_trends_of_the_top_codes(superset: Running) -> None:
    rows = chart_rows(superset, "Cost trends: payment per service by code")
    actual = {(year(row["metric_time"]), row["hcpcs_code"]): row["payment_per_service"] for row in rows}
    expected = {
        (data_year, code): value
        for data_year, code, value in marts(
            superset,
            f"""
            with top_codes as (
                select hcpcs_code
                from marts.cost_trends
                group by hcpcs_code
                order by sum(total_medicare_payment) desc
                limit {charts.TOP_CODES_LIMIT}
            )
            select data_year, hcpcs_code, payment_per_service
            from marts.cost_trends
            where hcpcs_code in (select hcpcs_code from top_codes)
            """,
        )
    }
    assert {code for _, code in expected} == {"17311", "17312", "17313", "17314", "17315"}
    assert_close(actual, expected)


def test_top_flagged_are_the_latest_years_first_ranks(superset: Running) -> None:
    rows = chart_rows(superset, "Top flagged provider-years, latest year")
    expected = marts(
        superset,
        f"""
        select data_year, anomaly_rank, npi, anomaly_score, reasons
        from marts.provider_anomaly_scores
        where is_flagged and data_year = (select max(data_year) from marts.provider_anomaly_scores)
        order by anomaly_rank
        limit {charts.TOP_FLAGGED_LIMIT}
        """,
    )
    assert len(expected) == charts.TOP_FLAGGED_LIMIT
    actual = [
        (row["data_year"], row["anomaly_rank"], row["npi"], row["anomaly_score"], row["reasons"])
        for row in rows
    ]
    assert actual == expected
    # no provider flagged in 2021 is in the shipped LEIE files (which end in June 2023)
    assert {row["exclusion_status"] for row in rows} == {"not excluded later"}


# The sample's flagged provider-years whose provider OIG later excluded, read from the shipped LEIE files by
# hand (1508EXCL.csv, 1712EXCL.csv): year, NPI, exclusion in words
LATER_EXCLUDED = [
    (2013, "1043219405", "excluded 2015-09-01 (1128b7, fraud-related)"),
    (2015, "1538200308", "excluded 2018-01-18 (1128a3, fraud-related)"),
]


def test_flagged_later_excluded_are_the_providers_oig_excluded(superset: Running) -> None:
    rows = chart_rows(superset, "Flagged provider-years later excluded by OIG")
    assert [(row["data_year"], row["npi"], row["exclusion_status"]) for row in rows] == LATER_EXCLUDED


def test_metrics_are_the_semantic_layers(superset: Running) -> None:
    dataset_id = superset.provisioned.datasets["provider_service_years"]
    dataset = superset.client.get(f"/api/v1/dataset/{dataset_id}")["result"]
    metrics = {metric["metric_name"]: metric for metric in dataset["metrics"]}
    # written by hand from models/semantic/_metrics.yml: a ratio of sums, never an average of ratios
    assert metrics["payment_per_service"]["expression"] == (
        "sum(total_medicare_payment) / nullif(sum(total_services), 0)"
    )
    assert metrics["services"]["expression"] == "sum(total_services)"
    assert metrics["payment_per_service"]["verbose_name"] == "Payment per service"
    flagged = superset.client.get(
        f"/api/v1/dataset/{superset.provisioned.datasets['provider_anomaly_scores']}"
    )
    flagged_metrics = {metric["metric_name"]: metric["expression"] for metric in flagged["result"]["metrics"]}
    assert flagged_metrics["flagged_provider_years"] == "sum(case when is_flagged then 1 else 0 end)"
    assert "payment_per_provider" in superset.provisioned.metrics_left_out


def test_every_public_mart_is_a_described_dataset(superset: Running) -> None:
    expected_marts = {
        "cost_trends",
        "cost_trends_by_place_of_service",
        "cost_trends_by_specialty",
        "dim_provider",
        "dim_service",
        "fct_provider_service_year",
        "provider_anomaly_scores",
        "provider_peer_benchmarks",
        "provider_year_summary",
        "region_year_summary",
    }
    assert expected_marts <= superset.provisioned.datasets.keys()
    # the dbt docs' words, read back here from the warehouse's own column comments (persist_docs)
    comments = dict(
        marts(
            superset,
            "select column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = 'fct_provider_service_year'",
        )
    )
    dataset = superset.client.get(
        f"/api/v1/dataset/{superset.provisioned.datasets['fct_provider_service_year']}"
    )
    descriptions = {column["column_name"]: column["description"] for column in dataset["result"]["columns"]}
    assert descriptions["npi"] == comments["npi"]
    assert descriptions["total_medicare_payment"] == " ".join(comments["total_medicare_payment"].split())
    assert all(descriptions[name] for name in comments)


def test_bootstrap_again_duplicates_nothing(superset: Running) -> None:
    counts = {
        resource: len(superset.client.list_all(resource))
        for resource in ("database", "dataset", "chart", "dashboard")
    }
    again = bootstrap(superset.client, superset.warehouse, ROOT / "target")
    assert again.charts == superset.provisioned.charts
    assert again.datasets == superset.provisioned.datasets
    assert again.dashboard_id == superset.provisioned.dashboard_id
    assert counts == {
        resource: len(superset.client.list_all(resource))
        for resource in ("database", "dataset", "chart", "dashboard")
    }
    assert counts["chart"] == len(charts.dashboard_charts())


def _external_requests_not_blocked(log: list[dict], base_url: str) -> list[str]:
    """URLs outside Superset that the page requested and the browser did not block by content policy."""
    sent, blocked = {}, set()
    for entry in log:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            sent[params["requestId"]] = params["request"]["url"]
        elif message.get("method") == "Network.loadingFailed" and params.get("blockedReason"):
            blocked.add(params["requestId"])
    return [
        url
        for request_id, url in sent.items()
        if request_id not in blocked and not url.startswith((base_url, "data:", "blob:", "about:", "chrome"))
    ]


def _login_page_state(driver: webdriver.Chrome) -> str:
    """What the browser shows: its URL and the start of the page's text (a toast, an error page)."""
    text = " ".join(driver.find_element(By.TAG_NAME, "body").text.split())
    return f"at {driver.current_url}: {text[:600]!r}"


def sign_in(driver: webdriver.Chrome, server: Server) -> None:
    """Sign in through Superset's login page as a user does. The page is drawn by React: wait for its Sign
    in button, type both fields, check they hold what was typed, click. One CI run once stayed on /login/
    for 30 s after the sign-in (no machine here ever did), so a sign-in that does not leave the page is
    tried once more on a fresh page, with a warning that says what the page showed; two failures fail the
    test with what the page showed each time and the end of Superset's log."""
    failures = []
    for attempt in range(1, SIGN_IN_ATTEMPTS + 1):
        driver.get(f"{server.url}/login/")
        wait_for(
            lambda: [b for b in driver.find_elements(By.CSS_SELECTOR, LOGIN_BUTTON) if b.is_enabled()],
            what="the login form",
        )
        fields = {"username": ADMIN_USER, "password": PASSWORD}
        for field, value in fields.items():
            driver.find_element(By.ID, field).send_keys(value)
        held = {field: driver.find_element(By.ID, field).get_attribute("value") for field in fields}
        if held == fields:
            driver.find_element(By.CSS_SELECTOR, LOGIN_BUTTON).click()
            if poll(lambda: "/login" not in driver.current_url, timeout=SIGN_IN_TIMEOUT):
                if failures:
                    warnings.warn(
                        f"Superset's sign-in worked only on try {attempt}: {failures}", stacklevel=2
                    )
                return
            failures.append(f"try {attempt} stayed on the login page {_login_page_state(driver)}")
        else:
            failures.append(
                f"try {attempt}: the fields held {held['username']!r} and a password of "
                f"{len(held['password'] or '')} characters after typing"
            )
        driver.execute_script("window.sessionStorage.clear()")  # the page's "login attempted" flag
    pytest.fail(
        "could not sign in to Superset:\n" + "\n".join(failures) + f"\nSuperset's log:\n{server.log_tail()}"
    )


def test_dashboard_draws_every_chart(superset: Running) -> None:
    driver = start_chromium(width=1400, height=2100)
    try:
        sign_in(driver, superset.server)
        driver.get(superset.provisioned.dashboard_url)

        def drawn() -> list | None:
            containers = driver.find_elements(By.CSS_SELECTOR, '[data-test="chart-container"]')
            if len(containers) != len(charts.dashboard_charts()):
                return None
            # ECharts draws on a canvas, the table chart as rows; a spinner or an icon is not a chart
            for container in containers:
                if not container.find_elements(By.CSS_SELECTOR, "canvas, table tbody tr"):
                    return None
                if "Waiting on" in container.text or "Loading" in container.text:
                    return None
            return containers

        wait_for(drawn, timeout=120, what="every chart drawn")
        time.sleep(2)  # the charts' entry animations
        errors = driver.find_elements(
            By.CSS_SELECTOR, '[data-test="error-message"], .alert-danger, [role="alert"]'
        )
        assert not [error.text for error in errors]
        page = driver.page_source
        assert [chart.name for chart in charts.dashboard_charts() if chart.name not in page] == []
        # places of service and regions in words, money and scores formatted, not raw floats
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "<NULL>" not in page
        tables = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table tbody tr")]
        assert any("not excluded later" in row for row in tables)
        assert any("excluded 2018-01-18 (1128a3, fraud-related)" in row for row in tables)
        assert any("$" in row for row in tables)
        assert not re.search(r"\b0\.\d{6,}", text), "a score shown as a raw float"
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT))
        # Superset's telemetry pixel is in its page; the content policy keeps it (and anything else) local
        assert _external_requests_not_blocked(driver.get_log("performance"), superset.server.url) == []
    finally:
        driver.quit()


def test_a_published_rebuild_shows_without_restart(superset: Running) -> None:
    """Publish as dbt does (a new file renamed over the served one) with the latest year's payment doubled:
    the next chart query reads the new file."""
    before = {
        year(row["metric_time"]): row["total_medicare_payment"]
        for row in chart_rows(superset, "Medicare payment by year")
    }
    latest = max(before)
    publishing = superset.warehouse.with_suffix(".duckdb.publishing")
    shutil.copyfile(superset.warehouse, publishing)
    with duckdb.connect(str(publishing)) as con:
        con.execute(
            "update marts.fct_provider_service_year set total_medicare_payment = 2 * total_medicare_payment "
            "where data_year = ?",
            [latest],
        )
    os.replace(publishing, superset.warehouse)
    after = {
        year(row["metric_time"]): row["total_medicare_payment"]
        for row in chart_rows(superset, "Medicare payment by year")
    }
    assert after[latest] == pytest.approx(2 * before[latest], rel=TOLERANCE)
    assert {key: value for key, value in after.items() if key != latest} == pytest.approx(
        {key: value for key, value in before.items() if key != latest}, rel=TOLERANCE
    )
