{#-
    Each provider-service row's chosen peer groups and its five rates' percent ranks in them. The peer group is
    the specialty group (same code, place of service, year and provider_type, nationally) unless it has fewer
    than var('min_peer_group_size') rows; then it is the national group of all specialties. The state peer
    group is the specialty group within the provider's state unless that is too small; then it is the peer
    group chosen above. Group sizes come from int_peer_group_stats.
    Ranks only where they are read (docs/decisions/0034): a group is ranked only when some row chooses it, and
    over all its rows (a national group some row falls back to holds every specialty's rows, not only the rows
    that fell back); a row keeps the ranks of its two chosen groups. Percent rank is (rank - 1) / (rows with a
    value - 1): 0 lowest, 1 highest, 0 alone; null where the rate is null (nulls sort last, so they never take
    a rank from a value).
    The ranked rows are narrow (the year, the level, the group id, a row key, the rates): one row per row and
    ranked group, the level a column, so each rate is one rank() window for every level. They meet the rows
    again in one group-by on the row key, a 64-bit hash of the row's grain within its year
    (assert_peer_row_keys_do_not_collide guards it): a join there would stop build_by_data_year's filter on
    the year at the join (0034). Exact ranks measured faster than a percentile read from a 101-point quantile
    grid (0034).
    Every group lies in one data year: built one year at a time (build_by_data_year) and kept by data year.
-#}
{%- set metrics = peer_metrics() %}
{#- what the rows carry to the end besides their rates: their own columns, then their chosen groups #}
{%- set row_columns = [
    'npi', 'hcpcs_code', 'place_of_service', 'provider_type', 'provider_state', 'total_services',
    'total_beneficiaries', 'total_beneficiary_day_services', 'total_medicare_payment',
] %}
{%- set chosen_group_columns = [
    'is_peer_fallback', 'is_state_peer_fallback', 'peer_level', 'peer_group_id', 'state_peer_level',
    'state_peer_group_id',
] %}
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

group_stats as (
    select * from {{ ref('int_peer_group_stats') }}
    {{ where_refresh_years(years) }}
),

grouped as (
    select
        {%- for level, keys in levels.items() %}
            {{ peer_group_id(keys) }} as {{ level }}_group_id,
        {%- endfor %}
        {%- for metric in metrics %}
            {{ metric }},
        {%- endfor %}
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
        {{ peer_group_id(peer_row_keys()) }} as row_key
    from provider_services
),

fallbacks as (
    select
        grouped.*,
        specialty_stats.group_size < {{ var('min_peer_group_size') }} as is_peer_fallback,
        state_stats.group_size < {{ var('min_peer_group_size') }} as is_state_peer_fallback
    from grouped
    inner join group_stats as specialty_stats
        on
            grouped.data_year = specialty_stats.data_year
            and specialty_stats.peer_level = 'specialty'
            and grouped.specialty_group_id = specialty_stats.group_id
    inner join group_stats as state_stats
        on
            grouped.data_year = state_stats.data_year
            and state_stats.peer_level = 'state'
            and grouped.state_group_id = state_stats.group_id
),

peer_groups as (
    select
        *,
        case when is_peer_fallback then 'national' else 'specialty' end as peer_level,
        case when is_peer_fallback then national_group_id else specialty_group_id end as peer_group_id,
        case
            when not is_state_peer_fallback then 'state'
            when is_peer_fallback then 'national'
            else 'specialty'
        end as state_peer_level,
        case
            when not is_state_peer_fallback then state_group_id
            when is_peer_fallback then national_group_id
            else specialty_group_id
        end as state_peer_group_id
    from fallbacks
),

-- national groups some row falls back to (every row of a specialty or state group makes the same choice)
fallback_national_groups as (
    select distinct
        data_year,
        national_group_id
    from peer_groups
    where is_peer_fallback
),

-- every row of every group some row is ranked in, the level a column, and whether the row is ranked in it
-- for its peer group, its state peer group or both
group_members as (
    select
        {%- for metric in metrics %}
            peer_groups.{{ metric }},
        {%- endfor %}
        peer_groups.data_year,
        'national' as peer_level,
        peer_groups.national_group_id as group_id,
        peer_groups.row_key,
        peer_groups.is_peer_fallback as is_peer_group,
        peer_groups.is_peer_fallback and peer_groups.is_state_peer_fallback as is_state_peer_group
    from peer_groups
    inner join fallback_national_groups
        on
            peer_groups.data_year = fallback_national_groups.data_year
            and peer_groups.national_group_id = fallback_national_groups.national_group_id
    union all
    select
        {%- for metric in metrics %}
            {{ metric }},
        {%- endfor %}
        data_year,
        'specialty' as peer_level,
        specialty_group_id as group_id,
        row_key,
        true as is_peer_group,
        is_state_peer_fallback as is_state_peer_group
    from peer_groups
    where not is_peer_fallback
    union all
    select
        {%- for metric in metrics %}
            {{ metric }},
        {%- endfor %}
        data_year,
        'state' as peer_level,
        state_group_id as group_id,
        row_key,
        false as is_peer_group,
        true as is_state_peer_group
    from peer_groups
    where not is_state_peer_fallback
),

member_percentiles as (
    select
        {%- for metric in metrics %}
            case
                when {{ metric }} is not null
                    then coalesce(
                            (
                                rank() over (
                                    partition by data_year, peer_level, group_id order by {{ metric }} nulls last
                                ) - 1
                            )
                            / nullif(count({{ metric }}) over (partition by data_year, peer_level, group_id) - 1, 0),
                            0
                        )
            end as {{ metric }}_percentile,
        {%- endfor %}
        data_year,
        row_key,
        is_peer_group,
        is_state_peer_group
    from group_members
),

-- each row once with its own columns, and once per group it is ranked in with its percentiles there: one
-- group-by on the row key brings them together (a join back stops a filter on data_year, build_by_data_year's,
-- at the join: docs/decisions/0034)
row_parts as (
    select
        {%- for column in row_columns + chosen_group_columns %}
            {{ column }},
        {%- endfor %}
        {%- for metric in metrics %}
            {{ metric }},
            null as {{ metric }}_percentile,
        {%- endfor %}
        data_year,
        row_key,
        true as is_row,
        false as is_peer_group,
        false as is_state_peer_group
    from peer_groups
    union all
    select
        {%- for column in row_columns + chosen_group_columns %}
            null as {{ column }},
        {%- endfor %}
        {%- for metric in metrics %}
            null as {{ metric }},
            {{ metric }}_percentile,
        {%- endfor %}
        data_year,
        row_key,
        false as is_row,
        is_peer_group,
        is_state_peer_group
    from member_percentiles
    where is_peer_group or is_state_peer_group
),

-- one row per row key: max() picks the one value of each part
final as (
    select
        data_year,
        {%- for column in row_columns %}
            max({{ column }}) filter (where is_row) as {{ column }},
        {%- endfor %}
        {%- for metric in metrics %}
            max({{ metric }}) filter (where is_row) as {{ metric }},
            max({{ metric }}_percentile) filter (where is_peer_group) as {{ metric }}_peer_percentile,
            max({{ metric }}_percentile) filter (where is_state_peer_group) as {{ metric }}_state_peer_percentile,
        {%- endfor %}
        {%- for column in chosen_group_columns if column != 'state_peer_group_id' %}
            max({{ column }}) filter (where is_row) as {{ column }},
        {%- endfor %}
        max(state_peer_group_id) filter (where is_row) as state_peer_group_id
    from row_parts
    group by
        data_year,
        row_key
)

select * from final
