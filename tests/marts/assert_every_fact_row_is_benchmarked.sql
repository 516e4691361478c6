{#
    Rule: provider_peer_benchmarks holds exactly the rows of fct_provider_service_year, one benchmark per
    provider, code, place of service and year, with the same services and Medicare payment. Fails with one
    row per key on one side only or with different measures.
#}

with

-- in a yearly refresh, the data years the run recomputed in the fact (every year otherwise)
provider_service_years as (
    select * from {{ ref('fct_provider_service_year') }}
    where {{ tested_years_condition('fct_provider_service_year') }}
),

benchmarks as (
    select * from {{ ref('provider_peer_benchmarks') }}
    where {{ tested_years_condition('fct_provider_service_year') }}
),

compared as (
    select
        coalesce(provider_service_years.data_year, benchmarks.data_year) as data_year,
        coalesce(provider_service_years.npi, benchmarks.npi) as npi,
        coalesce(provider_service_years.hcpcs_code, benchmarks.hcpcs_code) as hcpcs_code,
        coalesce(provider_service_years.place_of_service, benchmarks.place_of_service) as place_of_service,
        provider_service_years.total_services as fact_services,
        benchmarks.total_services as benchmark_services,
        provider_service_years.total_medicare_payment as fact_medicare_payment,
        benchmarks.total_medicare_payment as benchmark_medicare_payment
    from provider_service_years
    full outer join benchmarks
        on
            provider_service_years.data_year = benchmarks.data_year
            and provider_service_years.npi = benchmarks.npi
            and provider_service_years.hcpcs_code = benchmarks.hcpcs_code
            and provider_service_years.place_of_service = benchmarks.place_of_service
)

select * from compared
where
    not coalesce(fact_services = benchmark_services, false)
    or not coalesce(fact_medicare_payment = benchmark_medicare_payment, false)
