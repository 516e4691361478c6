{#
    Rule: nothing is lost silently. For every raw CMS file, the data lines in the file (non-blank lines
    after the header, counted straight from the text, not through the CSV parser) equal the rows staged
    from it plus the rows rejected from it. Fails with one row per file that does not reconcile.
#}
{{ raw_lines_reconcile_per_file(
    physician_files(),
    ref('stg_cms__provider_services'),
    ref('stg_cms__provider_services_rejected')
) }}
