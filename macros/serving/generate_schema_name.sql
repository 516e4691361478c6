{#-
    Schemas are named for their layer (staging, intermediate, marts, reference) rather than
    dbt's default <target>_<layer>, so analysts query marts.dim_provider in every environment.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
