{{ config(year_reach='same') }}
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
-- every mart sees exactly one specialty, state and RUCA code per provider and year. arg_min over that
-- order (services negated) keeps one row per provider-year in a hash aggregate: a row_number() window
-- sorted every row of a national year (8.5 s against 2.4 s). The key is unique within a provider-year
-- (code and place of service are the staged key), so the choice never depends on row order.
deciding_rows as (
    select
        npi,
        data_year,
        {{ arg_min_struct(
            [
                ['provider_last_org_name', 'provider_last_org_name'],
                ['provider_first_name', 'provider_first_name'],
                ['provider_middle_initial', 'provider_middle_initial'],
                ['provider_credentials', 'provider_credentials'],
                ['provider_gender', 'provider_gender'],
                ['provider_entity_code', 'provider_entity_code'],
                ['provider_street_1', 'provider_street_1'],
                ['provider_street_2', 'provider_street_2'],
                ['provider_city', 'provider_city'],
                ['provider_state', 'provider_state'],
                ['provider_state_fips', 'provider_state_fips'],
                ['provider_zip5', 'provider_zip5'],
                ['provider_ruca', 'provider_ruca'],
                ['provider_ruca_description', 'provider_ruca_description'],
                ['provider_country', 'provider_country'],
                ['provider_type', 'provider_type'],
                ['medicare_participation_indicator', 'medicare_participation_indicator']
            ],
            [
                ['services_descending', '-total_services'],
                ['hcpcs_code', 'hcpcs_code'],
                ['place_of_service', 'place_of_service']
            ]
        ) }} as attributes
    from provider_services
    group by npi, data_year
),

provider_years as (
    select
        deciding_rows.npi,
        deciding_rows.data_year,
        deciding_rows.attributes.provider_last_org_name,
        deciding_rows.attributes.provider_first_name,
        deciding_rows.attributes.provider_middle_initial,
        deciding_rows.attributes.provider_credentials,
        deciding_rows.attributes.provider_gender,
        deciding_rows.attributes.provider_entity_code,
        deciding_rows.attributes.provider_street_1,
        deciding_rows.attributes.provider_street_2,
        deciding_rows.attributes.provider_city,
        deciding_rows.attributes.provider_state,
        deciding_rows.attributes.provider_state_fips,
        deciding_rows.attributes.provider_zip5,
        deciding_rows.attributes.provider_ruca,
        deciding_rows.attributes.provider_ruca_description,
        deciding_rows.attributes.provider_country,
        deciding_rows.attributes.provider_type,
        deciding_rows.attributes.medicare_participation_indicator
    from deciding_rows
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
