{#-
    One row per raw CMS file the build reads: its path, data year (from its name, or the var
    physician_file_years), size, modification time and the SHA-256 of its bytes. The yearly incremental
    refresh (macros/refresh/year_refresh.sql) compares these with the files each model was last built from, so a
    revised file is found by its content. raw_file_facts() reads the facts: on DuckDB the hashes come from the
    project's dbt-duckdb plugin, which caches them beside the build file while a file's size, time and inode
    are unchanged (a national year hashes in about 5 s the first time).
-#}
-- raw files: {{ source('cms', 'physician_by_provider_and_service') }}
{%- set paths = [] %}
{%- if execute %}
    {%- set paths = physician_file_paths() %}
{%- endif %}

with

raw_files as (
    {%- if paths | length > 0 %}
        {{ raw_file_facts(paths) }}
    {%- else %}
        select
            cast(null as varchar) as source_file,
            cast(null as bigint) as size_bytes,
            cast(null as timestamp with time zone) as last_modified,
            cast(null as varchar) as content_sha256
        where false
    {%- endif %}
),

final as (
    select
        source_file,
        {{ data_year_of_source_file(paths) }} as data_year,
        size_bytes,
        last_modified,
        content_sha256
    from raw_files
)

select * from final
