{#- on-run-start: create the record tables on a new build file. -#}
{% macro create_year_loads_table() -%}
    {{- return(adapter.dispatch('create_year_loads_table', 'deep_medicare')()) -}}
{%- endmacro %}

{% macro duckdb__create_year_loads_table() -%}
    create table if not exists {{ year_loads_relation() }} (
        model_name varchar,
        code_fingerprint varchar,
        source_file varchar,
        data_year integer,
        content_sha256 varchar,
        recorded_at timestamp with time zone
    );
    {#- the data years each yearly model recomputes in its latest run (null: all), for its data tests -#}
    create table if not exists {{ year_refreshes_relation() }} (
        invocation_id varchar,
        model_name varchar,
        data_years integer[],
        recorded_at timestamp with time zone
    )
{%- endmacro %}

{#- Spark rebuilds every model whole: no record. -#}
{% macro spark__create_year_loads_table() -%}
    {{- return('') -}}
{%- endmacro %}
