-- depends_on: {{ ref('base_cms__provider_service_rows') }}
{{
    config(
        year_reach='same',
        pre_hook="{{ keep_file_order('on') }}",
        post_hook="{{ keep_file_order('off') }}"
    )
}}
{%- set years = refresh_years() %}
{#
    Every raw line staging refuses, with its reason: rows that break a rule of a single row
    (base_cms__provider_service_rows), rows that repeat a loaded key
    (base_cms__provider_service_repeated_keys) and lines DuckDB's CSV reader could not parse.
    The malformed lines come from the table the post-hook of base_cms__provider_service_rows
    writes (DuckDB's CSV reader reports them during that model's scan); the ref above orders
    this model after it.
    The CSV reader also skips blank lines without a trace, so the files holding invalid rows are read
    again line by line to find them: the line number of an invalid row counts them too.
#}
{%- set files_with_invalid_rows = [] -%}
{#- not built yet (dbt compile, docs or sqlfluff on a fresh warehouse): there is nothing to look up -#}
{%- if execute and load_relation(ref('base_cms__provider_service_rows')) is not none -%}
    {#- (on a yearly refresh, the files of the refreshed years only) -#}
    {%- set year_filter = where_refresh_years(years) -%}
    {%- set found = run_query(
        'select source_file from ' ~ ref('base_cms__provider_service_rows') ~ ' '
        ~ (year_filter ~ ' and' if year_filter else 'where') ~ ' rejection_reason is not null'
        ~ ' union select source_file from ' ~ ref('base_cms__provider_service_repeated_keys') ~ ' ' ~ year_filter
        ~ ' order by 1'
    ) -%}
    {%- set files_with_invalid_rows = found.columns[0].values() | list -%}
{%- endif %}

with

checked_rows as (
    select * from {{ ref('base_cms__provider_service_rows') }}
    {{ where_refresh_years(years) }}
),

repeated_keys as (
    select * from {{ ref('base_cms__provider_service_repeated_keys') }}
    {{ where_refresh_years(years) }}
),

-- rows that break a rule of a single row, and rows that repeat a loaded key
invalid_rows as (
    select
        checked_rows.*,
        coalesce(checked_rows.rejection_reason, repeated_keys.rejection_reason) as row_rejection_reason
    from checked_rows
    left join repeated_keys
        on
            checked_rows.source_file = repeated_keys.source_file
            and checked_rows.source_row_number = repeated_keys.source_row_number
    where
        checked_rows.rejection_reason is not null
        or repeated_keys.source_file is not null
),

malformed_lines as (
    select * from {{ source('staging_side_tables', 'base_cms__provider_service_malformed_lines') }}
    {{ where_refresh_years(years) }}
),

raw_lines_of_files_with_invalid_rows as (
    {%- for path in files_with_invalid_rows %}
        select
            {{ sql_string(path) }} as source_file,
            {{ line_number_in_file() }} as line_number,
            line is null as is_blank
        from {{ read_lines(path) }}
        union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
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
        invalid_rows.source_file,
        invalid_rows.data_year,
        cast(
            invalid_rows.source_row_number
            + 1
            + (
                select count(*)
                from skipped_line_ordinals
                where
                    skipped_line_ordinals.source_file = invalid_rows.source_file
                    and skipped_line_ordinals.parsed_rows_before < invalid_rows.source_row_number
            ) as bigint
        ) as line_number,
        'invalid row' as rejection_stage,
        invalid_rows.row_rejection_reason as rejection_reason,
        cast(null as {{ dbt.type_string() }}) as raw_line,
        -- the raw text of the row, for the analyst who checks it against the file
        {{ json_text([
            ['npi', 'invalid_rows.npi'],
            ['provider_last_org_name', 'invalid_rows.provider_last_org_name'],
            ['provider_state', 'invalid_rows.provider_state'],
            ['provider_type', 'invalid_rows.provider_type'],
            ['hcpcs_code', 'invalid_rows.hcpcs_code'],
            ['place_of_service', 'invalid_rows.place_of_service'],
            ['total_beneficiaries', 'invalid_rows.raw_total_beneficiaries'],
            ['total_services', 'invalid_rows.raw_total_services'],
            ['total_beneficiary_day_services', 'invalid_rows.raw_total_beneficiary_day_services'],
            ['avg_submitted_charge', 'invalid_rows.raw_avg_submitted_charge'],
            ['avg_medicare_allowed_amount', 'invalid_rows.raw_avg_medicare_allowed_amount'],
            ['avg_medicare_payment_amount', 'invalid_rows.raw_avg_medicare_payment_amount'],
            ['avg_medicare_standardized_amount', 'invalid_rows.raw_avg_medicare_standardized_amount'],
        ]) }} as raw_values
    from invalid_rows
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
        cast(null as {{ dbt.type_string() }}) as raw_values
    from malformed_lines
),

final as (
    select * from row_rejections
    union all
    select * from line_rejections
)

select * from final
