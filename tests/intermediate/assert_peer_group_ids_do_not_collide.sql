{#
    Rule: the 64-bit group id of each peer level (the macro peer_group_id, which
    int_provider_service_peer_stats partitions by) names exactly one group of key values. A collision
    would merge two peer groups. Fails with one row per level and id shared by different keys.
#}
{%- set levels = peer_levels() %}

with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
),

group_keys as (
    {%- for level, keys in levels.items() %}
        select distinct
            '{{ level }}' as peer_level,
            {{ peer_group_id(keys) }} as group_id,
            {{ keys | join(" || '|' || ") }} as group_key
        from provider_services
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        peer_level,
        group_id,
        count(*) as distinct_keys
    from group_keys
    group by
        peer_level,
        group_id
    having count(*) > 1
)

select * from final
