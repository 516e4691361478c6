{#
    Rule: per HCPCS code and data year, cost_trends equals staging to the cent (Medicare payment, allowed
    amount, services, distinct providers), and its place-of-service and specialty breakdowns add back up to
    staging's payment and services. Fails with one row per code, year and trend model that differs or is
    missing on either side. The trend models expected are a fixed list, not read from their rows: an empty
    one fails every code and year.
#}
{%- set expected_trend_models = ['cost_trends', 'cost_trends_by_place_of_service', 'cost_trends_by_specialty'] %}

with

provider_services as (
    select * from {{ ref('stg_cms__provider_services') }}
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

staging_code_years as (
    select
        hcpcs_code,
        data_year,
        count(distinct npi) as provider_count,
        sum(avg_medicare_payment_amount * total_services) as total_medicare_payment,
        sum(avg_medicare_allowed_amount * total_services) as total_allowed_amount,
        sum(total_services) as total_services
    from provider_services
    group by
        hcpcs_code,
        data_year
),

trend_code_years as (
    select
        'cost_trends' as trend_model,
        hcpcs_code,
        data_year,
        provider_count,
        total_medicare_payment,
        total_allowed_amount,
        total_services
    from trends

    union all

    -- a provider can bill a code in both settings, so only the totals add up across settings
    select
        'cost_trends_by_place_of_service' as trend_model,
        hcpcs_code,
        data_year,
        null as provider_count,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_services) as total_services
    from trends_by_place
    group by
        hcpcs_code,
        data_year

    union all

    select
        'cost_trends_by_specialty' as trend_model,
        hcpcs_code,
        data_year,
        sum(provider_count) as provider_count,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_services) as total_services
    from trends_by_specialty
    group by
        hcpcs_code,
        data_year
),

trend_models as (
    select expected_trend_models.trend_model
    from (
        values
        {%- for trend_model in expected_trend_models %}
            ('{{ trend_model }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as expected_trend_models (trend_model)
),

expected as (
    select
        trend_models.trend_model,
        staging_code_years.*
    from trend_models
    cross join staging_code_years
),

compared as (
    select
        coalesce(expected.trend_model, trend_code_years.trend_model) as trend_model,
        coalesce(expected.hcpcs_code, trend_code_years.hcpcs_code) as hcpcs_code,
        coalesce(expected.data_year, trend_code_years.data_year) as data_year,
        expected.provider_count as staging_provider_count,
        trend_code_years.provider_count as mart_provider_count,
        expected.total_medicare_payment as staging_medicare_payment,
        trend_code_years.total_medicare_payment as mart_medicare_payment,
        expected.total_allowed_amount as staging_allowed_amount,
        trend_code_years.total_allowed_amount as mart_allowed_amount,
        expected.total_services as staging_services,
        trend_code_years.total_services as mart_services
    from expected
    full outer join trend_code_years
        on
            expected.trend_model = trend_code_years.trend_model
            and expected.hcpcs_code = trend_code_years.hcpcs_code
            and expected.data_year = trend_code_years.data_year
)

select * from compared
where
    not coalesce(abs(staging_medicare_payment - mart_medicare_payment) < 0.005, false)
    or not coalesce(abs(staging_allowed_amount - mart_allowed_amount) < 0.005, false)
    or not coalesce(staging_services = mart_services, false)
    -- each provider has one specialty a year, so providers add up across specialties too
    or (mart_provider_count is not null and staging_provider_count != mart_provider_count)
    or (trend_model != 'cost_trends_by_place_of_service' and mart_provider_count is null)
