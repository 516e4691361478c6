{#-
    A table function that reads a text file one whole line per row (column `line`), with no
    quoting and no type sniffing: used to read headers and to count raw lines independently of
    the CSV parser. Blank lines come back as null. DuckDB decompresses .gz itself.
    With skip_undecodable, lines that are not valid in `encoding` are dropped (used to probe).
-#}
{% macro read_lines(path, encoding='latin-1', skip_undecodable=false) -%}
    {{ return(adapter.dispatch('read_lines', 'deep_medicare')(path, encoding, skip_undecodable)) }}
{%- endmacro %}

{% macro duckdb__read_lines(path, encoding, skip_undecodable) -%}
    read_csv(
        {{ sql_string(path) }},
        columns = {'line': 'VARCHAR'},
        header = false,
        auto_detect = false,
        delim = chr(1),
        quote = '',
        escape = '',
        encoding = {{ sql_string(encoding) }},
        ignore_errors = {{ 'true' if skip_undecodable else 'false' }},
        filename = true
    )
{%- endmacro %}

{#- The number of each line of a file read by read_lines(), in file order (1 = the first line). -#}
{% macro line_number_in_file() -%}
    {{- return(adapter.dispatch('line_number_in_file', 'deep_medicare')()) -}}
{%- endmacro %}

{#- DuckDB: the scan's own order, kept by the model's keep_file_order('on') -#}
{% macro default__line_number_in_file() -%}
    row_number() over ()
{%- endmacro %}

{#- Spark: monotonically_increasing_id() grows with the position in the file, split by split -#}
{% macro spark__line_number_in_file() -%}
    row_number() over (order by monotonically_increasing_id())
{%- endmacro %}
