{#-
    A table function that reads a text file one whole line per row (column `line`), with no
    quoting and no type sniffing: used to read headers and to count raw lines independently of
    the CSV parser. Blank lines come back as null. DuckDB decompresses .gz itself. On DuckDB `path` may
    also be a list of paths.
    With skip_undecodable, lines that are not valid in `encoding` are dropped (used to probe).
-#}
{% macro read_lines(path, encoding='latin-1', skip_undecodable=false) -%}
    {{ return(adapter.dispatch('read_lines', 'deep_medicare')(path, encoding, skip_undecodable)) }}
{%- endmacro %}

{% macro duckdb__read_lines(path, encoding, skip_undecodable) -%}
    read_csv(
        {%- if path is string %}
        {{ sql_string(path) }},
        {%- else %}
        [{%- for each_path in path %}{{ sql_string(each_path) }}{{ ', ' if not loop.last }}{% endfor -%}],
        {%- endif %}
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

{#-
    read_lines() on Spark: the text source reads one whole line per row (decompressing .gz by its name), with
    no quoting and no parsing. Blank lines come back as null, as on DuckDB; `filename` is the file's path as
    `path` spells it (spark_path_as_given). Spark's text source reads UTF-8 only: `encoding` and
    `skip_undecodable` only matter to DuckDB's probe of a file's encoding.
-#}
{% macro spark__read_lines(path, encoding, skip_undecodable) -%}
    (
        select
            nullif(value, '') as line,
            {{ spark_path_as_given('input_file_name()', path) }} as filename
        from text.`{{ path }}`
    )
{%- endmacro %}

{#-
    The path of a file Spark read (a URI, in `expression`) spelled as the glob `pattern` that found it spells
    paths, as DuckDB gives them: absolute for an absolute pattern or a URI, else relative to the working
    directory (dbt runs from the project's).
-#}
{% macro spark_path_as_given(expression, pattern) -%}
    {#- a file URI as Spark gives it (file:/a/b or file:///a/b) as the plain path DuckDB gives (/a/b) -#}
    {%- set file_path = "regexp_replace(" ~ expression ~ ", '^file:(//)?', '')" -%}
    {%- if pattern.startswith('/') or '://' in pattern -%}
        {{ file_path }}
    {%- else -%}
        substring(
            {{ file_path }},
            length(reflect('java.lang.System', 'getProperty', 'user.dir')) + 2
        )
    {%- endif -%}
{%- endmacro %}
