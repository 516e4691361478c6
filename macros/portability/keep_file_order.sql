{#-
    Hooks for the few statements that number lines or rows in file order (row_number() over () on a file
    scan, a first line read with limit 1). The profile lets DuckDB write tables in any order
    (preserve_insertion_order false, faster on national data); these set it back for their own session
    (keep_file_order('on') in a pre-hook) and return the session to the profile's setting after
    (keep_file_order('off') in the last post-hook).
-#}
{% macro keep_file_order(state) -%}
    {{- return(adapter.dispatch('keep_file_order', 'deep_medicare')(state)) -}}
{%- endmacro %}

{% macro default__keep_file_order(state) -%}
    {%- if state == 'on' -%}
        set session preserve_insertion_order = true
    {%- else -%}
        reset session preserve_insertion_order
    {%- endif -%}
{%- endmacro %}

{#- Spark numbers lines from their position in the file: nothing to set. -#}
{% macro spark__keep_file_order(state) -%}
    select 'file order from line numbers' as spark_no_op
{%- endmacro %}
