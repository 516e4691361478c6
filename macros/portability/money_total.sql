{#-
    A total in dollars: a per-service average (DECIMAL(38, 10)) times total_services (DECIMAL(18, 3)), exact,
    as DECIMAL(38, 13). DuckDB multiplies the two as they are. Spark caps a product's precision at 38 by
    cutting its scale (to 6 here), so the factors are first narrowed to what they hold (up to 10^12 dollars,
    10^12 services), which leaves the product all 13 decimals.
-#}
{% macro money_total(average, services) -%}
    {{- return(adapter.dispatch('money_total', 'deep_medicare')(average, services)) -}}
{%- endmacro %}

{% macro default__money_total(average, services) -%}
    {{ average }} * {{ services }}
{%- endmacro %}

{% macro spark__money_total(average, services) -%}
    cast(cast({{ average }} as decimal(22, 10)) * cast({{ services }} as decimal(15, 3)) as decimal(38, 13))
{%- endmacro %}
