{{ config(year_reach='later') }}
{%- set years = refresh_years() %}
with

provider_years as (
    select * from {{ ref('int_provider_year_totals') }}
),

with_previous_year as (
    select
        *,
        lag(data_year) over provider_history as previous_data_year,
        lag(total_medicare_payment) over provider_history as previous_total_medicare_payment,
        lag(total_services) over provider_history as previous_total_services
    from provider_years
    window provider_history as (
        partition by npi
        order by data_year
    )
),

final as (
    select
        npi,
        data_year,
        provider_type,
        provider_entity_code,
        provider_state,
        census_region,
        census_division,
        ruca_class,
        total_medicare_payment,
        total_allowed_amount,
        total_submitted_charge_amount,
        total_standardized_payment,
        total_services,
        total_beneficiary_day_services,
        beneficiaries,
        distinct_hcpcs_count,
        facility_services,
        office_services,
        facility_medicare_payment,
        office_medicare_payment,
        {{ safe_divide('facility_services', 'total_services') }} as facility_service_share,
        {{ safe_divide('total_medicare_payment', 'total_services') }} as payment_per_service,
        {{ safe_divide('total_allowed_amount', 'total_services') }} as allowed_per_service,
        {{ safe_divide('total_services', 'beneficiaries') }} as services_per_beneficiary,
        {{ safe_divide('total_beneficiary_day_services', 'beneficiaries') }}
            as beneficiary_day_services_per_beneficiary,
        {{ safe_divide('total_submitted_charge_amount', 'total_allowed_amount') }} as charge_to_allowed_ratio,
        previous_data_year,
        -- changes on the provider's year before; null in its first year and after a year with no data
        case
            when previous_data_year = data_year - 1
                then {{ safe_divide(
                    'total_medicare_payment - previous_total_medicare_payment',
                    'previous_total_medicare_payment'
                ) }}
        end as payment_yoy_change,
        case
            when previous_data_year = data_year - 1
                then {{ safe_divide('total_services - previous_total_services', 'previous_total_services') }}
        end as services_yoy_change
    from with_previous_year
)

select * from final
{{ where_refresh_years(years) }}
