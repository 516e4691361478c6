{#-
    The on-run-end hook's SQL: publish the build file dbt wrote to as the served warehouse (a copy renamed
    over it atomically, by the profile's plugin deep_medicare.dbt_publish_plugin), but only after a
    `dbt build` in which every node passed, so the served warehouse always holds a fully tested build.
    Any other command, a failed or skipped node, or an --empty build publishes nothing and says so.
    It records the build in main.warehouse_build first; `checkpoint` then moves every committed change
    from the WAL into the build file that is copied.
-#}
{% macro publish_warehouse(results) -%}
    {{- return(adapter.dispatch('publish_warehouse', 'deep_medicare')(results)) -}}
{%- endmacro %}

{% macro duckdb__publish_warehouse(results) -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set command = invocation_args_dict.get('which') -%}
    {%- if command != 'build' -%}
        {%- if command in ('run', 'seed', 'snapshot') -%}
            {%- do log('The served warehouse is unchanged: `dbt ' ~ command ~ '` runs no tests, so only'
                ~ ' `dbt build` publishes. This run wrote to the build file ' ~ target.path ~ '.', info=True) -%}
        {%- endif -%}
        {{- return('') -}}
    {%- endif -%}
    {%- if invocation_args_dict.get('empty') -%}
        {%- do log('The served warehouse is unchanged: an --empty build is never published.', info=True) -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set failed = results | rejectattr('status', 'in', ['success', 'pass', 'warn', 'no-op']) | list -%}
    {%- if failed -%}
        {%- set names = failed | map(attribute='node.name') | list -%}
        {%- do log('The served warehouse is unchanged: ' ~ failed | length ~ ' of ' ~ results | length
            ~ ' nodes did not pass (' ~ names[:5] | join(', ') ~ (', ...' if names | length > 5 else '')
            ~ '). Fix them and build again.', info=True) -%}
        {{- return('') -}}
    {%- endif -%}
    {%- if not results -%}
        {{- return('') -}}
    {%- endif -%}
    {#- main.warehouse_build names the build in the warehouse itself (make export's manifest reads it). -#}
    {%- set record_build -%}
        create or replace table main.warehouse_build as
        select
            {{ sql_string(invocation_id) }} as invocation_id,
            {{ sql_string(run_started_at.isoformat()) }}::timestamptz as build_started_at,
            current_timestamp as published_at,
            {{ sql_string(dbt_version) }} as dbt_version,
            {{ sql_string(physician_files()) }} as physician_files
    {%- endset -%}
    {{- return(record_build ~ '; checkpoint; select deep_medicare_publish_warehouse()') -}}
{%- endmacro %}

{#-
    Spark: a Spark build writes its tables in place, in the Spark warehouse folder, so there is no build file
    to publish. The anomaly scores are no dbt node on Spark (dbt-spark's session method runs no Python
    models), so once a run has built the relations they read, it says what writes them.
-#}
{% macro spark__publish_warehouse(results) -%}
    {%- set evidence_built = results
        | selectattr('node.name', 'equalto', 'int_provider_year_evidence')
        | selectattr('status', 'equalto', 'success')
        | list -%}
    {%- if execute and evidence_built -%}
        {%- do log(
            'provider_anomaly_scores is written on Spark by the scoring package, not by dbt: run '
            ~ '.venv-spark/bin/python -m deep_medicare.spark_scores (make build-spark does; docs/spark.md)',
            info=true
        ) -%}
    {%- endif -%}
    {{- return('') -}}
{%- endmacro %}
