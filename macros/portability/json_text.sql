{#-
    A JSON object as text, from `pairs` (a list of [key, SQL expression]), keys in that order and a null value
    written as null: DuckDB's to_json of a struct; Spark's to_json of a named_struct, told to keep null fields
    (it drops them by default).
-#}
{% macro json_text(pairs) -%}
    {{- return(adapter.dispatch('json_text', 'deep_medicare')(pairs)) -}}
{%- endmacro %}

{% macro default__json_text(pairs) -%}
    cast(to_json({
        {%- for key, expression in pairs %}
        {{ sql_string(key) }}: {{ expression }}{{ ',' if not loop.last }}
        {%- endfor %}
    }) as varchar)
{%- endmacro %}

{% macro spark__json_text(pairs) -%}
    to_json(
        named_struct(
            {%- for key, expression in pairs %}
            {{ sql_string(key) }}, {{ expression }}{{ ',' if not loop.last }}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}
