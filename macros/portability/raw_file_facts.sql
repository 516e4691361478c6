{#-
    A select of what base_cms__physician_files records of each raw file of `paths` (at least one): source_file
    (the path as given), size_bytes, last_modified and content_sha256 (hex SHA-256 of the file's bytes).
-#}
{% macro raw_file_facts(paths) -%}
    {{- return(adapter.dispatch('raw_file_facts', 'deep_medicare')(paths)) -}}
{%- endmacro %}

{#- DuckDB: read_blob lists size and time without reading the files; the plugin's function hashes them. -#}
{% macro default__raw_file_facts(paths) -%}
    {%- set path_literals = [] -%}
    {%- for path in paths -%}
        {%- do path_literals.append(sql_string(path)) -%}
    {%- endfor -%}
    select
        filename as source_file,
        size as size_bytes,
        last_modified,
        deep_medicare_file_sha256(filename) as content_sha256
    from read_blob([{{ path_literals | join(', ') }}])
{%- endmacro %}

{#-
    raw_file_facts() on Spark: one scan of the binary-file source per file, hashed with sha2(). Spark holds a
    file's bytes in one value, so a file over 2 GB (a national year) cannot be hashed this way yet; its
    modification time has milliseconds, where DuckDB's has microseconds.
-#}
{% macro spark__raw_file_facts(paths) -%}
    {%- for path in paths %}
    select
        {{ sql_string(path) }} as source_file,
        length as size_bytes,
        modificationTime as last_modified,
        sha2(content, 256) as content_sha256
    from binaryFile.`{{ path }}`
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
