{#-
    Aggregate: the mean of `value` weighted by `weight`, over the values that are finite (null, NaN and
    infinity are left out). Weights that are not positive count as 0; when every weight that counts is 0,
    the plain mean of the finite values; null when there is none. The same rule as a services-weighted
    average a reader would compute by hand, made total: it never divides by zero.
-#}
{% macro weighted_mean(value, weight) -%}
    coalesce(
        sum(case when {{ is_finite(value) }} and {{ weight }} > 0 then {{ value }} * {{ weight }} end)
        / nullif(sum(case when {{ is_finite(value) }} and {{ weight }} > 0 then {{ weight }} end), 0),
        avg(case when {{ is_finite(value) }} then {{ value }} end)
    )
{%- endmacro %}
