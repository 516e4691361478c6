{#-
    The CMS data year carried by a file name: `..._2019.csv` or `..._PUF_CY2014.txt` (the last
    four-digit 19xx/20xx run not touching other digits). The var `physician_file_years`
    ({"file name": year}) overrides it. A file with neither fails the build, naming the file.
-#}
{% macro data_year_from_file_name(path) -%}
    {%- set file_name = path.replace('\\', '/').split('/') | last -%}
    {%- set overrides = var('physician_file_years', {}) -%}
    {%- if file_name in overrides -%}
        {{- return(overrides[file_name] | int) -}}
    {%- endif -%}
    {%- set years = modules.re.findall('(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])', file_name) -%}
    {%- if years | length == 0 -%}
        {{- exceptions.raise_compiler_error(
            "Cannot tell the data year of raw file '" ~ path ~ "': its name carries no year. "
            ~ "Rename it the way CMS does (e.g. ..._2019.csv or ..._PUF_CY2014.txt), or give the year "
            ~ "with --vars '{physician_file_years: {\"" ~ file_name ~ "\": 2019}}'."
        ) -}}
    {%- endif -%}
    {{- return(years | last | int) -}}
{%- endmacro %}

{#-
    A SQL expression giving the data year of each raw file named in `column`, for the files of `paths`
    (data_year_from_file_name() of each); a null integer when there is none.
-#}
{% macro data_year_of_source_file(paths, column='source_file') -%}
    {%- if paths | length > 0 -%}
        case {{ column }}
            {%- for path in paths %}
            when {{ sql_string(path) }} then {{ data_year_from_file_name(path) }}
            {%- endfor %}
        end
    {%- else -%}
        cast(null as integer)
    {%- endif -%}
{%- endmacro %}
