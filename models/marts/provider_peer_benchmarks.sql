{#-
    The peer comparisons as analysts query them: a view of int_provider_service_peer_benchmarks, which chooses
    the peer groups and computes every comparison (and which the anomaly features read too). A view, so the
    10 million rows of a national year are stored once; its contract fixes the columns and their types
    (docs/decisions/0023).
-#}
{%- set metrics = peer_metrics() %}

{{ config(materialized='view') }}

with

peer_benchmarks as (
    select * from {{ ref('int_provider_service_peer_benchmarks') }}
),

final as (
    select
        data_year,
        npi,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state,
        total_services,
        total_beneficiaries,
        total_beneficiary_day_services,
        total_medicare_payment,
        peer_group_size,
        state_peer_group_size,
        is_peer_fallback,
        is_state_peer_fallback,
        {%- for metric in metrics %}
            {{ metric }},
            {%- for scope in ['peer', 'state_peer'] %}
                {%- for statistic in ['median', 'mad', 'ratio', 'percentile', 'robust_z'] %}
                    {{ metric }}_{{ scope }}_{{ statistic }},
                {%- endfor %}
            {%- endfor %}
        {%- endfor %}
        min_peer_group_size
    from peer_benchmarks
)

select * from final
