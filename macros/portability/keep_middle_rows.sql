{#-
    The window and qualify clauses (they end a select) that keep the middle row, or the two middle rows of an
    even count, of each group of `partition` (SQL) sorted by `order_by`: the mean of what is kept is the
    group's median, found by a sort, which spills to disk, where a median() aggregate holds every value in
    memory. DuckDB counts and numbers rows over one window with a whole-group frame; Spark's row_number takes
    no frame, so there the count has a window of its own, and `div` is its integer division.
-#}
{% macro keep_middle_rows(partition, order_by) -%}
    {{- return(adapter.dispatch('keep_middle_rows', 'deep_medicare')(partition, order_by)) -}}
{%- endmacro %}

{% macro default__keep_middle_rows(partition, order_by) -%}
    window
        sorted_group as (
            partition by
                {{ partition }}
            order by {{ order_by }}
            rows between unbounded preceding and unbounded following
        )
    qualify
        row_number() over sorted_group
        in ((count(*) over sorted_group + 1) // 2, count(*) over sorted_group // 2 + 1)
{%- endmacro %}

{% macro spark__keep_middle_rows(partition, order_by) -%}
    window
        sorted_group as (partition by {{ partition }} order by {{ order_by }}),
        whole_group as (partition by {{ partition }})
    qualify
        row_number() over sorted_group
        in ((count(*) over whole_group + 1) div 2, count(*) over whole_group div 2 + 1)
{%- endmacro %}
