{#-
    True when `expression` (a double) is a finite number, false for NaN and either infinity, null when it is
    null: DuckDB's isfinite. Spark has none; there it is abs(x) < infinity, since Spark sorts NaN above
    infinity.
-#}
{% macro is_finite(expression) -%}
    {{- return(adapter.dispatch('is_finite', 'deep_medicare')(expression)) -}}
{%- endmacro %}

{% macro default__is_finite(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}

{% macro spark__is_finite(expression) -%}
    (abs({{ expression }}) < cast('infinity' as double))
{%- endmacro %}
