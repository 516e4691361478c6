"""Benchmark (not a test): time and peak memory of scoring a million generated provider-years.

Generates the two provider-year relations the dbt model provider_anomaly_scores reads (the columns it uses
of provider_year_summary, and int_provider_year_code_features: every provider in every year, the code-level
roll-ups drawn as the SQL model would give them) into a scratch DuckDB warehouse file, then times each
stage of `score_warehouse`: features (read one data year at a time, growth, size, code-mix change),
scoring with ranks and flags, reasons, and writing the table (the roll-ups Python does not read join in
DuckDB). `--years 1 --provider-years 1100000` is one national year.

    python -m deep_medicare_dev.benchmark [--provider-years 1000000] [--years 9] [--seed 0]
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from deep_medicare.explanations import explain
from deep_medicare.feature_sets import EVIDENCE_INPUTS, EVIDENCE_MEASURES, PEER_METRICS, peer_prefix
from deep_medicare.pipeline import context_reader, output_columns, warehouse_features, with_code_features
from deep_medicare.scoring import rank_and_flag, score_features

FIRST_YEAR = 2013
DEFAULT_YEARS = 9
# Codes a peer metric's most extreme code is drawn from.
CODES = ("17311", "17312", "17313", "17314", "17315")
SPECIALTIES = ("Dermatology", "Micrographic Dermatologic Surgery", "Plastic and Reconstructive Surgery")
# Spread of each metric's log ratio to its peer median.
METRIC_SPREAD = {
    "payment_per_service": 0.05,
    "allowed_per_service": 0.05,
    "services_per_beneficiary": 0.08,
    "beneficiary_day_services_per_beneficiary": 0.06,
    "charge_to_allowed_ratio": 0.35,
}


def generate_year_summary(provider_years: int, seed: int, years: int = DEFAULT_YEARS) -> pd.DataFrame:
    """provider_year_summary-shaped rows: every provider in each of `years` years, growth on the last."""
    rng = np.random.default_rng(seed)
    providers = max(1, provider_years // years)
    npi = np.array([f"{1_000_000_000 + index * 7:010d}" for index in range(providers)])
    base_size = rng.lognormal(np.log(400), 0.9, size=providers)
    specialty = rng.choice(len(SPECIALTIES), size=providers, p=[0.95, 0.03, 0.02])
    state = rng.integers(0, 50, size=providers)
    frames = []
    previous_services = previous_payment = None
    for offset in range(years):
        services = np.maximum(11.0, np.round(base_size * rng.lognormal(0.0, 0.15, size=providers)))
        payment = services * 300.0 * rng.lognormal(0.0, 0.05, size=providers)
        frame = pd.DataFrame(
            {
                "npi": npi,
                "data_year": FIRST_YEAR + offset,
                "provider_type": np.asarray(SPECIALTIES)[specialty],
                "provider_state": np.char.add("S", state.astype(str)),
                "total_services": services,
                "total_medicare_payment": payment,
                "payment_yoy_change": np.nan
                if previous_payment is None
                else payment / previous_payment - 1.0,
                "services_yoy_change": np.nan
                if previous_services is None
                else services / previous_services - 1.0,
            }
        )
        frames.append(frame)
        previous_services, previous_payment = services, payment
    return pd.concat(frames, ignore_index=True).iloc[:provider_years]


def generate_code_features(year_summary: pd.DataFrame, seed: int) -> pd.DataFrame:
    """int_provider_year_code_features-shaped rows, one per provider-year of `year_summary`: per peer metric
    a services-weighted ratio and robust z with its top code, and the add-on share of the 90% of
    provider-years that bill a base procedure (NaN for the rest, as the SQL model leaves them)."""
    rng = np.random.default_rng(seed + 1)
    rows = len(year_summary)
    codes = np.array(CODES)
    frame = pd.DataFrame(
        {"npi": year_summary["npi"].to_numpy(), "data_year": year_summary["data_year"].to_numpy()}
    )
    for metric, group in PEER_METRICS:
        prefix = peer_prefix(metric, group)
        spread = METRIC_SPREAD[metric]
        log_ratio = rng.standard_t(df=4, size=rows) * spread * 0.6
        frame[f"{prefix}_ratio"] = np.exp(log_ratio)
        frame[f"{prefix}_robust_z"] = log_ratio / spread
        frame[f"{prefix}_top_hcpcs_code"] = codes[rng.integers(0, len(codes), size=rows)]
        frame[f"{prefix}_top_place_of_service"] = np.where(rng.random(rows) < 0.9, "O", "F")
        frame[f"{prefix}_top_ratio"] = np.exp(log_ratio + np.sign(log_ratio) * rng.exponential(spread, rows))
        scope = np.where(rng.random(rows) < 0.02, "all", "specialty")
        if group == "state_peer":
            scope = np.where((scope == "specialty") & (rng.random(rows) < 0.85), "state", scope)
        frame[f"{prefix}_top_peer_scope"] = scope
    bills_base = rng.random(rows) < 0.9
    share = np.clip(rng.normal(0.35, 0.1, size=rows), 0.0, 1.0)
    median = 0.35 + rng.normal(0.0, 0.01, size=rows)
    z = (share - median) / 0.1
    frame["add_on_share"] = np.where(bills_base, share, np.nan)
    frame["add_on_share_peer_median"] = np.where(bills_base, median, np.nan)
    frame["add_on_share_peer_robust_z"] = np.where(bills_base, z, np.nan)
    frame["add_on_top_base_hcpcs_code"] = pd.Series(np.where(rng.random(rows) < 0.8, "17311", "17313")).where(
        bills_base
    )
    frame["add_on_top_share"] = frame["add_on_share"]
    frame["add_on_top_peer_median"] = frame["add_on_share_peer_median"]
    frame["add_on_top_peer_scope"] = pd.Series(np.where(rng.random(rows) < 0.03, "all", "specialty")).where(
        bills_base
    )
    return frame


def generate_evidence(code_features: pd.DataFrame, year_summary: pd.DataFrame, seed: int) -> pd.DataFrame:
    """int_provider_year_evidence-shaped rows, one per provider-year: shrunk log ratios near the generated
    ratios, new parts that are mostly smaller, payment departures of a few percent, and excess payment
    split into price and volume from the generated ratios."""
    rng = np.random.default_rng(seed + 2)
    rows = len(code_features)
    payment = year_summary["total_medicare_payment"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {"npi": code_features["npi"].to_numpy(), "data_year": code_features["data_year"].to_numpy()}
    )
    price = np.log(code_features["payment_per_service_state_peer_ratio"].to_numpy()) * 0.9
    volume = np.log(code_features["services_per_beneficiary_peer_ratio"].to_numpy()) * 0.9
    frame["excess_payment_price"] = payment * (1.0 - np.exp(-price))
    frame["excess_payment_volume"] = payment * np.exp(-price) * (1.0 - np.exp(-volume))
    frame["excess_payment"] = frame["excess_payment_price"] + frame["excess_payment_volume"]
    frame["peer_expected_payment"] = payment - frame["excess_payment"]
    # The generated shrunk log ratio of each evidence measure (as METRIC_SPREAD is per peer metric).
    shrunk_of = {
        "payment_per_service": price,
        "services_per_beneficiary": volume,
        "beneficiary_day_services_per_beneficiary": volume * 0.8,
        "add_on_services_per_beneficiary": volume + rng.normal(0.0, 0.05, rows),
    }
    for measure in EVIDENCE_MEASURES:
        shrunk = shrunk_of[measure]
        frame[f"{measure}_shrunk_log_ratio"] = shrunk
        frame[f"{measure}_new_log_ratio"] = np.minimum(shrunk, shrunk * rng.uniform(-0.5, 0.5, rows))
    has_neighbour = rng.random(rows) < 0.9
    frame["payment_log_departure"] = np.where(has_neighbour, rng.normal(-0.05, 0.1, rows), np.nan)
    frame["payment_log_baseline"] = np.where(
        has_neighbour, np.log(payment) - rng.normal(0.0, 0.1, rows), np.nan
    )
    return frame


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_benchmark(provider_years: int, seed: int, years: int = DEFAULT_YEARS) -> dict[str, float]:
    """Generate inputs into a scratch warehouse file, score them stage by stage as the dbt model does, and
    return seconds per stage and peak memory (MiB). The last stage writes the provider_anomaly_scores table,
    as dbt would."""
    with tempfile.TemporaryDirectory(prefix="deep_medicare_benchmark_") as scratch:
        con = duckdb.connect(str(Path(scratch) / "benchmark.duckdb"))
        try:
            return _run_stages(con, provider_years, seed, years)
        finally:
            con.close()


def _run_stages(
    con: duckdb.DuckDBPyConnection, provider_years: int, seed: int, years: int
) -> dict[str, float]:
    """`run_benchmark` on an open warehouse connection."""
    year_summary = generate_year_summary(provider_years, seed, years)
    con.register("summary_frame", year_summary)
    con.execute("create table provider_year_summary as select * from summary_frame")
    con.unregister("summary_frame")
    # One data year at a time, so generating never holds a million rows of text columns in pandas.
    for offset, (_, year_rows) in enumerate(year_summary.groupby("data_year", sort=True)):
        year_codes = generate_code_features(year_rows, seed + offset)
        for table, frame in (
            ("int_provider_year_code_features", year_codes),
            ("int_provider_year_evidence", generate_evidence(year_codes, year_rows, seed + offset)),
        ):
            con.register("generated_frame", frame)
            if offset == 0:
                con.execute(f"create table {table} as select * from generated_frame")
            else:
                con.execute(f"insert into {table} select * from generated_frame")
            con.unregister("generated_frame")
    del year_summary
    code_features = con.table("int_provider_year_code_features")
    results = {
        "provider_years": float(con.sql("select count(*) from provider_year_summary").fetchall()[0][0]),
        "peak_mib_after_generating": peak_memory_mib(),
    }
    start = time.perf_counter()
    features = warehouse_features(
        code_features, con.table("provider_year_summary"), evidence=con.table("int_provider_year_evidence")
    )
    results["features_seconds"] = time.perf_counter() - start
    feature_columns = list(features.columns)
    results["peak_mib_after_features"] = peak_memory_mib()
    start = time.perf_counter()
    ranked = rank_and_flag(score_features(features, random_state=seed))
    results["scoring_seconds"] = time.perf_counter() - start
    del features
    results["peak_mib_after_scoring"] = peak_memory_mib()
    start = time.perf_counter()
    ranked["reasons"] = explain(ranked, context_of=context_reader(con, code_features, ranked))
    results["reasons_seconds"] = time.perf_counter() - start
    results["peak_mib_after_reasons"] = peak_memory_mib()
    start = time.perf_counter()
    feature_columns = [column for column in feature_columns if column not in EVIDENCE_INPUTS]
    scores = with_code_features(
        con, output_columns(ranked, feature_columns), code_features, con.table("int_provider_year_evidence")
    )
    con.register("scores_relation", scores)
    con.execute("create table provider_anomaly_scores as select * from scores_relation")
    results["write_seconds"] = time.perf_counter() - start
    results["total_seconds"] = sum(
        results[f"{stage}_seconds"] for stage in ("features", "scoring", "reasons", "write")
    )
    results["flagged"] = float(ranked["is_flagged"].sum())
    results["peak_mib"] = peak_memory_mib()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the benchmark and print one line per measure."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--provider-years", type=int, default=1_000_000, help="provider-years to generate")
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS, help="data years they are spread over")
    parser.add_argument("--seed", type=int, default=0, help="seed for the generated data and the forest")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(relativeCreated)8.0f ms  %(message)s", stream=sys.stderr
    )
    for name, value in run_benchmark(args.provider_years, args.seed, args.years).items():
        print(f"{name:<28} {value:,.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
