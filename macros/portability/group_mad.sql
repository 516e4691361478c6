{#-
    The median absolute deviation of `metric` in a group-by over peer_rows_with_medians(): DuckDB's mad()
    aggregate. Spark has no mad(): there peer_rows_with_medians() has put the group's median beside each row
    ({metric}_median_before) and the MAD is the median of the distances from it. Both interpolate the median
    of an even count.
-#}
{% macro group_mad(metric) -%}
    {{- return(adapter.dispatch('group_mad', 'deep_medicare')(metric)) -}}
{%- endmacro %}

{% macro default__group_mad(metric) -%}
    mad({{ metric }})
{%- endmacro %}

{% macro spark__group_mad(metric) -%}
    median(abs({{ metric }} - {{ metric }}_median_before))
{%- endmacro %}
