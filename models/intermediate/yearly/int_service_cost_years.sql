{#-
    Yearly totals of each HCPCS code, nationally and broken down by place of service and by specialty: the
    providers, services, charges, allowed amount and payment of one breakdown value, code and data year.
    Everything here lies within one data year, so it is incremental by year (macros/refresh/year_refresh.sql);
    int_service_cost_trends follows these totals through the years.
-#}
{{ config(year_reach='same') }}
{%- set years = refresh_years() %}

with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
    {{ where_refresh_years(years) }}
),

-- the three breakdowns in one aggregation over grouping sets (each row is read once; a copy of every row
-- per breakdown, aggregated together, took twice as long on a national year); grouping() tells a
-- breakdown's rows apart even where its value is null
yearly_totals as (
    select
        case
            when grouping(place_of_service) = 0 then 'place_of_service'
            when grouping(provider_type) = 0 then 'specialty'
            else 'national'
        end as breakdown,
        case
            when grouping(place_of_service) = 0 then place_of_service
            when grouping(provider_type) = 0 then provider_type
            else 'all'
        end as breakdown_value,
        hcpcs_code,
        data_year,
        count(distinct npi) as provider_count,
        -- DECIMAL(38, 3) on every engine (Spark widens a sum by 10 digits only)
        cast(sum(total_services) as decimal(38, 3)) as total_services,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_medicare_payment) as total_medicare_payment
    from provider_services
    -- sqlfluff's DuckDB dialect cannot parse grouping sets (it parses cube and rollup); DuckDB and Spark can
    group by grouping sets ( -- noqa: PRS
        (hcpcs_code, data_year),
        (hcpcs_code, data_year, place_of_service),
        (hcpcs_code, data_year, provider_type)
    )
)

select * from yearly_totals
