-- Rule: for every provider-year, excess_payment is the sum of its price and volume parts, and equals the
-- provider-year's payment (provider_year_summary) minus the peer-expected payment, to the cent.
with

-- in a yearly refresh, the data years the run recomputed in the evidence (every year otherwise)
evidence as (
    select * from {{ ref('int_provider_year_evidence') }}
    where {{ tested_years_condition('int_provider_year_evidence') }}
),

summary as (
    select * from {{ ref('provider_year_summary') }}
    where {{ tested_years_condition('int_provider_year_evidence') }}
),

final as (
    select
        evidence.npi,
        evidence.data_year,
        evidence.excess_payment,
        evidence.excess_payment_price,
        evidence.excess_payment_volume,
        evidence.peer_expected_payment,
        summary.total_medicare_payment
    from evidence
    full outer join summary
        on
            evidence.npi = summary.npi
            and evidence.data_year = summary.data_year
    where
        evidence.npi is null
        or summary.npi is null
        or abs(evidence.excess_payment - evidence.excess_payment_price - evidence.excess_payment_volume) > 0.005
        or abs(
            cast(summary.total_medicare_payment as double)
            - evidence.peer_expected_payment
            - evidence.excess_payment
        ) > 0.005
)

select * from final
