{#-
    dbt-duckdb's create_table_as, one data year at a time for a model configured build_by_data_year: the
    table is created from the model's first year, and each later year is inserted by a query of its own.
    For a model whose rows of a year depend on that year's input only, with every window and join keyed by
    data_year (provider_peer_benchmarks: every peer group lies in one year), the filter on the year reaches
    the scans and a year's query holds one year's rows: cost and memory grow linearly with the years, where
    one query over all years would hold every year's rows in its joins at once. Where the filter cannot pass
    a window or join, each year's query does more than a year's work (measured on the code-level features).
    The years are those of the raw files (base_cms__physician_files), the refreshed ones in a yearly refresh:
    asking the model's own query for its years would run most of it. Used
    for the first build, a full refresh and the yearly refresh's temporary table alike; any other model,
    a Python model or a single year goes to dbt-duckdb's macro unchanged.
    The yearly refresh of a SQL model (strategy year_refresh, at most one year built by data year) gets a
    temporary view of its query instead of a temporary table: the strategy then deletes the refreshed years
    and inserts the view's rows, so the new rows are written once, into the model's table, and not first
    into a temporary table that spills to the temp folder (docs/decisions/0037-refresh-writes-once.md).
-#}
{% macro duckdb__create_table_as(
    temporary, relation, compiled_code, language='sql', partitioned_by=none, sorted_by=none
) -%}
    {%- set years = [] -%}
    {%- if language == 'sql' and execute and config.get('build_by_data_year', false) -%}
        {%- set refreshed = refresh_years(allow_drop=false) -%}
        {%- set found = run_query(
            'select distinct data_year from ' ~ ref('base_cms__physician_files') ~ ' order by data_year'
        ) -%}
        {%- for year in found.columns[0].values() | map('int') if refreshed is none or year in refreshed -%}
            {%- do years.append(year) -%}
        {%- endfor -%}
    {%- endif -%}
    {#- a yearly refresh's new rows, as a view the strategy inserts from (below) -#}
    {%- if temporary and language == 'sql' and years | length < 2
        and config.get('incremental_strategy') == 'year_refresh' -%}
        {{- return('create or replace temporary view ' ~ relation.include(database=false, schema=false)
            ~ ' as (\n' ~ compiled_code ~ '\n)') -}}
    {%- endif -%}
    {%- if years | length < 2 -%}
        {{- return(dbt.duckdb__create_table_as(
            temporary, relation, compiled_code, language, partitioned_by, sorted_by
        )) -}}
    {%- endif -%}
    {#- the rows of each data year of the model's query -#}
    {%- set year_queries = [] -%}
    {%- for year in years -%}
        {%- set year_query -%}
    select * from (
        {{ compiled_code }}
    ) as model_year_rows
    {{ where_refresh_years([year]) }}
        {%- endset -%}
        {%- do year_queries.append(year_query) -%}
    {%- endfor -%}
    {%- set contract_enforced = config.get('contract').enforced and not temporary -%}
    {%- set target = relation.include(database=(not temporary), schema=(not temporary)) -%}
    {{ dbt.duckdb__create_table_as(
        temporary, relation, year_queries[0], language, partitioned_by, sorted_by
    ) }};
    {%- for year_query in year_queries[1:] %}
        insert into {{ target }} {{ get_column_names() if contract_enforced }} (
            {%- if contract_enforced %}
                {{ get_select_subquery(year_query) }}
            {%- else %}
                {{ year_query }}
            {%- endif %}
        );
    {%- endfor %}
{%- endmacro %}
