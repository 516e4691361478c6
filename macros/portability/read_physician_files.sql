{#-
    One select per raw file (union all), every staging column as raw text under its staging
    name, plus source_file, data_year, source_layout and source_row_number (the row's ordinal
    among the file's parsed data rows, in file order; null here, set by number_rows_in_file_order() once
    the rows are written). Columns a layout lacks are null.
    A spec's read_path is the file read (a repaired copy when recover_swallowed_lines() re-reads
    one), its path the source_file the rows are staged under.
    DuckDB streams each file itself; lines its CSV reader cannot parse (wrong number of fields,
    an unterminated quote, undecodable bytes) are kept in the temporary tables named by
    csv_reject_tables() and saved by save_csv_reader_rejects() right after.
-#}
{% macro read_physician_files(specs) -%}
    {{ return(adapter.dispatch('read_physician_files', 'deep_medicare')(specs)) }}
{%- endmacro %}

{% macro duckdb__read_physician_files(specs) -%}
    {%- set rejects = csv_reject_tables() -%}
    {%- for spec in specs %}
    select
        {{ sql_string(spec.path) }} as source_file,
        {{ spec.data_year }} as data_year,
        {{ sql_string(spec.layout) }} as source_layout,
        -- numbered after the write, in file order: number_rows_in_file_order()
        cast(null as bigint) as source_row_number,
        {%- for column, raw_name in spec.sources.items() %}
        {% if raw_name is none %}cast(null as varchar){% else %}"{{ raw_name }}"{% endif %} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from read_csv(
        {{ sql_string(spec.read_path) }},
        header = true,
        auto_detect = false,
        delim = {{ sql_string(spec.delimiter) }},
        quote = '"',
        escape = '"',
        encoding = {{ sql_string(spec.encoding) }},
        columns = {
            {%- for name in spec.header %}
            {{ sql_string(name) }}: 'VARCHAR'{{ ',' if not loop.last }}
            {%- endfor %}
        },
        store_rejects = true,
        rejects_table = {{ sql_string(rejects.errors) }},
        rejects_scan = {{ sql_string(rejects.scans) }}
    )
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if specs | length == 0 %}
    {{ no_physician_rows() }}
    {%- endif %}
{%- endmacro %}

{#- parse time only: dbt renders models before any file is looked at; no row, every column of a staged row -#}
{% macro no_physician_rows() -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_int() }}) as data_year,
        cast(null as {{ dbt.type_string() }}) as source_layout,
        cast(null as {{ dbt.type_bigint() }}) as source_row_number,
        {%- for column in cms_physician_layouts()['current']['columns'] %}
        cast(null as {{ dbt.type_string() }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
{%- endmacro %}

{#-
    Spark's body. Each file is read one line per row by the text source and numbered in file order; the header (line 1)
    and blank lines are left out, and every other line is parsed on its own by from_csv with the file's
    header as the schema. A line the parser cannot make into exactly the header's fields (too few or too many,
    or a quote that leaves it short) gets a corrupt record and becomes a malformed line with its line number;
    as each line is parsed alone, a stray quote never runs on into the lines after it. The rows parsed are
    numbered among themselves in file order (source_row_number), as DuckDB numbers them.
    Spark's text source reads UTF-8 only, so a file's encoding is taken as UTF-8.
-#}

{#- The data lines of one raw file (a spec of physician_file_specs()): line_number, line, fields. -#}
{% macro spark_parsed_physician_lines(spec) -%}
    {%- set fields = [] -%}
    {%- for name in spec.header -%}
        {%- do fields.append('`' ~ name ~ '` STRING') -%}
    {%- endfor -%}
    {%- do fields.append('`_corrupt_record` STRING') -%}
    select
        line_number,
        line,
        from_csv(
            line,
            {{ sql_string(fields | join(', ')) }},
            map(
                'sep', {{ sql_string(spec.delimiter) }},
                'quote', '"',
                'escape', '"',
                'mode', 'PERMISSIVE',
                'columnNameOfCorruptRecord', '_corrupt_record'
            )
        ) as fields
    from (
        select
            value as line,
            {{ line_number_in_file() }} as line_number
        from text.`{{ spec.read_path }}`
    ) as numbered
    where line_number > 1 and line != ''
{%- endmacro %}

{% macro spark__read_physician_files(specs) -%}
    {%- for spec in specs %}
    select
        {{ sql_string(spec.path) }} as source_file,
        {{ spec.data_year }} as data_year,
        {{ sql_string(spec.layout) }} as source_layout,
        cast(row_number() over (order by line_number) as bigint) as source_row_number,
        {%- for column, raw_name in spec.sources.items() %}
        {% if raw_name is none %}cast(null as string){% else %}fields.`{{ raw_name }}`{% endif %} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ({{ spark_parsed_physician_lines(spec) }}) as parsed
    where fields._corrupt_record is null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- if specs | length == 0 %}
    {{ no_physician_rows() }}
    {%- endif %}
{%- endmacro %}
