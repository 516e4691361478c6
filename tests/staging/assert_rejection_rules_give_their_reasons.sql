{#
    Rule: the rules of a single raw row (physician_row_rejection_reason(), the macro staging applies to every
    raw row) give each hand-made case of seeds/fixtures/staging_rule_cases.csv exactly its hand-written
    reason, and no reason to the rows that pass. The shipped sample rejects nothing, so without these cases
    a broken rule would pass the build. Fails with one row per case whose reason differs.
#}

with

cases as (
    select * from {{ ref('staging_rule_cases') }}
),

typed as (
    select
        *,
        {{ physician_number_casts() }}
    from cases
),

checked as (
    select
        case_name,
        expected_rejection_reason,
        {{ physician_row_rejection_reason() }} as rejection_reason
    from typed
)

select * from checked
where rejection_reason is distinct from expected_rejection_reason
