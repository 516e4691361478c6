{#-
    Second post-hook of base_cms__provider_service_rows: copies the lines DuckDB's CSV reader rejected
    during that model's scan (temporary tables of the same connection) into the table
    <schema>.base_cms__provider_service_malformed_lines, one row per rejected line, so that
    stg_cms__provider_services_rejected can report them. Line numbers count the header as line 1.
    For a file recover_swallowed_lines() read again, the rejects of its last read replace those of the
    first, and each line whose quote never closes is one more malformed line.
    Hooks render after the model's statement ran, so the reject tables can be read here to give
    each file its data year (the same rule as for its parsed rows).
-#}
{% macro save_csv_reader_rejects(model_relation) -%}
    {{- return(adapter.dispatch('save_csv_reader_rejects', 'deep_medicare')(model_relation)) -}}
{%- endmacro %}

{% macro default__save_csv_reader_rejects(model_relation) -%}
    {%- set rejects = csv_reject_tables() -%}
    {%- set target_relation = api.Relation.create(
        database=model_relation.database,
        schema=model_relation.schema,
        identifier='base_cms__provider_service_malformed_lines'
    ) -%}
    {%- set paths = [] -%}
    {#- incremental build of the model: replace the rows of the years it read again, keep the others -#}
    {%- set years = refresh_years(allow_drop=false) if execute else none -%}
    {%- if years is not none and years | length == 0 -%}
        {{- return('select 0 as files_read') -}}
    {%- endif -%}
    {#- the refreshed years' files are all gone: only their rows go -#}
    {%- if years is not none and not csv_reject_tables_exist() -%}
        {{- return('delete from ' ~ target_relation ~ ' ' ~ where_refresh_years(years)) -}}
    {%- endif -%}
    {%- if execute -%}
        {%- set found = run_query(
            'select distinct file_path from ' ~ rejects.scans
            ~ ' where file_path not in (select read_path from deep_medicare_recovered_scans)'
            ~ ' union select source_file from deep_medicare_recovered_scans order by 1'
        ) -%}
        {%- set paths = found.columns[0].values() | list -%}
    {%- endif -%}
    {%- set exists = execute and load_relation(target_relation) is not none -%}
    {%- if years is none or not exists %}
    create or replace table {{ target_relation }} as
    {%- else %}
    delete from {{ target_relation }} {{ where_refresh_years(years) }};
    insert into {{ target_relation }}
    {%- endif %}
    with

    reader_rejects as (
        select
            coalesce(recovered.source_file, scans.file_path) as source_file,
            errors.line as line_number,
            errors.error_type,
            errors.error_message,
            errors.column_idx,
            errors.csv_line
        from {{ rejects.errors }} as errors
        inner join {{ rejects.scans }} as scans
            on
                errors.scan_id = scans.scan_id
                and errors.file_id = scans.file_id
        left join deep_medicare_recovered_scans as recovered
            on scans.file_path = recovered.read_path
        where
            -- a file read again keeps the rejects of its last read only
            scans.file_path not in (select source_file from deep_medicare_recovered_scans)
            and (recovered.read_path is null or errors.scan_id > recovered.after_scan_id)
    ),

    unterminated_quotes as (
        select
            source_file,
            line_number,
            'UNTERMINATED QUOTE' as error_type,
            'a field opens a quote that this line never closes; the lines after it were read on their own'
                as error_message,
            cast(null as bigint) as column_idx,
            raw_line as csv_line
        from deep_medicare_unterminated_quote_lines
    ),

    rejected_lines as (
        select * from reader_rejects
        union all
        select * from unterminated_quotes
    )

    select
        source_file,
        {{ data_year_of_source_file(paths) }} as data_year,
        line_number,
        string_agg(distinct error_type, ', ' order by error_type) as error_types,
        -- a short line gets one error per missing column; the first one states the count found
        arg_min(error_message, coalesce(column_idx, 0)) as error_message,
        any_value(csv_line) as raw_line
    from rejected_lines
    group by all
{%- endmacro %}

{#- The lines Spark could not parse, as DuckDB's post-hook saves its reader's rejects (same table and columns). -#}
{% macro spark__save_csv_reader_rejects(model_relation) -%}
    {%- set specs = physician_file_specs() -%}
    {%- set side_table = model_relation.schema ~ '.base_cms__provider_service_malformed_lines' -%}
    {#- Spark replaces only tables of its own formats (Delta): drop, then create -#}
    {%- if execute -%}
        {%- do run_query('drop table if exists ' ~ side_table) -%}
    {%- endif -%}
    create table {{ side_table }}
    using parquet as
    {%- for spec in specs %}
    select
        {{ sql_string(spec.path) }} as source_file,
        {{ spec.data_year }} as data_year,
        cast(line_number as bigint) as line_number,
        'MALFORMED LINE' as error_types,
        {{ sql_string('Spark could not read the line as ' ~ spec.header | length ~ ' fields') }} as error_message,
        line as raw_line
    from ({{ spark_parsed_physician_lines(spec) }}) as parsed
    where fields._corrupt_record is not null
    union all
    {%- endfor %}
    select
        cast(null as string) as source_file,
        cast(null as int) as data_year,
        cast(null as bigint) as line_number,
        cast(null as string) as error_types,
        cast(null as string) as error_message,
        cast(null as string) as raw_line
    where false
{%- endmacro %}
