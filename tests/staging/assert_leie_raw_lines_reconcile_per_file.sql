{#
    Rule: nothing is lost silently from the LEIE files either. For every LEIE file, its data lines equal
    the rows staged from it plus the rows rejected from it. Fails with one row per file that does not
    reconcile; passes with no file loaded.
#}
{{ raw_lines_reconcile_per_file(
    leie_files() if leie_file_specs() else none,
    ref('stg_oig__leie_exclusions'),
    ref('stg_oig__leie_exclusions_rejected')
) }}
