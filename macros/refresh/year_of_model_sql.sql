{#- The rows of one data year of a model's query (duckdb__create_table_as builds by year with it). -#}
{% macro year_of_model_sql(compiled_code, year) -%}
    select * from (
        {{ compiled_code }}
    ) as model_year_rows
    {{ where_refresh_years([year]) }}
{%- endmacro %}
