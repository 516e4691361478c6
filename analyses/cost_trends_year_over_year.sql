-- Question: How do costs trend year over year?
--
-- Per HCPCS code: national Medicare payment per service each year, its change on the year before, its
-- index to the code's first year (= 100) and its compound annual growth since then, beside the services
-- billed, so a rise in spending can be split into price (payment per service) and volume (services).

with

trends as (
    select * from {{ ref('cost_trends') }}
),

services as (
    select * from {{ ref('dim_service') }}
),

final as (
    select
        trends.hcpcs_code,
        services.hcpcs_description,
        trends.data_year,
        trends.total_services,
        round(trends.total_medicare_payment, 2) as total_medicare_payment,
        round(trends.payment_per_service, 2) as payment_per_service,
        round(trends.payment_per_service_yoy_change, 4) as payment_per_service_yoy_change,
        round(trends.services_yoy_change, 4) as services_yoy_change,
        round(trends.payment_per_service_index, 1) as payment_per_service_index,
        round(trends.payment_per_service_cagr, 4) as payment_per_service_cagr
    from trends
    left join services
        on trends.hcpcs_code = services.hcpcs_code
)

select * from final
order by
    hcpcs_code,
    data_year
