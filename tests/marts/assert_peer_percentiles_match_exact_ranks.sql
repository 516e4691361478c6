{#
    Rule: each rate's peer and state-peer percentile in provider_peer_benchmarks is the row's exact percent
    rank in the group it names, within the tolerance docs/decisions/0034 allows (0.01: a percentile may be
    read from a quantile grid). The exact rank is recomputed here by DuckDB's percent_rank() over the group's
    rows with a value, (rank - 1) / (rows with a value - 1), 0 in a group of one: the national group when
    is_peer_fallback, else the specialty group; the state group unless is_state_peer_fallback, else the peer
    group. A row with no value has no percentile. Fails with one row per row, rate and scope that differ.
#}
{%- set tolerance = 0.01 %}
{%- set metrics = peer_metrics() %}
{%- set national = 'metric, data_year, hcpcs_code, place_of_service' %}

with

benchmarks as (
    select * from {{ ref('provider_peer_benchmarks') }}
    where {{ tested_years_condition('provider_peer_benchmarks') }}
),

-- each rate of each row, the rate a column
rate_values as (
    {%- for metric in metrics %}
        select
            data_year,
            npi,
            hcpcs_code,
            place_of_service,
            provider_type,
            provider_state,
            is_peer_fallback,
            is_state_peer_fallback,
            '{{ metric }}' as metric,
            {{ metric }} as rate_value,
            {{ metric }}_peer_percentile as peer_percentile,
            {{ metric }}_state_peer_percentile as state_peer_percentile
        from benchmarks
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- rows with no value sort in a partition of their own, so they never take a rank from a value
exact_ranks as (
    select
        *,
        percent_rank() over (
            partition by {{ national }}, rate_value is null order by rate_value
        ) as national_rank,
        percent_rank() over (
            partition by {{ national }}, provider_type, rate_value is null order by rate_value
        ) as specialty_rank,
        percent_rank() over (
            partition by {{ national }}, provider_type, provider_state, rate_value is null order by rate_value
        ) as state_rank
    from rate_values
),

compared as (
    select
        data_year,
        npi,
        hcpcs_code,
        place_of_service,
        metric,
        rate_value,
        peer_percentile,
        state_peer_percentile,
        case
            when rate_value is null then null
            when is_peer_fallback then national_rank
            else specialty_rank
        end as exact_peer_percentile,
        case
            when rate_value is null then null
            when not is_state_peer_fallback then state_rank
            when is_peer_fallback then national_rank
            else specialty_rank
        end as exact_state_peer_percentile
    from exact_ranks
),

final as (
    select * from compared
    where
        (peer_percentile is null) != (exact_peer_percentile is null)
        or (state_peer_percentile is null) != (exact_state_peer_percentile is null)
        or abs(peer_percentile - exact_peer_percentile) > {{ tolerance }}
        or abs(state_peer_percentile - exact_state_peer_percentile) > {{ tolerance }}
)

select * from final
