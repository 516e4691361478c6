"""The scorer's input, read from the warehouse: one row per provider-year, joined and typed by DuckDB.

provider_year_summary gives each provider-year's specialty, state, totals and year-over-year changes;
int_provider_year_code_features the code-level comparisons, already rolled up to the provider-year in SQL
(only the columns the scorer computes with, CODE_FEATURE_INPUTS); the same model's row of the year before
gives add_on_share_previous. DuckDB joins the three and casts every column to the type the features rely on
(DECIMAL amounts to double, codes to text, data_year to integer), and sorts by (npi, data_year), so nothing
later depends on the order rows arrive in.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from deep_medicare.feature_sets import CODE_FEATURE_INPUTS, EVIDENCE_INPUTS

# The columns of provider_year_summary the features read, with the type each is read as.
SUMMARY_COLUMNS: dict[str, str] = {
    "npi": "varchar",
    "data_year": "integer",
    "provider_type": "varchar",
    "provider_state": "varchar",
    "total_services": "double",
    "total_medicare_payment": "double",
    "payment_yoy_change": "double",
    "services_yoy_change": "double",
}


def _in_years(years: Sequence[int]) -> str:
    """A filter on data_year for the given years ("false" for none); one year as `=`, which DuckDB pushes into
    both sides of a join (a one-element `in` reaches one side only)."""
    if not years:
        return "false"
    if len(years) == 1:
        return f"data_year = {int(years[0])}"
    return f"data_year in ({', '.join(str(int(year)) for year in years)})"


def read_provider_years(
    code_features: duckdb.DuckDBPyRelation,
    year_summary: duckdb.DuckDBPyRelation,
    years: Sequence[int],
    evidence: duckdb.DuckDBPyRelation | None = None,
) -> pd.DataFrame:
    """The provider-years of `year_summary` in `years`, sorted by (npi, data_year): the summary's columns
    (SUMMARY_COLUMNS), CODE_FEATURE_INPUTS of `code_features` (null where the provider-year has no row
    there), add_on_share_previous, the add_on_share of the same npi in the previous data year, and
    EVIDENCE_INPUTS of `evidence` (int_provider_year_evidence; null where it has no row, or is not given)."""
    summary = year_summary.filter(_in_years(years)).set_alias("summary")
    codes = code_features.filter(_in_years(years)).set_alias("codes")
    previous = code_features.filter(_in_years([year - 1 for year in years])).set_alias("previous")
    joined = summary.join(
        codes, "summary.npi = codes.npi and summary.data_year = codes.data_year", how="left"
    ).join(previous, "summary.npi = previous.npi and summary.data_year = previous.data_year + 1", how="left")
    if evidence is not None:
        joined = joined.join(
            evidence.filter(_in_years(years)).set_alias("evidence"),
            "summary.npi = evidence.npi and summary.data_year = evidence.data_year",
            how="left",
        )
    evidence_table = "evidence." if evidence is not None else ""
    columns = [
        *(f"cast(summary.{name} as {kind}) as {name}" for name, kind in SUMMARY_COLUMNS.items()),
        *(f"cast(codes.{name} as double) as {name}" for name in CODE_FEATURE_INPUTS),
        "cast(previous.add_on_share as double) as add_on_share_previous",
        *(
            f"cast({evidence_table + name if evidence_table else 'null'} as double) as {name}"
            for name in EVIDENCE_INPUTS
        ),
    ]
    return joined.project(", ".join(columns)).order("npi, data_year").df()
