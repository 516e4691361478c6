{#-
    Post-hook of base_cms__provider_service_rows: copies the lines DuckDB's CSV reader rejected
    during that model's scan (temporary tables of the same connection) into the table
    <schema>.base_cms__provider_service_malformed_lines, one row per rejected line, so that
    stg_cms__provider_services_rejected can report them. Line numbers count the header as line 1.
-#}
{% macro save_csv_reader_rejects(model_relation) -%}
    {%- set rejects = csv_reject_tables() -%}
    {%- set target = api.Relation.create(
        database=model_relation.database,
        schema=model_relation.schema,
        identifier='base_cms__provider_service_malformed_lines'
    ) -%}
    create or replace table {{ target }} as
    select
        scans.file_path as source_file,
        errors.line as line_number,
        string_agg(distinct errors.error_type, ', ' order by errors.error_type) as error_types,
        string_agg(distinct errors.error_message, '; ' order by errors.error_message) as error_messages,
        any_value(errors.csv_line) as raw_line
    from {{ rejects.errors }} as errors
    inner join {{ rejects.scans }} as scans
        on errors.scan_id = scans.scan_id
        and errors.file_id = scans.file_id
    group by all
{%- endmacro %}
