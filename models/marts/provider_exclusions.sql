with

periods as (
    select * from {{ ref('int_leie_exclusion_periods') }}
    where npi is not null
),

final as (
    select
        npi,
        exclusion_date,
        exclusion_type,
        exclusion_type_description,
        is_fraud_related,
        reinstatement_date,
        is_excluded_now,
        exclusion_period_number,
        has_exclusion_record,
        last_name,
        first_name,
        business_name,
        general_category,
        specialty,
        state
    from periods
)

select * from final
