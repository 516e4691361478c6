{#-
    The anomaly scores beside OIG's exclusions, for analysts: a view, so provider_anomaly_scores itself never
    reads the LEIE (the scores are the same with and without it: tests/python/test_leie_scores_independent.py).
    On Spark it exists when the scores do (dbt_project.yml, ml).
-#}
{{
    config(
        materialized='view',
        enabled=target.type != 'spark' or var('spark_scores_written', false)
    )
}}

with

scores as (
    select * from {{ ref('provider_anomaly_scores') }}
),

exclusions as (
    select * from {{ ref('provider_exclusions') }}
),

-- the first exclusion that took effect in the scored year or later
later_exclusions as (
    select
        scores.npi,
        scores.data_year,
        exclusions.exclusion_date,
        exclusions.exclusion_type,
        exclusions.exclusion_type_description,
        exclusions.is_fraud_related,
        row_number() over (
            partition by scores.npi, scores.data_year
            order by exclusions.exclusion_date, exclusions.exclusion_type
        ) as exclusion_order
    from scores
    inner join exclusions
        on
            scores.npi = exclusions.npi
            and cast(extract(year from exclusions.exclusion_date) as integer) >= scores.data_year
),

final as (
    select
        scores.npi,
        scores.data_year,
        scores.anomaly_score,
        scores.anomaly_rank,
        scores.is_flagged,
        scores.provider_type,
        scores.provider_state,
        scores.total_medicare_payment,
        scores.excess_payment,
        scores.reasons,
        later_exclusions.exclusion_date as later_exclusion_date,
        later_exclusions.exclusion_type as later_exclusion_type,
        later_exclusions.exclusion_type_description as later_exclusion_type_description,
        coalesce(later_exclusions.is_fraud_related, false) as is_later_excluded_for_fraud,
        later_exclusions.exclusion_date is not null as is_later_excluded,
        case
            when later_exclusions.exclusion_date is null then 'not excluded later'
            else
                'excluded ' || cast(later_exclusions.exclusion_date as {{ dbt.type_string() }})
                || ' (' || later_exclusions.exclusion_type || ', '
                || case when later_exclusions.is_fraud_related then 'fraud-related' else 'not fraud-related' end
                || ')'
        end as exclusion_status
    from scores
    left join later_exclusions
        on
            scores.npi = later_exclusions.npi
            and scores.data_year = later_exclusions.data_year
            and later_exclusions.exclusion_order = 1
)

select * from final
