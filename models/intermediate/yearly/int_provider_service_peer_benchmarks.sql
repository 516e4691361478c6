{#-
    Each provider-service row's five rates against its peers. The peer group is the specialty group
    (same code, place of service, year and provider_type, nationally) unless it has fewer than
    var('min_peer_group_size') rows; then it is the national group of all specialties. The state peer
    group is the specialty group within the provider's state unless that is too small; then it is the
    peer group chosen above. Robust z = (value - median) / (1.4826 * MAD): 1.4826 scales the median
    absolute deviation to the standard deviation for normally distributed data (anomaly_constant('mad_to_sigma')).
    Null when MAD = 0.
    Built one data year at a time (build_by_data_year, macros/refresh/create_table_by_data_year.sql): every peer
    group lies in one year, so each year's query holds that year's rows only.
    The one table of these rows: the mart provider_peer_benchmarks is a view of it, and the anomaly features
    (int_provider_year_code_features, int_provider_year_evidence) read it, so the windows of
    int_provider_service_peer_stats run once per build (docs/decisions/0023).
-#}
{%- set metrics = peer_metrics() %}
{%- set mad_to_standard_deviation = anomaly_constant('mad_to_sigma') %}

{{
    config(
        year_reach='same',
        build_by_data_year=true
    )
}}
{%- set years = refresh_years() %}
with

peer_stats as (
    select * from {{ ref('int_provider_service_peer_stats') }}
    {{ where_refresh_years(years) }}
),

fallbacks as (
    select
        *,
        specialty_group_size < {{ var('min_peer_group_size') }} as is_peer_fallback,
        state_group_size < {{ var('min_peer_group_size') }} as is_state_peer_fallback
    from peer_stats
),

peer_groups as (
    select
        {%- for metric in metrics %}
            {%- for stat in ['median', 'mad', 'percentile'] %}
                case
                    when is_peer_fallback then {{ metric }}_national_{{ stat }}
                    else {{ metric }}_specialty_{{ stat }}
                end as {{ metric }}_peer_{{ stat }},
            {%- endfor %}
        {%- endfor %}
        case when is_peer_fallback then national_group_size else specialty_group_size end as peer_group_size,
        *
    from fallbacks
),

state_peer_groups as (
    select
        {%- for metric in metrics %}
            {%- for stat in ['median', 'mad', 'percentile'] %}
                case
                    when is_state_peer_fallback then {{ metric }}_peer_{{ stat }}
                    else {{ metric }}_state_{{ stat }}
                end as {{ metric }}_state_peer_{{ stat }},
            {%- endfor %}
        {%- endfor %}
        case when is_state_peer_fallback then peer_group_size else state_group_size end as state_peer_group_size,
        *
    from peer_groups
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
