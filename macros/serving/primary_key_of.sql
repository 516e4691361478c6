{#-
    The primary key columns of a DuckDB table, in key order (unnest keeps the list's order): an empty list
    when it has none, or when the relation is missing.
-#}
{% macro primary_key_of(relation) -%}
    {%- set found = run_query(
        "select unnest(constraint_column_names) from duckdb_constraints() where constraint_type = 'PRIMARY KEY'"
        ~ " and database_name = " ~ sql_string(relation.database)
        ~ " and schema_name = " ~ sql_string(relation.schema)
        ~ " and table_name = " ~ sql_string(relation.identifier)
    ) -%}
    {{- return(found.columns[0].values() | list) -}}
{%- endmacro %}
