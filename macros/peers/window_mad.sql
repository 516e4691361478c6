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

{#-
    The relation the peer statistics read: `relation` itself on DuckDB; on Spark, `relation` with each
    level's and rate's median beside every row ({rate}_{level}_median_before), for spark__window_mad().
-#}
{% macro peer_medians(relation) -%}
    {{- return(adapter.dispatch('peer_medians', 'deep_medicare')(relation)) -}}
{%- endmacro %}

{% macro default__peer_medians(relation) -%}
    {{ relation }}
{%- endmacro %}

{% macro spark__peer_medians(relation) -%}
    (
        select
            *,
            {%- for level in peer_levels() %}
                {%- for metric in peer_metrics() %}
            median({{ metric }}) over (partition by data_year, {{ level }}_group_id)
                as {{ metric }}_{{ level }}_median_before{{ ',' if not loop.last }}
                {%- endfor %}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ relation }}
    ) as {{ relation }}
{%- endmacro %}
