{#-
    True when the whole of `expression` matches the regular expression `pattern` (a Python string), null when
    `expression` is null: DuckDB's regexp_full_match, Spark's rlike anchored at both ends.
-#}
{% macro regex_full_match(expression, pattern) -%}
    {{- return(adapter.dispatch('regex_full_match', 'deep_medicare')(expression, pattern)) -}}
{%- endmacro %}

{% macro default__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ sql_string(pattern) }})
{%- endmacro %}

{% macro spark__regex_full_match(expression, pattern) -%}
    ({{ expression }} rlike {{ sql_string('^(?:' ~ pattern ~ ')$') }})
{%- endmacro %}
