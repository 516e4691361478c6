{#- Names of the temporary tables DuckDB's CSV reader fills with the lines it rejects. -#}
{% macro csv_reject_tables() -%}
    {{ return({'errors': 'deep_medicare_csv_reject_errors', 'scans': 'deep_medicare_csv_reject_scans'}) }}
{%- endmacro %}
