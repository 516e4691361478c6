{#- A view: the rows of base_oig__leie_rows staging refuses, each with its reason and the raw values. -#}
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
        rejection_reason,
        {{ json_text(leie_raw_value_pairs()) }} as raw_values
    from checked_rows
    where rejection_reason is not null
)

select * from final
