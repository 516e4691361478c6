"""provider_anomaly_scores: one row per (npi, data_year), scored for anomalies.

A thin dbt Python model: it hands the marts to deep_medicare.pipeline.score_warehouse, where all the
logic lives (features, scoring, explanations), and returns the scored frame for dbt to write back.
"""

from deep_medicare.pipeline import score_warehouse


def model(dbt, session):
    dbt.config(materialized="table")
    return score_warehouse(
        dbt.ref("provider_peer_benchmarks"),
        dbt.ref("provider_year_summary"),
        dbt.ref("hcpcs_add_on_codes").df(),
        flag_share=float(dbt.config.get("flag_share")),
        random_state=int(dbt.config.get("random_state")),
        min_peer_group_size=int(dbt.config.get("min_peer_group_size")),
    )
