{#-
    Each provider-service row's five rates against its peers. The peer group is the specialty group
    (same code, place of service, year and provider_type, nationally) unless it has fewer than
    var('min_peer_group_size') rows; then it is the national group of all specialties. The state peer
    group is the specialty group within the provider's state unless that is too small; then it is the
    peer group chosen above. int_provider_service_peer_percentiles chooses the groups and holds the
    percentiles; the groups' sizes, medians and MADs are joined from int_peer_group_stats, one row per
    group, rather than stored on every row (docs/decisions/0034). Robust z = (value - median) / (1.4826 * MAD):
    1.4826 scales the median absolute deviation to the standard deviation for normally distributed data
    (anomaly_constant('mad_to_sigma')). Null when MAD = 0.
    A view: the mart provider_peer_benchmarks and the anomaly features (int_provider_year_code_features,
    int_provider_year_evidence) read it, and a filter on data_year reaches both tables (docs/decisions/0023).
-#}
{%- set metrics = peer_metrics() %}
{%- set mad_to_standard_deviation = anomaly_constant('mad_to_sigma') %}

{{ config(materialized='view') }}

with

peer_percentiles as (
    select * from {{ ref('int_provider_service_peer_percentiles') }}
),

group_stats as (
    select * from {{ ref('int_peer_group_stats') }}
),

-- the peer group's and the state peer group's statistics beside each row
state_peer_groups as (
    select
        peer_percentiles.*,
        {%- for metric in metrics %}
            peer_stats.{{ metric }}_median as {{ metric }}_peer_median,
            peer_stats.{{ metric }}_mad as {{ metric }}_peer_mad,
            state_peer_stats.{{ metric }}_median as {{ metric }}_state_peer_median,
            state_peer_stats.{{ metric }}_mad as {{ metric }}_state_peer_mad,
        {%- endfor %}
        peer_stats.group_size as peer_group_size,
        state_peer_stats.group_size as state_peer_group_size
    from peer_percentiles
    inner join group_stats as peer_stats
        on
            peer_percentiles.data_year = peer_stats.data_year
            and peer_percentiles.peer_level = peer_stats.peer_level
            and peer_percentiles.peer_group_id = peer_stats.group_id
    inner join group_stats as state_peer_stats
        on
            peer_percentiles.data_year = state_peer_stats.data_year
            and peer_percentiles.state_peer_level = state_peer_stats.peer_level
            and peer_percentiles.state_peer_group_id = state_peer_stats.group_id
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
                {{ metric }}_{{ scope }}_median,
                {{ metric }}_{{ scope }}_mad,
                {{ safe_divide(metric, metric ~ '_' ~ scope ~ '_median') }} as {{ metric }}_{{ scope }}_ratio,
                {{ metric }}_{{ scope }}_percentile,
                {{ safe_divide(
                    metric ~ ' - ' ~ metric ~ '_' ~ scope ~ '_median',
                    mad_to_standard_deviation ~ ' * ' ~ metric ~ '_' ~ scope ~ '_mad'
                ) }} as {{ metric }}_{{ scope }}_robust_z,
            {%- endfor %}
        {%- endfor %}
        {{ var('min_peer_group_size') }} as min_peer_group_size
    from state_peer_groups
)

select * from final
