{#
    Rule: in region_year_summary every provider-year falls in exactly one geography of each level, so each
    level's rows add up to the national row of the year: Medicare payment (to the cent), services and
    providers. The levels expected are a fixed list and the years are staging's, neither read from the mart:
    a level or a year missing from the mart fails. Fails with one row per data year and level that does not
    add up or is missing.
#}
{%- set expected_levels = ['census_region', 'census_division', 'state', 'ruca_class'] %}

with

provider_services as (
    select * from {{ ref('stg_cms__provider_services') }}
),

regions as (
    select * from {{ ref('region_year_summary') }}
),

staging_years as (
    select distinct data_year from provider_services
),

expected as (
    select
        staging_years.data_year,
        levels.geography_level
    from staging_years
    cross join (
        values
        {%- for level in expected_levels %}
            ('{{ level }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as levels (geography_level)
),

national as (
    select * from regions
    where geography_level = 'national'
),

level_totals as (
    select
        data_year,
        geography_level,
        sum(providers) as providers,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_services) as total_services
    from regions
    where geography_level != 'national'
    group by
        data_year,
        geography_level
),

compared as (
    select
        coalesce(expected.data_year, level_totals.data_year) as data_year,
        coalesce(expected.geography_level, level_totals.geography_level) as geography_level,
        level_totals.providers,
        national.providers as national_providers,
        level_totals.total_medicare_payment,
        national.total_medicare_payment as national_medicare_payment,
        level_totals.total_services,
        national.total_services as national_services
    from expected
    full outer join level_totals
        on
            expected.data_year = level_totals.data_year
            and expected.geography_level = level_totals.geography_level
    left join national
        on coalesce(expected.data_year, level_totals.data_year) = national.data_year
)

select * from compared
where
    not coalesce(providers = national_providers, false)
    or not coalesce(abs(total_medicare_payment - national_medicare_payment) < 0.005, false)
    or not coalesce(total_services = national_services, false)
