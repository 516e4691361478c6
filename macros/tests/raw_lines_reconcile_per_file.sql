{#-
    The query of a reconciliation test: for every raw file, its data lines (non-blank lines after the
    header, counted straight from the text by read_lines(), not through the CSV parser) equal the rows
    staged from it plus the rows rejected from it. Returns one row per file that does not reconcile. With
    `files` none or an empty list (no file configured, or none refreshed), the raw side is empty and only
    staged or rejected rows can fail. `condition` keeps the staged and rejected rows of the files given (a
    refresh's years: tested_years_condition()).
-#}
{% macro raw_lines_reconcile_per_file(files, staged_model, rejected_model, condition='true') -%}
with

raw_lines as (
    {%- if files %}
        select
            filename as source_file,
            count(line) - 1 as raw_data_lines
        from {{ read_lines(files, 'latin-1') }}
        group by filename
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(0 as bigint) as raw_data_lines
        where false
    {%- endif %}
),

staged as (
    select
        source_file,
        count(*) as staged_rows
    from {{ staged_model }}
    where {{ condition }}
    group by source_file
),

rejected as (
    select
        source_file,
        count(*) as rejected_rows
    from {{ rejected_model }}
    where {{ condition }}
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
{%- endmacro %}
