{#-
    First post-hook of base_cms__provider_service_rows. A field that opens a quote and never closes it
    on its line makes DuckDB's CSV reader run on into the next lines, up to the next quote or the end of
    the file, and reject them all as one line: one stray byte would cost the lines after it. A rejected
    line that spans several lines shows it. For each such file this quarantines the line whose quote
    never closes (in the temporary table deep_medicare_unterminated_quote_lines), writes a copy of the
    file with that line left blank, so every other line keeps its number, and stages the copy in place of
    the first read. The copy is read again until no rejected line spans several lines (a later stray
    quote may have been hidden inside the first swallow), at most var quote_recovery_passes times. The
    temporary table deep_medicare_recovered_scans names, per file, the copy and the scans of it whose
    rejects count (the last one); save_csv_reader_rejects() reads both tables.
-#}
{% macro recover_swallowed_lines(model_relation) -%}
    {{- return(adapter.dispatch('recover_swallowed_lines', 'deep_medicare')(model_relation)) -}}
{%- endmacro %}

{% macro default__recover_swallowed_lines(model_relation) -%}
    {%- set rejects = csv_reject_tables() -%}
    {%- set create_tables -%}
        create or replace temp table deep_medicare_unterminated_quote_lines (
            source_file varchar,
            line_number bigint,
            raw_line varchar
        );
        create or replace temp table deep_medicare_recovered_scans (
            source_file varchar,
            read_path varchar,
            after_scan_id bigint
        )
    {%- endset -%}
    {%- if not execute -%}
        {{- return(create_tables) -}}
    {%- endif -%}
    {%- do run_query(create_tables) -%}
    {%- if not csv_reject_tables_exist() -%}
        {{- return('select 0 as files_read') -}}
    {%- endif -%}
    {%- set found = run_query(
        'select distinct scans.file_path from ' ~ rejects.errors ~ ' as errors inner join ' ~ rejects.scans
        ~ ' as scans on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id'
        ~ ' where contains(ltrim(errors.csv_line, chr(13) || chr(10)), chr(10)) order by 1'
    ) -%}
    {%- set database_path = target.path if target.path is string else '' -%}
    {%- set scratch_directory = database_path.rsplit('/', 1)[0] if '/' in database_path else '.' -%}
    {%- set max_passes = var('quote_recovery_passes', 20) | int -%}
    {%- for path in found.columns[0].values() -%}
        {%- set spec = physician_file_specs([path])[0] -%}
        {%- set copy_path = scratch_directory ~ '/deep_medicare_recovered_' ~ loop.index ~ '.csv' -%}
        {%- set repaired_spec = {} -%}
        {%- do repaired_spec.update(spec) -%}
        {%- do repaired_spec.update({'read_path': copy_path, 'encoding': 'utf-8'}) -%}
        {#- the first read of the file is the model's own scan; later reads are of the copy -#}
        {%- set state = namespace(read_path=path, after_scan_id=0, done=false) -%}
        {%- for pass in range(max_passes) if not state.done -%}
            {#- DuckDB numbers the lines after a run-on wrongly (it does not count the lines it swallowed),
                so a broken line is found by its text; identical lines break identically -#}
            {#- (a rejected line's text can start with the line break before it) -#}
            {%- do run_query(
                'create or replace temp table deep_medicare_swallowing_lines as'
                ~ ' select distinct rtrim(split_part(csv_text, chr(10), 1), chr(13)) as line'
                ~ ' from (select ltrim(errors.csv_line, chr(13) || chr(10)) as csv_text'
                ~ ' from ' ~ rejects.errors ~ ' as errors inner join ' ~ rejects.scans ~ ' as scans'
                ~ ' on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id'
                ~ ' where scans.file_path = ' ~ sql_string(state.read_path)
                ~ ' and scans.scan_id > ' ~ state.after_scan_id ~ ')'
                ~ ' where contains(csv_text, chr(10))'
            ) -%}
            {%- set broken = run_query('select count(*) from deep_medicare_swallowing_lines') -%}
            {%- set quarantine -%}
                insert into deep_medicare_unterminated_quote_lines
                with numbered_lines as (
                    select
                        row_number() over () as line_number,
                        rtrim(line, chr(13)) as line
                    from {{ read_lines(path, spec.encoding) }}
                )
                select
                    {{ sql_string(path) }},
                    line_number,
                    line
                from numbered_lines
                where line in (select line from deep_medicare_swallowing_lines)
            {%- endset -%}
            {%- if broken.rows[0][0] == 0 -%}
                {%- set state.done = true -%}
            {%- else -%}
                {%- set quarantined = run_query(quarantine) -%}
                {%- if quarantined.rows[0][0] == 0 -%}
                    {{- exceptions.raise_compiler_error(
                        "Raw file '" ~ path ~ "': DuckDB's CSV reader ran on past a line whose quote never "
                        ~ "closes, and that line's text was not found in the file to quarantine it."
                    ) -}}
                {%- endif -%}
                {%- set rewrite -%}
                    copy (
                        with numbered_lines as (
                            select
                                row_number() over () as line_number,
                                line
                            from {{ read_lines(path, spec.encoding) }}
                        )
                        select
                            case
                                when line_number in (
                                    select line_number
                                    from deep_medicare_unterminated_quote_lines
                                    where source_file = {{ sql_string(path) }}
                                ) then null
                                else line
                            end as line
                        from numbered_lines
                        order by line_number
                    ) to {{ sql_string(copy_path) }} (format csv, header false, delimiter chr(1), quote '', escape '')
                {%- endset -%}
                {%- do run_query(rewrite) -%}
                {%- set last_scan = run_query('select coalesce(max(scan_id), 0) from ' ~ rejects.scans) -%}
                {%- set state.after_scan_id = last_scan.rows[0][0] -%}
                {%- set state.read_path = copy_path -%}
                {%- do run_query(
                    'delete from ' ~ model_relation ~ ' where source_file = ' ~ sql_string(path) ~ ';'
                    ~ ' insert into ' ~ model_relation ~ ' select * from (' ~ stage_physician_rows([repaired_spec]) ~ ');'
                    ~ number_rows_in_file_order(model_relation)
                ) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not state.done -%}
            {{- exceptions.raise_compiler_error(
                "Raw file '" ~ path ~ "': after " ~ max_passes ~ " reads, lines whose quote never closes "
                ~ "still swallow the lines after them. Fix the file's quoting, or raise var quote_recovery_passes."
            ) -}}
        {%- endif -%}
        {%- if state.read_path != path -%}
            {%- do run_query(
                'insert into deep_medicare_recovered_scans values (' ~ sql_string(path) ~ ', '
                ~ sql_string(copy_path) ~ ', ' ~ state.after_scan_id ~ ');'
                ~ " copy (select 1 as emptied where false) to " ~ sql_string(copy_path) ~ ' (format csv, header false)'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    select 'recovered lines swallowed by unterminated quotes' as step
{%- endmacro %}

{#- Spark parses each line on its own: no line swallows the next. -#}
{% macro spark__recover_swallowed_lines(model_relation) -%}
    select 'no line swallowed: each line is parsed on its own' as spark_no_op
{%- endmacro %}
