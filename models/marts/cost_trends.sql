{#- One row per HCPCS code and data year: the national breakdown of int_service_cost_trends. -#}
{{ cost_trend_mart(breakdown='national') }}
