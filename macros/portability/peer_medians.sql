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
