"""Names of the anomaly features and evidence columns, and how the scorer groups them (constants and the
functions that spell a column's name, no logic). Every list of those names lives here; others import it."""

from __future__ import annotations

from typing import NamedTuple

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

# Measures of provider_year_summary judged by year_features: growth against the provider's own previous
# year (payment_yoy_change, services_yoy_change), and size against the specialty's providers.
GROWTH_MEASURES: tuple[str, ...] = ("payment", "services")
SIZE_MEASURES: tuple[str, ...] = ("total_services", "total_medicare_payment")


def peer_prefix(metric: str, group: str) -> str:
    """Column prefix of a peer metric feature, e.g. "payment_per_service_state_peer"."""
    return f"{metric}_{group}"


def growth_feature(measure: str) -> str:
    """The robust z of a measure's growth, e.g. "payment_growth_robust_z"."""
    return f"{measure}_growth_robust_z"


def size_feature(measure: str) -> str:
    """The robust z of a measure's size against peers, e.g. "total_services_peer_robust_z"."""
    return f"{measure}_peer_robust_z"


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
    ("growth", tuple(growth_feature(measure) for measure in GROWTH_MEASURES), 1.0),
)
SUSPICION_FEATURES: tuple[str, ...] = tuple(
    feature for _, family, _ in SUSPICION_FAMILIES for feature in family
)

# Size is context, not suspicion: the Isolation Forest sees it (fast growth means more in a large practice)
# but a large practice is not anomalous for being large.
SIZE_FEATURES: tuple[str, ...] = tuple(size_feature(measure) for measure in SIZE_MEASURES)

MODEL_FEATURES: tuple[str, ...] = (*SUSPICION_FEATURES, *SIZE_FEATURES)


# The columns of int_provider_year_code_features the scorer computes with (the model's peer z-scores, and
# the add-on share whose change against the previous year Python judges). The model's other columns
# (ratios, the most extreme code and its context for reasons) pass through DuckDB into
# provider_anomaly_scores without a trip through pandas.
CODE_FEATURE_INPUTS: tuple[str, ...] = (
    *(f"{peer_prefix(metric, group)}_robust_z" for metric, group in PEER_METRICS),
    "add_on_share_peer_robust_z",
    "add_on_share",
)

# The measures the SQL model int_provider_year_evidence compares with peers across a provider's codes:
# per measure a shrunk log ratio to peers (empirical Bayes) and the part of it that the provider's
# neighbouring years do not already show (`..._new_log_ratio`).
EVIDENCE_MEASURES: tuple[str, ...] = (
    "payment_per_service",
    "services_per_beneficiary",
    "beneficiary_day_services_per_beneficiary",
    "add_on_services_per_beneficiary",
)
EVIDENCE_LOG_RATIOS: tuple[str, ...] = tuple(
    f"{measure}_{part}_log_ratio" for measure in EVIDENCE_MEASURES for part in ("shrunk", "new")
)

# The columns of int_provider_year_evidence the scorer reads.
EVIDENCE_INPUTS: tuple[str, ...] = (
    "peer_expected_payment",
    "excess_payment",
    "excess_payment_price",
    "excess_payment_volume",
    *EVIDENCE_LOG_RATIOS,
    "payment_log_departure",
    "payment_log_baseline",
)


class EvidenceFamily(NamedTuple):
    """A kind of evidence: the measures it takes the strongest of, what size band calibrates them, and the
    column of its dollars at stake."""

    name: str
    measures: tuple[str, ...]
    band_by: str
    dollars: str


# The evidence families `evidence.family_evidence` calibrates (band_by "log_services" is the log of
# total_services; growth_payment is the payment above the neighbouring years' mean, which it computes).
EVIDENCE_FAMILIES: tuple[EvidenceFamily, ...] = (
    EvidenceFamily("price", ("payment_per_service_new_log_ratio",), "log_services", "excess_payment_price"),
    EvidenceFamily(
        "volume",
        ("services_per_beneficiary_new_log_ratio", "beneficiary_day_services_per_beneficiary_new_log_ratio"),
        "log_services",
        "excess_payment_volume",
    ),
    EvidenceFamily(
        "code_mix",
        ("add_on_services_per_beneficiary_new_log_ratio",),
        "log_services",
        "excess_payment_volume",
    ),
    EvidenceFamily("growth", ("payment_log_departure",), "payment_log_baseline", "growth_payment"),
)

# The columns `evidence.family_evidence` adds, in order.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "growth_payment",
    *(f"{family.name}_evidence" for family in EVIDENCE_FAMILIES),
    "evidence_family",
    "evidence_score",
)
