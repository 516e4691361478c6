{#-
    read_physician_files() on Spark: not built yet (the Spark port stages no raw file so far; README,
    "Running on Spark"). At parse time dbt renders the staging models with no file (specs is empty), and this
    gives the same empty select as on DuckDB. Asked to read files, it stops the build with one line, instead
    of reading them some other way than DuckDB does.
-#}
{% macro spark__read_physician_files(specs) -%}
    {%- if specs | length > 0 -%}
        {{- exceptions.raise_compiler_error(
            "Staging the raw CMS files is not ported to Spark yet (README, \"Running on Spark\"): "
            ~ specs | length ~ " file(s) not read, the first " ~ specs[0].path
        ) -}}
    {%- endif -%}
    {{- duckdb__read_physician_files(specs) -}}
{%- endmacro %}
