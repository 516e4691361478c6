{{ config(year_reach='same') }}
{%- set years = refresh_years() %}
with

provider_services as (
    select * from {{ ref('stg_cms__provider_services') }}
    {{ where_refresh_years(years) }}
),

provider_years as (
    select * from {{ ref('int_provider_year_attributes') }}
    {{ where_refresh_years(years) }}
),

final as (
    select
        provider_services.data_year,
        provider_services.npi,
        provider_services.hcpcs_code,
        provider_services.place_of_service,
        provider_services.hcpcs_description,
        provider_services.hcpcs_drug_indicator,
        provider_years.provider_type,
        provider_years.provider_entity_code,
        provider_years.provider_state,
        provider_years.census_region,
        provider_years.census_division,
        provider_years.ruca_class,
        provider_services.total_beneficiaries,
        provider_services.total_services,
        provider_services.total_beneficiary_day_services,
        provider_services.avg_submitted_charge,
        provider_services.avg_medicare_allowed_amount,
        provider_services.avg_medicare_payment_amount,
        provider_services.avg_medicare_standardized_amount,
        -- CMS publishes per-service averages; a total is the average times the services, kept in decimal
        -- and never rounded so every sum reconciles to the raw data to the cent
        {{ money_total('provider_services.avg_submitted_charge', 'provider_services.total_services') }}
            as total_submitted_charge_amount,
        {{ money_total('provider_services.avg_medicare_allowed_amount', 'provider_services.total_services') }}
            as total_allowed_amount,
        {{ money_total('provider_services.avg_medicare_payment_amount', 'provider_services.total_services') }}
            as total_medicare_payment,
        {{ money_total('provider_services.avg_medicare_standardized_amount', 'provider_services.total_services') }}
            as total_standardized_payment,
        -- the five per-row rates the peer benchmarks compare, as doubles
        cast(provider_services.avg_medicare_payment_amount as double) as payment_per_service,
        cast(provider_services.avg_medicare_allowed_amount as double) as allowed_per_service,
        {{ safe_divide('provider_services.total_services', 'provider_services.total_beneficiaries') }}
            as services_per_beneficiary,
        {{ safe_divide('provider_services.total_beneficiary_day_services', 'provider_services.total_beneficiaries') }}
            as beneficiary_day_services_per_beneficiary,
        {{ safe_divide('provider_services.avg_submitted_charge', 'provider_services.avg_medicare_allowed_amount') }}
            as charge_to_allowed_ratio
    from provider_services
    inner join provider_years
        on
            provider_services.npi = provider_years.npi
            and provider_services.data_year = provider_years.data_year
)

select * from final
