{#-
    Staging the raw CMS files on Spark (base_cms__provider_service_rows and its hooks).
    Each file is read one line per row by the text source and numbered in file order; the header (line 1)
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

{#- The lines Spark could not parse, as DuckDB's post-hook saves its reader's rejects (same table and columns). -#}
{% macro spark__save_csv_reader_rejects(model_relation) -%}
    {%- set specs = physician_file_specs() -%}
    {%- set side_table = model_relation.schema ~ '.base_cms__provider_service_malformed_lines' -%}
    {#- Spark replaces only tables of its own formats (Delta): drop, then create -#}
    {%- if execute -%}
        {%- do run_query('drop table if exists ' ~ side_table) -%}
    {%- endif -%}
    create table {{ side_table }}
    using parquet as
    {%- for spec in specs %}
    select
        {{ sql_string(spec.path) }} as source_file,
        {{ spec.data_year }} as data_year,
        cast(line_number as bigint) as line_number,
        'MALFORMED LINE' as error_types,
        {{ sql_string('Spark could not read the line as ' ~ spec.header | length ~ ' fields') }} as error_message,
        line as raw_line
    from ({{ spark_parsed_physician_lines(spec) }}) as parsed
    where fields._corrupt_record is not null
    union all
    {%- endfor %}
    select
        cast(null as string) as source_file,
        cast(null as int) as data_year,
        cast(null as bigint) as line_number,
        cast(null as string) as error_types,
        cast(null as string) as error_message,
        cast(null as string) as raw_line
    where false
{%- endmacro %}

{#- Spark reads each line on its own and numbers rows in the query: nothing to renumber or recover. -#}
{% macro spark__number_rows_in_file_order(model_relation) -%}
    {{- spark_no_op('rows numbered in file order by the query') -}}
{%- endmacro %}

{% macro spark__recover_swallowed_lines(model_relation) -%}
    {{- spark_no_op('no line swallowed: each line is parsed on its own') -}}
{%- endmacro %}

{% macro spark__keep_file_order(state) -%}
    {{- spark_no_op('file order from line numbers') -}}
{%- endmacro %}

{% macro spark__record_year_loads() -%}
    {{- spark_no_op('no yearly refresh on Spark') -}}
{%- endmacro %}

{% macro spark__detect_file_encoding(path) -%}
    {{- return('utf-8') -}}
{%- endmacro %}

{#- A hook that does nothing on Spark, saying why in its one row. -#}
{% macro spark_no_op(reason) -%}
    select {{ sql_string(reason) }} as spark_no_op
{%- endmacro %}
