{#-
    The one rule across rows: a key (data_year, npi, hcpcs_code, place_of_service) belongs to one row.
    Among rows that pass every rule of a single row, the first in file order keeps the key (files in name
    order, then rows in file order); every later row holding it is listed here with the reason it is
    rejected. Aggregates, not a window over every row, so a national year stays a hash pass over four
    key columns of base_cms__provider_service_rows.
    Incremental by data year (macros/year_refresh.sql): keys never cross a data year.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='year_refresh',
        year_reach='same',
        on_schema_change='append_new_columns',
        post_hook=["{{ record_year_loads() }}"]
    )
}}
{%- set years = refresh_years() %}

with

checked_rows as (
    select * from {{ ref('base_cms__provider_service_rows') }}
    {{ where_refresh_years(years) }}
),

valid_rows as (
    select
        source_file,
        source_row_number,
        data_year,
        npi,
        hcpcs_code,
        place_of_service
    from checked_rows
    where rejection_reason is null
),

repeated_keys as (
    select
        data_year,
        npi,
        hcpcs_code,
        place_of_service,
        min(source_file) as first_source_file
    from valid_rows
    group by
        data_year,
        npi,
        hcpcs_code,
        place_of_service
    having count(*) > 1
),

rows_of_repeated_keys as (
    select
        valid_rows.source_file,
        valid_rows.source_row_number,
        valid_rows.data_year,
        valid_rows.npi,
        valid_rows.hcpcs_code,
        valid_rows.place_of_service,
        repeated_keys.first_source_file,
        min(
            case
                when valid_rows.source_file = repeated_keys.first_source_file then valid_rows.source_row_number
            end
        ) over (
            partition by valid_rows.data_year, valid_rows.npi, valid_rows.hcpcs_code, valid_rows.place_of_service
        ) as first_source_row_number
    from valid_rows
    inner join repeated_keys
        on
            valid_rows.data_year = repeated_keys.data_year
            and valid_rows.npi = repeated_keys.npi
            and valid_rows.hcpcs_code = repeated_keys.hcpcs_code
            and valid_rows.place_of_service = repeated_keys.place_of_service
),

final as (
    select
        source_file,
        source_row_number,
        data_year,
        npi,
        hcpcs_code,
        place_of_service,
        'repeats the key (data_year, npi, hcpcs_code, place_of_service) of ' || first_source_file
        || ' data row ' || first_source_row_number || ', which was loaded' as rejection_reason
    from rows_of_repeated_keys
    where source_file != first_source_file or source_row_number != first_source_row_number
)

select * from final
