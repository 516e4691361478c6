{#-
    The five per-row rates that peer benchmarks compare a provider against: the one list that
    int_peer_group_stats, int_provider_service_peer_stats and provider_peer_benchmarks loop over.
    Each is a double column of int_provider_service_years_enriched.
-#}
{% macro peer_metrics() -%}
    {{- return([
        'payment_per_service',
        'allowed_per_service',
        'services_per_beneficiary',
        'beneficiary_day_services_per_beneficiary',
        'charge_to_allowed_ratio',
    ]) -}}
{%- endmacro %}

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

{#- One 64-bit key for a peer group: DuckDB's hash of its key columns (a missing value hashes like any other). -#}
{% macro peer_group_id(keys) -%}
    hash({{ keys | join(', ') }})
{%- endmacro %}
