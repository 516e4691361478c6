{#-
    The refresh block (materialization, strategy, schema change) comes from dbt_project.yml without the
    record hook: save_csv_reader_rejects() asks refresh_years() which years it re-read, from the record that
    record_year_loads() replaces, so the record is the last of this model's own post-hooks
    (docs/decisions/0021-refresh-config-once.md).
-#}
{{
    config(
        year_reach='same',
        pre_hook="{{ keep_file_order('on') }}",
        post_hook=[
            "{{ commit_staged_rows() }}",
            "{{ number_rows_in_file_order(this) }}",
            "{{ recover_swallowed_lines(this) }}",
            "{{ save_csv_reader_rejects(this) }}",
            "{{ keep_file_order('off') }}",
            "{{ record_year_loads() }}",
        ]
    )
}}

{#-
    Every data row DuckDB parsed from the raw CMS files, typed and checked, in one streaming pass over
    the text: no step here refers back to the parsed rows, so DuckDB never holds them all. rejection_reason
    is null for a row that passes every rule of a single row; otherwise it says, in words, every rule the
    row breaks. Rules across rows (a key repeated) are base_cms__provider_service_repeated_keys' job.
    stg_cms__provider_services keeps the valid rows, stg_cms__provider_services_rejected the others.
    physician_file_specs() finds and inspects the raw files, stage_physician_rows() reads, types and
    checks them; the comment under this one names their source so that dbt's lineage starts at the files.
    The post-hooks run after the scan: commit_staged_rows() commits the written rows (numbering them in the
    same transaction would make DuckDB rewrite them at commit); number_rows_in_file_order() numbers the rows
    in file order from the order they were written in (the session keeps insertion order);
    recover_swallowed_lines() quarantines a line whose quote never closes and stages the lines the reader
    ran on into; save_csv_reader_rejects() keeps every line the reader could not parse.
    Incremental by data year (macros/refresh/year_refresh.sql): a build reads only the files of the years whose raw
    files changed since the last build.
#}
-- raw files: {{ source('cms', 'physician_by_provider_and_service') }}

{%- set years = refresh_years() %}
{%- if years is none %}
    {%- set specs = physician_file_specs() %}
{%- else %}
    {#- a yearly refresh reads the files of the refreshed years; none is left when those years were removed #}
    {%- set year_paths = [] %}
    {%- for path in physician_file_paths() if data_year_from_file_name(path) in years %}
        {%- do year_paths.append(path) %}
    {%- endfor %}
    {%- set specs = physician_file_specs(only_paths=year_paths) if year_paths else [] %}
{%- endif %}

{{ stage_physician_rows(specs) if specs else "select * from " ~ this ~ " where false" }}
