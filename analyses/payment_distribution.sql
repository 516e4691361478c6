-- Question: How are payment amounts distributed?
--
-- Per data year, across providers: the distribution of each provider's total Medicare payment (mean and
-- percentiles), how concentrated it is (share of payment to the top tenth of providers, Gini coefficient:
-- 0 = everyone paid the same, 1 = one provider paid everything), and the spread of payment per service
-- across providers. Read with provider_peer_benchmarks for the distribution within one code and setting.

{%- set top_share = 0.1 %}  {#- the top tenth of providers by payment #}

with

provider_years as (
    select * from {{ ref('provider_year_summary') }}
),

ranked as (
    select
        data_year,
        npi,
        cast(total_medicare_payment as double precision) as medicare_payment,
        payment_per_service,
        row_number() over (partition by data_year order by total_medicare_payment asc, npi asc) as payment_rank,
        count(*) over (partition by data_year) as provider_count
    from provider_years
),

yearly as (
    select
        data_year,
        count(*) as provider_count,
        sum(medicare_payment) as total_medicare_payment,
        avg(medicare_payment) as mean_payment_per_provider,
        percentile_cont(0.1) within group (order by medicare_payment) as p10_payment_per_provider,
        percentile_cont(0.25) within group (order by medicare_payment) as p25_payment_per_provider,
        percentile_cont(0.5) within group (order by medicare_payment) as median_payment_per_provider,
        percentile_cont(0.75) within group (order by medicare_payment) as p75_payment_per_provider,
        percentile_cont(0.9) within group (order by medicare_payment) as p90_payment_per_provider,
        percentile_cont(0.99) within group (order by medicare_payment) as p99_payment_per_provider,
        max(medicare_payment) as max_payment_per_provider,
        sum(case when payment_rank > provider_count * (1 - {{ top_share }}) then medicare_payment else 0 end)
        / nullif(sum(medicare_payment), 0) as top_tenth_payment_share,
        -- Gini = 2 * sum(rank * x) / (n * sum(x)) - (n + 1) / n, ranks ascending
        2 * sum(payment_rank * medicare_payment) / nullif(count(*) * sum(medicare_payment), 0)
        - (count(*) + 1.0) / count(*) as payment_gini,
        percentile_cont(0.1) within group (order by payment_per_service) as p10_payment_per_service,
        percentile_cont(0.5) within group (order by payment_per_service) as median_payment_per_service,
        percentile_cont(0.9) within group (order by payment_per_service) as p90_payment_per_service
    from ranked
    group by data_year
),

final as (
    select
        data_year,
        provider_count,
        round(total_medicare_payment, 2) as total_medicare_payment,
        round(mean_payment_per_provider, 2) as mean_payment_per_provider,
        round(p10_payment_per_provider, 2) as p10_payment_per_provider,
        round(p25_payment_per_provider, 2) as p25_payment_per_provider,
        round(median_payment_per_provider, 2) as median_payment_per_provider,
        round(p75_payment_per_provider, 2) as p75_payment_per_provider,
        round(p90_payment_per_provider, 2) as p90_payment_per_provider,
        round(p99_payment_per_provider, 2) as p99_payment_per_provider,
        round(max_payment_per_provider, 2) as max_payment_per_provider,
        round(top_tenth_payment_share, 4) as top_tenth_payment_share,
        round(payment_gini, 4) as payment_gini,
        round(p10_payment_per_service, 2) as p10_payment_per_service,
        round(median_payment_per_service, 2) as median_payment_per_service,
        round(p90_payment_per_service, 2) as p90_payment_per_service
    from yearly
)

select * from final
order by data_year
