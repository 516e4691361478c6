{#-
    The text encoding to read a raw file with. The var `physician_file_encoding` is `auto`
    (default), `utf-8` or `latin-1`. In auto mode the file is probed: when every line decodes as
    UTF-8 it is UTF-8, otherwise Latin-1 (CMS's older downloads), so names keep their accents.
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
    {%- set probe -%}
        select
            (select count(*) from {{ read_lines(path, 'latin-1') }}) as all_lines,
            (
                select count(*)
                from {{ read_lines(path, 'utf-8', skip_undecodable=true) }}
            ) as utf8_lines
    {%- endset -%}
    {%- set counts = run_query(probe).rows[0] -%}
    {{- return('utf-8' if counts[0] == counts[1] else 'latin-1') -}}
{%- endmacro %}
