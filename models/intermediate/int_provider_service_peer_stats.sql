{#-
    For every provider-service row and each of its three peer groups (national: same data_year, hcpcs_code and
    place_of_service; specialty: also the same provider_type; state: also the same provider_state), the
    group's size and, per rate of peer_metrics(), the group's median, its median absolute deviation (MAD) and the
    row's percent rank in it. A level is a partition, not a copy of the query: one loop over the levels.
    Each level's group is one 64-bit hash of its keys, so partitions compare one integer instead of up to five
    text columns (assert_peer_group_ids_do_not_collide guards the hash). Partitions also name data_year (every
    group lies in one year), so a filter on data_year (int_provider_service_peer_benchmarks' yearly refresh) reaches the
    scans below the windows.
    Percent rank is (rank - 1) / (rows with a value - 1): 0 lowest, 1 highest, 0 alone; null where the rate is
    null (nulls sort last, so they never take a rank from a value).
    Two passes, each cheap for what it carries (measured on a national year: 74 s against 96 s for one pass):
    - ranks: the fifteen ranks (five rates, three levels) are plain rank() windows over narrow rows (the year,
      a row key, the group ids and the rates). Each is a sort of its own, so each must carry little: ordered
      ranks inside the statistics' windows (rank(order by ...) over (partition ...)) cost four times as much,
      and plain windows over the whole row three times.
    - statistics: every count, median and MAD of a level shares one window, partitioned by the level's group.
    The two meet on the row key: a 64-bit hash of the row's grain within its year
    (assert_peer_row_keys_do_not_collide guards it). Bounded memory, cost linear in the rows.
    A view: int_provider_service_peer_benchmarks reads it once.
-#}
{{ config(materialized='view') }}
{%- set metrics = peer_metrics() %}
{%- set levels = peer_levels() %}

with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
),

-- the same rows read a second time, for the ranks: an import CTE read twice would be materialized whole
provider_service_rates as (
    select * from {{ ref('int_provider_service_years_enriched') }}
),

grouped as (
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
        {{ peer_group_columns() }}
    from provider_services
),

rate_rows as (
    select
        data_year,
        {{ peer_group_columns() }}
    from provider_service_rates
),

-- the nested loops of the selects below are laid out by eye, which the layout rules cannot follow
-- noqa: disable=LT02
ranks as (
    select
        data_year,
        row_key,
        {%- for level in levels %}
            {%- for metric in metrics %}
                cast(
                    rank() over (
                        partition by data_year, {{ level }}_group_id order by {{ metric }} nulls last
                    ) as integer
                ) as {{ metric }}_{{ level }}_rank{{ ',' if not loop.last }}
            {%- endfor %}{{ ',' if not loop.last }}
        {%- endfor %}
    from rate_rows
),

ranked as (
    select
        grouped.*,
        {%- for level in levels %}
            {%- for metric in metrics %}
                ranks.{{ metric }}_{{ level }}_rank{{ ',' if not loop.last }}
            {%- endfor %}{{ ',' if not loop.last }}
        {%- endfor %}
    from grouped
    inner join ranks
        on
            grouped.data_year = ranks.data_year
            and grouped.row_key = ranks.row_key
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
        {%- for metric in metrics %}
            {{ metric }},
        {%- endfor %}
        {%- for level in levels %}
            count(*) over (partition by data_year, {{ level }}_group_id) as {{ level }}_group_size,
            {%- for metric in metrics %}
                {%- set partition = 'data_year, ' ~ level ~ '_group_id' %}
                {%- set median_column = metric ~ '_' ~ level ~ '_median' %}
                {{ window_median(metric, partition, median_column) }} as {{ median_column }},
                {{ window_mad(metric, partition, median_column) }} as {{ metric }}_{{ level }}_mad,
                case
                    when {{ metric }} is not null
                        then coalesce(
                            ({{ metric }}_{{ level }}_rank - 1)
                            / nullif(count({{ metric }}) over (partition by data_year, {{ level }}_group_id) - 1, 0),
                            0
                        )
                end as {{ metric }}_{{ level }}_percentile{{ ',' if not loop.last }}
            {%- endfor %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ peer_medians('ranked') }}
)
-- noqa: enable=LT02

select * from final
