{#-
    Yearly totals of each HCPCS code, nationally and broken down by place of service and by specialty: the
    providers, services, charges, allowed amount and payment of one breakdown value, code and data year.
    Everything here lies within one data year, so it is incremental by year (macros/year_refresh.sql);
    int_service_cost_trends follows these totals through the years.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='year_refresh',
        year_reach='same',
        on_schema_change='append_new_columns',
        post_hook="{{ record_year_loads() }}"
    )
}}
{%- set years = refresh_years() %}

with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
    {{ where_refresh_years(years) }}
),

breakdowns as (
    select 'national' as breakdown
    union all
    select 'place_of_service' as breakdown
    union all
    select 'specialty' as breakdown
),

-- each row once per breakdown, labelled with its value in that breakdown: one aggregation serves all three
rows_by_breakdown as (
    select
        breakdowns.breakdown,
        case breakdowns.breakdown
            when 'national' then 'all'
            when 'place_of_service' then provider_services.place_of_service
            when 'specialty' then provider_services.provider_type
        end as breakdown_value,
        provider_services.hcpcs_code,
        provider_services.data_year,
        provider_services.npi,
        provider_services.total_services,
        provider_services.total_submitted_charge_amount,
        provider_services.total_allowed_amount,
        provider_services.total_medicare_payment
    from provider_services
    cross join breakdowns
),

yearly_totals as (
    select
        breakdown,
        breakdown_value,
        hcpcs_code,
        data_year,
        count(distinct npi) as provider_count,
        sum(total_services) as total_services,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_medicare_payment) as total_medicare_payment
    from rows_by_breakdown
    group by
        breakdown,
        breakdown_value,
        hcpcs_code,
        data_year
)

select * from yearly_totals
