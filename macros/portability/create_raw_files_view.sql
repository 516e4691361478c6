{#-
    on-run-start: makes the source cms.physician_by_provider_and_service a real relation, the view
    raw_files.physician_by_provider_and_service: one row per line of the raw files (`line`, its bytes read
    as Latin-1, so no line fails to decode; `filename`), read from disk whenever it is queried. So the docs'
    Database tab and a BI tool show the raw files where lineage starts, and an analyst can read a line as
    CMS wrote it. Paths are made absolute (against dbt's project directory) so the view works from any
    working directory. No file is read when the view is created: a bad file fails the staging models, with
    their messages, not this.
-#}
{% macro create_raw_files_view() -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set pattern = physician_files() -%}
    {#- a relative path is the project's; a URI (s3a://, hdfs://) is left as it is -#}
    {%- if not pattern.startswith('/') and '://' not in pattern -%}
        {%- set pattern = invocation_args_dict.get('project_dir', '.') ~ '/' ~ pattern -%}
    {%- endif -%}
    {%- set view_sql -%}
    create or replace view raw_files.physician_by_provider_and_service as
    select
        line,
        filename
    from {{ read_lines(pattern, 'latin-1') }}
    {%- endset -%}
    {{- return(adapter.dispatch('create_raw_files_view', 'deep_medicare')(pattern, view_sql)) -}}
{%- endmacro %}

{#- DuckDB: both statements in the hook's SQL; none when no file matches (the base model then fails with its message). -#}
{% macro duckdb__create_raw_files_view(pattern, view_sql) -%}
    {%- if run_query('select count(*) from glob(' ~ sql_string(pattern) ~ ')').rows[0][0] == 0 -%}
        {{- return('select 1 as no_raw_files') -}}
    {%- endif -%}
    {{- return('create schema if not exists raw_files; ' ~ view_sql) -}}
{%- endmacro %}

{#- Spark runs one statement at a time: the schema first, then the view as the hook's SQL. -#}
{% macro spark__create_raw_files_view(pattern, view_sql) -%}
    {%- do run_query('create schema if not exists raw_files') -%}
    {{- return(view_sql) -}}
{%- endmacro %}
