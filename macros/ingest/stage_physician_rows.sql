{#-
    The select of base_cms__provider_service_rows for the raw files of `specs` (physician_file_specs()):
    every parsed data row, typed and checked against the rules of a single row. A macro so that
    recover_swallowed_lines() stages the lines it re-reads by exactly the same rules.
-#}
{% macro stage_physician_rows(specs) -%}
with

parsed_rows as (
    {{ read_physician_files(specs) }}
),

trimmed as (
    select
        source_file,
        data_year,
        source_layout,
        source_row_number,
        nullif(trim(npi), '') as npi,
        nullif(trim(provider_last_org_name), '') as provider_last_org_name,
        nullif(trim(provider_first_name), '') as provider_first_name,
        nullif(trim(provider_middle_initial), '') as provider_middle_initial,
        nullif(trim(provider_credentials), '') as provider_credentials,
        nullif(trim(provider_gender), '') as provider_gender,
        nullif(trim(provider_entity_code), '') as provider_entity_code,
        nullif(trim(provider_street_1), '') as provider_street_1,
        nullif(trim(provider_street_2), '') as provider_street_2,
        nullif(trim(provider_city), '') as provider_city,
        nullif(upper(trim(provider_state)), '') as provider_state,
        nullif(trim(provider_state_fips), '') as provider_state_fips,
        nullif(trim(provider_zip5), '') as provider_zip,
        nullif(trim(provider_ruca), '') as provider_ruca,
        nullif(trim(provider_ruca_description), '') as provider_ruca_description,
        nullif(trim(provider_country), '') as provider_country,
        nullif(trim(provider_type), '') as provider_type,
        nullif(upper(trim(medicare_participation_indicator)), '') as medicare_participation_indicator,
        nullif(upper(trim(hcpcs_code)), '') as hcpcs_code,
        nullif(trim(hcpcs_description), '') as hcpcs_description,
        nullif(upper(trim(hcpcs_drug_indicator)), '') as hcpcs_drug_indicator,
        nullif(upper(trim(place_of_service)), '') as place_of_service,
        nullif(trim(total_beneficiaries), '') as raw_total_beneficiaries,
        nullif(trim(total_services), '') as raw_total_services,
        nullif(trim(total_beneficiary_day_services), '') as raw_total_beneficiary_day_services,
        nullif(trim(avg_submitted_charge), '') as raw_avg_submitted_charge,
        nullif(trim(avg_medicare_allowed_amount), '') as raw_avg_medicare_allowed_amount,
        nullif(trim(avg_medicare_payment_amount), '') as raw_avg_medicare_payment_amount,
        nullif(trim(avg_medicare_standardized_amount), '') as raw_avg_medicare_standardized_amount
    from parsed_rows
),

typed as (
    select
        *,
        -- legacy files give 5- or 9-digit ZIPs (ZIP+4); staging keeps the ZIP5
        case
            when {{ regex_full_match('provider_zip', '[0-9]{9}') }} then left(provider_zip, 5)
            else provider_zip
        end as provider_zip5,
        {{ physician_number_casts() }}
    from trimmed
),

checked as (
    select
        *,
        {{ physician_row_rejection_reason() }} as row_rejection_reason
    from typed
),

final as (
    select
        source_file,
        data_year,
        source_layout,
        source_row_number,
        npi,
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
        hcpcs_code,
        hcpcs_description,
        hcpcs_drug_indicator,
        place_of_service,
        total_beneficiaries,
        total_services,
        total_beneficiary_day_services,
        avg_submitted_charge,
        avg_medicare_allowed_amount,
        avg_medicare_payment_amount,
        avg_medicare_standardized_amount,
        row_rejection_reason as rejection_reason,
        -- the raw text of the numbers, for the analyst who checks a rejected row against the file
        -- (stg_cms__provider_services_rejected shows it as raw_values)
        raw_total_beneficiaries,
        raw_total_services,
        raw_total_beneficiary_day_services,
        raw_avg_submitted_charge,
        raw_avg_medicare_allowed_amount,
        raw_avg_medicare_payment_amount,
        raw_avg_medicare_standardized_amount
    from checked
)

select * from final
{%- endmacro %}
