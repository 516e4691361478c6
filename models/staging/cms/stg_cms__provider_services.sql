{#-
    A view: the valid rows of base_cms__provider_service_rows (every rule of a single row passed, and not a
    repeat of a loaded key), so a national year is written to disk once, by the base model.
-#}
{{ config(materialized='view') }}

with

checked_rows as (
    select * from {{ ref('base_cms__provider_service_rows') }}
),

repeated_keys as (
    select * from {{ ref('base_cms__provider_service_repeated_keys') }}
),

final as (
    select
        checked_rows.npi,
        checked_rows.provider_last_org_name,
        checked_rows.provider_first_name,
        checked_rows.provider_middle_initial,
        checked_rows.provider_credentials,
        checked_rows.provider_gender,
        checked_rows.provider_entity_code,
        checked_rows.provider_street_1,
        checked_rows.provider_street_2,
        checked_rows.provider_city,
        checked_rows.provider_state,
        checked_rows.provider_state_fips,
        checked_rows.provider_zip5,
        checked_rows.provider_ruca,
        checked_rows.provider_ruca_description,
        checked_rows.provider_country,
        checked_rows.provider_type,
        checked_rows.medicare_participation_indicator,
        checked_rows.hcpcs_code,
        checked_rows.hcpcs_description,
        checked_rows.hcpcs_drug_indicator,
        checked_rows.place_of_service,
        cast(checked_rows.total_beneficiaries as integer) as total_beneficiaries,
        checked_rows.total_services,
        cast(checked_rows.total_beneficiary_day_services as integer) as total_beneficiary_day_services,
        checked_rows.avg_submitted_charge,
        checked_rows.avg_medicare_allowed_amount,
        checked_rows.avg_medicare_payment_amount,
        checked_rows.avg_medicare_standardized_amount,
        checked_rows.data_year,
        checked_rows.source_file
    from checked_rows
    left join repeated_keys
        on
            checked_rows.source_file = repeated_keys.source_file
            and checked_rows.source_row_number = repeated_keys.source_row_number
    where
        checked_rows.rejection_reason is null
        and repeated_keys.source_file is null
)

select * from final
