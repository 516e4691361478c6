"""provider_anomaly_scores: one row per (npi, data_year), scored for anomalies.

A thin dbt Python model: it hands its connection and three provider-year relations to
deep_medicare.pipeline.score_warehouse, where all the logic lives (growth, size, scoring, explanations),
and returns the scored relation for dbt to write. The code-level comparisons are already rolled up to
provider-years in SQL (int_provider_year_code_features), so no code-level row is read into Python.

Kept by data year, like the yearly/ models (dbt_project.yml): each year is scored on its own, so a refresh
scores the years its first pre-hook recorded in main.deep_medicare_year_refreshes (refresh_years() with
reach previous_and_later), plus any year that other scoring code scored; the year_refresh strategy then
replaces those years' rows.
"""

import logging
import sys

from deep_medicare.pipeline import score_warehouse, years_to_score


def planned_years(session, name):
    """The data years this run's pre-hook planned for the model (None: every year)."""
    found = session.execute(
        "select data_years from main.deep_medicare_year_refreshes where model_name = ?", [name]
    ).fetchall()
    return None if not found or found[0][0] is None else list(found[0][0])


def model(dbt, session):
    # Kept by data year (dbt_project.yml gives the strategy, reach and hooks), but a Python model takes its
    # materialization from its own config only. Spark runs no Python model (deep_medicare.spark_scores).
    dbt.config(materialized="incremental")
    # Progress of each stage (data year, rows, seconds) on stderr, so a national build shows where it is.
    logger = logging.getLogger("deep_medicare")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("provider_anomaly_scores: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    # the raw files' manifest, which the refresh plan compares with its record (a dependency dbt must know)
    dbt.ref("base_cms__physician_files")
    years = None
    if dbt.is_incremental:
        years = years_to_score(session, str(dbt.this), planned_years(session, dbt.this.identifier))
    return score_warehouse(
        session,
        dbt.ref("int_provider_year_code_features"),
        dbt.ref("provider_year_summary"),
        flag_share=float(dbt.config.get("flag_share")),
        random_state=int(dbt.config.get("random_state")),
        min_peer_group_size=int(dbt.config.get("min_peer_group_size")),
        evidence=dbt.ref("int_provider_year_evidence"),
        years=years,
    )
