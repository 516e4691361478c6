{#- One 64-bit key for a peer group: DuckDB's hash of its key columns (a missing value hashes like any other). -#}
{% macro peer_group_id(keys) -%}
    hash({{ keys | join(', ') }})
{%- endmacro %}
