{#-
    The typed numbers of a raw CMS row, from its raw_* text columns (trimmed, '' as null): counts as
    integers, services as DECIMAL(18, 3), amounts as DECIMAL(38, 10), exact to the cent when summed. Text
    that is not a number gives null, which physician_row_rejection_reason() reports. Used by
    stage_physician_rows() and by the test of the rules on seeds/fixtures/staging_rule_cases.csv.
-#}
{% macro physician_number_casts() -%}
try_cast(raw_total_beneficiaries as bigint) as total_beneficiaries,
try_cast(raw_total_services as decimal(18, 3)) as total_services,
try_cast(raw_total_beneficiary_day_services as bigint) as total_beneficiary_day_services,
try_cast(raw_avg_submitted_charge as decimal(38, 10)) as avg_submitted_charge,
try_cast(raw_avg_medicare_allowed_amount as decimal(38, 10)) as avg_medicare_allowed_amount,
try_cast(raw_avg_medicare_payment_amount as decimal(38, 10)) as avg_medicare_payment_amount,
try_cast(raw_avg_medicare_standardized_amount as decimal(38, 10)) as avg_medicare_standardized_amount
{%- endmacro %}
