{#-
    Post-hook SQL of base_cms__provider_service_rows: number the rows just written in file order
    (source_row_number, 1 = a file's first data row), from the order DuckDB wrote them in.
    read_physician_files() leaves source_row_number null: row_number() over () on the file scan would
    number the rows in the same order, but it makes DuckDB parse, type and check the whole file on one
    thread (41 s of the 80 s that staging a national year took). Instead the model's session keeps
    insertion order (keep_file_order('on')), so each file's rows are written, in parallel, as one
    contiguous run in file order, and a row's number is its rowid minus its file's first rowid, plus one.
    Rows already numbered (the years a yearly refresh keeps) are left alone. Called again by
    recover_swallowed_lines() after it stages a repaired copy of a file.
-#}
{% macro number_rows_in_file_order(model_relation) -%}
    {{- return(adapter.dispatch('number_rows_in_file_order', 'deep_medicare')(model_relation)) -}}
{%- endmacro %}

{% macro default__number_rows_in_file_order(model_relation) -%}
    update {{ model_relation }} as staged_rows
    set source_row_number = staged_rows.rowid - file_starts.first_rowid + 1
    from (
        select
            source_file,
            min(rowid) as first_rowid
        from {{ model_relation }}
        where source_row_number is null
        group by source_file
    ) as file_starts
    where
        staged_rows.source_row_number is null
        and staged_rows.source_file = file_starts.source_file
{%- endmacro %}

{#- Spark reads each line on its own and numbers rows in the query: nothing to renumber. -#}
{% macro spark__number_rows_in_file_order(model_relation) -%}
    select 'rows numbered in file order by the query' as spark_no_op
{%- endmacro %}

{#-
    First post-hook of base_cms__provider_service_rows: commit the rows the model just wrote, and begin the
    transaction its other post-hooks run in (dbt commits that one). DuckDB writes a new table's rows to the
    file as the statement runs; numbering them in the same transaction made the commit rewrite them all
    (15 s of a national year's 93 s), against under 1 s once they are committed
    (docs/decisions/0039-number-rows-after-commit.md).
    A build stopped between the two commits leaves rows without numbers, and no new record of the raw files
    (record_year_loads(), the last hook), so the next build reads those files again: a refresh's years
    differ from the record, and a build of every year deletes the record first, so the next build is whole.
-#}
{% macro commit_staged_rows() -%}
    {{- return(adapter.dispatch('commit_staged_rows', 'deep_medicare')()) -}}
{%- endmacro %}

{% macro default__commit_staged_rows() -%}
    {%- if execute and flags.WHICH in ['build', 'run'] and refresh_years(allow_drop=false) is none %}
    delete from {{ year_loads_relation() }} where model_name = {{ sql_string(model.name) }};
    {%- endif %}
    commit;
    begin transaction
{%- endmacro %}

{#- Spark writes each table at once, with no transaction to split. -#}
{% macro spark__commit_staged_rows() -%}
    select 'no transaction on Spark' as spark_no_op
{%- endmacro %}
