{#-
    Aggregate: `value` of the row with the smallest `key`, even when that value is null (rows with a null key
    are left out): DuckDB's arg_min_null (its arg_min would skip the null values), Spark's min_by.
-#}
{% macro arg_min_keeping_nulls(value, key) -%}
    {{- return(adapter.dispatch('arg_min_keeping_nulls', 'deep_medicare')(value, key)) -}}
{%- endmacro %}

{% macro default__arg_min_keeping_nulls(value, key) -%}
    arg_min_null({{ value }}, {{ key }})
{%- endmacro %}

{% macro spark__arg_min_keeping_nulls(value, key) -%}
    min_by({{ value }}, {{ key }})
{%- endmacro %}
