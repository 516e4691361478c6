{#-
    MetricFlow's time spine: every day of the data years loaded, from 1 January of the first to 31 December
    of the last. The warehouse's data are yearly and its metrics are queried by year, but dbt requires a
    spine of day grain; taking its range from the data keeps it right for any set of loaded years.
-#}

with

provider_service_years as (
    select * from {{ ref('fct_provider_service_year') }}
),

loaded_years as (
    select
        min(data_year) as first_data_year,
        max(data_year) as last_data_year
    from provider_service_years
),

days as (
    select cast(spine.day_start as date) as date_day
    from {{ days_between_years('loaded_years', 'loaded_years.first_data_year', 'loaded_years.last_data_year') }}
),

final as (
    select
        date_day,
        cast(extract(year from date_day) as integer) as data_year
    from days
)

select * from final
