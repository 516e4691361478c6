{#-
    The raw CMS physician files to load: the dbt var `physician_files` (a glob or a path), else
    the environment variable MEDICARE_PHYSICIAN_FILES, else the sample shipped in data/sample/.
-#}
{% macro physician_files() -%}
    {{- return(var('physician_files', env_var('MEDICARE_PHYSICIAN_FILES', 'data/sample/*.csv.gz'))) -}}
{%- endmacro %}
