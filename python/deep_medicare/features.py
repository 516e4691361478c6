"""Anomaly features per provider-year, each judged against peers: `build_features`.

The input is one row per provider-year (`inputs.read_provider_years`): columns of provider_year_summary and
of the SQL model int_provider_year_code_features, where DuckDB has already rolled the code-level
comparisons up to the provider-year (price, volume intensity and charge-to-allowed ratio against peers;
add-on share against peers billing the same base procedure). Python adds, per provider-year:

- growth against the provider's own previous year, and size (`year_features`);
- the change in add-on share against the previous year (`code_mix`);
- the calibrated evidence of each family and the dollars at stake (`evidence`), from the columns of the SQL
  model int_provider_year_evidence.

NaN means "not measurable" (no previous year, no base procedure billed, no peer statistics); the scorer
treats it as the peer median.
"""

from __future__ import annotations

import pandas as pd

from deep_medicare.code_mix import code_mix_shift
from deep_medicare.evidence import family_evidence
from deep_medicare.inputs import SUMMARY_COLUMNS
from deep_medicare.year_features import growth_features, size_features

DEFAULT_MIN_PEER_GROUP_SIZE = 11


def build_features(
    provider_years: pd.DataFrame, min_peer_group_size: int = DEFAULT_MIN_PEER_GROUP_SIZE
) -> pd.DataFrame:
    """One row per row of `provider_years` (same order), with named peer-relative features and their context:
    the summary's columns, growth, size, the code-level roll-ups and evidence inputs it was given, the
    code-mix change, then the calibrated evidence (`feature_sets.EVIDENCE_COLUMNS`).

    Growth, size and code-mix change peers never cross a data year, so building the features of several
    years at once or one year at a time gives the same result. `min_peer_group_size` applies to those peer
    groups and should match the dbt var of the same name.
    """
    frame = provider_years.reset_index(drop=True)
    summary = frame[list(SUMMARY_COLUMNS)]
    code_columns = [
        column for column in frame.columns if column not in (*SUMMARY_COLUMNS, "add_on_share_previous")
    ]
    features = pd.concat(
        [
            summary,
            growth_features(summary, min_peer_group_size),
            size_features(summary, min_peer_group_size),
            frame[code_columns],
        ],
        axis=1,
    )
    features = code_mix_shift(features, frame["add_on_share_previous"], min_peer_group_size)
    # Column by column into the fresh frame code_mix_shift returned: a concat would copy every column.
    for column, values in family_evidence(features, min_peer_group_size).items():
        features[column] = values
    return features
