{#-
    The provider-year totals rolled up to five geography levels. Every provider-year falls in exactly one
    geography of each level, so each level's rows add up to the national row: providers outside the Census
    regions (territories, military and unknown addresses) are geography_code 'unassigned' at the region and
    division levels, providers with no RUCA code are 'unknown' at the RUCA level.
-#}

{{ config(year_reach='same') }}
{%- set years = refresh_years() %}
with

provider_years as (
    select * from {{ ref('int_provider_year_totals') }}
    {{ where_refresh_years(years) }}
),

geography_levels as (
    select 'national' as geography_level
    union all
    select 'census_region' as geography_level
    union all
    select 'census_division' as geography_level
    union all
    select 'state' as geography_level
    union all
    select 'ruca_class' as geography_level
),

-- each provider-year once per level, labelled with its geography at that level
provider_geographies as (
    select
        provider_years.*,
        geography_levels.geography_level,
        case geography_levels.geography_level
            when 'national' then 'US'
            when 'census_region' then coalesce(provider_years.census_region, 'unassigned')
            when 'census_division' then coalesce(provider_years.census_division, 'unassigned')
            when 'state' then provider_years.provider_state
            when 'ruca_class' then provider_years.ruca_class
        end as geography_code,
        case geography_levels.geography_level
            when 'national' then 'United States'
            when 'census_region' then coalesce(provider_years.census_region, 'unassigned')
            when 'census_division' then coalesce(provider_years.census_division, 'unassigned')
            when 'state' then coalesce(provider_years.provider_state_name, provider_years.provider_state)
            when 'ruca_class' then provider_years.ruca_class
        end as geography_name
    from provider_years
    cross join geography_levels
),

geography_totals as (
    select
        data_year,
        geography_level,
        geography_code,
        geography_name,
        count(*) as providers,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        sum(total_services) as total_services,
        sum(facility_services) as facility_services,
        sum(office_services) as office_services,
        sum(facility_medicare_payment) as facility_medicare_payment,
        sum(office_medicare_payment) as office_medicare_payment
    from provider_geographies
    group by
        data_year,
        geography_level,
        geography_code,
        geography_name
),

final as (
    select
        data_year,
        geography_level,
        geography_code,
        geography_name,
        providers,
        total_medicare_payment,
        total_allowed_amount,
        total_submitted_charge_amount,
        total_services,
        facility_services,
        office_services,
        facility_medicare_payment,
        office_medicare_payment,
        {{ safe_divide('total_medicare_payment', 'total_services') }} as payment_per_service,
        {{ safe_divide('total_allowed_amount', 'total_services') }} as allowed_per_service,
        {{ safe_divide('total_medicare_payment', 'providers') }} as payment_per_provider,
        {{ safe_divide('facility_medicare_payment', 'facility_services') }} as facility_payment_per_service,
        {{ safe_divide('office_medicare_payment', 'office_services') }} as office_payment_per_service,
        {{ safe_divide('facility_services', 'total_services') }} as facility_service_share
    from geography_totals
)

select * from final
