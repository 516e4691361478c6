with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
),

-- how each code was described in each year; a code has one description a year in CMS's files, and
-- should it ever have several, the one on the most rows wins (ties: the alphabetically first)
descriptions as (
    select
        hcpcs_code,
        data_year,
        hcpcs_description,
        hcpcs_drug_indicator,
        count(*) as row_count
    from provider_services
    group by
        hcpcs_code,
        data_year,
        hcpcs_description,
        hcpcs_drug_indicator
),

activity as (
    select
        hcpcs_code,
        min(data_year) as first_data_year,
        max(data_year) as last_data_year,
        count(distinct data_year) as active_year_count
    from descriptions
    group by hcpcs_code
),

ranked_descriptions as (
    select
        *,
        row_number() over (
            partition by hcpcs_code
            order by data_year desc, row_count desc, hcpcs_description asc, hcpcs_drug_indicator asc
        ) as description_rank
    from descriptions
),

final as (
    select
        ranked_descriptions.hcpcs_code,
        ranked_descriptions.hcpcs_description,
        ranked_descriptions.hcpcs_drug_indicator,
        ranked_descriptions.hcpcs_drug_indicator = 'Y' as is_drug,
        activity.first_data_year,
        activity.last_data_year,
        activity.active_year_count
    from ranked_descriptions
    inner join activity
        on ranked_descriptions.hcpcs_code = activity.hcpcs_code
    where ranked_descriptions.description_rank = 1
)

select * from final
