{#-
    The from-clause of every day from 1 January of year `first_year` to 31 December of year `last_year`
    (SQL expressions over `source`, a relation of one row), one row per day in the column `day_start`:
    DuckDB's range() table function; Spark's sequence() of dates, exploded.
-#}
{% macro days_between_years(source, first_year, last_year) -%}
    {{- return(adapter.dispatch('days_between_years', 'deep_medicare')(source, first_year, last_year)) -}}
{%- endmacro %}

{% macro default__days_between_years(source, first_year, last_year) -%}
    {{ source }}
    cross join
        range(
            make_date({{ first_year }}, 1, 1),
            make_date({{ last_year }} + 1, 1, 1),
            interval 1 day
        ) as spine (day_start)
{%- endmacro %}

{% macro spark__days_between_years(source, first_year, last_year) -%}
    {{ source }}
    lateral view explode(
        sequence(make_date({{ first_year }}, 1, 1), make_date({{ last_year }}, 12, 31), interval 1 day)
    ) spine as day_start
{%- endmacro %}
