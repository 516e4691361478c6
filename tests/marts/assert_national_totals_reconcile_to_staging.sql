{#
    Rule: every mart that covers all services adds up, per data year, to staging to the cent: Medicare
    payment, allowed amount and submitted charges (each average times total_services, summed in decimal)
    and services. Fails with one row per mart and data year that differs or is missing on either side.
    The marts expected are a fixed list, not read from their rows: an empty mart fails every year.
#}
{%- set expected_marts = [
    'fct_provider_service_year',
    'provider_year_summary',
    'region_year_summary',
    'cost_trends',
    'cost_trends_by_place_of_service',
    'cost_trends_by_specialty',
] %}

with

provider_services as (
    select * from {{ ref('stg_cms__provider_services') }}
),

provider_service_years as (
    select * from {{ ref('fct_provider_service_year') }}
),

provider_years as (
    select * from {{ ref('provider_year_summary') }}
),

regions as (
    select * from {{ ref('region_year_summary') }}
),

trends as (
    select * from {{ ref('cost_trends') }}
),

trends_by_place as (
    select * from {{ ref('cost_trends_by_place_of_service') }}
),

trends_by_specialty as (
    select * from {{ ref('cost_trends_by_specialty') }}
),

staging_totals as (
    select
        data_year,
        sum(avg_medicare_payment_amount * total_services) as total_medicare_payment,
        sum(avg_medicare_allowed_amount * total_services) as total_allowed_amount,
        sum(avg_submitted_charge * total_services) as total_submitted_charge_amount,
        sum(total_services) as total_services
    from provider_services
    group by data_year
),

mart_totals as (
    select
        'fct_provider_service_year' as mart,
        data_year,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        sum(total_services) as total_services
    from provider_service_years
    group by data_year

    union all

    select
        'provider_year_summary' as mart,
        data_year,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        sum(total_services) as total_services
    from provider_years
    group by data_year

    union all

    select
        'region_year_summary' as mart,
        data_year,
        total_medicare_payment,
        total_allowed_amount,
        total_submitted_charge_amount,
        total_services
    from regions
    where geography_level = 'national'

    union all

    select
        'cost_trends' as mart,
        data_year,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        sum(total_services) as total_services
    from trends
    group by data_year

    union all

    select
        'cost_trends_by_place_of_service' as mart,
        data_year,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        sum(total_services) as total_services
    from trends_by_place
    group by data_year

    union all

    select
        'cost_trends_by_specialty' as mart,
        data_year,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        sum(total_services) as total_services
    from trends_by_specialty
    group by data_year
),

marts as (
    select expected_marts.mart
    from (
        values
        {%- for mart in expected_marts %}
            ('{{ mart }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as expected_marts (mart)
),

expected as (
    select
        marts.mart,
        staging_totals.*
    from marts
    cross join staging_totals
),

compared as (
    select
        coalesce(expected.mart, mart_totals.mart) as mart,
        coalesce(expected.data_year, mart_totals.data_year) as data_year,
        expected.total_medicare_payment as staging_medicare_payment,
        mart_totals.total_medicare_payment as mart_medicare_payment,
        expected.total_allowed_amount as staging_allowed_amount,
        mart_totals.total_allowed_amount as mart_allowed_amount,
        expected.total_submitted_charge_amount as staging_submitted_charge_amount,
        mart_totals.total_submitted_charge_amount as mart_submitted_charge_amount,
        expected.total_services as staging_services,
        mart_totals.total_services as mart_services
    from expected
    full outer join mart_totals
        on
            expected.mart = mart_totals.mart
            and expected.data_year = mart_totals.data_year
)

select * from compared
where
    not coalesce(abs(staging_medicare_payment - mart_medicare_payment) < 0.005, false)
    or not coalesce(abs(staging_allowed_amount - mart_allowed_amount) < 0.005, false)
    or not coalesce(abs(staging_submitted_charge_amount - mart_submitted_charge_amount) < 0.005, false)
    or not coalesce(staging_services = mart_services, false)
