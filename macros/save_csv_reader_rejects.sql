{#-
    Post-hook of base_cms__provider_service_rows: copies the lines DuckDB's CSV reader rejected
    during that model's scan (temporary tables of the same connection) into the table
    <schema>.base_cms__provider_service_malformed_lines, one row per rejected line, so that
    stg_cms__provider_services_rejected can report them. Line numbers count the header as line 1.
    Hooks render after the model's statement ran, so the reject tables can be read here to give
    each file its data year (the same rule as for its parsed rows).
-#}
{% macro save_csv_reader_rejects(model_relation) -%}
    {%- set rejects = csv_reject_tables() -%}
    {%- set target = api.Relation.create(
        database=model_relation.database,
        schema=model_relation.schema,
        identifier='base_cms__provider_service_malformed_lines'
    ) -%}
    {%- set paths = [] -%}
    {%- if execute -%}
        {%- set found = run_query('select distinct file_path from ' ~ rejects.scans ~ ' order by 1') -%}
        {%- set paths = found.columns[0].values() | list -%}
    {%- endif -%}
    create or replace table {{ target }} as
    select
        scans.file_path as source_file,
        {%- if paths | length > 0 %}
        case scans.file_path
            {%- for path in paths %}
            when {{ sql_string(path) }} then {{ data_year_from_file_name(path) }}
            {%- endfor %}
        end
        {%- else %}
        cast(null as integer)
        {%- endif %} as data_year,
        errors.line as line_number,
        string_agg(distinct errors.error_type, ', ' order by errors.error_type) as error_types,
        -- a short line gets one error per missing column; the first one states the count found
        arg_min(errors.error_message, coalesce(errors.column_idx, 0)) as error_message,
        any_value(errors.csv_line) as raw_line
    from {{ rejects.errors }} as errors
    inner join {{ rejects.scans }} as scans
        on
            errors.scan_id = scans.scan_id
            and errors.file_id = scans.file_id
    group by all
{%- endmacro %}
