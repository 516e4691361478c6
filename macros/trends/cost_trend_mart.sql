{#-
    The select of the three cost-trend marts: one breakdown of int_service_cost_trends (its rows where
    breakdown = `breakdown`: 'national', 'place_of_service' or 'specialty'), with the breakdown's value
    named `breakdown_column` (place_of_service, provider_type; none for the national trend, which has
    none). The marts differ only in these two arguments, so their columns and order stay the same.
-#}
{% macro cost_trend_mart(breakdown, breakdown_column=none) %}
with

service_cost_trends as (
    select * from {{ ref('int_service_cost_trends') }}
),

final as (
    select
        hcpcs_code,
        {%- if breakdown_column %}
        breakdown_value as {{ breakdown_column }},
        {%- endif %}
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
    where breakdown = '{{ breakdown }}'
)

select * from final
{% endmacro %}
