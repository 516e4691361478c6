"""Benchmark (not a test): time and peak memory of scoring a million generated provider-years.

Generates marts-shaped inputs (the columns the scorer reads from provider_peer_benchmarks and
provider_year_summary, about three codes per provider-year, every provider in every year), then times each
stage of `score_provider_years`: features, scoring with ranks and flags, and reasons.

    python -m deep_medicare.benchmark [--provider-years 1000000] [--seed 0]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from deep_medicare.explanations import explain
from deep_medicare.feature_sets import PEER_METRICS, peer_prefix
from deep_medicare.features import build_features
from deep_medicare.scoring import rank_and_flag, score_features

FIRST_YEAR = 2013
YEARS = 9
# (code, share of provider-years billing it, typical services per beneficiary)
CODES = (
    ("17311", 1.0, 1.25),
    ("17312", 0.85, 1.5),
    ("17313", 0.6, 1.2),
    ("17314", 0.4, 1.3),
    ("17315", 0.05, 2.7),
)
SPECIALTIES = ("Dermatology", "Micrographic Dermatologic Surgery", "Plastic and Reconstructive Surgery")
# Spread of each metric's log ratio to its peer median.
METRIC_SPREAD = {
    "payment_per_service": 0.05,
    "allowed_per_service": 0.05,
    "services_per_beneficiary": 0.08,
    "beneficiary_day_services_per_beneficiary": 0.06,
    "charge_to_allowed_ratio": 0.35,
}
ADD_ON_CODES = pd.DataFrame(
    {
        "hcpcs_code": ["17311", "17312", "17313", "17314", "17315"],
        "base_hcpcs_code": ["17311", "17311", "17313", "17313", "17311"],
        "is_add_on": [False, True, False, True, True],
    }
)


def generate_year_summary(provider_years: int, seed: int) -> pd.DataFrame:
    """provider_year_summary-shaped rows: every provider in each of YEARS years, growth from the previous."""
    rng = np.random.default_rng(seed)
    providers = max(1, provider_years // YEARS)
    npi = np.array([f"{1_000_000_000 + index * 7:010d}" for index in range(providers)])
    base_size = rng.lognormal(np.log(400), 0.9, size=providers)
    specialty = rng.choice(len(SPECIALTIES), size=providers, p=[0.95, 0.03, 0.02])
    state = rng.integers(0, 50, size=providers)
    frames = []
    previous_services = previous_payment = None
    for offset in range(YEARS):
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


def generate_peer_benchmarks(year_summary: pd.DataFrame, seed: int) -> pd.DataFrame:
    """provider_peer_benchmarks-shaped rows (only the columns the scorer reads) for each provider-year."""
    rng = np.random.default_rng(seed + 1)
    frames = []
    for code, share, _ in CODES:
        bills = year_summary[rng.random(len(year_summary)) < share]
        rows = len(bills)
        frame = pd.DataFrame(
            {
                "npi": bills["npi"].to_numpy(),
                "data_year": bills["data_year"].to_numpy(),
                "hcpcs_code": code,
                "place_of_service": np.where(rng.random(rows) < 0.9, "O", "F"),
                "provider_type": bills["provider_type"].to_numpy(),
                "total_services": np.maximum(
                    11.0, np.round(bills["total_services"].to_numpy() * share / 3.0)
                ),
                "is_peer_fallback": rng.random(rows) < 0.02,
                "is_state_peer_fallback": rng.random(rows) < 0.15,
            }
        )
        for metric, group in PEER_METRICS:
            prefix = peer_prefix(metric, group)
            log_ratio = rng.standard_t(df=4, size=rows) * METRIC_SPREAD[metric]
            frame[f"{prefix}_ratio"] = np.exp(log_ratio)
            frame[f"{prefix}_robust_z"] = log_ratio / METRIC_SPREAD[metric]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_benchmark(provider_years: int, seed: int) -> dict[str, float]:
    """Generate inputs, score them stage by stage, and return seconds per stage and peak memory (MiB)."""
    year_summary = generate_year_summary(provider_years, seed)
    peer_benchmarks = generate_peer_benchmarks(year_summary, seed)
    results = {
        "provider_years": float(len(year_summary)),
        "benchmark_rows": float(len(peer_benchmarks)),
        "peak_mib_after_generating": peak_memory_mib(),
    }
    start = time.perf_counter()
    features = build_features(peer_benchmarks, year_summary, ADD_ON_CODES)
    results["features_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    ranked = rank_and_flag(score_features(features, random_state=seed))
    results["scoring_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    ranked["reasons"] = explain(ranked)
    results["reasons_seconds"] = time.perf_counter() - start
    results["total_seconds"] = (
        results["features_seconds"] + results["scoring_seconds"] + results["reasons_seconds"]
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
    parser.add_argument("--seed", type=int, default=0, help="seed for the generated data and the forest")
    args = parser.parse_args(argv)
    for name, value in run_benchmark(args.provider_years, args.seed).items():
        print(f"{name:<28} {value:,.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
