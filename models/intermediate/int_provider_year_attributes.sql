{{
    config(
        materialized='incremental',
        incremental_strategy='year_refresh',
        year_reach='same',
        on_schema_change='append_new_columns',
        post_hook="{{ record_year_loads() }}"
    )
}}
{%- set years = refresh_years() %}
with

provider_services as (
    select * from {{ ref('stg_cms__provider_services') }}
    {{ where_refresh_years(years) }}
),

us_states as (
    select * from {{ ref('us_states') }}
),

ruca_codes as (
    select * from {{ ref('ruca_codes') }}
),

entity_codes as (
    select * from {{ ref('entity_codes') }}
),

-- CMS writes the same provider attributes on every row of a provider's year. Should two rows ever
-- disagree, the row with the most services decides (ties: lowest code, then place of service), so
-- every mart sees exactly one specialty, state and RUCA code per provider and year.
ranked_rows as (
    select
        npi,
        data_year,
        provider_last_org_name,
        provider_first_name,
        provider_middle_initial,
        provider_credentials,
        provider_gender,
        provider_entity_code,
        provider_street_1,
        provider_street_2,
        provider_city,
        provider_state,
        provider_state_fips,
        provider_zip5,
        provider_ruca,
        provider_ruca_description,
        provider_country,
        provider_type,
        medicare_participation_indicator,
        row_number() over (
            partition by npi, data_year
            order by total_services desc, hcpcs_code asc, place_of_service asc
        ) as attribute_rank
    from provider_services
),

provider_years as (
    select * from ranked_rows
    where attribute_rank = 1
),

final as (
    select
        provider_years.npi,
        provider_years.data_year,
        provider_years.provider_last_org_name,
        provider_years.provider_first_name,
        provider_years.provider_middle_initial,
        provider_years.provider_credentials,
        provider_years.provider_gender,
        provider_years.provider_entity_code,
        entity_codes.entity_type as provider_entity_type,
        provider_years.provider_street_1,
        provider_years.provider_street_2,
        provider_years.provider_city,
        provider_years.provider_state,
        us_states.state_name as provider_state_name,
        provider_years.provider_state_fips,
        provider_years.provider_zip5,
        provider_years.provider_country,
        us_states.census_region,
        us_states.census_division,
        provider_years.provider_ruca,
        provider_years.provider_ruca_description,
        coalesce(ruca_codes.urban_rural_class, 'unknown') as ruca_class,
        provider_years.provider_type,
        provider_years.medicare_participation_indicator
    from provider_years
    left join us_states
        on provider_years.provider_state = us_states.state_code
    left join ruca_codes
        on provider_years.provider_ruca = ruca_codes.ruca_code
    left join entity_codes
        on provider_years.provider_entity_code = entity_codes.entity_code
)

select * from final
