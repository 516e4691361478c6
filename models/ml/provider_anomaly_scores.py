"""provider_anomaly_scores: one row per (npi, data_year), scored for anomalies.

A thin dbt Python model: it hands its connection and three provider-year relations to
deep_medicare.pipeline.score_warehouse, where all the logic lives (growth, size, scoring, explanations),
and returns the scored relation for dbt to write. The code-level comparisons are already rolled up to
provider-years in SQL (int_provider_year_code_features), so no code-level row is read into Python.
"""

import logging
import sys

from deep_medicare.pipeline import score_warehouse


def model(dbt, session):
    dbt.config(materialized="table")
    # Progress of each stage (data year, rows, seconds) on stderr, so a national build shows where it is.
    logger = logging.getLogger("deep_medicare")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("provider_anomaly_scores: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return score_warehouse(
        session,
        dbt.ref("int_provider_year_code_features"),
        dbt.ref("provider_year_summary"),
        flag_share=float(dbt.config.get("flag_share")),
        random_state=int(dbt.config.get("random_state")),
        min_peer_group_size=int(dbt.config.get("min_peer_group_size")),
        evidence=dbt.ref("int_provider_year_evidence"),
    )
