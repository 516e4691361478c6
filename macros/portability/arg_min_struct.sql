{#-
    The aggregate that keeps, of each group, the values of the row with the smallest key: `values` and `keys`
    are lists of [name, SQL expression]; the key compares field by field in that order. The result is one
    struct column, whose fields a select reads as column.field on either engine. DuckDB: arg_min over
    struct_pack; Spark: min_by over named_struct (Spark orders structs field by field too).
-#}
{% macro arg_min_struct(values, keys) -%}
    {{- return(adapter.dispatch('arg_min_struct', 'deep_medicare')(values, keys)) -}}
{%- endmacro %}

{% macro default__arg_min_struct(values, keys) -%}
    arg_min(
        struct_pack(
            {%- for name, expression in values %}
            {{ name }} := {{ expression }}{{ ',' if not loop.last }}
            {%- endfor %}
        ),
        struct_pack(
            {%- for name, expression in keys %}
            {{ name }} := {{ expression }}{{ ',' if not loop.last }}
            {%- endfor %}
        )
    )
{%- endmacro %}

{% macro spark__arg_min_struct(values, keys) -%}
    min_by(
        named_struct(
            {%- for name, expression in values %}
            {{ sql_string(name) }}, {{ expression }}{{ ',' if not loop.last }}
            {%- endfor %}
        ),
        named_struct(
            {%- for name, expression in keys %}
            {{ sql_string(name) }}, {{ expression }}{{ ',' if not loop.last }}
            {%- endfor %}
        )
    )
{%- endmacro %}
