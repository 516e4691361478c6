{#-
    A query of the paths matching a glob `pattern`, one column, in name order, each spelled as the pattern
    spells it (a relative pattern gives relative paths): DuckDB's glob(); on Spark, the binary-file source
    listing the files without reading them.
-#}
{% macro file_glob_sql(pattern) -%}
    {{- return(adapter.dispatch('file_glob_sql', 'deep_medicare')(pattern)) -}}
{%- endmacro %}

{% macro default__file_glob_sql(pattern) -%}
    select file from glob({{ sql_string(pattern) }}) order by file
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
