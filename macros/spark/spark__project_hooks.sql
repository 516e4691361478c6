{#-
    The project's hooks on Spark (dbt_project.yml: on-run-start, on-run-end).
    - The raw files' source view: raw_files.physician_by_provider_and_service, one row per line of the raw
      files (`line`, `filename`), as on DuckDB; Spark reads the files whenever the view is queried.
    - The record of what each yearly-refreshed model was built from: not on Spark, where every model is
      rebuilt whole (README, "Running on Spark").
    - Publishing: a Spark build writes its tables in place, in the Spark warehouse folder; there is no build
      file to publish. It reminds what writes the anomaly scores instead.
-#}
{#- Spark runs one statement at a time: the schema first, then the view as the hook's SQL. -#}
{% macro spark__create_raw_files_view(pattern, view_sql) -%}
    {%- do run_query('create schema if not exists raw_files') -%}
    {{- return(view_sql) -}}
{%- endmacro %}

{% macro spark__create_year_loads_table() -%}
    {{- return('') -}}
{%- endmacro %}

{#-
    No build file either; but the anomaly scores are no dbt node on Spark (dbt-spark's session method runs no
    Python models), so once a run has built the relations they read, it says what writes them.
-#}
{% macro spark__publish_warehouse(results) -%}
    {%- set evidence_built = results
        | selectattr('node.name', 'equalto', 'int_provider_year_evidence')
        | selectattr('status', 'equalto', 'success')
        | list -%}
    {%- if execute and evidence_built -%}
        {%- do log(
            'provider_anomaly_scores is written on Spark by the scoring package, not by dbt: run '
            ~ '.venv-spark/bin/python -m deep_medicare.spark_scores (make build-spark does; README, '
            ~ '"Running on Spark")',
            info=true
        ) -%}
    {%- endif -%}
    {{- return('') -}}
{%- endmacro %}
