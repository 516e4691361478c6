{#-
    For every provider-service row, where its five rates stand in each of three peer groups:
      national:  same data_year, hcpcs_code and place_of_service (all specialties);
      specialty: the same and the same provider_type;
      state:     the same and the same provider_state.
    Per group: its size, and per rate its median, its median absolute deviation from that median (MAD) and
    the row's percent rank. Everything comes from sorting inside window functions and from plain group-bys:
    a median is the mean of the one or two middle values of the sorted group, found by row_number(), and the
    MAD is the median of the sorted absolute deviations, found the same way. Ordered-set aggregates
    (percentile_cont) in a group-by would hold every value of millions of small groups in memory at once,
    which at national scale spills tens of gigabytes; sorts spill gracefully. No correlated subqueries.
    A view: provider_peer_benchmarks reads it once, so storing its 60-odd columns would only add a second
    wide write of every row.
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

-- Each rate sorted within each peer group. Rows with a null rate sort in a partition of their own, so
-- they neither get nor take a rank. percent_rank() = (rank - 1) / (rows - 1): 0 lowest, 1 highest, 0 alone.
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
            row_number() over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    {{ metric }} is null
                order by {{ metric }}
            ) as {{ metric }}_national_position,
            count({{ metric }}) over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    {{ metric }} is null
            ) as {{ metric }}_national_count,
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
            row_number() over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    provider_type,
                    {{ metric }} is null
                order by {{ metric }}
            ) as {{ metric }}_specialty_position,
            count({{ metric }}) over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    provider_type,
                    {{ metric }} is null
            ) as {{ metric }}_specialty_count,
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
            row_number() over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    provider_type,
                    provider_state,
                    {{ metric }} is null
                order by {{ metric }}
            ) as {{ metric }}_state_position,
            count({{ metric }}) over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    provider_type,
                    provider_state,
                    {{ metric }} is null
            ) as {{ metric }}_state_count,
        {%- endfor %}
        *
    from rates
),

-- a median: the mean of the middle value (odd count) or the two middle values (even count)
national_medians as (
    select
        data_year,
        hcpcs_code,
        place_of_service,
        {%- for metric in metrics %}
            avg(
                case
                    when
                        {{ metric }}_national_position in (
                            floor(({{ metric }}_national_count + 1) / 2.0),
                            ceil(({{ metric }}_national_count + 1) / 2.0)
                        )
                        then {{ metric }}
                end
            ) as {{ metric }}_national_median,
        {%- endfor %}
        count(*) as national_group_size
    from ranked
    group by
        data_year,
        hcpcs_code,
        place_of_service
),

-- each row's absolute deviation from its group's median, sorted within the group
national_deviations as (
    select
        {%- for metric in metrics %}
            abs(ranked.{{ metric }} - national_medians.{{ metric }}_national_median) as {{ metric }}_deviation,
        {%- endfor %}
        national_medians.data_year,
        national_medians.hcpcs_code,
        national_medians.place_of_service
    from ranked
    inner join national_medians
        on
            ranked.data_year = national_medians.data_year
            and ranked.hcpcs_code = national_medians.hcpcs_code
            and ranked.place_of_service = national_medians.place_of_service
),

national_deviations_ranked as (
    select
        {%- for metric in metrics %}
            row_number() over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    {{ metric }}_deviation is null
                order by {{ metric }}_deviation
            ) as {{ metric }}_position,
            count({{ metric }}_deviation) over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    {{ metric }}_deviation is null
            ) as {{ metric }}_count,
        {%- endfor %}
        *
    from national_deviations
),

national_mads as (
    select
        {%- for metric in metrics %}
            avg(
                case
                    when
                        {{ metric }}_position in (
                            floor(({{ metric }}_count + 1) / 2.0),
                            ceil(({{ metric }}_count + 1) / 2.0)
                        )
                        then {{ metric }}_deviation
                end
            ) as {{ metric }}_national_mad,
        {%- endfor %}
        data_year,
        hcpcs_code,
        place_of_service
    from national_deviations_ranked
    group by
        data_year,
        hcpcs_code,
        place_of_service
),

national_stats as (
    select
        {%- for metric in metrics %}
            national_mads.{{ metric }}_national_mad,
        {%- endfor %}
        national_medians.*
    from national_medians
    inner join national_mads
        on
            national_medians.data_year = national_mads.data_year
            and national_medians.hcpcs_code = national_mads.hcpcs_code
            and national_medians.place_of_service = national_mads.place_of_service
),

specialty_medians as (
    select
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        {%- for metric in metrics %}
            avg(
                case
                    when
                        {{ metric }}_specialty_position in (
                            floor(({{ metric }}_specialty_count + 1) / 2.0),
                            ceil(({{ metric }}_specialty_count + 1) / 2.0)
                        )
                        then {{ metric }}
                end
            ) as {{ metric }}_specialty_median,
        {%- endfor %}
        count(*) as specialty_group_size
    from ranked
    group by
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type
),

specialty_deviations as (
    select
        {%- for metric in metrics %}
            abs(ranked.{{ metric }} - specialty_medians.{{ metric }}_specialty_median) as {{ metric }}_deviation,
        {%- endfor %}
        specialty_medians.data_year,
        specialty_medians.hcpcs_code,
        specialty_medians.place_of_service,
        specialty_medians.provider_type
    from ranked
    inner join specialty_medians
        on
            ranked.data_year = specialty_medians.data_year
            and ranked.hcpcs_code = specialty_medians.hcpcs_code
            and ranked.place_of_service = specialty_medians.place_of_service
            and ranked.provider_type = specialty_medians.provider_type
),

specialty_deviations_ranked as (
    select
        {%- for metric in metrics %}
            row_number() over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    provider_type,
                    {{ metric }}_deviation is null
                order by {{ metric }}_deviation
            ) as {{ metric }}_position,
            count({{ metric }}_deviation) over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    provider_type,
                    {{ metric }}_deviation is null
            ) as {{ metric }}_count,
        {%- endfor %}
        *
    from specialty_deviations
),

specialty_mads as (
    select
        {%- for metric in metrics %}
            avg(
                case
                    when
                        {{ metric }}_position in (
                            floor(({{ metric }}_count + 1) / 2.0),
                            ceil(({{ metric }}_count + 1) / 2.0)
                        )
                        then {{ metric }}_deviation
                end
            ) as {{ metric }}_specialty_mad,
        {%- endfor %}
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type
    from specialty_deviations_ranked
    group by
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type
),

specialty_stats as (
    select
        {%- for metric in metrics %}
            specialty_mads.{{ metric }}_specialty_mad,
        {%- endfor %}
        specialty_medians.*
    from specialty_medians
    inner join specialty_mads
        on
            specialty_medians.data_year = specialty_mads.data_year
            and specialty_medians.hcpcs_code = specialty_mads.hcpcs_code
            and specialty_medians.place_of_service = specialty_mads.place_of_service
            and specialty_medians.provider_type = specialty_mads.provider_type
),

state_medians as (
    select
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state,
        {%- for metric in metrics %}
            avg(
                case
                    when
                        {{ metric }}_state_position in (
                            floor(({{ metric }}_state_count + 1) / 2.0),
                            ceil(({{ metric }}_state_count + 1) / 2.0)
                        )
                        then {{ metric }}
                end
            ) as {{ metric }}_state_median,
        {%- endfor %}
        count(*) as state_group_size
    from ranked
    group by
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state
),

state_deviations as (
    select
        {%- for metric in metrics %}
            abs(ranked.{{ metric }} - state_medians.{{ metric }}_state_median) as {{ metric }}_deviation,
        {%- endfor %}
        state_medians.data_year,
        state_medians.hcpcs_code,
        state_medians.place_of_service,
        state_medians.provider_type,
        state_medians.provider_state
    from ranked
    inner join state_medians
        on
            ranked.data_year = state_medians.data_year
            and ranked.hcpcs_code = state_medians.hcpcs_code
            and ranked.place_of_service = state_medians.place_of_service
            and ranked.provider_type = state_medians.provider_type
            and ranked.provider_state = state_medians.provider_state
),

state_deviations_ranked as (
    select
        {%- for metric in metrics %}
            row_number() over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    provider_type,
                    provider_state,
                    {{ metric }}_deviation is null
                order by {{ metric }}_deviation
            ) as {{ metric }}_position,
            count({{ metric }}_deviation) over (
                partition by
                    data_year,
                    hcpcs_code,
                    place_of_service,
                    provider_type,
                    provider_state,
                    {{ metric }}_deviation is null
            ) as {{ metric }}_count,
        {%- endfor %}
        *
    from state_deviations
),

state_mads as (
    select
        {%- for metric in metrics %}
            avg(
                case
                    when
                        {{ metric }}_position in (
                            floor(({{ metric }}_count + 1) / 2.0),
                            ceil(({{ metric }}_count + 1) / 2.0)
                        )
                        then {{ metric }}_deviation
                end
            ) as {{ metric }}_state_mad,
        {%- endfor %}
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state
    from state_deviations_ranked
    group by
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        provider_state
),

state_stats as (
    select
        {%- for metric in metrics %}
            state_mads.{{ metric }}_state_mad,
        {%- endfor %}
        state_medians.*
    from state_medians
    inner join state_mads
        on
            state_medians.data_year = state_mads.data_year
            and state_medians.hcpcs_code = state_mads.hcpcs_code
            and state_medians.place_of_service = state_mads.place_of_service
            and state_medians.provider_type = state_mads.provider_type
            and state_medians.provider_state = state_mads.provider_state
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
