{#
    Rule: provider_year_summary has exactly the (npi, data_year) pairs of staging, and each row's totals
    equal staging's to the cent: Medicare payment, allowed amount, submitted charges, services,
    beneficiary-day services, beneficiaries (the largest count over the provider's rows) and distinct
    codes; and its facility and office parts each equal staging's rows of that place of service (payment
    to the cent, services exactly) and add up to its totals. One pass over staging. Fails with one row per
    provider-year that differs or is missing on either side.
#}

with

provider_services as (
    select * from {{ ref('stg_cms__provider_services') }}
),

provider_years as (
    select * from {{ ref('provider_year_summary') }}
),

staging_provider_years as (
    select
        npi,
        data_year,
        sum(avg_medicare_payment_amount * total_services) as total_medicare_payment,
        sum(avg_medicare_allowed_amount * total_services) as total_allowed_amount,
        sum(avg_submitted_charge * total_services) as total_submitted_charge_amount,
        sum(total_services) as total_services,
        sum(total_beneficiary_day_services) as total_beneficiary_day_services,
        max(total_beneficiaries) as beneficiaries,
        count(distinct hcpcs_code) as distinct_hcpcs_count,
        sum(case when place_of_service = 'F' then avg_medicare_payment_amount * total_services else 0 end)
            as facility_medicare_payment,
        sum(case when place_of_service = 'O' then avg_medicare_payment_amount * total_services else 0 end)
            as office_medicare_payment,
        sum(case when place_of_service = 'F' then total_services else 0 end) as facility_services,
        sum(case when place_of_service = 'O' then total_services else 0 end) as office_services
    from provider_services
    group by
        npi,
        data_year
),

compared as (
    select
        coalesce(staging_provider_years.npi, provider_years.npi) as npi,
        coalesce(staging_provider_years.data_year, provider_years.data_year) as data_year,
        staging_provider_years.total_medicare_payment as staging_medicare_payment,
        provider_years.total_medicare_payment as mart_medicare_payment,
        staging_provider_years.total_allowed_amount as staging_allowed_amount,
        provider_years.total_allowed_amount as mart_allowed_amount,
        staging_provider_years.total_submitted_charge_amount as staging_submitted_charge_amount,
        provider_years.total_submitted_charge_amount as mart_submitted_charge_amount,
        staging_provider_years.total_services as staging_services,
        provider_years.total_services as mart_services,
        staging_provider_years.total_beneficiary_day_services as staging_beneficiary_day_services,
        provider_years.total_beneficiary_day_services as mart_beneficiary_day_services,
        staging_provider_years.beneficiaries as staging_beneficiaries,
        provider_years.beneficiaries as mart_beneficiaries,
        staging_provider_years.distinct_hcpcs_count as staging_distinct_hcpcs_count,
        provider_years.distinct_hcpcs_count as mart_distinct_hcpcs_count,
        staging_provider_years.facility_medicare_payment as staging_facility_medicare_payment,
        provider_years.facility_medicare_payment as mart_facility_medicare_payment,
        staging_provider_years.office_medicare_payment as staging_office_medicare_payment,
        provider_years.office_medicare_payment as mart_office_medicare_payment,
        staging_provider_years.facility_services as staging_facility_services,
        provider_years.facility_services as mart_facility_services,
        staging_provider_years.office_services as staging_office_services,
        provider_years.office_services as mart_office_services
    from staging_provider_years
    full outer join provider_years
        on
            staging_provider_years.npi = provider_years.npi
            and staging_provider_years.data_year = provider_years.data_year
)

select * from compared
where
    not coalesce(abs(staging_medicare_payment - mart_medicare_payment) < 0.005, false)
    or not coalesce(abs(staging_allowed_amount - mart_allowed_amount) < 0.005, false)
    or not coalesce(abs(staging_submitted_charge_amount - mart_submitted_charge_amount) < 0.005, false)
    or not coalesce(staging_services = mart_services, false)
    or not coalesce(staging_beneficiary_day_services = mart_beneficiary_day_services, false)
    or not coalesce(staging_beneficiaries = mart_beneficiaries, false)
    or not coalesce(staging_distinct_hcpcs_count = mart_distinct_hcpcs_count, false)
    or not coalesce(abs(staging_facility_medicare_payment - mart_facility_medicare_payment) < 0.005, false)
    or not coalesce(abs(staging_office_medicare_payment - mart_office_medicare_payment) < 0.005, false)
    or not coalesce(
        abs(mart_facility_medicare_payment + mart_office_medicare_payment - mart_medicare_payment) < 0.005, false
    )
    or not coalesce(staging_facility_services = mart_facility_services, false)
    or not coalesce(staging_office_services = mart_office_services, false)
    or not coalesce(mart_facility_services + mart_office_services = mart_services, false)
