"""Queries an analyst would write work as written, and give what the raw CMS files say.

Expected figures are computed here straight from the raw sample files with Python's gzip and csv modules
(an independent route: no DuckDB, no dbt). Reads the warehouse `make test` just built (MEDICARE_DUCKDB_PATH);
the analyses/ files are compiled with dbt and each must run against it.
"""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FILES = sorted((REPO_ROOT / "data" / "sample").glob("*.csv.gz"))


def raw_rows():
    """(data_year, row dict) for every data line of the sample, all values as text."""
    for path in SAMPLE_FILES:
        year = int(path.name.split("_")[-1].split(".")[0])
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield year, row


def warehouse_path() -> Path:
    return Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO_ROOT / "warehouse" / "medicare.duckdb"))


@pytest.fixture(scope="module")
def warehouse() -> duckdb.DuckDBPyConnection:
    path = warehouse_path()
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make build` (or `make test`, which builds first)")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_national_payment_per_service_of_17311_by_year_from_cost_trends(warehouse):
    payment: dict[int, Decimal] = defaultdict(Decimal)
    services: dict[int, Decimal] = defaultdict(Decimal)
    for year, row in raw_rows():
        if row["HCPCS_Cd"] == "17311":
            payment[year] += Decimal(row["Avg_Mdcr_Pymt_Amt"]) * Decimal(row["Tot_Srvcs"])
            services[year] += Decimal(row["Tot_Srvcs"])
    rows = warehouse.execute(
        "select data_year, payment_per_service, total_medicare_payment from marts.cost_trends "
        "where hcpcs_code = '17311' order by data_year"
    ).fetchall()
    assert [year for year, _, _ in rows] == sorted(payment)
    for year, per_service, total in rows:
        assert Decimal(str(total)).quantize(Decimal("0.01")) == payment[year].quantize(Decimal("0.01"))
        assert float(per_service) == pytest.approx(float(payment[year] / services[year]), rel=1e-9)


def test_ten_states_with_the_highest_payment_per_service_in_2021(warehouse):
    payment: dict[str, Decimal] = defaultdict(Decimal)
    services: dict[str, Decimal] = defaultdict(Decimal)
    for year, row in raw_rows():
        if year == 2021:
            state = row["Rndrng_Prvdr_State_Abrvtn"]
            payment[state] += Decimal(row["Avg_Mdcr_Pymt_Amt"]) * Decimal(row["Tot_Srvcs"])
            services[state] += Decimal(row["Tot_Srvcs"])
    expected = sorted(payment, key=lambda state: payment[state] / services[state], reverse=True)[:10]
    rows = warehouse.execute(
        "select geography_code, payment_per_service from marts.region_year_summary "
        "where data_year = 2021 and geography_level = 'state' "
        "order by payment_per_service desc limit 10"
    ).fetchall()
    assert [state for state, _ in rows] == expected
    for state, per_service in rows:
        assert float(per_service) == pytest.approx(float(payment[state] / services[state]), rel=1e-9)


def test_national_total_payment_reconciles_to_the_cent(warehouse):
    # the figure the sample's README states, and a recount from the raw text
    total = sum(Decimal(row["Avg_Mdcr_Pymt_Amt"]) * Decimal(row["Tot_Srvcs"]) for _, row in raw_rows())
    assert total.quantize(Decimal("0.01")) == Decimal("4722180538.72")
    national = warehouse.execute(
        "select sum(total_medicare_payment) from marts.region_year_summary where geography_level = 'national'"
    ).fetchall()[0][0]
    assert Decimal(str(national)).quantize(Decimal("0.01")) == Decimal("4722180538.72")


def compiled_analyses(tmp_path: Path, warehouse_path: Path) -> list[Path]:
    """Compile analyses/ with dbt into tmp_path and return the compiled SQL files. dbt gets an empty
    warehouse of the same file name (DuckDB names the catalog after the file), so it takes no lock on the
    real one, which the test holds open."""
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(REPO_ROOT),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        MEDICARE_DUCKDB_PATH=str(tmp_path / warehouse_path.name),
    )
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "compile", "--select", "resource_type:analysis", "--log-path", str(tmp_path / "logs")],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return sorted((tmp_path / "target" / "compiled" / "deep_medicare" / "analyses").glob("*.sql"))


def test_every_analysis_is_headed_by_its_question_and_runs(warehouse, tmp_path):
    sources = sorted((REPO_ROOT / "analyses").glob("*.sql"))
    assert len(sources) >= 5
    for source in sources:
        assert source.read_text().startswith("-- Question:"), source.name
    compiled = compiled_analyses(tmp_path, warehouse_path())
    assert [path.name for path in compiled] == [path.name for path in sources]
    for path in compiled:
        rows = warehouse.execute(path.read_text()).fetchall()
        assert rows, f"{path.name} returned no rows"
