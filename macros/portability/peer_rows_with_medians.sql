{#-
    The rows int_peer_group_stats aggregates, one per row and peer level (`relation`, with data_year,
    peer_level and group_id): the relation itself on DuckDB; on Spark, with each rate's group median beside
    every row ({rate}_median_before), for spark__group_mad().
-#}
{% macro peer_rows_with_medians(relation) -%}
    {{- return(adapter.dispatch('peer_rows_with_medians', 'deep_medicare')(relation)) -}}
{%- endmacro %}

{% macro default__peer_rows_with_medians(relation) -%}
    {{ relation }}
{%- endmacro %}

{% macro spark__peer_rows_with_medians(relation) -%}
    (
        select
            *,
            {%- for metric in peer_metrics() %}
            median({{ metric }}) over (partition by data_year, peer_level, group_id)
                as {{ metric }}_median_before{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ relation }}
    ) as {{ relation }}
{%- endmacro %}
