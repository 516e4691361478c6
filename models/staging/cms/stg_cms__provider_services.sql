with

checked_rows as (
    select * from {{ ref('base_cms__provider_service_rows') }}
),

final as (
    select
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
        cast(total_beneficiaries as integer) as total_beneficiaries,
        total_services,
        cast(total_beneficiary_day_services as integer) as total_beneficiary_day_services,
        avg_submitted_charge,
        avg_medicare_allowed_amount,
        avg_medicare_payment_amount,
        avg_medicare_standardized_amount,
        data_year,
        source_file
    from checked_rows
    where rejection_reason is null
)

select * from final
