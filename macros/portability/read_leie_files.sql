{#-
    One select per LEIE file (union all), every staged column as raw text (leie_columns(); null when the
    file lacks an optional column), plus source_file, record_kind and source_row_number (the row's ordinal
    among the file's data rows, in file order). `specs` come from leie_file_specs(); none gives no row.
-#}
{% macro read_leie_files(specs) -%}
    {{ return(adapter.dispatch('read_leie_files', 'deep_medicare')(specs)) }}
{%- endmacro %}

{#-
    DuckDB reads the files that share a header in one scan (one scan per file would hold a read buffer per
    file: hundreds of monthly files run out of memory), all columns as text; a line it cannot parse fails the
    build, naming the file. Rows are numbered in scan order, file by file (the model keeps file order).
-#}
{% macro duckdb__read_leie_files(specs) -%}
    {%- set groups = {} -%}
    {%- for spec in specs -%}
        {%- set key = spec.header | join(',') -%}
        {%- if key not in groups -%}
            {%- do groups.update({key: []}) -%}
        {%- endif -%}
        {%- do groups[key].append(spec) -%}
    {%- endfor -%}
    {%- for key, group in groups.items() %}
    select
        filename as source_file,
        case filename
            {%- for spec in group %}
            when {{ sql_string(spec.path) }} then {{ sql_string(spec.record_kind) }}
            {%- endfor %}
        end as record_kind,
        scan_row_number - min(scan_row_number) over (partition by filename) + 1 as source_row_number,
        {%- for column in leie_columns() %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            filename,
            cast(row_number() over () as bigint) as scan_row_number,
            {%- for column, raw_name in group[0].sources.items() %}
            {% if raw_name is none %}cast(null as varchar){% else %}"{{ raw_name }}"{% endif %} as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from read_csv(
            [
                {%- for spec in group %}
                {{ sql_string(spec.read_path) }}{{ ',' if not loop.last }}
                {%- endfor %}
            ],
            header = true,
            auto_detect = false,
            delim = ',',
            quote = '"',
            escape = '"',
            encoding = 'latin-1',
            filename = true,
            columns = {
                {%- for name in group[0].header %}
                {{ sql_string(name) }}: 'VARCHAR'{{ ',' if not loop.last }}
                {%- endfor %}
            }
        )
    ) as scanned
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if specs | length == 0 %}
    {{ no_leie_rows() }}
    {%- endif %}
{%- endmacro %}

{#- Spark parses each line on its own with the file's header as the schema (spark_parsed_physician_lines()). -#}
{% macro spark__read_leie_files(specs) -%}
    {%- for spec in specs %}
    select
        {{ sql_string(spec.path) }} as source_file,
        {{ sql_string(spec.record_kind) }} as record_kind,
        cast(row_number() over (order by line_number) as bigint) as source_row_number,
        {%- for column, raw_name in spec.sources.items() %}
        {% if raw_name is none %}cast(null as string){% else %}fields.`{{ raw_name }}`{% endif %} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ({{ spark_parsed_physician_lines(spec) }}) as parsed
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if specs | length == 0 %}
    {{ no_leie_rows() }}
    {%- endif %}
{%- endmacro %}

{#- No file (none matches, or parse time): no row, every column of a read row. -#}
{% macro no_leie_rows() -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_string() }}) as record_kind,
        cast(null as {{ dbt.type_bigint() }}) as source_row_number,
        {%- for column in leie_columns() %}
        cast(null as {{ dbt.type_string() }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
{%- endmacro %}
