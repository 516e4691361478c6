{#- First pre-hook of a model kept by data year: record the data years this run recomputes in it. -#}
{% macro record_refresh_years() -%}
    {{- return(adapter.dispatch('record_refresh_years', 'deep_medicare')()) -}}
{%- endmacro %}

{% macro default__record_refresh_years() -%}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{- return('select 1 as year_refreshes_not_recorded') -}}
    {%- endif -%}
    {%- set years = refresh_years(allow_drop=false) -%}
    {#- a SQL model says so when it compiles (refresh_years()); a Python model cannot, so its hook does -#}
    {%- if model.language == 'python' and years is not none -%}
        {%- do log('Year refresh: ' ~ model.name ~ ' recomputes data years ' ~ years
            ~ (' (no raw file changed)' if years | length == 0 else ''), info=True) -%}
    {%- endif -%}
    delete from {{ year_refreshes_relation() }} where model_name = {{ sql_string(model.name) }};
    insert into {{ year_refreshes_relation() }}
    select
        {{ sql_string(invocation_id) }},
        {{ sql_string(model.name) }},
        {{ 'null' if years is none else 'cast([' ~ years | join(', ') ~ '] as integer[])' }},
        current_timestamp
{%- endmacro %}

{% macro spark__record_refresh_years() -%}
    select 'no yearly refresh on Spark' as spark_no_op
{%- endmacro %}
