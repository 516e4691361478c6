{#-
    Every rule of a single raw CMS row, as one expression: null when the row passes them all, otherwise
    the rules it breaks in words, joined by '; '. Reads source_layout, npi, hcpcs_code, place_of_service,
    the raw_* text of the numbers and the typed numbers of physician_number_casts(). The one home of the
    rules: stage_physician_rows() applies it to every raw row, and
    tests/staging/assert_rejection_rules_give_their_reasons.sql to a seed of hand-made cases, so a broken
    rule fails the dbt build even when the data rejects nothing.
-#}
{% macro physician_row_rejection_reason() -%}
nullif(concat_ws(
    '; ',
    case
        when source_layout = 'legacy' and npi = '0000000001'
            then 'CPT copyright notice line of a legacy CMS file, not data'
    end,
    case
        when npi is null then 'npi is missing'
        when not {{ regex_full_match('npi', '[0-9]{10}') }}
            then 'npi ''' || npi || ''' is not 10 digits'
    end,
    case when hcpcs_code is null then 'hcpcs_code is missing' end,
    case
        when place_of_service is null then 'place_of_service is missing'
        when place_of_service not in ('F', 'O')
            then 'place_of_service ''' || place_of_service || ''' is not F or O'
    end,
    {%- for column in [
        'total_beneficiaries',
        'total_services',
        'total_beneficiary_day_services',
        'avg_submitted_charge',
        'avg_medicare_allowed_amount',
        'avg_medicare_payment_amount',
        'avg_medicare_standardized_amount',
    ] %}
        case
            {%- if column != 'avg_medicare_standardized_amount' %}
                when raw_{{ column }} is null then '{{ column }} is missing'
            {%- endif %}
            when raw_{{ column }} is not null and {{ column }} is null
                then '{{ column }} ''' || raw_{{ column }} || ''' is not a number'
            when {{ column }} < 0
                then '{{ column }} ' || raw_{{ column }} || ' is negative'
        end,
    {%- endfor %}
    case
        when total_beneficiaries < 11
            then 'fewer than 11 beneficiaries (' || total_beneficiaries || '), which CMS never publishes'
    end,
    case
        when total_services < total_beneficiary_day_services
            then 'total_services ' || raw_total_services || ' below total_beneficiary_day_services '
                || raw_total_beneficiary_day_services
    end,
    case
        when total_beneficiary_day_services < total_beneficiaries
            then 'total_beneficiary_day_services ' || raw_total_beneficiary_day_services
                || ' below total_beneficiaries ' || raw_total_beneficiaries
    end
), '')
{%- endmacro %}
