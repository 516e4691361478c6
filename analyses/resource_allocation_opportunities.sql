-- Question: Where could resources be allocated better?
--
-- For the latest data year, the providers whose Medicare payment for a service stands furthest above what
-- their peers would be paid for the same patients. Peers are the state peer group of provider_peer_benchmarks
-- (same code, setting, specialty and state, or the national peer group where the state one is too small), so
-- geographic differences in Medicare's fee schedule do not count as excess. A row is flagged when its payment
-- per service or its services per beneficiary is a robust outlier (robust z above the threshold below). Its
-- excess payment is its total payment minus what its beneficiaries would cost at the peer median payment per
-- service and the peer median services per beneficiary. Providers are ranked by their flagged excess: where
-- a reviewer starts. The excess is an upper bound on what review could redirect, not a finding of improper
-- payment.

{%- set robust_z_threshold = 3.5 %}  {#- Iglewicz and Hoaglin's usual cut-off for a modified z-score outlier #}
{%- set top_providers = 50 %}

with

benchmarks as (
    select * from {{ ref('provider_peer_benchmarks') }}
),

providers as (
    select * from {{ ref('dim_provider') }}
),

latest_year as (
    select max(data_year) as data_year from benchmarks
),

flagged_rows as (
    select
        benchmarks.npi,
        benchmarks.hcpcs_code,
        benchmarks.place_of_service,
        benchmarks.total_services,
        benchmarks.payment_per_service_state_peer_robust_z,
        benchmarks.services_per_beneficiary_state_peer_robust_z,
        cast(benchmarks.total_medicare_payment as double precision)
        - benchmarks.payment_per_service_state_peer_median
        * benchmarks.services_per_beneficiary_state_peer_median
        * benchmarks.total_beneficiaries as excess_payment
    from benchmarks
    inner join latest_year
        on benchmarks.data_year = latest_year.data_year
    where
        benchmarks.payment_per_service_state_peer_robust_z > {{ robust_z_threshold }}
        or benchmarks.services_per_beneficiary_state_peer_robust_z > {{ robust_z_threshold }}
),

provider_excess as (
    select
        npi,
        count(*) as flagged_row_count,
        sum(total_services) as flagged_services,
        max(payment_per_service_state_peer_robust_z) as max_payment_per_service_robust_z,
        max(services_per_beneficiary_state_peer_robust_z) as max_services_per_beneficiary_robust_z,
        sum(case when excess_payment > 0 then excess_payment else 0 end) as excess_payment
    from flagged_rows
    group by npi
),

final as (
    select
        provider_excess.npi,
        providers.provider_name,
        providers.provider_type,
        providers.provider_state,
        provider_excess.flagged_row_count,
        provider_excess.flagged_services,
        round(provider_excess.max_payment_per_service_robust_z, 2) as max_payment_per_service_robust_z,
        round(provider_excess.max_services_per_beneficiary_robust_z, 2) as max_services_per_beneficiary_robust_z,
        round(provider_excess.excess_payment, 2) as excess_payment,
        round(
            {{ safe_divide('provider_excess.excess_payment', 'sum(provider_excess.excess_payment) over ()') }}, 4
        ) as excess_payment_share
    from provider_excess
    left join providers
        on provider_excess.npi = providers.npi
)

select * from final
order by excess_payment desc
limit {{ top_providers }}
