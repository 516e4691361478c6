{{ config(year_reach='same') }}
{%- set years = refresh_years() %}
with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
    {{ where_refresh_years(years) }}
),

provider_years as (
    select * from {{ ref('int_provider_year_attributes') }}
    {{ where_refresh_years(years) }}
),

totals as (
    select
        npi,
        data_year,
        sum(total_medicare_payment) as total_medicare_payment,
        sum(total_allowed_amount) as total_allowed_amount,
        sum(total_submitted_charge_amount) as total_submitted_charge_amount,
        -- null unless every row carries a standardized amount (legacy CY2012/13 files lack it), so a
        -- partial sum never passes for a total
        case
            when count(total_standardized_payment) = count(*) then sum(total_standardized_payment)
        end as total_standardized_payment,
        -- services summed as DECIMAL(38, 3) on every engine (Spark widens a sum by 10 digits only)
        cast(sum(total_services) as decimal(38, 3)) as total_services,
        cast(sum(total_beneficiary_day_services) as bigint) as total_beneficiary_day_services,
        -- the same beneficiaries appear under several codes, so their sum would overcount them;
        -- the largest code count is the closest published lower bound
        max(total_beneficiaries) as beneficiaries,
        count(distinct hcpcs_code) as distinct_hcpcs_count,
        cast(sum(case when place_of_service = 'F' then total_services else 0 end) as decimal(38, 3))
            as facility_services,
        cast(sum(case when place_of_service = 'O' then total_services else 0 end) as decimal(38, 3))
            as office_services,
        sum(case when place_of_service = 'F' then total_medicare_payment else 0 end) as facility_medicare_payment,
        sum(case when place_of_service = 'O' then total_medicare_payment else 0 end) as office_medicare_payment
    from provider_services
    group by
        npi,
        data_year
),

final as (
    select
        totals.npi,
        totals.data_year,
        provider_years.provider_type,
        provider_years.provider_entity_code,
        provider_years.provider_state,
        provider_years.provider_state_name,
        provider_years.census_region,
        provider_years.census_division,
        provider_years.ruca_class,
        totals.total_medicare_payment,
        totals.total_allowed_amount,
        totals.total_submitted_charge_amount,
        totals.total_standardized_payment,
        totals.total_services,
        totals.total_beneficiary_day_services,
        totals.beneficiaries,
        totals.distinct_hcpcs_count,
        totals.facility_services,
        totals.office_services,
        totals.facility_medicare_payment,
        totals.office_medicare_payment
    from totals
    inner join provider_years
        on
            totals.npi = provider_years.npi
            and totals.data_year = provider_years.data_year
)

select * from final
