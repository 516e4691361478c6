with

service_cost_trends as (
    select * from {{ ref('int_service_cost_trends') }}
),

final as (
    select
        hcpcs_code,
        breakdown_value as provider_type,
        data_year,
        provider_count,
        total_services,
        total_submitted_charge_amount,
        total_allowed_amount,
        total_medicare_payment,
        payment_per_service,
        allowed_per_service,
        payment_per_service_yoy_change,
        allowed_per_service_yoy_change,
        services_yoy_change,
        base_data_year,
        payment_per_service_index,
        payment_per_service_cagr
    from service_cost_trends
    where breakdown = 'specialty'
)

select * from final
