-- depends_on: {{ ref('base_cms__provider_service_rows') }}
{#
    The malformed lines come from the table the post-hook of base_cms__provider_service_rows
    writes (DuckDB's CSV reader reports them during that model's scan); the ref above orders
    this model after it.
    The CSV reader also skips blank lines without a trace, so the files holding invalid rows are read
    again line by line to find them: the line number of an invalid row counts them too.
#}
{%- set files_with_invalid_rows = [] -%}
{#- not built yet (dbt compile, docs or sqlfluff on a fresh warehouse): there is nothing to look up -#}
{%- if execute and load_relation(ref('base_cms__provider_service_rows')) is not none -%}
    {%- set found = run_query(
        'select distinct source_file from ' ~ ref('base_cms__provider_service_rows')
        ~ ' where rejection_reason is not null order by 1'
    ) -%}
    {%- set files_with_invalid_rows = found.columns[0].values() | list -%}
{%- endif %}

with

checked_rows as (
    select * from {{ ref('base_cms__provider_service_rows') }}
),

malformed_lines as (
    select * from {{ this.schema }}.base_cms__provider_service_malformed_lines
),

raw_lines_of_files_with_invalid_rows as (
    {%- for path in files_with_invalid_rows %}
        select
            {{ sql_string(path) }} as source_file,
            row_number() over () as line_number,
            line is null as is_blank
        from {{ read_lines(path) }}
        union all
    {%- endfor %}
    select
        cast(null as varchar) as source_file,
        cast(null as bigint) as line_number,
        cast(null as boolean) as is_blank
    where false
),

-- Lines the reader returned no row for: malformed lines and blank lines.
skipped_lines as (
    select
        source_file,
        line_number
    from malformed_lines
    union all
    select
        source_file,
        line_number
    from raw_lines_of_files_with_invalid_rows
    where is_blank
),

-- Rows the reader parsed carry their ordinal among parsed rows; the file line is that ordinal,
-- plus the header, plus the malformed and blank lines that came before it.
skipped_line_ordinals as (
    select
        source_file,
        line_number,
        -- parsed data rows before this skipped line
        line_number - 1 - row_number() over (partition by source_file order by line_number) as parsed_rows_before
    from skipped_lines
),

row_rejections as (
    select
        checked_rows.source_file,
        checked_rows.data_year,
        cast(
            checked_rows.source_row_number
            + 1
            + (
                select count(*)
                from skipped_line_ordinals
                where
                    skipped_line_ordinals.source_file = checked_rows.source_file
                    and skipped_line_ordinals.parsed_rows_before < checked_rows.source_row_number
            ) as bigint
        ) as line_number,
        'invalid row' as rejection_stage,
        checked_rows.rejection_reason,
        cast(null as varchar) as raw_line,
        checked_rows.raw_values
    from checked_rows
    where checked_rows.rejection_reason is not null
),

line_rejections as (
    select
        malformed_lines.source_file,
        malformed_lines.data_year,
        cast(malformed_lines.line_number as bigint) as line_number,
        'malformed line' as rejection_stage,
        'malformed line (' || lower(malformed_lines.error_types) || '): ' || malformed_lines.error_message
            as rejection_reason,
        malformed_lines.raw_line,
        cast(null as varchar) as raw_values
    from malformed_lines
),

final as (
    select * from row_rejections
    union all
    select * from line_rejections
)

select * from final
