{#-
    The relational half of the anomaly features: every per-code comparison of
    int_provider_service_peer_benchmarks and the code mix, rolled up to one row per provider-year, so the Python model provider_anomaly_scores reads
    provider-years, never code-level rows. Python adds growth, size and the code-mix change, and scores.

    Per peer metric (price against state peers; volume intensity and charges against national peers):
    - ratio and robust z: services-weighted means over the provider-year's codes (weights <= 0 count as 0,
      a provider-year whose weights are all 0 gets the plain mean; ratios and z that are not finite are left
      out). A null robust z (peer MAD = 0) is filled from the log ratio, divided by the typical relative
      spread of all providers around their peer medians for the same code, place and year: mad_to_sigma *
      median |log ratio|. Every z is clipped to +-|ratio - 1| / min_relative_spread, so a 1% difference in
      a group that agrees to the cent never counts as 50 standard deviations.
    - top code: where the log ratio is most extreme in the direction of the z roll-up (highest when it is
      positive or null, lowest when negative); ties go to the most services, then the lowest code and place;
      a provider-year with no finite ratio gets its code with the most services.
    Code mix, per family of the seed hcpcs_add_on_codes the provider bills the base code of: the add-on
    share against providers of the same specialty and year billing the same base (all specialties when that
    group is smaller than min_peer_group_size), robust z with MAD, or mean absolute deviation when MAD is 0;
    rolled up weighted by family services; the top family is the most extreme z in the roll-up's direction,
    ties to the lowest base code. Constants come from the macro anomaly_constant.

    Every group, window and join is keyed by data_year (group ids and service ranks are numbered within a
    year), and no row reads another year, so the model is built one data year at a time (build_by_data_year,
    macros/refresh/create_table_by_data_year.sql): a year's query reads and holds that year's rows only, and
    costs the same whatever the history.
    Built for national years of ten million code-level rows each, in bounded memory: the roll-ups are
    group-bys with small fixed-size states, not window sorts over every row. They find each metric's extreme
    log ratio; a join back to the rows marks the codes at it, and the top code is the arg_min of an integer
    that sorts as the tie-breaks do (over a struct key, arg_min's large states outgrew memory on two national
    years). The one sort left is the spread's median, over the code, place and year groups that need it,
    keyed by integers: median() in a group-by holds every value in memory at once and cannot spill. The
    code-mix medians are windows over families of the seed's few codes only.
-#}
{%- set rolled_up_metrics = [
    ('payment_per_service', 'state_peer'),
    ('allowed_per_service', 'state_peer'),
    ('services_per_beneficiary', 'peer'),
    ('beneficiary_day_services_per_beneficiary', 'peer'),
    ('charge_to_allowed_ratio', 'peer'),
] %}
{%- set log_floor = anomaly_constant('log_floor') %}
{%- set mad_to_sigma = anomaly_constant('mad_to_sigma') %}
{%- set mean_ad_to_sigma = anomaly_constant('mean_ad_to_sigma') %}
{%- set min_relative_spread = anomaly_constant('min_relative_spread') %}
{#- What the code mix reports of its top family (an arg_min_struct over the families). #}
{%- set family_context = [
    ('base_hcpcs_code', 'base_hcpcs_code'),
    ('share', 'add_on_share'),
    ('peer_median', 'peer_median'),
    ('peer_scope', 'peer_scope'),
] %}
{#- Its keys: the most extreme z in one direction first (a missing z last), ties to the lowest base code. #}
{%- set highest_first = [
    ('z_order', "coalesce(-z, cast('infinity' as double))"),
    ('base_hcpcs_code', 'base_hcpcs_code'),
] %}
{%- set lowest_first = [
    ('z_order', "coalesce(z, cast('infinity' as double))"),
    ('base_hcpcs_code', 'base_hcpcs_code'),
] %}

{{
    config(
        year_reach='same',
        build_by_data_year=true
    )
}}
{%- set years = refresh_years() %}
with

-- Code-level CTEs read more than once are recomputed, not materialized: a scan is cheaper than a copy.
benchmarks as {{ not_materialized() }} (
    select * from {{ ref('int_provider_service_peer_benchmarks') }}
    {{ where_refresh_years(years) }}
),

add_on_codes as (
    select * from {{ ref('hcpcs_add_on_codes') }}
),

peer_levels as (
    select 'specialty' as peer_level
    union all
    select 'all' as peer_level
),

-- NaN counts as missing, as in the marts; a missing fallback flag counts as false. The log ratio keeps an
-- infinite ratio (it counts in the code's spread); finite_log_ratio, which picks the top code, does not.
-- services_order sorts the most services first and a missing count last.
code_rows as {{ not_materialized() }} (
    select
        npi,
        data_year,
        hcpcs_code,
        place_of_service,
        provider_type,
        {%- for metric, group in rolled_up_metrics %}
            {%- set prefix = metric ~ '_' ~ group %}
            case when not isnan({{ prefix }}_ratio) then {{ prefix }}_ratio end as {{ prefix }}_ratio,
            case when not isnan({{ prefix }}_robust_z) then {{ prefix }}_robust_z end as {{ prefix }}_robust_z,
            case
                when not isnan({{ prefix }}_ratio) then ln(greatest({{ prefix }}_ratio, {{ log_floor }}))
            end as {{ prefix }}_log_ratio,
            case
                when {{ is_finite(prefix ~ '_ratio') }} then ln(greatest({{ prefix }}_ratio, {{ log_floor }}))
            end as {{ prefix }}_finite_log_ratio,
            case
                when coalesce(is_peer_fallback, false) then 'all'
                {%- if group == 'state_peer' %}
                    when coalesce(is_state_peer_fallback, false) then 'specialty'
                    else 'state'
                {%- else %}
                    else 'specialty'
                {%- endif %}
            end as {{ prefix }}_scope,
        {%- endfor %}
        case
            when not isnan(cast(total_services as double)) then cast(total_services as double)
        end as total_services,
        coalesce(-cast(total_services as double), cast('infinity' as double)) as services_order
    from benchmarks
),

-- Every code, place and year group: an integer key in their order (sorting on it is several times faster than
-- on the code and place), and whether a metric's robust z is null in it (only those spreads are used).
code_groups as (
    select
        {%- for metric, group in rolled_up_metrics %}
            bool_or({{ metric }}_{{ group }}_robust_z is null) as {{ metric }}_{{ group }}_has_null_z,
        {%- endfor %}
        data_year,
        hcpcs_code,
        place_of_service,
        dense_rank() over (partition by data_year order by hcpcs_code, place_of_service) as group_id
    from code_rows
    group by
        data_year,
        hcpcs_code,
        place_of_service
),

-- |log ratio| of every provider in those groups, a metric (numbered as in rolled_up_metrics) as a column.
abs_log_ratios as (
    {%- for metric, group in rolled_up_metrics %}
        {%- set prefix = metric ~ '_' ~ group %}
        select
            {{ loop.index }} as metric_number,
            code_groups.data_year,
            code_groups.group_id,
            abs(code_rows.{{ prefix }}_log_ratio) as abs_log_ratio
        from code_rows
        inner join code_groups
            on
                code_rows.data_year = code_groups.data_year
                and code_rows.hcpcs_code = code_groups.hcpcs_code
                and code_rows.place_of_service = code_groups.place_of_service
        where
            code_groups.{{ prefix }}_has_null_z
            and code_rows.{{ prefix }}_log_ratio is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- The one or two middle values of each sorted group (a sort spills to disk gracefully).
middle_log_ratios as (
    select
        data_year,
        metric_number,
        group_id,
        abs_log_ratio
    from abs_log_ratios
    {{ keep_middle_rows('data_year, metric_number, group_id', 'abs_log_ratio') }}
),

-- Per code, place and year, the median |log ratio| of all providers (the mean of the middle values): the
-- typical relative spread around the peer medians, which fills a robust z the marts leave null (MAD = 0).
log_ratio_spreads as (
    select
        {%- for metric, group in rolled_up_metrics %}
            avg(middle_log_ratios.abs_log_ratio) filter (
                where middle_log_ratios.metric_number = {{ loop.index }}
            ) as {{ metric }}_{{ group }}_spread,
        {%- endfor %}
        code_groups.data_year,
        code_groups.hcpcs_code,
        code_groups.place_of_service
    from middle_log_ratios
    inner join code_groups
        on
            middle_log_ratios.data_year = code_groups.data_year
            and middle_log_ratios.group_id = code_groups.group_id
    group by
        code_groups.data_year,
        code_groups.hcpcs_code,
        code_groups.place_of_service
),

filled_codes as (
    select
        {%- for metric, group in rolled_up_metrics %}
            {%- set prefix = metric ~ '_' ~ group %}
            code_rows.{{ prefix }}_ratio,
            code_rows.{{ prefix }}_finite_log_ratio,
            coalesce(
                code_rows.{{ prefix }}_robust_z,
                case
                    when code_rows.{{ prefix }}_log_ratio = 0 then 0.0
                    when log_ratio_spreads.{{ prefix }}_spread > 0
                        then
                            code_rows.{{ prefix }}_log_ratio
                            / (log_ratio_spreads.{{ prefix }}_spread * {{ mad_to_sigma }})
                end
            ) as {{ prefix }}_unclipped_z,
            abs(code_rows.{{ prefix }}_ratio - 1.0) / {{ min_relative_spread }} as {{ prefix }}_z_bound,
        {%- endfor %}
        code_rows.npi,
        code_rows.data_year,
        code_rows.total_services
    from code_rows
    left join log_ratio_spreads
        on
            code_rows.data_year = log_ratio_spreads.data_year
            and code_rows.hcpcs_code = log_ratio_spreads.hcpcs_code
            and code_rows.place_of_service = log_ratio_spreads.place_of_service
),

clipped_codes as (
    select
        {%- for metric, group in rolled_up_metrics %}
            {%- set prefix = metric ~ '_' ~ group %}
            case when {{ is_finite(prefix ~ '_ratio') }} then {{ prefix }}_ratio end as {{ prefix }}_finite_ratio,
            {{ prefix }}_finite_log_ratio,
            case
                when {{ prefix }}_unclipped_z is null or {{ prefix }}_z_bound is null
                    then {{ prefix }}_unclipped_z
                else least(greatest({{ prefix }}_unclipped_z, -{{ prefix }}_z_bound), {{ prefix }}_z_bound)
            end as {{ prefix }}_z,
        {%- endfor %}
        npi,
        data_year,
        total_services
    from filled_codes
),

-- The roll-ups, and the finite log ratio most extreme in the direction of the z roll-up (the top code's).
peer_metric_roll_ups as (
    select
        {%- for metric, group in rolled_up_metrics %}
            {%- set prefix = metric ~ '_' ~ group %}
            {{ weighted_mean(prefix ~ '_finite_ratio', 'total_services') }} as {{ prefix }}_ratio,
            {{ weighted_mean(prefix ~ '_z', 'total_services') }} as {{ prefix }}_robust_z,
            case
                when {{ weighted_mean(prefix ~ '_z', 'total_services') }} < 0 then min({{ prefix }}_finite_log_ratio)
                else max({{ prefix }}_finite_log_ratio)
            end as {{ prefix }}_extreme_log_ratio,
        {%- endfor %}
        npi,
        data_year
    from clipped_codes
    group by
        npi,
        data_year
),

-- The top code's tie-breaks (the most services, then the lowest code and place) as one integer per row.
services_ranks as (
    select
        data_year,
        services_order,
        dense_rank() over (partition by data_year order by services_order) as services_rank
    from code_rows
    group by data_year, services_order
),

-- The codes at the extreme (every code when no ratio is finite).
top_code_candidates as (
    select
        code_rows.*,
        {%- for metric, group in rolled_up_metrics %}
            {%- set prefix = metric ~ '_' ~ group %}
            (
                code_rows.{{ prefix }}_finite_log_ratio
                is not distinct from peer_metric_roll_ups.{{ prefix }}_extreme_log_ratio
            ) as {{ prefix }}_is_extreme,
        {%- endfor %}
        services_ranks.services_rank * {{ 2 ** 32 }} + code_groups.group_id as tie_break_rank
    from code_rows
    inner join peer_metric_roll_ups
        on
            code_rows.npi = peer_metric_roll_ups.npi
            and code_rows.data_year = peer_metric_roll_ups.data_year
    inner join services_ranks
        on
            code_rows.data_year = services_ranks.data_year
            and code_rows.services_order = services_ranks.services_order
    inner join code_groups
        on
            code_rows.data_year = code_groups.data_year
            and code_rows.hcpcs_code = code_groups.hcpcs_code
            and code_rows.place_of_service = code_groups.place_of_service
),

-- The top code: among the extreme codes, the one with the lowest tie-break key.
peer_metric_top_codes as (
    select
        {%- for metric, group in rolled_up_metrics %}
            {%- set prefix = metric ~ '_' ~ group %}
            min(tie_break_rank) filter (where {{ prefix }}_is_extreme) % {{ 2 ** 32 }} as {{ prefix }}_top_group_id,
            {{ arg_min_keeping_nulls(
                'case when ' ~ is_finite(prefix ~ '_ratio') ~ ' then ' ~ prefix ~ '_ratio end', 'tie_break_rank'
            ) }} filter (where {{ prefix }}_is_extreme) as {{ prefix }}_top_ratio,
            {{ arg_min_keeping_nulls(prefix ~ '_scope', 'tie_break_rank') }} filter (where {{ prefix }}_is_extreme)
                as {{ prefix }}_top_peer_scope,
        {%- endfor %}
        npi,
        data_year
    from top_code_candidates
    group by
        npi,
        data_year
),

family_services as (
    select
        code_rows.npi,
        code_rows.data_year,
        add_on_codes.base_hcpcs_code,
        -- one specialty per provider-year in the marts; min() only makes that explicit
        min(code_rows.provider_type) as provider_type,
        coalesce(sum(case when add_on_codes.is_add_on then code_rows.total_services end), 0.0) as add_on_services,
        coalesce(sum(case when not coalesce(add_on_codes.is_add_on, false) then code_rows.total_services end), 0.0)
            as base_services
    from code_rows
    inner join add_on_codes
        on code_rows.hcpcs_code = add_on_codes.hcpcs_code
    group by
        code_rows.npi,
        code_rows.data_year,
        add_on_codes.base_hcpcs_code
),

-- Families the provider bills the base code of; the specialty comparison falls back to all specialties
-- when fewer than min_peer_group_size providers of the specialty bill the base that year.
family_shares as (
    select
        npi,
        data_year,
        base_hcpcs_code,
        provider_type,
        add_on_services,
        add_on_services + base_services as family_services,
        add_on_services / (add_on_services + base_services) as add_on_share,
        count(*) over (
            partition by
                data_year,
                base_hcpcs_code,
                provider_type
        ) < {{ var('min_peer_group_size') }} as is_peer_fallback
    from family_services
    where base_services > 0
),

-- Each family twice, a level as a column: judged against its specialty, and against all specialties.
family_peer_groups as (
    select
        family_shares.*,
        peer_levels.peer_level,
        case when peer_levels.peer_level = 'specialty' then family_shares.provider_type end as peer_provider_type
    from family_shares
    cross join peer_levels
),

family_peer_medians as (
    select
        *,
        median(add_on_share) over peer_group as peer_median
    from family_peer_groups
    window
        peer_group as (
            partition by
                peer_level,
                data_year,
                base_hcpcs_code,
                peer_provider_type
        )
),

-- The spreads see every family of the level's group; then each family keeps the level it is judged at.
family_peer_spreads as (
    select
        *,
        median(abs(add_on_share - peer_median)) over peer_group * {{ mad_to_sigma }} as mad_scale,
        avg(abs(add_on_share - peer_median)) over peer_group * {{ mean_ad_to_sigma }} as mean_ad_scale
    from family_peer_medians
    window
        peer_group as (
            partition by
                peer_level,
                data_year,
                base_hcpcs_code,
                peer_provider_type
        )
    qualify (peer_level = 'all') = is_peer_fallback
),

family_peer_z as (
    select
        npi,
        data_year,
        base_hcpcs_code,
        add_on_services,
        family_services,
        add_on_share,
        peer_median,
        case when is_peer_fallback then 'all' else 'specialty' end as peer_scope,
        case
            when mad_scale > 0 then (add_on_share - peer_median) / mad_scale
            when mean_ad_scale > 0 then (add_on_share - peer_median) / mean_ad_scale
            when mean_ad_scale = 0 then 0.0
        end as z
    from family_peer_spreads
),

-- Few rows (families of the seed's codes only), so the top family is an arg_min over a struct key: the most
-- extreme z in each direction, ties to the lowest base code.
code_mix_roll_ups as (
    select
        npi,
        data_year,
        sum(add_on_services) / sum(family_services) as add_on_share,
        {{ weighted_mean('peer_median', 'family_services') }} as add_on_share_peer_median,
        {{ weighted_mean('z', 'family_services') }} as add_on_share_peer_robust_z,
        {{ arg_min_struct(family_context, highest_first) }} as highest_family,
        {{ arg_min_struct(family_context, lowest_first) }} as lowest_family
    from family_peer_z
    group by
        npi,
        data_year
),

code_mix_tops as (
    select
        npi,
        data_year,
        add_on_share,
        add_on_share_peer_median,
        add_on_share_peer_robust_z,
        case when add_on_share_peer_robust_z < 0 then lowest_family else highest_family end as top_family
    from code_mix_roll_ups
),

final as (
    select
        peer_metric_roll_ups.npi,
        peer_metric_roll_ups.data_year,
        {%- for metric, group in rolled_up_metrics %}
            {%- set prefix = metric ~ '_' ~ group %}
            peer_metric_roll_ups.{{ prefix }}_ratio,
            peer_metric_roll_ups.{{ prefix }}_robust_z,
            top_group_{{ loop.index }}.hcpcs_code as {{ prefix }}_top_hcpcs_code,
            top_group_{{ loop.index }}.place_of_service as {{ prefix }}_top_place_of_service,
            peer_metric_top_codes.{{ prefix }}_top_ratio,
            peer_metric_top_codes.{{ prefix }}_top_peer_scope,
        {%- endfor %}
        code_mix_tops.add_on_share,
        code_mix_tops.add_on_share_peer_median,
        code_mix_tops.add_on_share_peer_robust_z,
        -- the top family's fields (table.column.field, which the linter reads as schema.table.column)
        code_mix_tops.top_family.base_hcpcs_code as add_on_top_base_hcpcs_code, -- noqa: RF01
        code_mix_tops.top_family.share as add_on_top_share, -- noqa: RF01
        code_mix_tops.top_family.peer_median as add_on_top_peer_median, -- noqa: RF01
        code_mix_tops.top_family.peer_scope as add_on_top_peer_scope -- noqa: RF01
    from peer_metric_roll_ups
    inner join peer_metric_top_codes
        on
            peer_metric_roll_ups.npi = peer_metric_top_codes.npi
            and peer_metric_roll_ups.data_year = peer_metric_top_codes.data_year
    -- each metric's top code and place, by group_id (top_group_<the metric's number in rolled_up_metrics>)
    {%- for metric, group in rolled_up_metrics %}
        inner join code_groups as top_group_{{ loop.index }}
            on
                peer_metric_top_codes.data_year = top_group_{{ loop.index }}.data_year
                and peer_metric_top_codes.{{ metric }}_{{ group }}_top_group_id = top_group_{{ loop.index }}.group_id
    {%- endfor %}
    left join code_mix_tops
        on
            peer_metric_roll_ups.npi = code_mix_tops.npi
            and peer_metric_roll_ups.data_year = code_mix_tops.data_year
)

select * from final
{{ where_refresh_years(years) }}
