{#- One row per HCPCS code, specialty (provider_type) and data year: the specialty breakdown of
    int_service_cost_trends. -#}
{{ cost_trend_mart(breakdown='specialty', breakdown_column='provider_type') }}
