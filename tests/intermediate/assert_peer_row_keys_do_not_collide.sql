{#
    Rule: the row key int_provider_service_peer_stats joins a row's ranks to its statistics by (the 64-bit
    hash of peer_row_keys(), within the row's data_year) names exactly one row. The rows are unique on those
    keys (the model's grain test), so a key shared by two rows is a hash collision, which would pair a row
    with another row's ranks. Fails with one row per data_year and key shared by several rows. A yearly
    refresh checks the refreshed years only.
#}

with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
    where {{ tested_years_condition('int_provider_service_years_enriched') }}
),

final as (
    select
        data_year,
        {{ peer_group_id(peer_row_keys()) }} as row_key,
        count(*) as rows_sharing_key
    from provider_services
    group by
        data_year,
        row_key
    having count(*) > 1
)

select * from final
