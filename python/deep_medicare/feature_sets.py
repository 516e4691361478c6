"""Names of the anomaly features and how the scorer groups them (constants only, no logic)."""

from __future__ import annotations

KEYS = ["npi", "data_year"]

# (metric, peer group) judged per code and place, as named in provider_peer_benchmarks and rolled up per
# provider-year by the SQL model int_provider_year_code_features (whose list must match). Medicare prices
# follow local fee schedules, so price is judged against the state peer group (the marts fall back to
# national peers when it is small); volume and charges against national peers of the same specialty.
PEER_METRICS: tuple[tuple[str, str], ...] = (
    ("payment_per_service", "state_peer"),
    ("allowed_per_service", "state_peer"),
    ("services_per_beneficiary", "peer"),
    ("beneficiary_day_services_per_beneficiary", "peer"),
    ("charge_to_allowed_ratio", "peer"),
)

# Robust z-features that signal a problem when high, in families of features that measure the same thing
# (payment and allowed amount move together), each with the weight its evidence carries: higher price,
# more services per beneficiary, more add-on stages than peers or than last year, faster growth than
# peers. Charges count half: they do not change what Medicare pays, and a practice's charge master is its
# own steady policy, so a high charge-to-allowed ratio is weaker evidence than a high payment.
SUSPICION_FAMILIES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("price", ("payment_per_service_state_peer_robust_z", "allowed_per_service_state_peer_robust_z"), 1.0),
    (
        "volume",
        ("services_per_beneficiary_peer_robust_z", "beneficiary_day_services_per_beneficiary_peer_robust_z"),
        1.0,
    ),
    ("charges", ("charge_to_allowed_ratio_peer_robust_z",), 0.5),
    ("code_mix", ("add_on_share_peer_robust_z", "add_on_share_change_robust_z"), 1.0),
    ("growth", ("payment_growth_robust_z", "services_growth_robust_z"), 1.0),
)
SUSPICION_FEATURES: tuple[str, ...] = tuple(
    feature for _, family, _ in SUSPICION_FAMILIES for feature in family
)

# Size is context, not suspicion: the Isolation Forest sees it (fast growth means more in a large practice)
# but a large practice is not anomalous for being large.
SIZE_FEATURES: tuple[str, ...] = ("total_services_peer_robust_z", "total_medicare_payment_peer_robust_z")

MODEL_FEATURES: tuple[str, ...] = (*SUSPICION_FEATURES, *SIZE_FEATURES)


def peer_prefix(metric: str, group: str) -> str:
    """Column prefix of a peer metric feature, e.g. "payment_per_service_state_peer"."""
    return f"{metric}_{group}"


# The columns of int_provider_year_code_features the scorer computes with (the model's peer z-scores, and
# the add-on share whose change against the previous year Python judges). The model's other columns
# (ratios, the most extreme code and its context for reasons) pass through DuckDB into
# provider_anomaly_scores without a trip through pandas.
CODE_FEATURE_INPUTS: tuple[str, ...] = (
    *(f"{peer_prefix(metric, group)}_robust_z" for metric, group in PEER_METRICS),
    "add_on_share_peer_robust_z",
    "add_on_share",
)
