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
