{#-
    The three peer levels a provider-service row is compared at, each with the columns that define its
    groups: national (same data_year, hcpcs_code and place_of_service, all specialties), specialty (also the
    same provider_type) and state (also the same provider_state). The one list the peer statistics and their
    collision test loop over.
-#}
{% macro peer_levels() -%}
    {{- return({
        'national': ['data_year', 'hcpcs_code', 'place_of_service'],
        'specialty': ['data_year', 'hcpcs_code', 'place_of_service', 'provider_type'],
        'state': ['data_year', 'hcpcs_code', 'place_of_service', 'provider_type', 'provider_state'],
    }) -}}
{%- endmacro %}
