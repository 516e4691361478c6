{#
    Rule: region_year_summary's state rows equal staging grouped by state and data year, to the cent:
    Medicare payment, allowed amount, services and distinct providers. A provider-year counts in one state:
    should its lines disagree, the state of its line with the most services (ties: lowest code, then place of
    service), the rule the marts follow. Fails with one row per state and data year that differs or is
    missing on either side.
#}

with

-- in a yearly refresh, the data years the run recomputed in region_year_summary (every year otherwise)
provider_services as (
    select * from {{ ref('stg_cms__provider_services') }}
    where {{ tested_years_condition('region_year_summary') }}
),

regions as (
    select * from {{ ref('region_year_summary') }}
    where {{ tested_years_condition('region_year_summary') }}
),

provider_year_states as (
    select
        npi,
        data_year,
        provider_state
    from provider_services
    qualify
        row_number() over (
            partition by npi, data_year
            order by total_services desc nulls last, hcpcs_code asc, place_of_service asc
        ) = 1
),

staging_states as (
    select
        provider_services.data_year,
        provider_year_states.provider_state,
        count(distinct provider_services.npi) as provider_count,
        sum(provider_services.avg_medicare_payment_amount * provider_services.total_services)
            as total_medicare_payment,
        sum(provider_services.avg_medicare_allowed_amount * provider_services.total_services)
            as total_allowed_amount,
        sum(provider_services.total_services) as total_services
    from provider_services
    inner join provider_year_states
        on
            provider_services.npi = provider_year_states.npi
            and provider_services.data_year = provider_year_states.data_year
    group by
        provider_services.data_year,
        provider_year_states.provider_state
),

mart_states as (
    select
        data_year,
        geography_code as provider_state,
        providers as provider_count,
        total_medicare_payment,
        total_allowed_amount,
        total_services
    from regions
    where geography_level = 'state'
),

compared as (
    select
        coalesce(staging_states.data_year, mart_states.data_year) as data_year,
        coalesce(staging_states.provider_state, mart_states.provider_state) as provider_state,
        staging_states.provider_count as staging_provider_count,
        mart_states.provider_count as mart_provider_count,
        staging_states.total_medicare_payment as staging_medicare_payment,
        mart_states.total_medicare_payment as mart_medicare_payment,
        staging_states.total_allowed_amount as staging_allowed_amount,
        mart_states.total_allowed_amount as mart_allowed_amount,
        staging_states.total_services as staging_services,
        mart_states.total_services as mart_services
    from staging_states
    full outer join mart_states
        on
            staging_states.data_year = mart_states.data_year
            and staging_states.provider_state = mart_states.provider_state
)

select * from compared
where
    not coalesce(staging_provider_count = mart_provider_count, false)
    or not coalesce(abs(staging_medicare_payment - mart_medicare_payment) < 0.005, false)
    or not coalesce(abs(staging_allowed_amount - mart_allowed_amount) < 0.005, false)
    or not coalesce(staging_services = mart_services, false)
