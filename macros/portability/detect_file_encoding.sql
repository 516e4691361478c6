{#-
    The text encoding to read a raw file with. The var `physician_file_encoding` is `auto`
    (default), `utf-8` or `latin-1`. In auto mode the file is probed: when every line decodes as
    UTF-8 it is UTF-8, otherwise Latin-1 (CMS's older downloads), so names keep their accents.
    The plugin's deep_medicare_file_encoding() answers for plain and gzip files in the read that hashes
    the file (cached); other files are probed here in DuckDB.
    A first pass looks for any byte outside ASCII (read as Latin-1, such a byte is a character whose UTF-8
    form is longer than one byte); a plain ASCII file reads the same either way, so only files with such
    bytes get the second, UTF-8 pass.
-#}
{% macro detect_file_encoding(path) -%}
    {%- set setting = var('physician_file_encoding', 'auto') | lower -%}
    {%- if setting in ['utf-8', 'utf8'] -%}
        {{- return('utf-8') -}}
    {%- elif setting in ['latin-1', 'latin1', 'iso-8859-1'] -%}
        {{- return('latin-1') -}}
    {%- elif setting != 'auto' -%}
        {{- exceptions.raise_compiler_error(
            "var physician_file_encoding is '" ~ setting ~ "': use auto, utf-8 or latin-1."
        ) -}}
    {%- endif -%}
    {{- return(adapter.dispatch('detect_file_encoding', 'deep_medicare')(path)) -}}
{%- endmacro %}

{#- auto: ask the plugin, else probe the file in DuckDB -#}
{% macro default__detect_file_encoding(path) -%}
    {#- the project's dbt-duckdb plugin finds it while hashing the file (deep_medicare.file_fingerprints),
        a read the yearly refresh makes anyway and caches; null for a compression it does not read -#}
    {%- set found = run_query('select deep_medicare_file_encoding(' ~ sql_string(path) ~ ')').rows[0][0] -%}
    {%- if found is not none -%}
        {{- return(found) -}}
    {%- endif -%}
    {%- set latin1_probe -%}
        select
            count(*) as all_lines,
            count(*) filter (where strlen(line) != length(line)) as non_ascii_lines
        from {{ read_lines(path, 'latin-1') }}
    {%- endset -%}
    {%- set latin1 = run_query(latin1_probe).rows[0] -%}
    {%- if latin1[1] == 0 -%}
        {{- return('utf-8') -}}
    {%- endif -%}
    {%- set utf8_probe -%}
        select count(*) from {{ read_lines(path, 'utf-8', skip_undecodable=true) }}
    {%- endset -%}
    {{- return('utf-8' if run_query(utf8_probe).rows[0][0] == latin1[0] else 'latin-1') -}}
{%- endmacro %}

{#- Spark's text source reads UTF-8 only. -#}
{% macro spark__detect_file_encoding(path) -%}
    {{- return('utf-8') -}}
{%- endmacro %}
