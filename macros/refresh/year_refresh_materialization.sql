{#-
    The materialization of the models the yearly refresh keeps (config materialized=...): `incremental` with
    the project's `year_refresh` strategy on DuckDB (macros/year_refresh.sql); a `table` rebuilt whole on
    Spark, whose adapter takes no strategy of a project's own.
-#}
{% macro year_refresh_materialization() -%}
    {{- return(adapter.dispatch('year_refresh_materialization', 'deep_medicare')()) -}}
{%- endmacro %}

{% macro default__year_refresh_materialization() -%}
    {{- return('incremental') -}}
{%- endmacro %}

{% macro spark__year_refresh_materialization() -%}
    {{- return('table') -}}
{%- endmacro %}
