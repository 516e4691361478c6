{#
    Rule: in region_year_summary every provider-year falls in exactly one geography of each level, so each
    level's rows add up to the national row of the year: Medicare payment (to the cent), services and
    providers. Fails with one row per data year and level that does not.
#}

with

regions as (
    select * from {{ ref('region_year_summary') }}
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
        level_totals.data_year,
        level_totals.geography_level,
        level_totals.providers,
        national.providers as national_providers,
        level_totals.total_medicare_payment,
        national.total_medicare_payment as national_medicare_payment,
        level_totals.total_services,
        national.total_services as national_services
    from level_totals
    left join national
        on level_totals.data_year = national.data_year
)

select * from compared
where
    not coalesce(providers = national_providers, false)
    or not coalesce(abs(total_medicare_payment - national_medicare_payment) < 0.005, false)
    or not coalesce(total_services = national_services, false)
