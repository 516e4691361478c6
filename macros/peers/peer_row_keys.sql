{#-
    The grain of a provider-service row (int_provider_service_years_enriched): int_provider_service_peer_stats
    hashes it (peer_group_id) into the row key that joins a row's ranks to its statistics.
    assert_peer_row_keys_do_not_collide checks that the hash stays unique.
-#}
{% macro peer_row_keys() -%}
    {{- return(['data_year', 'npi', 'hcpcs_code', 'place_of_service']) -}}
{%- endmacro %}
