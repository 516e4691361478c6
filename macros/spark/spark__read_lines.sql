{#-
    read_lines() on Spark: the text source reads one whole line per row (decompressing .gz by its name), with
    no quoting and no parsing. Blank lines come back as null, as on DuckDB; `filename` is the file's path,
    without the `file:` scheme Spark puts before local paths. Spark's text source reads UTF-8 only:
    `encoding` and `skip_undecodable` only matter to DuckDB's probe of a file's encoding.
-#}
{% macro spark__read_lines(path, encoding, skip_undecodable) -%}
    (
        select
            nullif(value, '') as line,
            {{ spark_file_path('input_file_name()') }} as filename
        from text.`{{ path }}`
    )
{%- endmacro %}

{#- A file URI as Spark gives it (file:/a/b or file:///a/b) as the plain path DuckDB gives (/a/b). -#}
{% macro spark_file_path(expression) -%}
    regexp_replace({{ expression }}, '^file:(//)?', '')
{%- endmacro %}
