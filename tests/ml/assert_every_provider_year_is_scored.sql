{#
    Rule: provider_anomaly_scores holds exactly the provider-years of provider_year_summary, no more
    and no fewer (in a yearly refresh, for the data years the run rescored). Fails with one row per
    provider-year on one side only.
#}

with

scores as (
    select
        npi,
        data_year
    from {{ ref('provider_anomaly_scores') }}
    where {{ tested_years_condition('provider_anomaly_scores') }}
),

provider_years as (
    select
        npi,
        data_year
    from {{ ref('provider_year_summary') }}
    where {{ tested_years_condition('provider_anomaly_scores') }}
),

unmatched as (
    select
        coalesce(scores.npi, provider_years.npi) as npi,
        coalesce(scores.data_year, provider_years.data_year) as data_year,
        scores.npi is null as is_missing_a_score,
        provider_years.npi is null as is_scored_but_not_a_provider_year
    from scores
    full outer join provider_years
        on
            scores.npi = provider_years.npi
            and scores.data_year = provider_years.data_year
    where scores.npi is null or provider_years.npi is null
)

select * from unmatched
