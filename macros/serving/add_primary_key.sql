{#-
    Post-hook: give the model's table a primary key on `columns`, for models dbt cannot give one through a
    contract (Python models). Renders nothing when the table already has one (an incremental run keeps the
    table it found), so the hook is safe on every build. Fails the model if the key columns hold duplicates
    or nulls, as an enforced contract would.
-#}
{% macro add_primary_key(columns) -%}
    {%- if execute and primary_key_of(this) | length == 0 -%}
        alter table {{ this }} add primary key ({{ columns | join(', ') }})
    {%- endif -%}
{%- endmacro %}
