{#-
    The LEIE files to load: the dbt var `leie_files` (a glob or a path), else the environment variable
    MEDICARE_LEIE_FILES, else the copy of OIG's monthly supplements shipped in data/sample/oig/leie/. An
    empty value, or a glob no file matches, loads no exclusion at all: the physician build runs as before and
    the exclusion models are empty.
-#}
{% macro leie_files() -%}
    {{- return(var('leie_files', env_var('MEDICARE_LEIE_FILES', 'data/sample/oig/leie/*/*.csv'))) -}}
{%- endmacro %}
