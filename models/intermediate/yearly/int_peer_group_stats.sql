{#-
    One row per data year, peer level and peer group: the group's size and, per rate of peer_metrics(), its
    count of values, median and median absolute deviation (MAD). The levels of peer_levels(): national (same
    data_year, hcpcs_code and place_of_service, all specialties), specialty (also the same provider_type) and
    state (also the same provider_state). A level is a column: each row is read once per level, keyed by the
    level's 64-bit group id (assert_peer_group_ids_do_not_collide guards the hash), and one group-by computes
    every level. Small (one row per group, not per provider-service row), so the statistics are stored once
    and joined where they are read (int_provider_service_peer_benchmarks, docs/decisions/0034).
    Every group lies in one data year: built one year at a time (build_by_data_year) and kept by data year.
-#}
{%- set metrics = peer_metrics() %}
{%- set levels = peer_levels() %}

{{
    config(
        year_reach='same',
        build_by_data_year=true
    )
}}
{%- set years = refresh_years() %}
with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
    {{ where_refresh_years(years) }}
),

-- every row once per level, the level a column; the key columns a level does not use are null
level_rows as (
    {%- for level, keys in levels.items() %}
        {%- set no_text = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
        select
            {%- for metric in metrics %}
                {{ metric }},
            {%- endfor %}
            data_year,
            '{{ level }}' as peer_level,
            {{ peer_group_id(keys) }} as group_id,
            hcpcs_code,
            place_of_service,
            {{ 'provider_type' if 'provider_type' in keys else no_text }} as provider_type,
            {{ 'provider_state' if 'provider_state' in keys else no_text }} as provider_state
        from provider_services
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        data_year,
        peer_level,
        group_id,
        -- one value per group (the id is their hash); min() only makes that explicit
        min(hcpcs_code) as hcpcs_code,
        min(place_of_service) as place_of_service,
        min(provider_type) as provider_type,
        min(provider_state) as provider_state,
        {%- for metric in metrics %}
            count({{ metric }}) as {{ metric }}_count,
            median({{ metric }}) as {{ metric }}_median,
            {{ group_mad(metric) }} as {{ metric }}_mad,
        {%- endfor %}
        count(*) as group_size
    from {{ peer_rows_with_medians('level_rows') }}
    group by
        data_year,
        peer_level,
        group_id
)

select * from final
