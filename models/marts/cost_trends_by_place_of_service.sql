{#- One row per HCPCS code, place of service and data year: the place-of-service breakdown of
    int_service_cost_trends. -#}
{{ cost_trend_mart(breakdown='place_of_service', breakdown_column='place_of_service') }}
