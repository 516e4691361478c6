{#
    Rule: nothing is lost silently. For every raw file, the data lines in the file (non-blank lines
    after the header, counted here straight from the text, not through the CSV parser) equal the
    rows staged from it plus the rows rejected from it. Fails with one row per file that does not
    reconcile.
#}

with

raw_lines as (
    select
        filename as source_file,
        count(line) - 1 as raw_data_lines
    from {{ read_lines(physician_files(), 'latin-1') }}
    group by filename
),

staged as (
    select
        source_file,
        count(*) as staged_rows
    from {{ ref('stg_cms__provider_services') }}
    group by source_file
),

rejected as (
    select
        source_file,
        count(*) as rejected_rows
    from {{ ref('stg_cms__provider_services_rejected') }}
    group by source_file
),

reconciled as (
    select
        coalesce(raw_lines.source_file, staged.source_file, rejected.source_file) as source_file,
        coalesce(raw_lines.raw_data_lines, 0) as raw_data_lines,
        coalesce(staged.staged_rows, 0) as staged_rows,
        coalesce(rejected.rejected_rows, 0) as rejected_rows
    from raw_lines
    full outer join staged
        on raw_lines.source_file = staged.source_file
    full outer join rejected
        on coalesce(raw_lines.source_file, staged.source_file) = rejected.source_file
)

select *
from reconciled
where raw_data_lines != staged_rows + rejected_rows
