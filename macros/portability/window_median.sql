{#-
    The median of `metric` over a window partitioned by `partition`, in the same select as window_mad():
    DuckDB's median() window; on Spark, the median peer_medians() already put beside the row.
-#}
{% macro window_median(metric, partition, median_column) -%}
    {{- return(adapter.dispatch('window_median', 'deep_medicare')(metric, partition, median_column)) -}}
{%- endmacro %}

{% macro default__window_median(metric, partition, median_column) -%}
    median({{ metric }}) over (
        partition by {{ partition }}
    )
{%- endmacro %}

{% macro spark__window_median(metric, partition, median_column) -%}
    {{ median_column }}_before
{%- endmacro %}
