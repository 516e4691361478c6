{#-
    read_lines() on Spark: the text source reads one whole line per row (decompressing .gz by its name), with
    no quoting and no parsing. Blank lines come back as null, as on DuckDB; `filename` is the file's path as
    `path` spells it (spark_path_as_given). Spark's text source reads UTF-8 only: `encoding` and
    `skip_undecodable` only matter to DuckDB's probe of a file's encoding.
-#}
{% macro spark__read_lines(path, encoding, skip_undecodable) -%}
    (
        select
            nullif(value, '') as line,
            {{ spark_path_as_given('input_file_name()', path) }} as filename
        from text.`{{ path }}`
    )
{%- endmacro %}

{#- A file URI as Spark gives it (file:/a/b or file:///a/b) as the plain path DuckDB gives (/a/b). -#}
{% macro spark_file_path(expression) -%}
    regexp_replace({{ expression }}, '^file:(//)?', '')
{%- endmacro %}

{#-
    The path of a file Spark read (a URI, in `expression`) spelled as the glob `pattern` that found it spells
    paths, as DuckDB gives them: absolute for an absolute pattern or a URI, else relative to the working
    directory (dbt runs from the project's).
-#}
{% macro spark_path_as_given(expression, pattern) -%}
    {%- if pattern.startswith('/') or '://' in pattern -%}
        {{ spark_file_path(expression) }}
    {%- else -%}
        substring(
            {{ spark_file_path(expression) }},
            length(reflect('java.lang.System', 'getProperty', 'user.dir')) + 2
        )
    {%- endif -%}
{%- endmacro %}

{#-
    file_glob_sql() on Spark: the binary-file source lists the matching files without reading them (only
    `path` is selected), each path spelled as the pattern spells it (spark_path_as_given).
-#}
{% macro spark__file_glob_sql(pattern) -%}
    select distinct {{ spark_path_as_given('path', pattern) }} as file
    from binaryFile.`{{ pattern }}`
    order by file
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
