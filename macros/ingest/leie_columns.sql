{#-
    The columns staged from an LEIE file (OIG's layout, the same in the monthly EXCL and REIN supplements and
    in the full list UPDATED.csv): staged name -> [OIG's column name, required]. A file lacking a required
    column fails the build (leie_file_specs()); an optional one is staged as null.
-#}
{% macro leie_columns() -%}
    {{- return({
        'last_name': ['LASTNAME', true],
        'first_name': ['FIRSTNAME', true],
        'middle_name': ['MIDNAME', false],
        'business_name': ['BUSNAME', true],
        'general_category': ['GENERAL', false],
        'specialty': ['SPECIALTY', false],
        'upin': ['UPIN', false],
        'npi': ['NPI', true],
        'date_of_birth': ['DOB', false],
        'address': ['ADDRESS', false],
        'city': ['CITY', false],
        'state': ['STATE', true],
        'zip': ['ZIP', false],
        'exclusion_type': ['EXCLTYPE', true],
        'exclusion_date': ['EXCLDATE', true],
        'reinstatement_date': ['REINDATE', true],
        'waiver_date': ['WAIVERDATE', false],
        'waiver_state': ['WVRSTATE', false],
    }) -}}
{%- endmacro %}

{#- [OIG's column name, raw_ column of base_oig__leie_rows] pairs for json_text(): a refused row's raw values. -#}
{% macro leie_raw_value_pairs() -%}
    {%- set pairs = [] -%}
    {%- for column, rule in leie_columns().items() -%}
        {%- do pairs.append([rule[0], 'raw_' ~ column]) -%}
    {%- endfor -%}
    {{- return(pairs) -}}
{%- endmacro %}
