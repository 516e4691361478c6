{#- A view: the valid rows of base_oig__leie_rows, typed and cleaned. -#}
{{ config(materialized='view') }}

with

checked_rows as (
    select * from {{ ref('base_oig__leie_rows') }}
),

final as (
    select
        source_file,
        source_row_number,
        record_kind,
        person_key,
        npi,
        last_name,
        first_name,
        middle_name,
        business_name,
        general_category,
        specialty,
        upin,
        date_of_birth,
        address,
        city,
        state,
        zip,
        exclusion_type,
        exclusion_date,
        reinstatement_date,
        waiver_date,
        waiver_state
    from checked_rows
    where rejection_reason is null
)

select * from final
