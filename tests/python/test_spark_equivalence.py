"""The Spark build against the DuckDB build of the same sample (`make test-spark`, after `make build`).

The Spark target writes its tables as Parquet files (under $MEDICARE_SPARK_WAREHOUSE/tables/<schema>.db/),
so DuckDB reads them back and compares them with the served warehouse: the same columns and the same rows,
for every table of the project, the anomaly scores included (written on Spark by
`python -m deep_medicare.spark_scores`; docs/spark.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[2]
# What the Spark build must have written, from a fixed list (never from what it did write). Views have no
# files of their own (stg_cms__provider_services): the tables they read are compared.
SPARK_RELATIONS = (
    "reference.entity_codes",
    "reference.hcpcs_add_on_codes",
    "reference.place_of_service_codes",
    "reference.ruca_codes",
    "reference.staging_rule_cases",
    "reference.us_state_tiles",
    "reference.us_states",
    "staging.base_cms__physician_files",
    "staging.base_cms__provider_service_rows",
    "staging.base_cms__provider_service_malformed_lines",
    "staging.base_cms__provider_service_repeated_keys",
    "staging.stg_cms__provider_services_rejected",
    "intermediate.int_provider_year_attributes",
    "intermediate.int_provider_service_years_enriched",
    "intermediate.int_provider_year_totals",
    "intermediate.int_service_cost_years",
    "marts.dim_provider",
    "marts.dim_service",
    "intermediate.int_service_cost_trends",
    "marts.fct_provider_service_year",
    "marts.provider_year_summary",
    "marts.region_year_summary",
    "marts.cost_trends",
    "marts.cost_trends_by_place_of_service",
    "marts.cost_trends_by_specialty",
    "marts.time_spine_days",
    "intermediate.int_provider_service_peer_benchmarks",
    "intermediate.int_provider_year_code_features",
    "intermediate.int_provider_year_evidence",
    "marts.provider_anomaly_scores",
    "reference.leie_exclusion_types",
    "staging.base_oig__leie_rows",
    "intermediate.int_leie_exclusion_periods",
    "intermediate.int_provider_exclusion_status",
    "marts.provider_exclusions",
)
# Relations the sample leaves empty on both engines (it has no malformed line, no repeated key and no
# rejected row); every other has rows.
EMPTY_ON_THE_SAMPLE = {
    "staging.base_cms__provider_service_malformed_lines",
    "staging.base_cms__provider_service_repeated_keys",
    "staging.stg_cms__provider_services_rejected",
}
# Relations whose doubles the two engines may round differently in the last bits: the compound annual growth
# rate, which each engine computes with its own power function, and the anomaly features and scores, whose
# provider-year roll-ups sum doubles in each engine's own order (they differ by up to 2e-10 relative on the
# sample). There the DOUBLE columns agree within RELATIVE_TOLERANCE row by row (joined on the grain, listed
# here), and every other column exactly: the scores' ranks, flags, evidence families and reasons included.
# Elsewhere every double agrees to the bit.
RELATIVE_TOLERANCE = 1e-9
PROVIDER_YEAR = ("npi", "data_year")
GRAIN_OF_TOLERANT = {
    "intermediate.int_service_cost_trends": ("breakdown", "breakdown_value", "hcpcs_code", "data_year"),
    "marts.cost_trends": ("hcpcs_code", "data_year"),
    "marts.cost_trends_by_place_of_service": ("hcpcs_code", "place_of_service", "data_year"),
    "marts.cost_trends_by_specialty": ("hcpcs_code", "provider_type", "data_year"),
    "intermediate.int_provider_year_code_features": PROVIDER_YEAR,
    "intermediate.int_provider_year_evidence": PROVIDER_YEAR,
    "marts.provider_anomaly_scores": PROVIDER_YEAR,
}
# Columns compared through an expression on both sides: Spark lists a file's modification time to the
# millisecond, DuckDB to the microsecond.
COMPARED_AS = {
    ("staging.base_cms__physician_files", "last_modified"): "date_trunc('millisecond', {column})",
}


def spark_table_files(relation: str, warehouse: Path | None = None) -> str:
    """The glob of a Spark table's Parquet files, in the Spark warehouse folder `warehouse` (default:
    $MEDICARE_SPARK_WAREHOUSE, else the project's warehouse/spark)."""
    schema, table = relation.split(".")
    root = warehouse or Path(os.environ.get("MEDICARE_SPARK_WAREHOUSE", REPO / "warehouse" / "spark"))
    return str(root / "tables" / f"{schema}.db" / table / "*.parquet")


@pytest.fixture(scope="module")
def warehouses() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the served DuckDB warehouse attached read-only as `duck`."""
    served = Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO / "warehouse" / "medicare.duckdb"))
    if not served.exists():
        pytest.fail(f"no DuckDB warehouse at {served}: run make build first")
    connection = duckdb.connect()
    connection.execute(f"attach '{served}' as duck (read_only)")
    yield connection
    connection.close()


def columns(connection: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(name, type) of every column of a relation, in order."""
    return [(row[0], row[1]) for row in connection.execute(f"describe select * from {relation}").fetchall()]


@pytest.mark.parametrize("relation", SPARK_RELATIONS)
def test_spark_table_has_the_duckdb_tables_columns_and_rows(
    warehouses: duckdb.DuckDBPyConnection, relation: str
) -> None:
    files = spark_table_files(relation)
    spark = f"read_parquet('{files}')"
    duck = f"duck.{relation}"
    duck_columns = columns(warehouses, duck)
    assert [name for name, _ in columns(warehouses, spark)] == [name for name, _ in duck_columns]
    # the Spark side in the DuckDB table's types, so that a type each engine spells its own way compares
    grain = GRAIN_OF_TOLERANT.get(relation)
    duck_select, spark_select, doubles = [], [], []
    for name, kind in duck_columns:
        if grain is not None and kind == "DOUBLE":
            doubles.append(name)
            continue
        compared = COMPARED_AS.get((relation, name), "{column}")
        duck_select.append(compared.format(column=f'"{name}"') + f' as "{name}"')
        spark_select.append(compared.format(column=f'cast("{name}" as {kind})') + f' as "{name}"')
    duck_rows_sql = f"select {', '.join(duck_select)} from {duck}"
    spark_rows_sql = f"select {', '.join(spark_select)} from {spark}"
    [(duck_rows, spark_rows)] = warehouses.execute(
        f"select (select count(*) from {duck}), (select count(*) from {spark})"
    ).fetchall()
    assert duck_rows == spark_rows
    assert (duck_rows == 0) == (relation in EMPTY_ON_THE_SAMPLE)
    only_duckdb = warehouses.execute(f"{duck_rows_sql} except all {spark_rows_sql}")
    only_spark = warehouses.execute(f"{spark_rows_sql} except all {duck_rows_sql}")
    assert (only_duckdb.fetchall(), only_spark.fetchall()) == ([], [])
    if doubles:
        assert_doubles_agree(warehouses, duck, spark, grain, doubles)


def assert_doubles_agree(
    connection: duckdb.DuckDBPyConnection, duck: str, spark: str, grain: tuple[str, ...], doubles: list[str]
) -> None:
    """Each DOUBLE column of the two relations, row by row on the grain: both null, or within tolerance."""
    on = " and ".join(f'd."{key}" = s."{key}"' for key in grain)
    for name in doubles:
        [(joined, differing)] = connection.execute(
            f"""
            select
                count(*),
                count(*) filter (
                    where (d."{name}" is null) != (s."{name}" is null)
                    or abs(d."{name}" - s."{name}")
                    > {RELATIVE_TOLERANCE} * greatest(abs(d."{name}"), abs(s."{name}"), 1e-300)
                )
            from {duck} as d
            inner join {spark} as s on {on}
            """
        ).fetchall()
        assert differing == 0, (
            f"{name}: {differing} of {joined} rows differ by more than {RELATIVE_TOLERANCE}"
        )
        assert joined > 0
