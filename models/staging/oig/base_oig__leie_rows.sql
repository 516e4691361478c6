{{
    config(
        pre_hook="{{ keep_file_order('on') }}",
        post_hook="{{ keep_file_order('off') }}"
    )
}}
{#-
    Every data row of the LEIE files (leie_files()), as raw text and typed, with the reason it is refused or
    null. leie_file_specs() finds the files and checks their headers (a missing required column fails the
    build, naming the file and the column); read_leie_files() reads them. Rules of a single row: a
    non-numeric NPI, an unknown or missing exclusion type, a date that is not a date, a reinstatement before
    its exclusion or a reinstatement row with no date. The one rule across rows: the same event (kind,
    person, type, exclusion and reinstatement dates) read twice, from two supplements or from a supplement
    and the full list, is kept once, the first in file order. stg_oig__leie_exclusions keeps the valid rows,
    stg_oig__leie_exclusions_rejected the others.
-#}

with

raw_rows as (
    {{ read_leie_files(leie_file_specs()) }}
),

exclusion_types as (
    select * from {{ ref('leie_exclusion_types') }}
),

trimmed as (
    select
        {%- for column in leie_columns() %}
            {{ column }} as raw_{{ column }},
            nullif(trim({{ column }}), '') as clean_{{ column }},
        {%- endfor %}
        source_file,
        record_kind,
        source_row_number
    from raw_rows
),

-- OIG writes "no NPI" as an empty field, 0 or ten zeros, and "not reinstated" or "no waiver" as 0 or
-- eight zeros; a date of birth is YYYYMMDD or, in some files, MM/DD/YY (read as 19YY: an excluded
-- practitioner born in 20YY would have been a child)
normalized as (
    select
        *,
        case when clean_npi not in ('0', '0000000000') then clean_npi end as npi_text,
        case
            when clean_reinstatement_date not in ('0', '00000000') then clean_reinstatement_date
        end as reinstatement_date_text,
        case when clean_waiver_date not in ('0', '00000000') then clean_waiver_date end as waiver_date_text,
        case
            when {{ regex_full_match('clean_date_of_birth', '[0-9]{2}/[0-9]{2}/[0-9]{2}') }}
                then
                    '19' || substr(clean_date_of_birth, 7, 2) || substr(clean_date_of_birth, 1, 2)
                    || substr(clean_date_of_birth, 4, 2)
            when clean_date_of_birth not in ('0', '00000000') then clean_date_of_birth
        end as date_of_birth_text
    from trimmed
),

typed as (
    select
        normalized.*,
        {{ leie_date('normalized.clean_exclusion_date') }} as exclusion_date,
        {{ leie_date('normalized.reinstatement_date_text') }} as reinstatement_date,
        {{ leie_date('normalized.waiver_date_text') }} as waiver_date,
        {{ leie_date('normalized.date_of_birth_text') }} as date_of_birth,
        exclusion_types.exclusion_type as known_exclusion_type
    from normalized
    left join exclusion_types
        on normalized.clean_exclusion_type = exclusion_types.exclusion_type
),

checked as (
    select
        *,
        -- who was excluded: the NPI, else the name, date of birth and state OIG wrote
        coalesce(
            npi_text,
            upper(
                concat_ws(
                    '|',
                    coalesce(clean_last_name, ''),
                    coalesce(clean_first_name, ''),
                    coalesce(clean_middle_name, ''),
                    coalesce(clean_business_name, ''),
                    coalesce(cast(date_of_birth as {{ dbt.type_string() }}), ''),
                    coalesce(clean_state, '')
                )
            )
        ) as person_key,
        nullif(
            concat_ws(
                '; ',
                case
                    when npi_text is not null and not {{ regex_full_match('npi_text', '[0-9]{10}') }}
                        then 'NPI ''' || npi_text || ''' is not 10 digits'
                end,
                case
                    when clean_exclusion_type is null then 'exclusion type is missing'
                    when known_exclusion_type is null
                        then 'exclusion type ''' || clean_exclusion_type
                            || ''' is not a known LEIE type (seed leie_exclusion_types)'
                end,
                case
                    when clean_exclusion_date is null then 'exclusion date is missing'
                    when exclusion_date is null
                        then 'exclusion date ''' || clean_exclusion_date || ''' is not a date (YYYYMMDD)'
                end,
                case
                    when reinstatement_date_text is not null and reinstatement_date is null
                        then 'reinstatement date ''' || reinstatement_date_text || ''' is not a date (YYYYMMDD)'
                    when record_kind = 'reinstatement' and reinstatement_date is null
                        then 'a reinstatement supplement row with no reinstatement date'
                    when reinstatement_date < exclusion_date
                        then 'reinstatement date ' || reinstatement_date_text
                            || ' is before the exclusion date ' || clean_exclusion_date
                end,
                case
                    when waiver_date_text is not null and waiver_date is null
                        then 'waiver date ''' || waiver_date_text || ''' is not a date (YYYYMMDD)'
                end,
                case
                    when date_of_birth_text is not null and date_of_birth is null
                        then 'date of birth ''' || clean_date_of_birth
                            || ''' is not a date (YYYYMMDD or MM/DD/YY)'
                end
            ),
            ''
        ) as row_rejection_reason
    from typed
),

-- the same event read twice: the first in file order is loaded
ordered_events as (
    select
        *,
        row_number() over events_in_file_order as event_ordinal,
        first_value(source_file) over events_in_file_order as first_source_file,
        first_value(source_row_number) over events_in_file_order as first_source_row_number
    from checked
    window events_in_file_order as (
        partition by
            row_rejection_reason is null,
            record_kind,
            person_key,
            clean_exclusion_type,
            exclusion_date,
            reinstatement_date
        order by source_file, source_row_number
    )
),

final as (
    select
        {%- for column in leie_columns() %}
            raw_{{ column }},
        {%- endfor %}
        source_file,
        record_kind,
        source_row_number,
        person_key,
        npi_text as npi,
        clean_last_name as last_name,
        clean_first_name as first_name,
        clean_middle_name as middle_name,
        clean_business_name as business_name,
        clean_general_category as general_category,
        clean_specialty as specialty,
        clean_upin as upin,
        date_of_birth,
        clean_address as address,
        clean_city as city,
        clean_state as state,
        clean_zip as zip,
        clean_exclusion_type as exclusion_type,
        exclusion_date,
        reinstatement_date,
        waiver_date,
        clean_waiver_state as waiver_state,
        case
            when row_rejection_reason is not null then row_rejection_reason
            when event_ordinal > 1
                then 'repeats the ' || record_kind || ' in ' || first_source_file || ' data row '
                    || cast(first_source_row_number as {{ dbt.type_string() }}) || ', which was loaded'
        end as rejection_reason
    from ordered_events
)

select * from final
