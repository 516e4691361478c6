{#-
    The yearly incremental refresh (docs/architecture.md, "Refresh"). A model whose grain includes data_year is
    materialized='incremental' with incremental_strategy='year_refresh': a build recomputes only the data
    years whose raw files changed since that model was last built, and leaves every other year's rows as
    they were. A year changes when a file of it is added, removed, renamed or revised: the raw files are
    compared by content (SHA-256, base_cms__physician_files), not by name or date.

    Each model records, in its last post-hook (record_year_loads(), inside the model's transaction), the
    files it was built from in main.deep_medicare_year_loads. So every model catches up on its own: a model
    that failed, was not selected or was killed mid-build recomputes the years it missed in the next build.
    The record also holds a fingerprint of the model's code and of everything upstream of it in dbt's graph
    (models and seeds: dbt's checksums, and the config, contract, keys and column types from the yml): when
    that changes the model is rebuilt whole, so changed SQL never meets rows an older version wrote and a new
    key or type reaches the table. Changed macros or project vars need `dbt build --full-refresh`.

    Reach (config year_reach) says which years a changed year touches in a model, counting its inputs:
      same     the changed years only (everything within one data year);
      next     also the year after each (compares with the previous year);
      adjacent also the years before and after each (compares with both neighbours);
      later    every year from the earliest changed one on (compares with the provider's previous billed year,
               however far back);
      previous_and_later
               the year before the earliest changed one, and every year from it on (both of the above:
               provider_anomaly_scores).

    Why not dbt's delete+insert or microbatch (measured): docs/decisions/0025-year-refresh-strategy.md.
-#}

{#- The table of what each incremental model was built from. -#}
{% macro year_loads_relation() -%}
    {{- return('main.deep_medicare_year_loads') -}}
{%- endmacro %}

{#- md5 of this model and every model and seed upstream of it: dbt's checksum of each file, and the config,
    constraints and column types its yml gives it. -#}
{% macro year_refresh_code_fingerprint() -%}
    {%- set state = namespace(frontier=[model.unique_id], seen=[]) -%}
    {%- for _ in range(100) if state.frontier | length > 0 -%}
        {%- set next_frontier = [] -%}
        {%- for unique_id in state.frontier if unique_id not in state.seen -%}
            {%- do state.seen.append(unique_id) -%}
            {%- set node = graph.nodes.get(unique_id) -%}
            {%- if node is not none -%}
                {%- for parent in node.depends_on.nodes -%}
                    {%- do next_frontier.append(parent) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set state.frontier = next_frontier -%}
    {%- endfor -%}
    {%- set parts = [] -%}
    {%- for unique_id in state.seen | sort -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none -%}
            {#- the SQL file, and the yml that shapes the table: config, contract, keys, column types -#}
            {%- set column_types = [] -%}
            {%- for name, column in (node.columns or {}).items() | sort -%}
                {%- do column_types.append(name ~ ':' ~ (column.data_type or '')) -%}
            {%- endfor -%}
            {%- do parts.append(unique_id ~ '=' ~ node.checksum.checksum ~ '|' ~ (node.config | tojson)
                ~ '|' ~ ((node.constraints or []) | tojson) ~ '|' ~ column_types | join(',')) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join(';'))) -}}
{%- endmacro %}

{#-
    The data years this run must compute for the calling model: none for a full build (all years; the
    first build, --full-refresh, or a model whose code fingerprint changed), else a sorted list, maybe empty.
    Call it at the top of the model, before any is_incremental(): on a changed fingerprint, or with no record
    of the model's files, it drops the model's table so that dbt builds it whole. Hooks and the strategy call
    it again with allow_drop=false: by then the table is the one this run builds.
-#}
{% macro refresh_years(allow_drop=true) -%}
    {#- unit tests give the model its inputs and build nothing -#}
    {%- if model.resource_type == 'unit_test' -%}
        {{- return(none) -}}
    {%- endif -%}
    {#- at parse time this records the dependency on the file manifest -#}
    {%- set files = ref('base_cms__physician_files') -%}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{- return(none) -}}
    {%- endif -%}
    {#- (false for the first build, --full-refresh, and unit tests) -#}
    {%- if not is_incremental() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set existing = load_relation(this) -%}
    {%- set fingerprint = year_refresh_code_fingerprint() -%}
    {%- set recorded = run_query(
        'select count(*) filter (where code_fingerprint = ' ~ sql_string(fingerprint) ~ '), count(*)'
        ~ ' from ' ~ year_loads_relation() ~ ' where model_name = ' ~ sql_string(model.name)
    ) -%}
    {#- no record (a table built before the refresh existed), or a record of other code: build it whole -#}
    {%- if recorded.rows[0][0] == 0 -%}
        {%- if allow_drop -%}
            {%- do log(model.name ~ ': built whole, as its code or code upstream of it changed since it was'
                ~ ' last built (or it has no record of its raw files).', info=True) -%}
            {%- do adapter.drop_relation(existing) -%}
        {%- endif -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set changed -%}
        with
        current_files as (
            select source_file, data_year, content_sha256 from {{ files }}
        ),
        loaded_files as (
            select source_file, data_year, content_sha256
            from {{ year_loads_relation() }}
            where model_name = {{ sql_string(model.name) }}
        ),
        changed_years as (
            select data_year from (select * from current_files except select * from loaded_files)
            union
            select data_year from (select * from loaded_files except select * from current_files)
        ),
        known_years as (
            select data_year from current_files
            union
            select data_year from loaded_files
        )
        select distinct known_years.data_year
        from known_years
        inner join changed_years
            on
            {%- set reach = config.get('year_reach', 'same') %}
            {%- if reach == 'same' %}
                known_years.data_year = changed_years.data_year
            {%- elif reach == 'next' %}
                known_years.data_year in (changed_years.data_year, changed_years.data_year + 1)
            {%- elif reach == 'adjacent' %}
                known_years.data_year between changed_years.data_year - 1 and changed_years.data_year + 1
            {%- elif reach == 'later' %}
                known_years.data_year >= changed_years.data_year
            {%- elif reach == 'previous_and_later' %}
                known_years.data_year >= changed_years.data_year - 1
            {%- else %}
                {{- exceptions.raise_compiler_error(
                    model.name ~ ": year_reach must be same, next, adjacent, later or previous_and_later, not '" ~ reach ~ "'") }}
            {%- endif %}
        order by 1
    {%- endset -%}
    {%- set years = run_query(changed).columns[0].values() | map('int') | list -%}
    {%- if allow_drop -%}
        {%- do log('Year refresh: ' ~ model.name ~ ' recomputes data years ' ~ years
            ~ (' (no raw file changed)' if years | length == 0 else ''), info=True) -%}
    {%- endif -%}
    {{- return(years) -}}
{%- endmacro %}

{#-
    A where clause keeping the rows of `years` (refresh_years()): nothing for none (all years), a clause
    that keeps nothing for [], else data_year in those years and the `back` years before and `ahead` years
    after each (the inputs of a model whose rows compare with neighbouring years).
-#}
{% macro where_refresh_years(years, column='data_year', back=0, ahead=0) -%}
    {%- if years is none -%}
    {%- elif years | length == 0 -%}
        where false
    {%- else -%}
        {%- set wanted = [] -%}
        {%- for year in years -%}
            {%- for offset in range(-back, ahead + 1) if (year + offset) not in wanted -%}
                {%- do wanted.append(year + offset) -%}
            {%- endfor -%}
        {%- endfor -%}
        {#- one year as `=`: DuckDB pushes `= Y` into both sides of a join below it, a one-element `in (Y)`
            into one side only (nine per-year queries of a joined model on the sample: 4.11 s against 0.80 s) -#}
        {%- if wanted | length == 1 -%}
            where {{ column }} = {{ wanted[0] }}
        {%- else -%}
            where {{ column }} in ({{ wanted | sort | join(', ') }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#-
    The incremental strategy: replace the rows of the refreshed years, and of any year the new rows of a
    Python model hold (the scores may rescore a year no raw file changed, when other scoring code scored it),
    with the new rows.
    Deleting rows from a table with a primary key is slow in DuckDB, which erases them from the key's index
    one by one when the transaction commits: replacing a year of provider_anomaly_scores (1.1 million rows)
    took about 65 s on a national year. So a keyed table that loses rows is rebuilt instead: its kept rows
    and the new ones written to a new table, which takes the old one's name, then its key (about 3.5 s a
    national year of scores; docs/decisions/0037-refresh-writes-once.md). persist_docs gives
    the new table its comments after the strategy. Other tables delete and insert.
-#}
{% macro get_incremental_year_refresh_sql(arg_dict) -%}
    {%- set years = refresh_years(allow_drop=false) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- if years is not none and years | length == 0 and model.language != 'python' %}
    select 'no data year changed' as year_refresh
    {%- else %}
        {%- if years is none -%}
            {%- set replaced = 'true' -%}
        {%- else -%}
            {%- set replaced = 'data_year in (' ~ (years + [-1]) | join(', ') ~ ')' -%}
            {#- a SQL model's new rows are a view of its query (duckdb__create_table_as), which asking for their
                years would run: its query keeps the refreshed years only (where_refresh_years) -#}
            {%- if model.language == 'python' -%}
                {%- set replaced = replaced ~ ' or data_year in (select distinct data_year from ' ~ temp ~ ')' -%}
            {%- endif -%}
        {%- endif -%}
        {%- set key = primary_key_of(target) -%}
        {%- set loses_rows = key | length > 0
            and run_query('select count(*) from ' ~ target ~ ' where ' ~ replaced).rows[0][0] > 0 -%}
        {%- if loses_rows %}
            {%- set rebuilt = target.incorporate(path={'identifier': target.identifier ~ '__year_refresh'}) %}
    create or replace table {{ rebuilt }} as
    select {{ columns }} from {{ target }} where ({{ replaced }}) is not true;
    insert into {{ rebuilt }} ({{ columns }})
    select {{ columns }} from {{ temp }};
    drop table {{ target }};
    alter table {{ rebuilt }} rename to {{ target.identifier }};
    alter table {{ target }} add primary key ({{ key | join(', ') }})
        {%- else %}
    delete from {{ target }} where {{ replaced }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ temp }}
        {%- endif %}
    {%- endif %}
{%- endmacro %}
