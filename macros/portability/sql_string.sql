{#-
    A Python string as a single-quoted SQL literal of the target's dialect, quotes doubled. Spark also reads a
    backslash in a literal as an escape ('\d' is 'd' there), so on Spark a backslash is doubled too.
-#}
{% macro sql_string(value) -%}
    {{- return(adapter.dispatch('sql_string', 'deep_medicare')(value)) -}}
{%- endmacro %}

{% macro default__sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_string(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "''") }}'
{%- endmacro %}
