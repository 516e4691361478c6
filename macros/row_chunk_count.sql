{#-
    How many chunks of at most `chunk_rows` rows the relation splits into (at least 1), counted at run time.
    Returns 1 at parse time and when the relation does not exist yet (dbt compile, docs, lint).
-#}
{% macro row_chunk_count(relation, chunk_rows) -%}
    {#- a unit test's inputs are CTEs with no schema: one chunk -#}
    {%- if not execute or relation.schema is none or load_relation(relation) is none -%}
        {{- return(1) -}}
    {%- endif -%}
    {%- set rows = run_query('select count(*) from ' ~ relation).rows[0][0] -%}
    {{- return([1, ((rows + chunk_rows - 1) // chunk_rows) | int] | max) -}}
{%- endmacro %}
