{#-
    The constants of the anomaly features, one home for the SQL models: anomaly_constant('mad_to_sigma')
    renders 1.4826. The Python package keeps its own copy of the first three in deep_medicare/robust.py, and
    tests/python/test_anomaly_constants.py fails when the two homes disagree.
      mad_to_sigma         1.4826  median absolute deviation (MAD) to standard deviation, normal data
      mean_ad_to_sigma     1.2533  mean absolute deviation to standard deviation (Iglewicz and Hoaglin's
                                   modified z-score, used when MAD is 0)
      log_floor            0.001   floor for ratios, sizes and growth factors before taking logs, so a
                                   zero never becomes minus infinity
      min_relative_spread  0.05    a per-code peer metric's spread counts as at least this fraction of the
                                   peer median, so |robust z| <= |ratio - 1| / 0.05
    An unknown name fails compilation instead of rendering nothing.
-#}
{% macro anomaly_constant(name) %}
    {%- set constants = {
        'mad_to_sigma': 1.4826,
        'mean_ad_to_sigma': 1.2533,
        'log_floor': 0.001,
        'min_relative_spread': 0.05,
    } -%}
    {%- if name not in constants -%}
        {{ exceptions.raise_compiler_error("anomaly_constant: unknown constant '" ~ name ~ "'") }}
    {%- endif -%}
    {{- return(constants[name]) -}}
{% endmacro %}
