{#-
    For every provider-service row, where its five rates stand in each of three peer groups:
      national:  same data_year, hcpcs_code and place_of_service (all specialties);
      specialty: the same and the same provider_type;
      state:     the same and the same provider_state.
    Per group: its size, and per rate the median, the median absolute deviation from that median (MAD)
    and the row's percent rank. Medians and MADs are computed with group-bys joined back (no correlated
    subqueries), percent ranks with window functions. provider_peer_benchmarks picks among the groups.
    A view: its 60-odd columns are read once, by provider_peer_benchmarks, so storing them would only
    add a second wide write of every row at national scale.
-#}
{{ config(materialized='view') }}
{%- set metrics = [
    'payment_per_service',
    'allowed_per_service',
    'services_per_beneficiary',
    'beneficiary_day_services_per_beneficiary',
    'charge_to_allowed_ratio',
] %}

with

provider_services as (
    select * from {{ ref('int_provider_service_years_enriched') }}
),

rates as (
    select
        data_year,
        npi,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state,
        total_services,
        total_beneficiaries,
        total_beneficiary_day_services,
        total_medicare_payment,
        payment_per_service,
        allowed_per_service,
        services_per_beneficiary,
        beneficiary_day_services_per_beneficiary,
        charge_to_allowed_ratio
    from provider_services
),

national_medians as (
    select
        data_year,
        hcpcs_code,
        place_of_service,
        {%- for metric in metrics %}
            percentile_cont(0.5) within group (order by {{ metric }}) as {{ metric }}_national_median,
        {%- endfor %}
        count(*) as national_group_size
    from rates
    group by
        data_year,
        hcpcs_code,
        place_of_service
),

-- MAD: the median of each row's absolute deviation from its group's median
national_stats as (
    select
        national_medians.data_year,
        national_medians.hcpcs_code,
        national_medians.place_of_service,
        {%- for metric in metrics %}
            max(national_medians.{{ metric }}_national_median) as {{ metric }}_national_median,
            percentile_cont(0.5) within group (
                order by abs(rates.{{ metric }} - national_medians.{{ metric }}_national_median)
            ) as {{ metric }}_national_mad,
        {%- endfor %}
        max(national_medians.national_group_size) as national_group_size
    from national_medians
    inner join rates
        on
            national_medians.data_year = rates.data_year
            and national_medians.hcpcs_code = rates.hcpcs_code
            and national_medians.place_of_service = rates.place_of_service
    group by
        national_medians.data_year,
        national_medians.hcpcs_code,
        national_medians.place_of_service
),

specialty_medians as (
    select
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        {%- for metric in metrics %}
            percentile_cont(0.5) within group (order by {{ metric }}) as {{ metric }}_specialty_median,
        {%- endfor %}
        count(*) as specialty_group_size
    from rates
    group by
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type
),

specialty_stats as (
    select
        specialty_medians.data_year,
        specialty_medians.hcpcs_code,
        specialty_medians.place_of_service,
        specialty_medians.provider_type,
        {%- for metric in metrics %}
            max(specialty_medians.{{ metric }}_specialty_median) as {{ metric }}_specialty_median,
            percentile_cont(0.5) within group (
                order by abs(rates.{{ metric }} - specialty_medians.{{ metric }}_specialty_median)
            ) as {{ metric }}_specialty_mad,
        {%- endfor %}
        max(specialty_medians.specialty_group_size) as specialty_group_size
    from specialty_medians
    inner join rates
        on
            specialty_medians.data_year = rates.data_year
            and specialty_medians.hcpcs_code = rates.hcpcs_code
            and specialty_medians.place_of_service = rates.place_of_service
            and specialty_medians.provider_type = rates.provider_type
    group by
        specialty_medians.data_year,
        specialty_medians.hcpcs_code,
        specialty_medians.place_of_service,
        specialty_medians.provider_type
),

state_medians as (
    select
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state,
        {%- for metric in metrics %}
            percentile_cont(0.5) within group (order by {{ metric }}) as {{ metric }}_state_median,
        {%- endfor %}
        count(*) as state_group_size
    from rates
    group by
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state
),

state_stats as (
    select
        state_medians.data_year,
        state_medians.hcpcs_code,
        state_medians.place_of_service,
        state_medians.provider_type,
        state_medians.provider_state,
        {%- for metric in metrics %}
            max(state_medians.{{ metric }}_state_median) as {{ metric }}_state_median,
            percentile_cont(0.5) within group (
                order by abs(rates.{{ metric }} - state_medians.{{ metric }}_state_median)
            ) as {{ metric }}_state_mad,
        {%- endfor %}
        max(state_medians.state_group_size) as state_group_size
    from state_medians
    inner join rates
        on
            state_medians.data_year = rates.data_year
            and state_medians.hcpcs_code = rates.hcpcs_code
            and state_medians.place_of_service = rates.place_of_service
            and state_medians.provider_type = rates.provider_type
            and state_medians.provider_state = rates.provider_state
    group by
        state_medians.data_year,
        state_medians.hcpcs_code,
        state_medians.place_of_service,
        state_medians.provider_type,
        state_medians.provider_state
),

-- percent_rank() = (rank - 1) / (rows - 1): 0 for the lowest value, 1 for the highest, 0 for a group of
-- one. Rows whose rate is null get no rank and do not count among the rows ranked.
ranked as (
    select
        {%- for metric in metrics %}
            case
                when {{ metric }} is not null
                    then
                        percent_rank() over (
                            partition by
                                data_year,
                                hcpcs_code,
                                place_of_service,
                                {{ metric }} is null
                            order by {{ metric }}
                        )
            end as {{ metric }}_national_percentile,
        {%- endfor %}
        {%- for metric in metrics %}
            case
                when {{ metric }} is not null
                    then
                        percent_rank() over (
                            partition by
                                data_year,
                                hcpcs_code,
                                place_of_service,
                                provider_type,
                                {{ metric }} is null
                            order by {{ metric }}
                        )
            end as {{ metric }}_specialty_percentile,
        {%- endfor %}
        {%- for metric in metrics %}
            case
                when {{ metric }} is not null
                    then
                        percent_rank() over (
                            partition by
                                data_year,
                                hcpcs_code,
                                place_of_service,
                                provider_type,
                                provider_state,
                                {{ metric }} is null
                            order by {{ metric }}
                        )
            end as {{ metric }}_state_percentile,
        {%- endfor %}
        *
    from rates
),

final as (
    select
        ranked.data_year,
        ranked.npi,
        ranked.hcpcs_code,
        ranked.place_of_service,
        ranked.provider_type,
        ranked.provider_state,
        ranked.total_services,
        ranked.total_beneficiaries,
        ranked.total_beneficiary_day_services,
        ranked.total_medicare_payment,
        ranked.payment_per_service,
        ranked.allowed_per_service,
        ranked.services_per_beneficiary,
        ranked.beneficiary_day_services_per_beneficiary,
        ranked.charge_to_allowed_ratio,
        {%- for metric in metrics %}
            national_stats.{{ metric }}_national_median,
            national_stats.{{ metric }}_national_mad,
            ranked.{{ metric }}_national_percentile,
        {%- endfor %}
        national_stats.national_group_size,
        {%- for metric in metrics %}
            specialty_stats.{{ metric }}_specialty_median,
            specialty_stats.{{ metric }}_specialty_mad,
            ranked.{{ metric }}_specialty_percentile,
        {%- endfor %}
        specialty_stats.specialty_group_size,
        {%- for metric in metrics %}
            state_stats.{{ metric }}_state_median,
            state_stats.{{ metric }}_state_mad,
            ranked.{{ metric }}_state_percentile,
        {%- endfor %}
        state_stats.state_group_size
    from ranked
    inner join national_stats
        on
            ranked.data_year = national_stats.data_year
            and ranked.hcpcs_code = national_stats.hcpcs_code
            and ranked.place_of_service = national_stats.place_of_service
    inner join specialty_stats
        on
            ranked.data_year = specialty_stats.data_year
            and ranked.hcpcs_code = specialty_stats.hcpcs_code
            and ranked.place_of_service = specialty_stats.place_of_service
            and ranked.provider_type = specialty_stats.provider_type
    inner join state_stats
        on
            ranked.data_year = state_stats.data_year
            and ranked.hcpcs_code = state_stats.hcpcs_code
            and ranked.place_of_service = state_stats.place_of_service
            and ranked.provider_type = state_stats.provider_type
            and ranked.provider_state = state_stats.provider_state
)

select * from final
