{#-
    Everything the build needs to know about each raw file before reading it, found at run time:
    path, data year (from the name), encoding, delimiter, layout and header columns. Fails the
    build with a message naming the file when there is no file, no header, an unknown layout or a
    missing required column. Returns [] at parse time, when dbt may not touch the database.
    `only_paths` limits it to those files (the recovery of lines an unterminated quote swallowed).
-#}
{% macro physician_file_specs(only_paths=none) -%}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set paths = physician_file_paths() if only_paths is none else only_paths -%}
    {%- set layouts = cms_physician_layouts() -%}
    {%- set specs = [] -%}
    {%- for path in paths -%}
        {%- set data_year = data_year_from_file_name(path) -%}
        {%- set encoding = detect_file_encoding(path) -%}
        {#- the first line in file order: the session keeps it until the model's last post-hook -#}
        {%- do run_query(keep_file_order('on')) -%}
        {%- set first = run_query('select line from ' ~ read_lines(path, encoding) ~ ' limit 1') -%}
        {%- if first.rows | length == 0 or first.rows[0][0] is none -%}
            {{- exceptions.raise_compiler_error(
                "Raw file '" ~ path ~ "' is empty: expected a CMS header line first."
            ) -}}
        {%- endif -%}
        {%- set header_line = first.rows[0][0].rstrip('\r\n').lstrip('\ufeff').replace('\u00ef\u00bb\u00bf', '') -%}
        {%- set delimiter = '\t' if '\t' in header_line else ',' -%}
        {%- set header = [] -%}
        {%- for name in header_line.split(delimiter) -%}
            {%- do header.append(name.strip().strip('"').strip()) -%}
        {%- endfor -%}
        {%- set lower_header = header | map('lower') | list -%}
        {%- set layout_name = 'current' if 'rndrng_npi' in lower_header
            else ('legacy' if 'npi' in lower_header else none) -%}
        {%- if layout_name is none -%}
            {{- exceptions.raise_compiler_error(
                "Raw file '" ~ path ~ "' is not a CMS Physician & Other Practitioners by Provider and "
                ~ "Service file: its header has neither Rndrng_NPI (current layout) nor npi (legacy "
                ~ "layout). Header read: " ~ header_line[:200]
            ) -}}
        {%- endif -%}
        {%- set layout = layouts[layout_name] -%}
        {%- set optional = layout['optional'] | map('lower') | list -%}
        {%- set sources = {} -%}
        {%- for column, raw_name in layout['columns'].items() -%}
            {%- if raw_name is none or raw_name | lower not in lower_header -%}
                {%- if raw_name is not none and raw_name | lower not in optional -%}
                    {{- exceptions.raise_compiler_error(
                        "Raw file '" ~ path ~ "' (" ~ layout_name ~ " CMS layout) lacks the required column '"
                        ~ raw_name ~ "' (staged as " ~ column ~ ")."
                    ) -}}
                {%- endif -%}
                {%- do sources.update({column: none}) -%}
            {%- else -%}
                {%- do sources.update({column: header[lower_header.index(raw_name | lower)]}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do specs.append({
            'path': path,
            'read_path': path,
            'data_year': data_year,
            'encoding': encoding,
            'delimiter': delimiter,
            'layout': layout_name,
            'header': header,
            'sources': sources,
        }) -%}
    {%- endfor -%}
    {{- return(specs) -}}
{%- endmacro %}

{#-
    The raw files' paths, in name order, as DuckDB's glob gives them (physician_files()); fails the build
    with a message when none matches.
-#}
{% macro physician_file_paths() -%}
    {%- set pattern = physician_files() -%}
    {%- set found = run_query(file_glob_sql(pattern)) -%}
    {%- set paths = found.columns[0].values() | list -%}
    {%- if paths | length == 0 -%}
        {{- exceptions.raise_compiler_error(
            "No raw CMS files match physician_files = '" ~ pattern ~ "' (from --vars, "
            ~ "MEDICARE_PHYSICIAN_FILES or the default data/sample/*.csv.gz, relative to the project root)."
        ) -}}
    {%- endif -%}
    {{- return(paths) -}}
{%- endmacro %}
