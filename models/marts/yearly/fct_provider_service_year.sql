{{ config(year_reach='same') }}
{%- set years = refresh_years() %}
with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
    {{ where_refresh_years(years) }}
),

final as (
    select
        data_year,
        npi,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state,
        total_beneficiaries,
        total_services,
        total_beneficiary_day_services,
        avg_submitted_charge,
        avg_medicare_allowed_amount,
        avg_medicare_payment_amount,
        avg_medicare_standardized_amount,
        total_submitted_charge_amount,
        total_allowed_amount,
        total_medicare_payment,
        total_standardized_payment
    from provider_services
)

select * from final
