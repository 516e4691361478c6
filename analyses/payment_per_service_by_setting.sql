-- Question: What does Medicare pay on average per service in facility and office settings?
--
-- Per HCPCS code and data year, and for all codes together: Medicare payment per service in a facility (F)
-- and in an office or other non-facility setting (O), how much more the office rate is, and the share of
-- services billed in a facility. Payment per service is total payment / total services, so it weights each
-- provider by its volume. The office rate is higher because it covers the practice's own expenses, which a
-- facility bills separately.

with

trends_by_place as (
    select * from {{ ref('cost_trends_by_place_of_service') }}
),

services as (
    select * from {{ ref('dim_service') }}
),

regions as (
    select * from {{ ref('region_year_summary') }}
),

code_years as (
    select
        hcpcs_code,
        data_year,
        sum(case when place_of_service = 'F' then total_medicare_payment else 0 end) as facility_medicare_payment,
        sum(case when place_of_service = 'O' then total_medicare_payment else 0 end) as office_medicare_payment,
        sum(case when place_of_service = 'F' then total_services else 0 end) as facility_services,
        sum(case when place_of_service = 'O' then total_services else 0 end) as office_services
    from trends_by_place
    group by
        hcpcs_code,
        data_year
),

all_codes as (
    select
        'all codes' as hcpcs_code,
        data_year,
        facility_medicare_payment,
        office_medicare_payment,
        facility_services,
        office_services
    from regions
    where geography_level = 'national'
),

settings as (
    select * from code_years
    union all
    select * from all_codes
),

final as (
    select
        settings.hcpcs_code,
        coalesce(services.hcpcs_description, 'All codes') as hcpcs_description,
        settings.data_year,
        round({{ safe_divide('settings.facility_medicare_payment', 'settings.facility_services') }}, 2)
            as facility_payment_per_service,
        round({{ safe_divide('settings.office_medicare_payment', 'settings.office_services') }}, 2)
            as office_payment_per_service,
        round(
            {{ safe_divide('settings.office_medicare_payment', 'settings.office_services') }}
            / nullif({{ safe_divide('settings.facility_medicare_payment', 'settings.facility_services') }}, 0),
            3
        ) as office_to_facility_ratio,
        round(
            {{ safe_divide('settings.facility_services', 'settings.facility_services + settings.office_services') }},
            4
        ) as facility_service_share
    from settings
    left join services
        on settings.hcpcs_code = services.hcpcs_code
)

select * from final
order by
    hcpcs_code,
    data_year
