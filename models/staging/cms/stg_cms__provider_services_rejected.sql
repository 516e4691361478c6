-- depends_on: {{ ref('base_cms__provider_service_rows') }}
{#
    The malformed lines come from the table the post-hook of base_cms__provider_service_rows
    writes (DuckDB's CSV reader reports them during that model's scan); the ref above orders
    this model after it.
#}

with

checked_rows as (
    select * from {{ ref('base_cms__provider_service_rows') }}
),

malformed_lines as (
    select * from {{ this.schema }}.base_cms__provider_service_malformed_lines
),

-- Rows the reader parsed carry their ordinal among parsed rows; the file line is that ordinal,
-- plus the header, plus the malformed lines that came before it.
malformed_ordinals as (
    select
        source_file,
        line_number,
        -- parsed data rows before this malformed line
        line_number - 1 - row_number() over (partition by source_file order by line_number) as parsed_rows_before
    from malformed_lines
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
                from malformed_ordinals
                where
                    malformed_ordinals.source_file = checked_rows.source_file
                    and malformed_ordinals.parsed_rows_before < checked_rows.source_row_number
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
        'malformed line (' || lower(malformed_lines.error_types) || '): ' || malformed_lines.error_messages
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
