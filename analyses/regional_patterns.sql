-- Question: Which regional patterns exist?
--
-- For the latest data year, every Census region and division, state and urban/rural (RUCA) class against
-- the nation: payment per service and per provider as an index (nation = 100), the facility and office
-- rates, the share of services billed in a facility, and the geography's rank within its level. A high
-- payment-per-service index with an ordinary facility share points at prices or code mix, not setting.

with

regions as (
    select * from {{ ref('region_year_summary') }}
),

latest_year as (
    select max(data_year) as data_year from regions
),

national as (
    select regions.*
    from regions
    inner join latest_year
        on regions.data_year = latest_year.data_year
    where regions.geography_level = 'national'
),

geographies as (
    select regions.*
    from regions
    inner join latest_year
        on regions.data_year = latest_year.data_year
    where regions.geography_level != 'national'
),

final as (
    select
        geographies.data_year,
        geographies.geography_level,
        geographies.geography_code,
        geographies.geography_name,
        geographies.providers,
        round(geographies.total_medicare_payment, 2) as total_medicare_payment,
        round(geographies.payment_per_service, 2) as payment_per_service,
        round(100 * geographies.payment_per_service / national.payment_per_service, 1) as payment_per_service_index,
        round(geographies.payment_per_provider, 2) as payment_per_provider,
        round(100 * geographies.payment_per_provider / national.payment_per_provider, 1) as payment_per_provider_index,
        round(geographies.facility_payment_per_service, 2) as facility_payment_per_service,
        round(geographies.office_payment_per_service, 2) as office_payment_per_service,
        round(geographies.facility_service_share, 4) as facility_service_share,
        rank() over (
            partition by geographies.geography_level
            order by geographies.payment_per_service desc
        ) as payment_per_service_rank
    from geographies
    inner join national
        on geographies.data_year = national.data_year
)

select * from final
order by
    geography_level,
    payment_per_service_rank
