"""The docs site as `make docs-serve` serves it, opened in headless Chromium: the overview is the project's
own page, a mart's page shows its description and columns, and the lineage graph (the Cytoscape instance at
document.getElementById('cy')._cyreg.cy) holds the path from the raw CMS files through staging and the marts
to the anomaly scores and on to the report. Nothing is fetched from outside the machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from browser import external, requested_urls, start_chromium, wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
RAW_FILES = "source.deep_medicare.cms.physician_by_provider_and_service"
ANOMALY_SCORES = "model.deep_medicare.provider_anomaly_scores"


def warehouse_path() -> Path:
    return Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO_ROOT / "warehouse" / "medicare.duckdb"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory):
    """`dbt docs generate` against the built warehouse (for the catalog), then `dbt docs serve` on a free
    port, as `make docs-serve` runs them; the server is stopped after the module."""
    if not warehouse_path().exists():
        pytest.fail(f"no warehouse at {warehouse_path()}: run `make build` first")
    work = tmp_path_factory.mktemp("docs")
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(REPO_ROOT),
        MEDICARE_DUCKDB_PATH=str(warehouse_path()),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
    )
    generated = subprocess.run(
        [str(DBT), "docs", "generate"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert generated.returncode == 0, generated.stdout[-3000:]
    port = free_port()
    server = subprocess.Popen(
        [str(DBT), "docs", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, timeout=60, what="dbt docs serve to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(docs_site):
    driver = start_chromium()
    try:
        driver.get("about:blank")
        driver.get(f"{docs_site}/#!/overview?g_v=1")
        wait_for(
            lambda: driver.execute_script(
                "const el = document.getElementById('cy');"
                "return !!(el && el._cyreg && el._cyreg.cy && el._cyreg.cy.nodes().length > 0);"
            ),
            what="the lineage graph",
        )
        yield driver
    finally:
        driver.quit()


def page_text(driver) -> str:
    return driver.execute_script("return document.body.innerText")


def test_the_overview_is_the_projects_own_page(browser):
    text = wait_for(
        lambda: "Deep Medicare warehouse" in page_text(browser) and page_text(browser), what="the overview"
    )
    assert "Welcome!" not in text
    for heading in ("What it holds", "Which years are loaded", "Where to start", "How to query it"):
        assert heading in text
    assert "2013 to 2021" in text and "provider_anomaly_scores" in text
    assert "not a finding" in text


def test_the_lineage_runs_from_the_raw_files_through_staging_and_marts_to_the_anomaly_scores(browser):
    edges = browser.execute_script(
        "return document.getElementById('cy')._cyreg.cy.edges().map(e => [e.source().id(), e.target().id()]);"
    )
    children, parents = defaultdict(set), defaultdict(set)
    for parent, child in edges:
        children[parent].add(child)
        parents[child].add(parent)

    def reach(start: str, neighbours: dict[str, set[str]]) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for node in neighbours[todo.pop()] - seen:
                seen.add(node)
                todo.append(node)
        return seen

    on_the_path = reach(RAW_FILES, children) & reach(ANOMALY_SCORES, parents)
    assert RAW_FILES in on_the_path and ANOMALY_SCORES in on_the_path
    for node in (
        "model.deep_medicare.base_cms__provider_service_rows",
        "model.deep_medicare.stg_cms__provider_services",
        "model.deep_medicare.int_provider_service_peer_benchmarks",
        "model.deep_medicare.provider_year_summary",
    ):
        assert node in on_the_path, node
    # and on to the consumers: the report and the semantic layer's saved queries
    downstream = reach(ANOMALY_SCORES, children)
    assert "exposure.deep_medicare.medicare_report" in downstream
    assert "exposure.deep_medicare.semantic_layer_saved_queries" in downstream


def test_a_marts_page_shows_its_description_and_columns(browser, docs_site):
    browser.get(f"{docs_site}/#!/model/model.deep_medicare.provider_year_summary")
    text = wait_for(
        lambda: "One row per NPI per data year" in page_text(browser) and page_text(browser),
        what="the provider_year_summary page",
    )
    columns = ("npi", "data_year", "total_medicare_payment", "services_per_beneficiary", "payment_yoy_change")
    for column in columns:
        assert column in text, column
    # column descriptions come from the doc blocks, rendered
    assert "CMS data year: the calendar year the services were rendered in" in text


def test_no_request_leaves_the_machine(browser, docs_site):
    urls = requested_urls(browser)
    assert any(url.startswith(docs_site) for url in urls)
    assert external(urls, (docs_site,)) == []
