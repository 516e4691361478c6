"""Analysts' connections to the served warehouse, as separate processes for the publish tests.

    python warehouse_readers.py hold PATH STOP_FILE   # one read-only connection, queried every 0.2 s
    python warehouse_readers.py poll PATH STOP_FILE   # a new read-only connection every 0.2 s

Each runs until STOP_FILE exists, then prints one JSON object: every reading (the totals it saw, or the
error it got). Separate processes, because DuckDB shares one open database per file path within a process:
a poller beside a held connection would never open the file anew.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

INTERVAL_SECONDS = 0.2
# A buffer pool far smaller than the file, so every reading reads blocks from the file again, as readers
# of a national warehouse (many GB) do: a publish that wrote into the held file would show.
READER_CONFIG = {"memory_limit": "8MB", "threads": 1}
# Lines and payment of the fact table, and the national payment of the region summary, in one snapshot.
TOTALS_SQL = """
select
    (select count(*) from marts.fct_provider_service_year) as fact_rows,
    (select round(sum(total_medicare_payment), 2)::varchar from marts.fct_provider_service_year)
        as fact_payment,
    (
        select round(sum(total_medicare_payment), 2)::varchar
        from marts.region_year_summary
        where geography_level = 'national'
    ) as national_payment
"""


def totals(connection: duckdb.DuckDBPyConnection) -> list:
    """The three totals of TOTALS_SQL as a JSON-ready list."""
    return list(connection.execute(TOTALS_SQL).fetchall()[0])


def hold(path: str, stop_file: Path) -> list[dict]:
    """Keep one read-only connection open and read through it until stop_file appears."""
    readings = []
    connection = duckdb.connect(path, read_only=True, config=READER_CONFIG)
    while not stop_file.exists():
        try:
            readings.append({"totals": totals(connection)})
        except duckdb.Error as error:
            readings.append({"error": str(error)})
        time.sleep(INTERVAL_SECONDS)
    connection.close()
    return readings


def poll(path: str, stop_file: Path) -> list[dict]:
    """Open a new read-only connection, read, close, every INTERVAL_SECONDS until stop_file appears."""
    readings = []
    while not stop_file.exists():
        try:
            with duckdb.connect(path, read_only=True, config=READER_CONFIG) as connection:
                readings.append({"totals": totals(connection)})
        except duckdb.Error as error:
            readings.append({"error": str(error)})
        time.sleep(INTERVAL_SECONDS)
    return readings


if __name__ == "__main__":
    mode, database, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    reader = {"hold": hold, "poll": poll}[mode]
    print(json.dumps({"readings": reader(database, stop)}))
