{#- One 64-bit key for a peer group: DuckDB's hash of its key columns (a missing value hashes like any other). -#}
{% macro peer_group_id(keys) -%}
    {{- return(adapter.dispatch('peer_group_id', 'deep_medicare')(keys)) -}}
{%- endmacro %}

{#- DuckDB's hash() is 64-bit -#}
{% macro default__peer_group_id(keys) -%}
    hash({{ keys | join(', ') }})
{%- endmacro %}

{#- Spark's hash() is 32-bit: xxhash64() is its 64-bit one -#}
{% macro spark__peer_group_id(keys) -%}
    xxhash64({{ keys | join(', ') }})
{%- endmacro %}
