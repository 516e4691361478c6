"""Reasons an investigator reads: the features that make a provider-year stand out, in words.

Each reason family (price, volume, charges, code mix, growth, size) offers at most one reason, from its
strongest feature. Strength is the feature's robust z divided by that feature's ordinary extreme in the same
direction (as in scoring), times the family's weight. A row lists up to `max_reasons` reasons of strength
at least `min_strength`, strongest first, joined by "; ". A flagged row always gets at least one reason:
its strongest feature, or the Isolation Forest's verdict when no single feature stands out.

Rows whose calibrated evidence (evidence_score) reaches `min_strength`, and every flagged row with evidence,
lead with the evidence that ranked them and the dollars at stake (`evidence_reasons`), e.g. "payment per
service 1.31× its state peers across its codes (1.00× in its neighbouring years); $52,410 above peer prices;
excess payment $48,950 against the $262,000 peers would have been paid for the same beneficiaries".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from deep_medicare.feature_sets import (
    EVIDENCE_LOG_RATIOS,
    GROWTH_MEASURES,
    PEER_METRICS,
    SIZE_FEATURES,
    SIZE_MEASURES,
    SUSPICION_FAMILIES,
    growth_feature,
    peer_prefix,
    size_feature,
)
from deep_medicare.scoring import feature_matrix, tail_scale

PLACE_NAMES = (("O", "office"), ("F", "facility"))
SEPARATOR = "; "
DEFAULT_MAX_REASONS = 3
DEFAULT_MIN_STRENGTH = 1.0
SIZE_WEIGHT = 0.5
# How a reason names a measure of feature_sets (peer metric, evidence, growth or size measure).
MEASURE_WORDS = {
    "payment_per_service": "payment per service",
    "allowed_per_service": "allowed amount per service",
    "services_per_beneficiary": "services per beneficiary",
    "beneficiary_day_services_per_beneficiary": "beneficiary-day services per beneficiary",
    "charge_to_allowed_ratio": "charge-to-allowed ratio",
    "add_on_services_per_beneficiary": "add-on services (additional stages) per beneficiary",
    "payment": "Medicare payment",
    "services": "services",
    "total_services": "total services",
    "total_medicare_payment": "total Medicare payment",
}

TextBuilder = Callable[[pd.DataFrame], pd.Series]
# Reads the context columns of reasons for the given row positions (see `explain`).
ContextReader = Callable[[np.ndarray], pd.DataFrame]


def format_ratio(ratio: float) -> str:
    """A ratio to a peer median as "4.1×" (two decimals below 0.95, so 0.5 reads "0.50×")."""
    return f"{ratio:.1f}×" if ratio >= 0.95 else f"{ratio:.2f}×"


def format_change(change: float) -> str:
    """A fractional change as "up 250%" or "down 40%"."""
    return f"up {change:.0%}" if change >= 0 else f"down {-change:.0%}"


def place_name(place_of_service: str) -> str:
    """'O' -> "office", 'F' -> "facility"; anything else as given."""
    return dict(PLACE_NAMES).get(str(place_of_service), str(place_of_service))


def _peer_words(scope: str, specialty: str) -> tuple[str, str]:
    """("state peer" or "peer", the specialty or "all specialties") for a peer scope from features."""
    return ("state peer" if scope == "state" else "peer", "all specialties" if scope == "all" else specialty)


def _peer_metric_text(metric: str, group: str, label: str) -> TextBuilder:
    """Builder of e.g. "services per beneficiary 4.1× the peer median (Dermatology, 17311, office)"."""
    prefix = peer_prefix(metric, group)

    def build(frame: pd.DataFrame) -> pd.Series:
        texts = []
        for ratio, code, place, scope, specialty, state in zip(
            frame[f"{prefix}_top_ratio"].tolist(),
            frame[f"{prefix}_top_hcpcs_code"].tolist(),
            frame[f"{prefix}_top_place_of_service"].tolist(),
            frame[f"{prefix}_top_peer_scope"].tolist(),
            frame["provider_type"].tolist(),
            frame["provider_state"].tolist(),
            strict=True,
        ):
            peers, who = _peer_words(str(scope), str(specialty))
            where = f"{who}, {code}, {place_name(place)}" + (f", {state}" if scope == "state" else "")
            texts.append(f"{label} {format_ratio(ratio)} the {peers} median ({where})")
        return pd.Series(texts, index=frame.index, dtype=object)

    return build


def _add_on_share_text(frame: pd.DataFrame) -> pd.Series:
    """E.g. "add-on share of 17311-family services 68% vs peer median 36% (Dermatology)"."""
    texts = []
    for share, median, base, scope, specialty in zip(
        frame["add_on_top_share"].tolist(),
        frame["add_on_top_peer_median"].tolist(),
        frame["add_on_top_base_hcpcs_code"].tolist(),
        frame["add_on_top_peer_scope"].tolist(),
        frame["provider_type"].tolist(),
        strict=True,
    ):
        _, who = _peer_words(str(scope), str(specialty))
        texts.append(
            f"add-on share of {base}-family services {share:.0%} vs peer median {median:.0%} ({who})"
        )
    return pd.Series(texts, index=frame.index, dtype=object)


def _add_on_change_text(frame: pd.DataFrame) -> pd.Series:
    """E.g. "add-on share 68%, up from 41% the previous year"."""
    texts = [
        f"add-on share {share:.0%}, {'up' if share >= previous else 'down'} from {previous:.0%} "
        "the previous year"
        for share, previous in zip(
            frame["add_on_share"].tolist(), frame["add_on_share_previous"].tolist(), strict=True
        )
    ]
    return pd.Series(texts, index=frame.index, dtype=object)


def _growth_text(measure: str, label: str) -> TextBuilder:
    """Builder of e.g. "services up 250% on the previous year (similar-size practices: up 2%)"."""

    def build(frame: pd.DataFrame) -> pd.Series:
        texts = [
            f"{label} {format_change(change)} on the previous year "
            f"(similar-size practices: {format_change(median)})"
            for change, median in zip(
                frame[f"{measure}_yoy_change"].tolist(),
                frame[f"{measure}_yoy_change_peer_median"].tolist(),
                strict=True,
            )
        ]
        return pd.Series(texts, index=frame.index, dtype=object)

    return build


def _size_text(measure: str, label: str) -> TextBuilder:
    """Builder of e.g. "total services 6.8× the median provider (Dermatology, 2019)"."""

    def build(frame: pd.DataFrame) -> pd.Series:
        texts = []
        for ratio, scope, specialty, year in zip(
            frame[f"{measure}_peer_ratio"].tolist(),
            frame["size_peer_scope"].tolist(),
            frame["provider_type"].tolist(),
            frame["data_year"].tolist(),
            strict=True,
        ):
            _, who = _peer_words(str(scope), str(specialty))
            texts.append(f"{label} {format_ratio(ratio)} the median provider ({who}, {year})")
        return pd.Series(texts, index=frame.index, dtype=object)

    return build


def reason_texts() -> dict[str, TextBuilder]:
    """For each feature that can give a reason, the builder of its words."""
    return {
        **{
            f"{peer_prefix(metric, group)}_robust_z": _peer_metric_text(metric, group, MEASURE_WORDS[metric])
            for metric, group in PEER_METRICS
        },
        "add_on_share_peer_robust_z": _add_on_share_text,
        "add_on_share_change_robust_z": _add_on_change_text,
        **{
            growth_feature(measure): _growth_text(measure, MEASURE_WORDS[measure])
            for measure in GROWTH_MEASURES
        },
        **{size_feature(measure): _size_text(measure, MEASURE_WORDS[measure]) for measure in SIZE_MEASURES},
    }


def _dollars(amount: float) -> str:
    """A dollar amount as "$52,410" ("-$1,200" below zero)."""
    return f"-${-amount:,.0f}" if amount < 0 else f"${amount:,.0f}"


def _neighbours(new_log_ratio: float, shrunk_log_ratio: float) -> str:
    """ " (1.02× in its neighbouring years)" from the shrunk log ratio and its part that is new this year."""
    if not np.isfinite(new_log_ratio) or np.isclose(new_log_ratio, shrunk_log_ratio):
        return ""
    return f" ({format_ratio(float(np.exp(shrunk_log_ratio - new_log_ratio)))} in its neighbouring years)"


def _evidence_lead(family: str, row: dict[str, float], payment: float, expected: float, excess: float) -> str:
    """The words of one row's evidence family (see `evidence_reasons`)."""
    if family == "price":
        lead = (
            f"payment per service {format_ratio(float(np.exp(row['payment_per_service_shrunk_log_ratio'])))} "
            "its state peers across its codes"
            + _neighbours(
                row["payment_per_service_new_log_ratio"], row["payment_per_service_shrunk_log_ratio"]
            )
            + f"; {_dollars(row['excess_payment_price'])} above peer prices"
        )
    elif family in ("volume", "code_mix"):
        measure = "services_per_beneficiary" if family == "volume" else "add_on_services_per_beneficiary"
        if family == "volume" and (
            row["beneficiary_day_services_per_beneficiary_new_log_ratio"]
            > row["services_per_beneficiary_new_log_ratio"]
        ):
            measure = "beneficiary_day_services_per_beneficiary"
        lead = (
            f"{MEASURE_WORDS[measure]} {format_ratio(float(np.exp(row[f'{measure}_shrunk_log_ratio'])))} its "
            "peers across its codes"
            + _neighbours(row[f"{measure}_new_log_ratio"], row[f"{measure}_shrunk_log_ratio"])
            + f"; {_dollars(row['excess_payment_volume'])} for services beyond peer intensity"
        )
    elif family == "growth":
        lead = (
            f"Medicare payment {_dollars(payment)}, "
            f"{format_ratio(float(np.exp(row['payment_log_departure'])))} its higher neighbouring year; "
            f"{_dollars(row['growth_payment'])} above its neighbouring years' mean"
        )
    else:
        return ""
    if not np.isfinite(expected):
        return lead
    return (
        f"{lead}; excess payment {_dollars(excess)} against the {_dollars(expected)} peers would have been "
        "paid for the same beneficiaries"
    )


# The columns `_evidence_lead` reads: the evidence's log ratios, and the departure and dollars it quotes.
EVIDENCE_REASON_INPUTS = (
    *EVIDENCE_LOG_RATIOS,
    "payment_log_departure",
    "growth_payment",
    "excess_payment_price",
    "excess_payment_volume",
)


def evidence_reasons(frame: pd.DataFrame) -> pd.Series:
    """Per row, the evidence that ranked it (its evidence_family) with the dollars at stake, in words; empty
    when it has no evidence family. Index-aligned with `frame`."""
    values = {
        column: frame[column].to_numpy(dtype=float, na_value=np.nan) for column in EVIDENCE_REASON_INPUTS
    }
    texts = [
        _evidence_lead(
            family,
            {column: values[column][index] for column in EVIDENCE_REASON_INPUTS},
            payment,
            expected,
            excess,
        )
        for index, (family, payment, expected, excess) in enumerate(
            zip(
                frame["evidence_family"].astype(str).tolist(),
                frame["total_medicare_payment"].to_numpy(dtype=float, na_value=np.nan).tolist(),
                frame["peer_expected_payment"].to_numpy(dtype=float, na_value=np.nan).tolist(),
                frame["excess_payment"].to_numpy(dtype=float, na_value=np.nan).tolist(),
                strict=True,
            )
        )
    ]
    return pd.Series(texts, index=frame.index, dtype=object)


def reason_families() -> tuple[tuple[str, tuple[str, ...], float], ...]:
    """Families that offer one reason each: the scoring families, then size (context, half weight)."""
    return (*SUSPICION_FAMILIES, ("size", SIZE_FEATURES, SIZE_WEIGHT))


def reason_strengths(scored: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row and reason family: (strength of its strongest feature, column index of that feature).

    The column index points into the flat list of features of `reason_families()`.
    """
    families = reason_families()
    columns = [feature for _, family, _ in families for feature in family]
    matrix = feature_matrix(scored, columns)
    # NaN stays NaN here so a feature that was not measured never gives a reason.
    measured = scored[columns].notna().to_numpy() & np.isfinite(
        scored[columns].to_numpy(dtype=float, na_value=0.0)
    )
    positive = np.clip(matrix, 0.0, None) / tail_scale(matrix)
    negative = np.clip(-matrix, 0.0, None) / tail_scale(-matrix)
    strength = np.where(measured, np.maximum(positive, negative), np.nan)
    family_strength = np.zeros((len(scored), len(families)))
    family_feature = np.zeros((len(scored), len(families)), dtype=int)
    start = 0
    for index, (_, family, weight) in enumerate(families):
        block = strength[:, start : start + len(family)]
        filled = np.nan_to_num(block, nan=-1.0)
        best = np.argmax(filled, axis=1) if len(scored) else np.zeros(0, dtype=int)
        family_feature[:, index] = start + best
        family_strength[:, index] = weight * np.take_along_axis(filled, best[:, None], axis=1)[:, 0]
        start += len(family)
    return family_strength, family_feature


def explain(
    scored: pd.DataFrame,
    max_reasons: int = DEFAULT_MAX_REASONS,
    min_strength: float = DEFAULT_MIN_STRENGTH,
    context_of: ContextReader | None = None,
) -> pd.Series:
    """One `reasons` string per row of `scored` (features plus is_flagged and isolation_score), index-aligned.

    Rows that are not flagged and have nothing of strength `min_strength` get an empty string. Strengths need
    only the robust z-scores; the words also need each reason's context (the most extreme code, its ratio
    and peers...). That context is read from `scored`, or, when given, from `context_of(rows)`: the context
    columns of those row positions of `scored`, in that order, so only the rows that get a reason need it.
    """
    if scored.empty:
        return pd.Series([], index=scored.index, dtype=object)
    families = reason_families()
    columns = [feature for _, family, _ in families for feature in family]
    builders = reason_texts()
    strength, feature = reason_strengths(scored)
    is_flagged = (
        scored["is_flagged"].to_numpy(dtype=bool) if "is_flagged" in scored else np.zeros(len(scored), bool)
    )

    order = np.argsort(-strength, axis=1, kind="stable")[:, :max_reasons]
    picked_strength = np.take_along_axis(strength, order, axis=1)
    keep = picked_strength >= min_strength
    # A flagged row always keeps its strongest measurable reason.
    keep[:, 0] |= is_flagged & (picked_strength[:, 0] > 0)
    picked_feature = np.take_along_axis(feature, order, axis=1)

    # Words only for the rows that keep a reason: build each feature's texts for its rows at once.
    explained = np.flatnonzero(keep.any(axis=1))
    frame = scored.iloc[explained].reset_index(drop=True)
    if context_of is not None:
        context = context_of(explained).reset_index(drop=True)
        frame = pd.concat([frame, context.drop(columns=[c for c in context.columns if c in frame])], axis=1)
    kept, picked = keep[explained], picked_feature[explained]
    parts: list[list[str]] = [[] for _ in range(len(explained))]
    for slot in range(order.shape[1]):
        for column_index in np.unique(picked[kept[:, slot], slot]):
            rows = np.flatnonzero(kept[:, slot] & (picked[:, slot] == column_index))
            texts = builders[columns[column_index]](frame.iloc[rows])
            for row, text in zip(rows, texts, strict=True):
                parts[row].append(text)
    reasons = np.full(len(scored), "", dtype=object)
    reasons[explained] = [SEPARATOR.join(texts) for texts in parts]
    if "evidence_score" in scored:
        weighed = scored["evidence_score"].to_numpy(dtype=float, na_value=0.0)
        rows = np.flatnonzero((weighed >= min_strength) | (is_flagged & (weighed > 0)))
        for row, lead in zip(rows, evidence_reasons(scored.iloc[rows]).tolist(), strict=True):
            if lead:
                reasons[row] = SEPARATOR.join(text for text in (lead, reasons[row]) if text)
    isolation = scored["isolation_score"].to_numpy(dtype=float) if "isolation_score" in scored else None
    for row in np.flatnonzero(is_flagged):
        if not reasons[row]:
            detail = f" (isolation score {isolation[row]:.2f})" if isolation is not None else ""
            reasons[row] = f"unusual combination of features{detail}"
    return pd.Series(reasons, index=scored.index, dtype=object)
