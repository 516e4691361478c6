with

provider_years as (
    select * from {{ ref('int_provider_year_attributes') }}
),

exclusion_status as (
    select * from {{ ref('int_provider_exclusion_status') }}
),

activity as (
    select
        npi,
        min(data_year) as first_data_year,
        max(data_year) as last_data_year,
        count(*) as active_year_count
    from provider_years
    group by npi
),

latest_years as (
    select provider_years.*
    from provider_years
    inner join activity
        on
            provider_years.npi = activity.npi
            and provider_years.data_year = activity.last_data_year
),

final as (
    select
        latest_years.npi,
        case
            when latest_years.provider_entity_code = 'O'
                then latest_years.provider_last_org_name
            else
                concat_ws(
                    ' ',
                    latest_years.provider_first_name,
                    latest_years.provider_middle_initial,
                    latest_years.provider_last_org_name
                )
        end as provider_name,
        latest_years.provider_last_org_name,
        latest_years.provider_first_name,
        latest_years.provider_middle_initial,
        latest_years.provider_credentials,
        latest_years.provider_gender,
        latest_years.provider_entity_code,
        latest_years.provider_entity_type,
        latest_years.provider_type,
        latest_years.medicare_participation_indicator,
        latest_years.provider_street_1,
        latest_years.provider_street_2,
        latest_years.provider_city,
        latest_years.provider_state,
        latest_years.provider_state_name,
        latest_years.provider_state_fips,
        latest_years.provider_zip5,
        latest_years.provider_country,
        latest_years.census_region,
        latest_years.census_division,
        latest_years.provider_ruca,
        latest_years.provider_ruca_description,
        latest_years.ruca_class,
        activity.first_data_year,
        activity.last_data_year,
        activity.active_year_count,
        exclusion_status.first_fraud_exclusion_date,
        exclusion_status.first_fraud_exclusion_type,
        coalesce(exclusion_status.is_excluded_now, false) as is_excluded_now
    from latest_years
    inner join activity
        on latest_years.npi = activity.npi
    left join exclusion_status
        on latest_years.npi = exclusion_status.npi
)

select * from final
