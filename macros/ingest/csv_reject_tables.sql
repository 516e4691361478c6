{#- Names of the temporary tables DuckDB's CSV reader fills with the lines it rejects. -#}
{% macro csv_reject_tables() -%}
    {{ return({'errors': 'deep_medicare_csv_reject_errors', 'scans': 'deep_medicare_csv_reject_scans'}) }}
{%- endmacro %}

{#- True when this session's CSV reads created the reject tables (a yearly refresh that reads no file does not). -#}
{% macro csv_reject_tables_exist() -%}
    {%- set found = run_query(
        "select count(*) from duckdb_tables() where temporary and table_name = '"
        ~ csv_reject_tables().errors ~ "'"
    ) -%}
    {{- return(found.rows[0][0] > 0) -}}
{%- endmacro %}
