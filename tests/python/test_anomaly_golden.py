"""The sample's flagged provider-years equal a golden file reviewed by hand: an expectation that does not come
from the scorer under test (test_anomaly_rebuild checks determinism separately).

The golden file holds, for every flagged provider-year of the shipped sample, its year, rank, NPI, score (6
decimals) and excess payment (cents). It was reviewed by hand when written (the top ranks and their reasons
read against the marts). A change to the scoring that moves any of them fails here; if the change is meant,
look at the new flags, then write the file again on purpose:

    DEEP_MEDICARE_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/python/test_anomaly_golden.py
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden") / "flagged_provider_years.csv"
COLUMNS = ("data_year", "anomaly_rank", "npi", "anomaly_score", "excess_payment")
QUERY = """
    select
        cast(data_year as varchar),
        cast(anomaly_rank as varchar),
        npi,
        printf('%.6f', anomaly_score),
        printf('%.2f', excess_payment)
    from marts.provider_anomaly_scores
    where is_flagged
    order by data_year, anomaly_rank
"""


def flagged_rows() -> list[tuple[str, ...]]:
    path = Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO_ROOT / "warehouse" / "medicare.duckdb"))
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make build` (or `make test`, which builds first)")
    with duckdb.connect(str(path), read_only=True) as con:
        return [tuple(row) for row in con.execute(QUERY).fetchall()]


def test_flagged_provider_years_equal_the_reviewed_golden_file():
    if "MEDICARE_PHYSICIAN_FILES" in os.environ:
        pytest.fail("the golden file is of the shipped sample; unset MEDICARE_PHYSICIAN_FILES")
    rows = flagged_rows()
    if os.environ.get("DEEP_MEDICARE_WRITE_GOLDEN") == "1":
        with GOLDEN.open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(rows)
    with GOLDEN.open(newline="") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == COLUMNS
        golden = [tuple(row) for row in reader]
    # the sample flags the top 1% of each of its nine years: 22 in 2013 up to 29 in 2021 (230 in all)
    assert len(golden) == 230
    assert rows == golden
