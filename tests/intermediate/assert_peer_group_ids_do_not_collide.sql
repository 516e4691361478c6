{#
    Rule: the 64-bit group id of each peer level (the macro peer_group_id, which
    int_provider_service_peer_stats partitions by, within a data_year) names exactly one group of key values in
    its year. A collision would merge two peer groups. Fails with one row per year, level and id shared by
    different keys. A yearly refresh checks the refreshed years only: groups never span years.
#}
{%- set levels = peer_levels() %}

with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
    where {{ tested_years_condition('int_provider_service_years_enriched') }}
),

group_keys as (
    {%- for level, keys in levels.items() %}
        select distinct
            data_year,
            '{{ level }}' as peer_level,
            {{ peer_group_id(keys) }} as group_id,
            {{ keys | join(" || '|' || ") }} as group_key
        from provider_services
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        data_year,
        peer_level,
        group_id,
        count(*) as distinct_keys
    from group_keys
    group by
        data_year,
        peer_level,
        group_id
    having count(*) > 1
)

select * from final
