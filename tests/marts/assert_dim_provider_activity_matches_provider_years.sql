{#
    Rule: dim_provider has one row for every NPI of provider_year_summary and no other, and its first and
    last data year and count of active years are those of the provider's rows there. Fails with one row per
    NPI that differs or is missing on either side.
#}

with

providers as (
    select * from {{ ref('dim_provider') }}
),

provider_years as (
    select * from {{ ref('provider_year_summary') }}
),

activity as (
    select
        npi,
        min(data_year) as first_data_year,
        max(data_year) as last_data_year,
        count(*) as active_year_count
    from provider_years
    group by npi
),

compared as (
    select
        coalesce(providers.npi, activity.npi) as npi,
        providers.first_data_year,
        activity.first_data_year as expected_first_data_year,
        providers.last_data_year,
        activity.last_data_year as expected_last_data_year,
        providers.active_year_count,
        activity.active_year_count as expected_active_year_count
    from providers
    full outer join activity
        on providers.npi = activity.npi
)

select * from compared
where
    not coalesce(first_data_year = expected_first_data_year, false)
    or not coalesce(last_data_year = expected_last_data_year, false)
    or not coalesce(active_year_count = expected_active_year_count, false)
