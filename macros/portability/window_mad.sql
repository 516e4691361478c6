{#-
    The median absolute deviation of `metric` over a window partitioned by `partition` (SQL), in the
    select that reads peer_medians(): DuckDB's mad() window. Spark has no mad(): there peer_medians() has
    put the window's median beside each row first (`median_column`, with _before appended), and the MAD is
    the median of the distances from it (window_median() takes that median too, so Spark computes it once).
    Both interpolate the median of an even count.
-#}
{% macro window_mad(metric, partition, median_column) -%}
    {{- return(adapter.dispatch('window_mad', 'deep_medicare')(metric, partition, median_column)) -}}
{%- endmacro %}

{% macro default__window_mad(metric, partition, median_column) -%}
    mad({{ metric }}) over (partition by {{ partition }})
{%- endmacro %}

{% macro spark__window_mad(metric, partition, median_column) -%}
    median(abs({{ metric }} - {{ median_column }}_before)) over (partition by {{ partition }})
{%- endmacro %}
