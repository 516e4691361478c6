{#-
    For every provider-service row and each of its three peer groups (national: same data_year, hcpcs_code and
    place_of_service; specialty: also the same provider_type; state: also the same provider_state), the
    group's size and, per rate of peer_metrics(), the group's median, its median absolute deviation (MAD) and the
    row's percent rank in it. A level is a partition, not a copy of the query: one loop over the levels.
    Each level's group is one 64-bit hash of its keys, so partitions compare one integer instead of up to five
    text columns (assert_peer_group_ids_do_not_collide guards the hash). Partitions also name data_year (every
    group lies in one year), so a filter on data_year (provider_peer_benchmarks' yearly refresh) reaches the
    scan below the windows.
    Percent rank is (rank - 1) / (rows with a value - 1): 0 lowest, 1 highest, 0 alone; null where the rate is
    null (nulls sort last, so they never take a rank from a value).
    Bounded memory, cost linear in the rows: every statistic of a level shares one window, partitioned by the
    level's group (and its year) and nothing else, so DuckDB partitions and spills the rows three times in all. Medians and
    MADs are computed once per partition; the ranks order the rates inside each partition (rank(order by ...)),
    not the whole table (rank() over (... order by ...) is a window of its own per rate and level: fifteen
    more passes, each carrying every column computed before it). One pass over all the rows, not chunks: a
    chunk filtered out of all the rows reads them all again, so chunks cost rows x chunks.
    A view: provider_peer_benchmarks reads it once.
-#}
{{ config(materialized='view') }}
{%- set metrics = peer_metrics() %}
{%- set levels = peer_levels() %}

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

-- sqlfluff cannot lay out the select's nested loops; the layout below is checked by eye
-- noqa: disable=LT02
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
                median({{ metric }}) over (
                    partition by data_year, {{ level }}_group_id
                ) as {{ metric }}_{{ level }}_median,
                mad({{ metric }}) over (partition by data_year, {{ level }}_group_id) as {{ metric }}_{{ level }}_mad,
                case
                    when {{ metric }} is not null
                        then coalesce(
                            (rank(order by {{ metric }}) over (partition by data_year, {{ level }}_group_id) - 1)
                            / nullif(count({{ metric }}) over (partition by data_year, {{ level }}_group_id) - 1, 0),
                            0
                        )
                end as {{ metric }}_{{ level }}_percentile{{ ',' if not loop.last }}
            {%- endfor %}{{ ',' if not loop.last }}
        {%- endfor %}
    from grouped
)
-- noqa: enable=LT02

select * from final
