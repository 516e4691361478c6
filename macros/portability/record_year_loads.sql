{#- Last post-hook of an incremental model: record the raw files it is now built from. -#}
{% macro record_year_loads() -%}
    {{- return(adapter.dispatch('record_year_loads', 'deep_medicare')()) -}}
{%- endmacro %}

{% macro default__record_year_loads() -%}
    {#- an --empty build inserts no rows: its record would claim years the table lacks -#}
    {%- if not execute or invocation_args_dict.get('which') not in ('build', 'run') or invocation_args_dict.get('empty') -%}
        {{- return('select 1 as year_loads_not_recorded') -}}
    {%- endif -%}
    delete from {{ year_loads_relation() }} where model_name = {{ sql_string(model.name) }};
    insert into {{ year_loads_relation() }}
    select
        {{ sql_string(model.name) }},
        {{ sql_string(year_refresh_code_fingerprint()) }},
        source_file,
        data_year,
        content_sha256,
        current_timestamp
    from {{ ref('base_cms__physician_files') }}
{%- endmacro %}

{% macro spark__record_year_loads() -%}
    select 'no yearly refresh on Spark' as spark_no_op
{%- endmacro %}
