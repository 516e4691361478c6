{#-
    The evidence the anomaly ranking weighs, per provider-year, from the code-level rows of
    int_provider_service_peer_benchmarks:

    - Dollars at stake. Per code row, what peers would have been paid for the same beneficiaries:
      beneficiaries x peer median services per beneficiary x state peer median payment per service. The row's
      payment minus that splits exactly into a price part, services x (payment per service - peer median),
      and a volume part, (services - beneficiaries x peer median services per beneficiary) x peer median
      payment per service. A row without the peer median a part needs contributes 0 to that part (its payment
      counts as expected), so excess_payment_price + excess_payment_volume = payment - peer_expected_payment.
    - Shrunk log ratios to peers (empirical Bayes, as credibility weights): per rate, sum(services x log ratio)
      / (sum(services) + var anomaly_shrinkage_services), over the codes with a finite positive ratio. Five
      codes all 1.3x their peers add up; one code at 1.3x, or a 20-service practice, is pulled toward the
      peers. Rates: payment per service (state peers), services and beneficiary-day services per beneficiary
      (national peers of the specialty), and services per beneficiary of the add-on codes alone (seed
      hcpcs_add_on_codes: extra stages billed per patient).
    - The provider's own neighbouring years (data_year - 1 and + 1, where billed): each shrunk log ratio's
      new part, least(this year, this year - the higher neighbour), the excess over peers that the
      provider's other years do not already show; and the payment's departure, log payment minus the higher
      neighbour's, with the neighbours' mean log payment as the baseline it is judged against.
-#}
{%- set log_floor = anomaly_constant('log_floor') %}
{%- set shrinkage = var('anomaly_shrinkage_services') %}
{%- set shrunk_rates = [
    'payment_per_service',
    'services_per_beneficiary',
    'beneficiary_day_services_per_beneficiary',
    'add_on_services_per_beneficiary',
] %}

{{ config(year_reach='adjacent') }}
{%- set years = refresh_years() %}
with

benchmarks as (
    select * from {{ ref('int_provider_service_peer_benchmarks') }}
    {{ where_refresh_years(years, back=1, ahead=1) }}
),

add_on_codes as (
    select * from {{ ref('hcpcs_add_on_codes') }}
),

-- Per code row: payment, its two excess parts, and the services-weighted log ratios (null when not finite).
code_rows as (
    select
        benchmarks.npi,
        benchmarks.data_year,
        cast(benchmarks.total_services as double) as services,
        cast(benchmarks.total_medicare_payment as double) as payment,
        coalesce(add_on_codes.is_add_on, false) as is_add_on,
        coalesce(
            cast(benchmarks.total_medicare_payment as double)
            - cast(benchmarks.total_services as double) * benchmarks.payment_per_service_state_peer_median,
            0.0
        ) as excess_price,
        coalesce(
            (
                cast(benchmarks.total_services as double)
                - benchmarks.total_beneficiaries * benchmarks.services_per_beneficiary_peer_median
            ) * benchmarks.payment_per_service_state_peer_median,
            0.0
        ) as excess_volume,
        case
            when
                benchmarks.payment_per_service_state_peer_ratio > 0
                and {{ is_finite('benchmarks.payment_per_service_state_peer_ratio') }}
                then ln(greatest(benchmarks.payment_per_service_state_peer_ratio, {{ log_floor }}))
        end as payment_per_service_log_ratio,
        case
            when
                benchmarks.services_per_beneficiary_peer_ratio > 0
                and {{ is_finite('benchmarks.services_per_beneficiary_peer_ratio') }}
                then ln(greatest(benchmarks.services_per_beneficiary_peer_ratio, {{ log_floor }}))
        end as services_per_beneficiary_log_ratio,
        case
            when
                benchmarks.beneficiary_day_services_per_beneficiary_peer_ratio > 0
                and {{ is_finite('benchmarks.beneficiary_day_services_per_beneficiary_peer_ratio') }}
                then ln(greatest(benchmarks.beneficiary_day_services_per_beneficiary_peer_ratio, {{ log_floor }}))
        end as beneficiary_day_services_per_beneficiary_log_ratio
    from benchmarks
    left join add_on_codes
        on benchmarks.hcpcs_code = add_on_codes.hcpcs_code
),

-- The add-on codes' services per beneficiary is the same comparison, on those rows only.
rated_rows as (
    select
        *,
        case when is_add_on then services_per_beneficiary_log_ratio end as add_on_services_per_beneficiary_log_ratio
    from code_rows
),

provider_years as (
    select
        {%- for rate in shrunk_rates %}
            coalesce(
                sum(services * {{ rate }}_log_ratio) filter (where {{ rate }}_log_ratio is not null and services > 0)
                / (
                    coalesce(sum(services) filter (where {{ rate }}_log_ratio is not null and services > 0), 0)
                    + {{ shrinkage }}
                ),
                0.0
            ) as {{ rate }}_shrunk_log_ratio,
        {%- endfor %}
        npi,
        data_year,
        sum(payment) as payment,
        sum(excess_price) as excess_payment_price,
        sum(excess_volume) as excess_payment_volume
    from rated_rows
    group by
        npi,
        data_year
),

-- The same provider's previous and next data years, where it billed in them.
neighbours as (
    select
        *,
        ln(greatest(payment, {{ log_floor }})) as log_payment,
        {%- for rate in shrunk_rates %}
            {%- for side, step in [('previous', 'lag'), ('next', 'lead')] %}
                case
                    when {{ step }}(data_year) over by_provider = data_year {{ '-' if side == 'previous' else '+' }} 1
                        then {{ step }}({{ rate }}_shrunk_log_ratio) over by_provider
                end as {{ rate }}_{{ side }},
            {%- endfor %}
        {%- endfor %}
        case
            when lag(data_year) over by_provider = data_year - 1
                then ln(greatest(lag(payment) over by_provider, {{ log_floor }}))
        end as log_payment_previous,
        case
            when lead(data_year) over by_provider = data_year + 1
                then ln(greatest(lead(payment) over by_provider, {{ log_floor }}))
        end as log_payment_next
    from provider_years
    window by_provider as (partition by npi order by data_year)
),

final as (
    select
        npi,
        data_year,
        payment - excess_payment_price - excess_payment_volume as peer_expected_payment,
        excess_payment_price + excess_payment_volume as excess_payment,
        excess_payment_price,
        excess_payment_volume,
        {%- for rate in shrunk_rates %}
            {{ rate }}_shrunk_log_ratio,
            least(
                {{ rate }}_shrunk_log_ratio,
                {{ rate }}_shrunk_log_ratio
                - coalesce(greatest({{ rate }}_previous, {{ rate }}_next), cast('-infinity' as double))
            ) as {{ rate }}_new_log_ratio,
        {%- endfor %}
        log_payment - greatest(log_payment_previous, log_payment_next) as payment_log_departure,
        coalesce((log_payment_previous + log_payment_next) / 2, log_payment_previous, log_payment_next)
            as payment_log_baseline
    from neighbours
)

select * from final
{{ where_refresh_years(years) }}
