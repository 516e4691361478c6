{#-
    For every provider-service row and each of its three peer groups (national: same data_year, hcpcs_code and
    place_of_service; specialty: also the same provider_type; state: also the same provider_state), the
    group's size and, per rate of peer_metrics(), the group's median, its median absolute deviation (MAD) and the
    row's percent rank in it. A level is a partition, not a copy of the query: one loop over the levels.
    Medians and MADs are window aggregates over the whole partition (DuckDB selects them without sorting, and
    window partitions spill to disk where per-group aggregates of millions of small groups would not); only the
    percent ranks sort. Each level's group is one 64-bit hash of its keys, so partitions compare one integer
    instead of up to five text columns (assert_peer_group_ids_do_not_collide guards the hash). Partitions also
    name data_year (every group lies in one year), so a filter on data_year (provider_peer_benchmarks'
    yearly refresh) reaches the scan below the windows.
    Percent rank is (rank - 1) / (rows with a value - 1): 0 lowest, 1 highest, 0 alone; null where the rate is
    null (nulls sort last, so they never take a rank from a value).
    Bounded memory: the rows are split into chunks of about var('peer_stats_chunk_rows') rows by national group
    (so every group at every level lies in one chunk), and each chunk's windows run on their own. One window
    pass over a national year would hold every row of every partition at once and spill; chunks stay in memory.
    A view: provider_peer_benchmarks reads it once.
-#}
{{ config(materialized='view') }}
{%- set metrics = peer_metrics() %}
{%- set levels = peer_levels() %}
{%- set chunk_count = row_chunk_count(ref('int_provider_service_years_enriched'), var('peer_stats_chunk_rows')) %}

with

provider_services as (
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
        {%- for level, keys in levels.items() %}
            {{ peer_group_id(keys) }} as {{ level }}_group_id,
        {%- endfor %}
        {%- for metric in metrics %}
            {{ metric }},
        {%- endfor %}
        total_medicare_payment
    from provider_services
),

-- sqlfluff cannot lay out a select repeated by a loop; the layout below is checked by eye
-- noqa: disable=LT02
final as (
    {%- for chunk in range(chunk_count) %}
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
                median({{ metric }}) over (
                    partition by data_year, {{ level }}_group_id
                ) as {{ metric }}_{{ level }}_median,
                mad({{ metric }}) over (partition by data_year, {{ level }}_group_id) as {{ metric }}_{{ level }}_mad,
                case
                    when {{ metric }} is not null
                        then coalesce(
                            (rank() over (partition by data_year, {{ level }}_group_id order by {{ metric }}) - 1)
                            / nullif(count({{ metric }}) over (partition by data_year, {{ level }}_group_id) - 1, 0),
                            0
                        )
                end as {{ metric }}_{{ level }}_percentile{{ ',' if not loop.last }}
            {%- endfor %}{{ ',' if not loop.last }}
        {%- endfor %}
    from grouped
    where national_group_id % {{ chunk_count }} = {{ chunk }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)
-- noqa: enable=LT02

select * from final
