{#
    Rule: nothing is lost silently. For every raw CMS file, the data lines in the file (non-blank lines
    after the header, counted straight from the text, not through the CSV parser) equal the rows staged
    from it plus the rows rejected from it. Fails with one row per file that does not reconcile.
    A yearly refresh reads only the files of the years it staged, as the other tests read only those years'
    rows (docs/decisions/0031-tests-follow-the-refresh.md); a full build reads every file.
#}
{%- set condition = tested_years_condition('stg_cms__provider_services') -%}
{%- set files = physician_files() -%}
{#- the raw files' manifest, a dependency dbt must know when it parses the test -#}
{%- set manifest = ref('base_cms__physician_files') -%}
{%- if condition != 'true' and execute -%}
    {%- set files = run_query(
        'select source_file from ' ~ manifest ~ ' where ' ~ condition ~ ' order by 1'
    ).columns[0].values() | list -%}
{%- endif -%}
{{ raw_lines_reconcile_per_file(
    files,
    ref('stg_cms__provider_services'),
    ref('stg_cms__provider_services_rejected'),
    condition
) }}
