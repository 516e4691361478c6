{#-
    numerator / denominator as a double, or null when the denominator is 0 or null, so a ratio never
    raises a division-by-zero error and never turns into infinity. Both sides are cast to double first
    (spelled so on DuckDB and Spark alike): integer division does not truncate on any engine, and a ratio
    of two decimals has one type everywhere. Engines that spell the type differently override it with
    <adapter>__safe_divide.
-#}
{% macro safe_divide(numerator, denominator) %}
    {{- return(adapter.dispatch('safe_divide')(numerator, denominator)) -}}
{% endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
