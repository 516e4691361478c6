"""The figures of the HTML report, read from the marts in SQL: every query aggregates in DuckDB and returns a
few hundred rows at most, so a national warehouse (tens of millions of rows) reports as fast as the sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb


@dataclass(frozen=True)
class Table:
    """Rows of one report query, with their column names."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def column(self, name: str) -> list[Any]:
        """The values of one column, in row order."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def query(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> Table:
    """Run one query and keep its rows; decimals become floats for the charts."""
    cursor = con.execute(sql, list(params))
    columns = tuple(column[0] for column in cursor.description)
    rows = tuple(
        tuple(float(value) if type(value).__name__ == "Decimal" else value for value in row)
        for row in cursor.fetchall()
    )
    return Table(columns, rows)


def loaded_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The data years in the warehouse, in order."""
    sql = "select distinct data_year from marts.region_year_summary order by data_year"
    return [row[0] for row in con.execute(sql).fetchall()]


def national_by_year(con: duckdb.DuckDBPyConnection) -> Table:
    """National payment, services, providers and payment per service (all, facility, office) by year."""
    return query(
        con,
        """
        select
            data_year,
            total_medicare_payment,
            total_services,
            providers,
            payment_per_service,
            facility_payment_per_service,
            office_payment_per_service
        from marts.region_year_summary
        where geography_level = 'national'
        order by data_year
        """,
    )


def top_codes(con: duckdb.DuckDBPyConnection, year: int, limit: int) -> list[str]:
    """The HCPCS codes with the most Medicare payment in `year`, largest first."""
    sql = """
        select hcpcs_code from marts.cost_trends
        where data_year = ?
        order by total_medicare_payment desc, hcpcs_code
        limit ?
    """
    return [row[0] for row in con.execute(sql, [year, limit]).fetchall()]


def cost_index_by_code(con: duckdb.DuckDBPyConnection, codes: list[str]) -> Table:
    """Payment per service of each code by year, indexed to the code's first year (= 100)."""
    return query(
        con,
        """
        select
            hcpcs_code,
            data_year,
            payment_per_service,
            payment_per_service_index,
            base_data_year
        from marts.cost_trends
        where list_contains(?, hcpcs_code)
        order by hcpcs_code, data_year
        """,
        codes,
    )


def setting_by_code(con: duckdb.DuckDBPyConnection, year: int, codes: list[str]) -> Table:
    """Payment per service of each code in facility (F) and office (O) settings in `year`."""
    return query(
        con,
        """
        select
            hcpcs_code,
            place_of_service,
            payment_per_service,
            total_services
        from marts.cost_trends_by_place_of_service
        where data_year = ? and list_contains(?, hcpcs_code)
        order by hcpcs_code, place_of_service
        """,
        year,
        codes,
    )


def payment_distribution(con: duckdb.DuckDBPyConnection, year: int, bins_per_decade: int) -> Table:
    """Provider-years of `year` counted in log-spaced bins of their total payment: each bin starts at
    10^(k / bins_per_decade) dollars. Provider-years with no payment are left out (no log of 0)."""
    return query(
        con,
        """
        with provider_years as (
            select total_medicare_payment
            from marts.provider_year_summary
            where data_year = ? and total_medicare_payment > 0
        ),
        binned as (
            select cast(floor(log10(total_medicare_payment) * ?) as bigint) as bin
            from provider_years
        ),
        counted as (
            select bin, count(*) as provider_years
            from binned
            group by bin
        ),
        -- every bin from the lowest to the highest, empty ones included, so the histogram has no gaps
        all_bins as (
            select unnest(range(min(bin), max(bin) + 1)) as bin
            from counted
        )
        select
            pow(10, all_bins.bin / ?) as bin_start,
            pow(10, (all_bins.bin + 1) / ?) as bin_end,
            coalesce(counted.provider_years, 0) as provider_years
        from all_bins
        left join counted on all_bins.bin = counted.bin
        order by all_bins.bin
        """,
        year,
        float(bins_per_decade),
        float(bins_per_decade),
        float(bins_per_decade),
    )


def payment_concentration(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, float]:
    """Median provider-year payment in `year`, and the top tenth of providers' share of payment."""
    row = con.execute(
        """
        with ranked as (
            select
                total_medicare_payment,
                ntile(10) over (order by total_medicare_payment desc) as decile
            from marts.provider_year_summary
            where data_year = ?
        )
        select
            median(total_medicare_payment),
            sum(total_medicare_payment) filter (where decile = 1) / sum(total_medicare_payment),
            count(*)
        from ranked
        """,
        [year],
    ).fetchone()
    return {"median": float(row[0]), "top_decile_share": float(row[1]), "provider_years": row[2]}


def geography(con: duckdb.DuckDBPyConnection, level: str) -> Table:
    """One geography level of region_year_summary (state, census_region, ruca_class...), every year."""
    return query(
        con,
        """
        select
            data_year,
            geography_code,
            geography_name,
            providers,
            total_medicare_payment,
            total_services,
            payment_per_service,
            payment_per_provider
        from marts.region_year_summary
        where geography_level = ?
        order by data_year, geography_code
        """,
        level,
    )


def state_tiles(con: duckdb.DuckDBPyConnection, year: int) -> Table:
    """Every state of the tile grid with its payment per service in `year` (null where none was billed)."""
    return query(
        con,
        """
        select
            tiles.state_code,
            tiles.tile_row,
            tiles.tile_column,
            states.payment_per_service,
            states.total_medicare_payment,
            states.providers
        from reference.us_state_tiles as tiles
        left join marts.region_year_summary as states
            on
                states.geography_level = 'state'
                and states.geography_code = tiles.state_code
                and states.data_year = ?
        order by tiles.state_code
        """,
        year,
    )


def state_peer_indexes(con: duckdb.DuckDBPyConnection, year: int, min_services: float) -> Table:
    """Per state in `year`, how its providers compare with their national peers (same code, setting, year and
    specialty) for the same work: price index = payment / (peer median payment per service x services), volume
    index = services / (peer median services per beneficiary x beneficiaries); 1 = paid or billed like the
    peers. States with fewer than `min_services` services are left out (too few to compare)."""
    return query(
        con,
        """
        with rows_of_year as (
            select *
            from marts.provider_peer_benchmarks
            where
                data_year = ?
                and payment_per_service_peer_median is not null
                and services_per_beneficiary_peer_median is not null
        )
        select
            provider_state,
            sum(total_medicare_payment) as total_medicare_payment,
            sum(total_services) as total_services,
            count(distinct npi) as providers,
            sum(total_medicare_payment)
            / sum(payment_per_service_peer_median * total_services) as price_index,
            sum(total_services) / sum(services_per_beneficiary_peer_median * total_beneficiaries)
                as volume_index,
            sum(total_medicare_payment)
            - sum(
                payment_per_service_peer_median * services_per_beneficiary_peer_median * total_beneficiaries
            )
                as payment_above_peers
        from rows_of_year
        group by provider_state
        having sum(total_services) >= ?
        order by provider_state
        """,
        year,
        min_services,
    )


def top_flagged(con: duckdb.DuckDBPyConnection, year: int, limit: int) -> Table:
    """The flagged provider-years of `year` with the highest anomaly scores, with names and reasons."""
    return query(
        con,
        """
        select
            scores.anomaly_rank,
            scores.npi,
            coalesce(providers.provider_name, scores.npi) as provider_name,
            scores.provider_type,
            scores.provider_state,
            scores.anomaly_score,
            scores.total_medicare_payment,
            scores.reasons,
            scores.exclusion_status
        from marts.provider_anomaly_exclusions as scores
        left join marts.dim_provider as providers
            on scores.npi = providers.npi
        where scores.data_year = ? and scores.is_flagged
        order by scores.anomaly_rank
        limit ?
        """,
        year,
        limit,
    )


def flagged_later_excluded(con: duckdb.DuckDBPyConnection) -> Table:
    """Flagged provider-years, of every year, whose provider OIG excluded in that year or later."""
    return query(
        con,
        """
        select
            scores.data_year,
            scores.anomaly_rank,
            scores.npi,
            coalesce(providers.provider_name, scores.npi) as provider_name,
            scores.provider_state,
            scores.anomaly_score,
            scores.exclusion_status
        from marts.provider_anomaly_exclusions as scores
        left join marts.dim_provider as providers
            on scores.npi = providers.npi
        where scores.is_flagged and scores.is_later_excluded
        order by scores.data_year, scores.anomaly_rank
        """,
    )


def flagged_by_year(con: duckdb.DuckDBPyConnection) -> Table:
    """Flagged provider-years and their payment, by year."""
    return query(
        con,
        """
        select
            data_year,
            count(*) filter (where is_flagged) as flagged_provider_years,
            count(*) as provider_years,
            coalesce(sum(total_medicare_payment) filter (where is_flagged), 0) as flagged_medicare_payment
        from marts.provider_anomaly_scores
        group by data_year
        order by data_year
        """,
    )
