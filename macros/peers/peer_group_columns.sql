{#-
    What both halves of int_provider_service_peer_stats (ranks and statistics) compute from a
    provider-service row, comma-separated: its row key (peer_row_keys), its group id at each level of
    peer_levels() and the rates of peer_metrics().
-#}
{% macro peer_group_columns() -%}
    {{ peer_group_id(peer_row_keys()) }} as row_key,
    {%- for level, keys in peer_levels().items() %}
        {{ peer_group_id(keys) }} as {{ level }}_group_id,
    {%- endfor %}
    {%- for metric in peer_metrics() %}
        {{ metric }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
