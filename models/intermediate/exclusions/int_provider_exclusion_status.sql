{#- Per NPI in the LEIE: its first fraud-related exclusion, and whether a period is still open. -#}

with

periods as (
    select * from {{ ref('int_leie_exclusion_periods') }}
    where npi is not null
),

fraud_periods as (
    select
        npi,
        exclusion_date,
        exclusion_type,
        row_number() over (partition by npi order by exclusion_date, exclusion_type) as fraud_period_number
    from periods
    where is_fraud_related
),

status as (
    select
        npi,
        max(case when is_excluded_now then 1 else 0 end) = 1 as is_excluded_now,
        count(*) as exclusion_period_count
    from periods
    group by npi
),

final as (
    select
        status.npi,
        fraud_periods.exclusion_date as first_fraud_exclusion_date,
        fraud_periods.exclusion_type as first_fraud_exclusion_type,
        status.is_excluded_now,
        status.exclusion_period_count
    from status
    left join fraud_periods
        on
            status.npi = fraud_periods.npi
            and fraud_periods.fraud_period_number = 1
)

select * from final
