{#-
    A date from LEIE text of 8 digits (YYYYMMDD), null when the text is null, not 8 digits or no real day
    (20230231): staging then quarantines the row if the text was there.
-#}
{% macro leie_date(text_column) -%}
    case
        when {{ regex_full_match(text_column, '[0-9]{8}') }}
            then try_cast(
                substr({{ text_column }}, 1, 4) || '-' || substr({{ text_column }}, 5, 2) || '-'
                || substr({{ text_column }}, 7, 2) as date
            )
    end
{%- endmacro %}
