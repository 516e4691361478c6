{#-
    A hook that lowers DuckDB's memory limit to `cap` around one model, or, with no cap, sets the
    profile's back after it.
    provider_anomaly_scores holds a national year's features in pandas beside DuckDB: capping DuckDB
    there (var anomaly_scoring_duckdb_memory_limit) makes it drop the table blocks earlier models left in
    its cache, so the build's peak memory is DuckDB's limit or Python's scoring, not both added up. The
    cap never raises a profile limit that is already lower. memory_limit is one setting for the whole
    database, so the post-hook (no cap) restores exactly what the profile configured
    (MEDICARE_DUCKDB_MEMORY_LIMIT).
-#}
{% macro duckdb_memory_limit(cap=none) -%}
    {#- the profile's memory_limit (config_options), or none on a target that sets none -#}
    {%- set configured = (target.get('config_options') or {}).get('memory_limit') -%}
    {#- (an empty hook runs nothing; a select would leave a result open that the Python model trips on) -#}
    {%- if configured is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- if cap is none -%}
        {{- return('set memory_limit = ' ~ sql_string(configured)) -}}
    {%- endif -%}
    {#- bytes in a DuckDB size ('2500MB', '1.5 GiB', '800kb'); none for a share of RAM ('80%') or anything else -#}
    {%- set units = {
        none: 1, 'b': 1, 'bytes': 1,
        'kb': 1000, 'mb': 1000 ** 2, 'gb': 1000 ** 3, 'tb': 1000 ** 4,
        'kib': 1024, 'mib': 1024 ** 2, 'gib': 1024 ** 3, 'tib': 1024 ** 4,
    } -%}
    {%- set sizes_bytes = [] -%}
    {%- for size in [cap, configured] -%}
        {%- set match = modules.re.match('^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]i?b|b|bytes)?\\s*$', (size | string) | lower) -%}
        {%- do sizes_bytes.append(none if match is none else match.group(1) | float * units[match.group(2)]) -%}
    {%- endfor -%}
    {%- set cap_bytes, configured_bytes = sizes_bytes -%}
    {%- if cap_bytes is none -%}
        {{- exceptions.raise_compiler_error(
            "var anomaly_scoring_duckdb_memory_limit is '" ~ cap ~ "': give a size such as 1GB or 1500MB."
        ) -}}
    {%- endif -%}
    set memory_limit = {{ sql_string(configured if configured_bytes is not none and configured_bytes <= cap_bytes else cap) }}
{%- endmacro %}
