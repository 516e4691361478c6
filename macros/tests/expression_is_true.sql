{#-
    Fails for every row where the SQL expression is not true (false or null), e.g.
    `avg_medicare_payment_amount <= avg_medicare_allowed_amount + 0.01`. Rows outside `where`
    (a config every test has) are not checked.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
