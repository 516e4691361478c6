{#-
    numerator / denominator as a double, or null when the denominator is 0 or null, so a ratio never
    raises a division-by-zero error and never turns into infinity. Both sides are cast to double
    precision first: integer division does not truncate on any engine, and a ratio of two decimals has
    one type everywhere. Engines that spell the type differently override it with <adapter>__safe_divide.
-#}
{% macro safe_divide(numerator, denominator) %}
    {{- return(adapter.dispatch('safe_divide')(numerator, denominator)) -}}
{% endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double precision) / nullif(cast({{ denominator }} as double precision), 0))
{%- endmacro %}
