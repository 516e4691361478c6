{#-
    Yearly payment per service of each HCPCS code, nationally and broken down by place of service and by
    specialty, with its change on the year before, its index to the first year and its compound annual
    growth since then. cost_trends, cost_trends_by_place_of_service and cost_trends_by_specialty each
    read one breakdown. The yearly totals come from int_service_cost_years, which is incremental by data
    year; this model follows them through the years (the first year of a series sets its index), so it is
    rebuilt whole from their small table.
-#}

with

yearly_totals as (
    select * from {{ ref('int_service_cost_years') }}
),

rates as (
    select
        *,
        {{ safe_divide('total_medicare_payment', 'total_services') }} as payment_per_service,
        {{ safe_divide('total_allowed_amount', 'total_services') }} as allowed_per_service
    from yearly_totals
),

-- a series is one breakdown value of one code, followed through the years
with_history as (
    select
        *,
        lag(data_year) over trend_series as previous_data_year,
        lag(payment_per_service) over trend_series as previous_payment_per_service,
        lag(allowed_per_service) over trend_series as previous_allowed_per_service,
        lag(total_services) over trend_series as previous_total_services,
        min(data_year) over trend_series as base_data_year,
        first_value(payment_per_service) over trend_series as base_payment_per_service
    from rates
    -- no frame clause: Spark takes none on lag, and with one row per year of a series the default frame
    -- (every earlier year through this one) is the same for min and first_value
    window trend_series as (
        partition by breakdown, breakdown_value, hcpcs_code
        order by data_year
    )
),

with_growth as (
    select
        *,
        -- a change on the year before only when the year before has data; a gap year gives null
        previous_data_year = data_year - 1 as has_previous_year,
        {{ safe_divide('payment_per_service', 'base_payment_per_service') }} as growth_since_base,
        data_year - base_data_year as years_since_base
    from with_history
),

final as (
    select
        breakdown,
        breakdown_value,
        hcpcs_code,
        data_year,
        provider_count,
        total_services,
        total_submitted_charge_amount,
        total_allowed_amount,
        total_medicare_payment,
        payment_per_service,
        allowed_per_service,
        case
            when has_previous_year
                then {{ safe_divide(
                    'payment_per_service - previous_payment_per_service', 'previous_payment_per_service'
                ) }}
        end as payment_per_service_yoy_change,
        case
            when has_previous_year
                then {{ safe_divide(
                    'allowed_per_service - previous_allowed_per_service', 'previous_allowed_per_service'
                ) }}
        end as allowed_per_service_yoy_change,
        case
            when has_previous_year
                then {{ safe_divide(
                    'total_services - previous_total_services', 'previous_total_services'
                ) }}
        end as services_yoy_change,
        base_data_year,
        base_payment_per_service,
        100 * growth_since_base as payment_per_service_index,
        -- (rate / base rate) ^ (1 / years since the base year) - 1; null in the base year itself
        case
            when years_since_base > 0 then power(growth_since_base, 1.0 / years_since_base) - 1
        end as payment_per_service_cagr
    from with_growth
)

select * from final
