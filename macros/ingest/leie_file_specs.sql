{#-
    What the build needs to know about each LEIE file before reading it: path, kind (a reinstatement
    supplement when its name holds REIN, in any case; otherwise a list of exclusions: a monthly EXCL
    supplement or OIG's full UPDATED.csv), header and the raw column of each staged column. Fails the build
    with a message naming the file and the column when a required column is missing. A file with no line at
    all, or a header and no row (a month with no exclusion), loads no row. Returns [] at parse time and when
    no file matches leie_files().
-#}
{% macro leie_file_specs() -%}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set pattern = leie_files() | trim -%}
    {%- if pattern == '' -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set paths = run_query(file_glob_sql(pattern)).columns[0].values() | list -%}
    {%- set specs = [] -%}
    {%- for path in paths -%}
        {%- set first = run_query('select line from ' ~ read_lines(path, 'latin-1') ~ ' limit 1') -%}
        {%- if first.rows | length > 0 and first.rows[0][0] is not none -%}
            {%- set header_line = first.rows[0][0].rstrip('\r\n').lstrip('\ufeff').replace('\u00ef\u00bb\u00bf', '') -%}
            {%- set header = [] -%}
            {%- for name in header_line.split(',') -%}
                {%- do header.append(name.strip().strip('"').strip()) -%}
            {%- endfor -%}
            {%- set upper_header = header | map('upper') | list -%}
            {%- set sources = {} -%}
            {%- for column, rule in leie_columns().items() -%}
                {%- if rule[0] in upper_header -%}
                    {%- do sources.update({column: header[upper_header.index(rule[0])]}) -%}
                {%- elif rule[1] -%}
                    {{- exceptions.raise_compiler_error(
                        "LEIE file '" ~ path ~ "' lacks the required column '" ~ rule[0] ~ "' (staged as "
                        ~ column ~ "). Header read: " ~ header_line[:200]
                    ) -}}
                {%- else -%}
                    {%- do sources.update({column: none}) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do specs.append({
                'path': path,
                'read_path': path,
                'delimiter': ',',
                'record_kind': 'reinstatement' if 'REIN' in path.split('/')[-1].upper() else 'exclusion',
                'header': header,
                'sources': sources,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(specs) -}}
{%- endmacro %}
