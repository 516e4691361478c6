"""int_provider_year_code_features on the real sample, against an independent route: for a few dozen
provider-years the roll-ups are recomputed here from the built warehouse's
int_provider_service_peer_benchmarks with plain Python (statistics.median, sorted tuples, loops over a
provider-year's codes), not the model's SQL and not the package. Reads the warehouse `make test` just built
(MEDICARE_DUCKDB_PATH, as the Makefile exports it).
"""

from __future__ import annotations

import math
import os
import statistics
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from deep_medicare.feature_sets import PEER_METRICS, peer_prefix

REPO_ROOT = Path(__file__).resolve().parents[2]
MAD_TO_SIGMA, MEAN_AD_TO_SIGMA, LOG_FLOOR, MIN_RELATIVE_SPREAD, MIN_PEER_GROUP_SIZE = (
    1.4826,
    1.2533,
    1e-3,
    0.05,
    11,
)
TOLERANCE = 1e-9


def finite(value: object) -> bool:
    return value is not None and not pd.isna(value) and math.isfinite(value)


def log_ratio(ratio: float | None) -> float | None:
    return None if ratio is None or pd.isna(ratio) else math.log(max(ratio, LOG_FLOOR))


def weighted_mean(pairs: list[tuple[float | None, float]]) -> float | None:
    """Services-weighted mean of the finite values; the plain mean when no weight is positive."""
    usable = [(value, weight) for value, weight in pairs if finite(value)]
    if not usable:
        return None
    total = sum(weight for _, weight in usable if weight > 0)
    if total > 0:
        return sum(value * weight for value, weight in usable if weight > 0) / total
    return sum(value for value, _ in usable) / len(usable)


def robust_z(value: float, group: list[float]) -> tuple[float, float]:
    """(peer median, z) of a value in its group: MAD scale, mean absolute deviation when MAD is 0."""
    median = statistics.median(group)
    deviations = [abs(member - median) for member in group]
    scale = statistics.median(deviations) * MAD_TO_SIGMA or statistics.mean(deviations) * MEAN_AD_TO_SIGMA
    return median, ((value - median) / scale if scale > 0 else 0.0)


@pytest.fixture(scope="module")
def warehouse() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """int_provider_service_peer_benchmarks, the seed and the model, from the built warehouse."""
    path = Path(os.environ.get("MEDICARE_DUCKDB_PATH", REPO_ROOT / "warehouse" / "medicare.duckdb"))
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make build` (or `make test`, which builds first)")
    with duckdb.connect(str(path), read_only=True) as con:
        benchmarks = con.sql("select * from intermediate.int_provider_service_peer_benchmarks").df()
        seed = con.sql("select * from reference.hcpcs_add_on_codes").df()
        model = con.sql("select * from intermediate.int_provider_year_code_features").df()
    return benchmarks, seed, model


def chosen_provider_years(benchmarks: pd.DataFrame) -> list[tuple[str, int]]:
    """A few dozen provider-years that exercise every rule: the most codes, ties for the top code, null
    robust z-scores, fallback flags, both add-on families, and a spread of ordinary ones."""
    rows = benchmarks.assign(
        null_z=benchmarks[[f"{peer_prefix(m, g)}_robust_z" for m, g in PEER_METRICS]].isna().any(axis=1),
        fallback=benchmarks["is_peer_fallback"] | benchmarks["is_state_peer_fallback"],
        base_17313=benchmarks["hcpcs_code"].eq("17313"),
    )
    per_year = rows.groupby(["npi", "data_year"]).agg(
        codes=("hcpcs_code", "size"),
        null_z=("null_z", "any"),
        fallback=("fallback", "any"),
        both=("base_17313", "any"),
    )
    per_year = per_year.sort_index()
    # Provider-years where two codes share the highest ratio of a metric: the tie-breaks decide their top.
    tied = set()
    for metric, group in PEER_METRICS:
        ratio = f"{peer_prefix(metric, group)}_ratio"
        highest = benchmarks.groupby(["npi", "data_year"])[ratio].transform("max")
        at_highest = benchmarks[benchmarks[ratio] == highest].groupby(["npi", "data_year"]).size()
        tied |= set(at_highest[at_highest > 1].index)
    chosen = [
        *sorted(tied)[:12],
        *per_year.sort_values("codes", ascending=False, kind="mergesort").index[:8],
        *per_year[per_year["null_z"]].index[:10],
        *per_year[per_year["fallback"]].index[:8],
        *per_year[per_year["both"]].index[:8],
        *per_year.index[:: max(1, len(per_year) // 12)][:12],
    ]
    return sorted(set(chosen))


def expected_features(
    benchmarks: pd.DataFrame, seed: pd.DataFrame, provider_years: list[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, object]]:
    """The model's columns for the chosen provider-years, computed here."""
    chosen = benchmarks.set_index(["npi", "data_year"]).index.isin(provider_years)
    needed = set(
        map(tuple, benchmarks.loc[chosen, ["data_year", "hcpcs_code", "place_of_service"]].to_numpy())
    )
    spreads = {}
    for key, rows in benchmarks.groupby(["data_year", "hcpcs_code", "place_of_service"]):
        if key not in needed:
            continue
        for metric, group in PEER_METRICS:
            prefix = peer_prefix(metric, group)
            logs = [abs(log_ratio(r)) for r in rows[f"{prefix}_ratio"] if not pd.isna(r)]
            spreads[prefix, *key] = statistics.median(logs) if logs else None

    families = seed.set_index("hcpcs_code")
    billed = benchmarks[benchmarks["hcpcs_code"].isin(families.index)].assign(
        base=lambda rows: rows["hcpcs_code"].map(families["base_hcpcs_code"]),
        is_add_on=lambda rows: rows["hcpcs_code"].map(families["is_add_on"]).astype(bool),
    )
    bases = sorted(set(seed["base_hcpcs_code"]))
    shares, peers_of = {}, {}
    billed = billed.assign(
        add_on=billed["total_services"].where(billed["is_add_on"], 0.0),
        base_services=billed["total_services"].where(~billed["is_add_on"], 0.0),
    )
    totals = billed.groupby(["npi", "data_year", "base"], as_index=False).agg(
        add_on=("add_on", "sum"),
        base_services=("base_services", "sum"),
        provider_type=("provider_type", "first"),
    )
    for row in totals[totals["base_services"] > 0].itertuples(index=False):
        share = (float(row.add_on), float(row.add_on + row.base_services), row.provider_type)
        shares[row.npi, row.data_year, row.base] = share
        peers_of.setdefault((row.data_year, row.base), []).append(share)

    expected = {}
    for npi, year in provider_years:
        rows = benchmarks[(benchmarks["npi"] == npi) & (benchmarks["data_year"] == year)]
        # Row order of the tie-breaks: most services, then the lowest code, then the lowest place.
        rows = sorted(
            rows.to_dict("records"),
            key=lambda r: (-r["total_services"], r["hcpcs_code"], r["place_of_service"]),
        )
        values: dict[str, object] = {}
        for metric, group in PEER_METRICS:
            prefix = peer_prefix(metric, group)
            ratios, zs = [], []
            for row in rows:
                ratio, z = row[f"{prefix}_ratio"], row[f"{prefix}_robust_z"]
                ratio = None if pd.isna(ratio) else float(ratio)
                weight = float(row["total_services"])
                if pd.isna(z):
                    logged = log_ratio(ratio)
                    spread = spreads[prefix, year, row["hcpcs_code"], row["place_of_service"]]
                    if logged == 0:
                        z = 0.0
                    elif logged is not None and spread:
                        z = logged / (spread * MAD_TO_SIGMA)
                    else:
                        z = None
                if z is not None and ratio is not None:
                    bound = abs(ratio - 1.0) / MIN_RELATIVE_SPREAD
                    z = min(max(z, -bound), bound)
                ratios.append((ratio, weight))
                zs.append((z, weight))
            rolled_z = weighted_mean(zs)
            direction = -1.0 if rolled_z is not None and rolled_z < 0 else 1.0
            keyed = [
                (
                    -(direction * log_ratio(row[f"{prefix}_ratio"]))
                    if finite(row[f"{prefix}_ratio"])
                    else math.inf,
                    position,
                )
                for position, row in enumerate(rows)
            ]
            top = rows[min(keyed)[1]]
            if top["is_peer_fallback"]:
                scope = "all"
            elif group == "state_peer":
                scope = "specialty" if top["is_state_peer_fallback"] else "state"
            else:
                scope = "specialty"
            values |= {
                f"{prefix}_ratio": weighted_mean(ratios),
                f"{prefix}_robust_z": rolled_z,
                f"{prefix}_top_hcpcs_code": top["hcpcs_code"],
                f"{prefix}_top_place_of_service": top["place_of_service"],
                f"{prefix}_top_ratio": top[f"{prefix}_ratio"] if finite(top[f"{prefix}_ratio"]) else None,
                f"{prefix}_top_peer_scope": scope,
            }
        mine = [(base, *shares[npi, year, base]) for base in bases if (npi, year, base) in shares]
        if not mine:
            values |= dict.fromkeys(
                [
                    "add_on_share",
                    "add_on_share_peer_median",
                    "add_on_share_peer_robust_z",
                    "add_on_top_base_hcpcs_code",
                    "add_on_top_share",
                    "add_on_top_peer_median",
                    "add_on_top_peer_scope",
                ]
            )
        else:
            judged = []
            for base, add_on, family, specialty in sorted(mine):
                peers = [
                    s for (n, y, b), s in shares.items() if y == year and b == base and s[2] == specialty
                ]
                scope = "specialty"
                if len(peers) < MIN_PEER_GROUP_SIZE:
                    peers, scope = [s for (n, y, b), s in shares.items() if y == year and b == base], "all"
                median, z = robust_z(add_on / family, [a / f for a, f, _ in peers])
                judged.append((base, add_on, family, add_on / family, median, z, scope))
            rolled_z = weighted_mean([(z, family) for _, _, family, _, _, z, _ in judged])
            direction = -1.0 if rolled_z < 0 else 1.0
            top = min(judged, key=lambda family: (-direction * family[5], family[0]))
            values |= {
                "add_on_share": sum(j[1] for j in judged) / sum(j[2] for j in judged),
                "add_on_share_peer_median": weighted_mean([(j[4], j[2]) for j in judged]),
                "add_on_share_peer_robust_z": rolled_z,
                "add_on_top_base_hcpcs_code": top[0],
                "add_on_top_share": top[3],
                "add_on_top_peer_median": top[4],
                "add_on_top_peer_scope": top[6],
            }
        expected[npi, year] = values
    return expected


def test_the_model_matches_an_independent_recomputation_on_the_sample(warehouse):
    benchmarks, seed, model = warehouse
    provider_years = chosen_provider_years(benchmarks)
    assert len(provider_years) >= 30
    expected = expected_features(benchmarks, seed, provider_years)
    actual = model.set_index(["npi", "data_year"])
    mismatches = []
    for key, values in expected.items():
        for column, value in values.items():
            got = actual.loc[key, column]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                same = pd.isna(got)
            elif isinstance(value, str):
                same = got == value
            else:
                same = not pd.isna(got) and abs(float(got) - float(value)) <= TOLERANCE
            if not same:
                mismatches.append((key, column, value, got))
    assert not mismatches, f"{len(mismatches)} differences, e.g. {mismatches[:5]}"
    # The choice exercised the rules it is meant to: filled z-scores and both add-on families.
    assert any(values["add_on_top_base_hcpcs_code"] == "17313" for values in expected.values())
