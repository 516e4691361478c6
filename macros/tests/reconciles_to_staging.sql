{#-
    Generic test: a mart adds up to staging. The mart's rows (those matching `mart_filter`, if given) are
    summed per `grain`; staging (the provider-service rows, stg_cms__provider_services) is aggregated per
    the same grain; each measure must agree within `tolerance` (0.005: to the cent for money; exact for services, which
    carry 3 decimals, and for counts). A grain present on one side only fails too, so an empty mart fails
    every grain. Fails with one row per grain value and measure that differs: the mart, the measure, the
    grain's columns and both values (as text, exact).

    `measures`: a list of mart columns, each compared with its staging aggregate below (the CMS definition of
    the total: a per-service average times services, summed in decimal); an item may instead map a column to
    a staging aggregate of its own (`- total_standardized_payment: "case when ... end"`), and `measures` may be
    such a mapping whole.

    In a yearly refresh the mart is tested for the data years the run recomputed in it
    (macros/refresh/tests_follow_the_refresh.sql), and staging is read for the same years.
-#}
{% test reconciles_to_staging(model, staging, grain, measures, mart_filter=none, tolerance=0.005) %}
{%- set staging_aggregates = {
    'total_medicare_payment': 'sum(avg_medicare_payment_amount * total_services)',
    'total_allowed_amount': 'sum(avg_medicare_allowed_amount * total_services)',
    'total_submitted_charge_amount': 'sum(avg_submitted_charge * total_services)',
    'total_standardized_payment': 'sum(avg_medicare_standardized_amount * total_services)',
    'facility_medicare_payment':
        "sum(case when place_of_service = 'F' then avg_medicare_payment_amount * total_services else 0 end)",
    'office_medicare_payment':
        "sum(case when place_of_service = 'O' then avg_medicare_payment_amount * total_services else 0 end)",
    'avg_medicare_payment_amount': 'sum(avg_medicare_payment_amount)',
    'avg_medicare_allowed_amount': 'sum(avg_medicare_allowed_amount)',
    'avg_submitted_charge': 'sum(avg_submitted_charge)',
    'avg_medicare_standardized_amount': 'sum(avg_medicare_standardized_amount)',
    'total_services': 'sum(total_services)',
    'facility_services': "sum(case when place_of_service = 'F' then total_services else 0 end)",
    'office_services': "sum(case when place_of_service = 'O' then total_services else 0 end)",
    'total_beneficiary_day_services': 'sum(total_beneficiary_day_services)',
    'beneficiaries': 'max(total_beneficiaries)',
    'distinct_hcpcs_count': 'count(distinct hcpcs_code)',
    'provider_count': 'count(distinct npi)',
    'providers': 'count(distinct npi)',
} -%}
{%- if measures is mapping -%}
    {%- set compared = measures -%}
{%- else -%}
    {%- set compared = {} -%}
    {%- for measure in measures -%}
        {%- if measure is mapping -%}
            {%- do compared.update(measure) -%}
        {%- elif measure in staging_aggregates -%}
            {%- do compared.update({measure: staging_aggregates[measure]}) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                'reconciles_to_staging: no staging aggregate for ' ~ measure ~ '; map it to one'
            ) }}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- set mart = model.identifier if model.identifier is defined else model | string -%}

with

mart_rows as (
    select * from {{ model }}
    {%- if mart_filter %}
    where {{ mart_filter }}
    {%- endif %}
),

-- the data years the mart's rows are tested for in this run (every year but in a yearly refresh)
staging_rows as (
    select * from {{ staging }}
    where {{ tested_years_condition() }}
),

mart_totals as (
    select
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        {%- for measure in compared %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from mart_rows
    group by {{ grain | join(', ') }}
),

staging_totals as (
    select
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        {%- for measure, aggregate in compared.items() %}
        {{ aggregate }} as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from staging_rows
    group by {{ grain | join(', ') }}
),

joined as (
    select
        {%- for column in grain %}
        coalesce(staging_totals.{{ column }}, mart_totals.{{ column }}) as {{ column }},
        {%- endfor %}
        {%- for measure in compared %}
        staging_totals.{{ measure }} as staging_{{ measure }},
        mart_totals.{{ measure }} as mart_{{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from staging_totals
    full outer join mart_totals
        on
        {%- for column in grain %}
            {{ 'and ' if not loop.first }}staging_totals.{{ column }} = mart_totals.{{ column }}
        {%- endfor %}
),

differences as (
    {%- for measure in compared %}
    select
        '{{ mart }}' as mart,
        '{{ measure }}' as measure,
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        cast(staging_{{ measure }} as {{ dbt.type_string() }}) as staging_value,
        cast(mart_{{ measure }} as {{ dbt.type_string() }}) as mart_value
    from joined
    where not coalesce(
        abs(staging_{{ measure }} - mart_{{ measure }}) < {{ tolerance }},
        staging_{{ measure }} is null and mart_{{ measure }} is null
    )
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from differences

{% endtest %}
