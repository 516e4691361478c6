{#-
    Exclusion periods from the LEIE events: an exclusion supplement (or the full list) says who was excluded,
    for what and from when; a reinstatement supplement repeats the exclusion's type and date with the day it
    ended. So a period is keyed by the person, the type and the exclusion date, and ends on the reinstatement
    that names it; a person excluded, reinstated and excluded again has two periods. A period known only
    from its reinstatement began before the loaded files do.
-#}

with

events as (
    select * from {{ ref('stg_oig__leie_exclusions') }}
),

exclusion_types as (
    select * from {{ ref('leie_exclusion_types') }}
),

periods as (
    select
        person_key,
        exclusion_type,
        exclusion_date,
        max(npi) as npi,
        min(reinstatement_date) as reinstatement_date,
        max(case when record_kind = 'exclusion' then 1 else 0 end) = 1 as has_exclusion_record,
        max(last_name) as last_name,
        max(first_name) as first_name,
        max(business_name) as business_name,
        max(general_category) as general_category,
        max(specialty) as specialty,
        max(state) as state,
        min(source_file) as first_source_file
    from events
    group by
        person_key,
        exclusion_type,
        exclusion_date
),

final as (
    select
        periods.person_key,
        periods.npi,
        periods.exclusion_type,
        exclusion_types.description as exclusion_type_description,
        exclusion_types.is_fraud_related,
        periods.exclusion_date,
        periods.reinstatement_date,
        periods.reinstatement_date is null as is_excluded_now,
        periods.has_exclusion_record,
        -- bigint on both engines (Spark's row_number is an int)
        cast(
            row_number() over (
                partition by periods.person_key
                order by periods.exclusion_date, periods.exclusion_type
            ) as bigint
        ) as exclusion_period_number,
        periods.last_name,
        periods.first_name,
        periods.business_name,
        periods.general_category,
        periods.specialty,
        periods.state,
        periods.first_source_file
    from periods
    inner join exclusion_types
        on periods.exclusion_type = exclusion_types.exclusion_type
)

select * from final
