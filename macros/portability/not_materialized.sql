{#-
    The hint that a common table expression read more than once is inlined (recomputed) rather than
    materialized: DuckDB's `as not materialized (...)`; nothing on Spark, whose optimizer inlines CTEs itself
    and has no such keyword. Use as `name as {{ not_materialized() }} (`.
-#}
{% macro not_materialized() -%}
    {{- return(adapter.dispatch('not_materialized', 'deep_medicare')()) -}}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__not_materialized() -%}
{%- endmacro %}
