{#-
    The two CMS layouts of "Physician & Other Practitioners, by Provider and Service", as a map
    from each staging column to the raw column that feeds it (matched by name, case-insensitive),
    or none where that layout has no such column (the column is then null).
      current: the layout CMS publishes today (Rndrng_NPI ... Avg_Mdcr_Stdzd_Amt).
      legacy:  the tab-delimited PUF files of CMS's first releases (npi ... average_Medicare_*).
    `optional` lists raw columns a file of that layout may lack: CY2012/CY2013 PUFs carry no
    average_Medicare_standard_amt. Every other mapped column is required.
-#}
{% macro cms_physician_layouts() -%}
    {%- set layouts = {
        'current': {
            'detect': 'rndrng_npi',
            'optional': [],
            'columns': {
                'npi': 'Rndrng_NPI',
                'provider_last_org_name': 'Rndrng_Prvdr_Last_Org_Name',
                'provider_first_name': 'Rndrng_Prvdr_First_Name',
                'provider_middle_initial': 'Rndrng_Prvdr_MI',
                'provider_credentials': 'Rndrng_Prvdr_Crdntls',
                'provider_gender': 'Rndrng_Prvdr_Gndr',
                'provider_entity_code': 'Rndrng_Prvdr_Ent_Cd',
                'provider_street_1': 'Rndrng_Prvdr_St1',
                'provider_street_2': 'Rndrng_Prvdr_St2',
                'provider_city': 'Rndrng_Prvdr_City',
                'provider_state': 'Rndrng_Prvdr_State_Abrvtn',
                'provider_state_fips': 'Rndrng_Prvdr_State_FIPS',
                'provider_zip5': 'Rndrng_Prvdr_Zip5',
                'provider_ruca': 'Rndrng_Prvdr_RUCA',
                'provider_ruca_description': 'Rndrng_Prvdr_RUCA_Desc',
                'provider_country': 'Rndrng_Prvdr_Cntry',
                'provider_type': 'Rndrng_Prvdr_Type',
                'medicare_participation_indicator': 'Rndrng_Prvdr_Mdcr_Prtcptg_Ind',
                'hcpcs_code': 'HCPCS_Cd',
                'hcpcs_description': 'HCPCS_Desc',
                'hcpcs_drug_indicator': 'HCPCS_Drug_Ind',
                'place_of_service': 'Place_Of_Srvc',
                'total_beneficiaries': 'Tot_Benes',
                'total_services': 'Tot_Srvcs',
                'total_beneficiary_day_services': 'Tot_Bene_Day_Srvcs',
                'avg_submitted_charge': 'Avg_Sbmtd_Chrg',
                'avg_medicare_allowed_amount': 'Avg_Mdcr_Alowd_Amt',
                'avg_medicare_payment_amount': 'Avg_Mdcr_Pymt_Amt',
                'avg_medicare_standardized_amount': 'Avg_Mdcr_Stdzd_Amt',
            },
        },
        'legacy': {
            'detect': 'npi',
            'optional': ['average_Medicare_standard_amt'],
            'columns': {
                'npi': 'npi',
                'provider_last_org_name': 'nppes_provider_last_org_name',
                'provider_first_name': 'nppes_provider_first_name',
                'provider_middle_initial': 'nppes_provider_mi',
                'provider_credentials': 'nppes_credentials',
                'provider_gender': 'nppes_provider_gender',
                'provider_entity_code': 'nppes_entity_code',
                'provider_street_1': 'nppes_provider_street1',
                'provider_street_2': 'nppes_provider_street2',
                'provider_city': 'nppes_provider_city',
                'provider_state': 'nppes_provider_state',
                'provider_state_fips': none,
                'provider_zip5': 'nppes_provider_zip',
                'provider_ruca': none,
                'provider_ruca_description': none,
                'provider_country': 'nppes_provider_country',
                'provider_type': 'provider_type',
                'medicare_participation_indicator': 'medicare_participation_indicator',
                'hcpcs_code': 'hcpcs_code',
                'hcpcs_description': 'hcpcs_description',
                'hcpcs_drug_indicator': 'hcpcs_drug_indicator',
                'place_of_service': 'place_of_service',
                'total_beneficiaries': 'bene_unique_cnt',
                'total_services': 'line_srvc_cnt',
                'total_beneficiary_day_services': 'bene_day_srvc_cnt',
                'avg_submitted_charge': 'average_submitted_chrg_amt',
                'avg_medicare_allowed_amount': 'average_Medicare_allowed_amt',
                'avg_medicare_payment_amount': 'average_Medicare_payment_amt',
                'avg_medicare_standardized_amount': 'average_Medicare_standard_amt',
            },
        },
    } -%}
    {{- return(layouts) -}}
{%- endmacro %}
