{#-
    Tests that follow the change (docs/decisions/0031-tests-follow-the-refresh.md). A yearly model's first
    pre-hook (record_refresh_years()) writes the data years this run recomputes in it to
    main.deep_medicare_year_refreshes; every data test of the project has where: "__refreshed_years__"
    (dbt_project.yml), which get_where_subquery() below turns into `data_year in (...)` for a model refreshed
    in this run. So a yearly refresh tests the years it wrote, a full build or --full-refresh tests every
    year, and a `dbt test` on its own (no refresh in the run) tests every year too.
-#}

{#- The table of the data years each yearly model recomputed in its latest run. -#}
{% macro year_refreshes_relation() -%}
    {{- return('main.deep_medicare_year_refreshes') -}}
{%- endmacro %}

{#-
    The data years this dbt invocation recomputed in the node `unique_id`: none when every year (a full
    build, a model not built in this run, a node not kept by data year, Spark), else a sorted list, maybe
    empty. A view has the years of the models it reads (none if any of them answers none). Only in a dbt
    build or dbt test, whose on-run-start hook creates the table read here.
-#}
{% macro years_refreshed_in_this_run(unique_id, depth=0) -%}
    {#- only dbt build and dbt test run the on-run-start hook that creates the table; a dbt compile, show or
        docs generate tests (compiles) every year -#}
    {%- if not execute or target.type != 'duckdb' or depth > 5 or flags.WHICH not in ['build', 'test'] -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- if node is none or node.resource_type != 'model' -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set found = run_query(
        'select data_years is null, coalesce(array_to_string(list_sort(data_years), \',\'), \'\') from '
        ~ year_refreshes_relation()
        ~ ' where model_name = ' ~ sql_string(node.name) ~ ' and invocation_id = ' ~ sql_string(invocation_id)
    ) -%}
    {%- if found.rows | length > 0 -%}
        {%- if found.rows[0][0] -%}
            {{- return(none) -}}
        {%- endif -%}
        {{- return(found.rows[0][1].split(',') | reject('equalto', '') | map('int') | list) -}}
    {%- endif -%}
    {%- if node.config.materialized != 'view' or node.depends_on.nodes | length == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set state = namespace(years=[], whole=false) -%}
    {%- for parent in node.depends_on.nodes -%}
        {%- set parent_years = years_refreshed_in_this_run(parent, depth + 1) -%}
        {%- if parent_years is none -%}
            {%- set state.whole = true -%}
        {%- else -%}
            {%- set state.years = (state.years + parent_years) | unique | sort | list -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(none if state.whole else state.years) -}}
{%- endmacro %}

{#-
    In a data test: the condition keeping the rows of the data years the tested model was refreshed for in
    this run ('true' when every year), widened by `back` years before each (a test comparing a year with the
    years before it says how many it needs). A singular test names its model.
-#}
{% macro tested_years_condition(model_name=none, back=0, column='data_year') -%}
    {%- if model_name is none -%}
        {%- set unique_id = model.attached_node or (model.depends_on.nodes | first) -%}
    {%- else -%}
        {%- set unique_id = 'model.' ~ project_name ~ '.' ~ model_name -%}
    {%- endif -%}
    {%- set years = years_refreshed_in_this_run(unique_id) -%}
    {%- if years is none -%}
        {{- return('true') -}}
    {%- endif -%}
    {{- return(where_refresh_years(years, column=column, back=back) | replace('where ', '', 1) | trim) -}}
{%- endmacro %}

{#-
    dbt's get_where_subquery, which wraps the tested model in a subquery filtered by the test's where
    config, with the placeholder __refreshed_years__ replaced by tested_years_condition().
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__refreshed_years__' in where -%}
        {%- set where = where | replace('__refreshed_years__', tested_years_condition()) -%}
    {%- endif -%}
    {%- if where and (where | trim) != 'true' -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{- return(filtered) -}}
    {%- endif -%}
    {{- return(relation) -}}
{%- endmacro %}
