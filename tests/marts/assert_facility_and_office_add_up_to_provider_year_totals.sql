{#
    Rule: in provider_year_summary a provider-year's facility and office parts add up to its totals, and each
    part equals staging's rows of that place of service: Medicare payment to the cent (average times
    services, summed in decimal) and services exactly. Fails with one row per provider-year that does not,
    or that is missing on either side.
#}

with

provider_services as (
    select * from {{ ref('stg_cms__provider_services') }}
),

provider_years as (
    select * from {{ ref('provider_year_summary') }}
),

staging_splits as (
    select
        npi,
        data_year,
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
        coalesce(staging_splits.npi, provider_years.npi) as npi,
        coalesce(staging_splits.data_year, provider_years.data_year) as data_year,
        staging_splits.facility_medicare_payment as staging_facility_medicare_payment,
        provider_years.facility_medicare_payment,
        staging_splits.office_medicare_payment as staging_office_medicare_payment,
        provider_years.office_medicare_payment,
        provider_years.total_medicare_payment,
        staging_splits.facility_services as staging_facility_services,
        provider_years.facility_services,
        staging_splits.office_services as staging_office_services,
        provider_years.office_services,
        provider_years.total_services
    from staging_splits
    full outer join provider_years
        on
            staging_splits.npi = provider_years.npi
            and staging_splits.data_year = provider_years.data_year
)

select * from compared
where
    not coalesce(abs(facility_medicare_payment - staging_facility_medicare_payment) < 0.005, false)
    or not coalesce(abs(office_medicare_payment - staging_office_medicare_payment) < 0.005, false)
    or not coalesce(abs(facility_medicare_payment + office_medicare_payment - total_medicare_payment) < 0.005, false)
    or not coalesce(facility_services = staging_facility_services, false)
    or not coalesce(office_services = staging_office_services, false)
    or not coalesce(facility_services + office_services = total_services, false)
