{#-
    The one rule across rows: a key (data_year, npi, hcpcs_code, place_of_service) belongs to one row.
    Among rows that pass every rule of a single row, the first in file order keeps the key (files in name
    order, then rows in file order); every later row holding it is listed here with the reason it is
    rejected. Aggregates, not a window over every row, so a national year stays a hash pass over the
    year and one hash of the key of base_cms__provider_service_rows.
    Incremental by data year (macros/refresh/year_refresh.sql): keys never cross a data year.
-#}
{{ config(year_reach='same') }}
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
        place_of_service,
        hash(npi, hcpcs_code, place_of_service) as key_hash
    from checked_rows
    where rejection_reason is null
),

-- keys that may repeat, found by grouping one 64-bit hash of the key instead of three text columns (a
-- national year: 2.0 s instead of 6.9 s); two keys that share a hash are told apart just below
repeated_key_hashes as (
    select
        data_year,
        key_hash
    from valid_rows
    group by data_year, key_hash
    having count(*) > 1
),

candidate_rows as (
    select valid_rows.*
    from valid_rows
    semi join repeated_key_hashes
        on
            valid_rows.data_year = repeated_key_hashes.data_year
            and valid_rows.key_hash = repeated_key_hashes.key_hash
),

repeated_keys as (
    select
        data_year,
        npi,
        hcpcs_code,
        place_of_service,
        min(source_file) as first_source_file
    from candidate_rows
    group by
        data_year,
        npi,
        hcpcs_code,
        place_of_service
    having count(*) > 1
),

rows_of_repeated_keys as (
    select
        candidate_rows.source_file,
        candidate_rows.source_row_number,
        candidate_rows.data_year,
        candidate_rows.npi,
        candidate_rows.hcpcs_code,
        candidate_rows.place_of_service,
        repeated_keys.first_source_file,
        min(
            case
                when candidate_rows.source_file = repeated_keys.first_source_file
                    then candidate_rows.source_row_number
            end
        ) over (
            partition by
                candidate_rows.data_year,
                candidate_rows.npi,
                candidate_rows.hcpcs_code,
                candidate_rows.place_of_service
        ) as first_source_row_number
    from candidate_rows
    inner join repeated_keys
        on
            candidate_rows.data_year = repeated_keys.data_year
            and candidate_rows.npi = repeated_keys.npi
            and candidate_rows.hcpcs_code = repeated_keys.hcpcs_code
            and candidate_rows.place_of_service = repeated_keys.place_of_service
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
