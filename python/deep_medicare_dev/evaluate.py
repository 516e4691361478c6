"""Evaluate the anomaly scores by injecting known anomalies into a copy of the raw CMS files.

Two sets of recipes: the standard set (blatant anomalies: volume ×2-3, price ×1.5-2, add-on stages ×2-3,
growth ×3-5) and the subtle set (price ×1.2-1.4, volume ×1.5-2, add-on stages ×2, growth ×2), whose strength
sits inside the range of real outliers, as an investigator meets them. Each set is evaluated on its own
copy of the sample.

Plan, per set: read the raw files as all-strings (codes keep their leading zeros), inject each recipe into
its own deterministic random set of provider-years (at most one injected year per NPI, so recipes never mix),
write the copy to a scratch folder, run `dbt build` on it into a scratch warehouse, read
marts.provider_anomaly_scores, and report ROC-AUC and precision at k (k = the number injected) per recipe
and overall. Injected rows stay valid: services >= beneficiary-day services >= beneficiaries >= 11 and
payment <= allowed.

Then the real-label section (deep_medicare_dev.real_labels): the built warehouse's scores against OIG's
exclusions for fraud-related types. Reported, never tuned on.

    python -m deep_medicare_dev.evaluate [--project-dir .] [--set standard|subtle|real|all] [--per-recipe 30]
        [--seed 0] [--keep DIR] [--warehouse FILE]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from deep_medicare_dev.real_labels import evaluate_real_labels

COUNT_COLUMNS = ("Tot_Benes", "Tot_Srvcs", "Tot_Bene_Day_Srvcs")
MONEY_COLUMNS = ("Avg_Sbmtd_Chrg", "Avg_Mdcr_Alowd_Amt", "Avg_Mdcr_Pymt_Amt", "Avg_Mdcr_Stdzd_Amt")
YEAR_IN_FILE_NAME = re.compile(r"(?<!\d)(\d{4})(?!\d)")
SCORES_MODEL = "provider_anomaly_scores"


class Recipe(NamedTuple):
    """An anomaly to inject: which columns to multiply, by a factor drawn uniformly from [low, high]."""

    name: str
    low: float
    high: float
    description: str


RECIPES: tuple[Recipe, ...] = (
    Recipe("inflated_volume", 2.0, 3.0, "services and beneficiary-day services per beneficiary multiplied"),
    Recipe(
        "inflated_price", 1.5, 2.0, "submitted charge, allowed, payment and standardized amounts multiplied"
    ),
    Recipe("shifted_code_mix", 2.0, 3.0, "services of add-on (additional-stage) codes multiplied"),
    Recipe(
        "sudden_growth",
        3.0,
        5.0,
        "beneficiaries and services of an established practice multiplied against its previous year",
    ),
)

# Anomalies as subtle as real ones: each inside the range of the sample's natural outliers.
SUBTLE_RECIPES: tuple[Recipe, ...] = (
    Recipe("inflated_volume", 1.5, 2.0, RECIPES[0].description),
    Recipe("inflated_price", 1.2, 1.4, RECIPES[1].description),
    Recipe("shifted_code_mix", 2.0, 2.0, RECIPES[2].description),
    Recipe("sudden_growth", 2.0, 2.0, RECIPES[3].description),
)

RECIPE_SETS: dict[str, tuple[Recipe, ...]] = {"standard": RECIPES, "subtle": SUBTLE_RECIPES}


def _provider_years(raw: pd.DataFrame) -> pd.DataFrame:
    """Distinct (npi, data_year) of raw rows, sorted so sampling never depends on file order."""
    keys = pd.DataFrame({"npi": raw["Rndrng_NPI"].astype(str), "data_year": raw["data_year"].astype(int)})
    return keys.drop_duplicates().sort_values(["npi", "data_year"], kind="mergesort").reset_index(drop=True)


def _eligible(raw: pd.DataFrame, recipe: str, add_on_hcpcs_codes: Collection[str]) -> pd.DataFrame:
    """Provider-years a recipe can change in a way the data can show."""
    years = _provider_years(raw)
    if recipe == "shifted_code_mix":
        is_add_on = raw["HCPCS_Cd"].astype(str).isin(set(add_on_hcpcs_codes))
        flags = pd.DataFrame(
            {
                "npi": raw["Rndrng_NPI"].astype(str),
                "data_year": raw["data_year"].astype(int),
                "add_on": is_add_on,
                "other": ~is_add_on,
            }
        )
        both = flags.groupby(["npi", "data_year"])[["add_on", "other"]].any()
        keep = both[both["add_on"] & both["other"]].reset_index()[["npi", "data_year"]]
        return years.merge(keep, on=["npi", "data_year"])
    if recipe == "sudden_growth":
        # An established practice: billed the year before, with at least that year's median services.
        # (A small practice tripling is ordinary practice-building, not a known anomaly.)
        totals = (
            pd.DataFrame(
                {
                    "npi": raw["Rndrng_NPI"].astype(str),
                    "data_year": raw["data_year"].astype(int),
                    "services": pd.to_numeric(raw["Tot_Srvcs"], errors="coerce"),
                }
            )
            .groupby(["npi", "data_year"], as_index=False)["services"]
            .sum()
        )
        median = totals.groupby("data_year")["services"].transform("median")
        established = totals.loc[totals["services"] >= median, ["npi", "data_year"]]
        following = established.assign(data_year=established["data_year"] + 1)
        return years.merge(following, on=["npi", "data_year"])
    return years


def choose_provider_years(
    raw: pd.DataFrame,
    per_recipe: int,
    seed: int,
    add_on_hcpcs_codes: Collection[str],
    recipes: Sequence[Recipe] = RECIPES,
) -> pd.DataFrame:
    """Deterministic random provider-years per recipe, at most one per NPI across all recipes.

    Returns npi, data_year, recipe and factor (the multiplier drawn for that provider-year).
    """
    rng = np.random.default_rng(seed)
    used_npis: set[str] = set()
    chosen = []
    for recipe in recipes:
        eligible = _eligible(raw, recipe.name, add_on_hcpcs_codes)
        eligible = eligible[~eligible["npi"].isin(used_npis)].reset_index(drop=True)
        # One candidate year per NPI, drawn before the NPIs themselves, so no NPI is picked twice.
        eligible = eligible.iloc[rng.permutation(len(eligible))].drop_duplicates("npi")
        eligible = eligible.sort_values(["npi", "data_year"], kind="mergesort").reset_index(drop=True)
        size = min(per_recipe, len(eligible))
        picked = eligible.iloc[np.sort(rng.choice(len(eligible), size=size, replace=False))].copy()
        picked["recipe"] = recipe.name
        picked["factor"] = rng.uniform(recipe.low, recipe.high, size=size)
        used_npis.update(picked["npi"])
        chosen.append(picked)
    columns = ["npi", "data_year", "recipe", "factor"]
    if not chosen:
        return pd.DataFrame(columns=columns)
    return pd.concat(chosen, ignore_index=True)[columns]


def _format_count(values: pd.Series) -> pd.Series:
    """Counts written as whole numbers, the way the CMS files write them."""
    return values.round().astype("int64").astype(str)


def _format_money(values: pd.Series, original: pd.Series) -> pd.Series:
    """Amounts written with 8 decimals; empty cells (suppressed or legacy) stay empty."""
    text = values.map(lambda value: f"{value:.8f}")
    return text.where(original.astype(str).str.strip() != "", original)


def _apply_recipe(rows: pd.DataFrame, recipe: str, factor: pd.Series, add_on: pd.Series) -> pd.DataFrame:
    """The given raw rows with one recipe applied, each row multiplied by its provider-year's factor."""
    out = rows.copy()
    counts = {column: pd.to_numeric(rows[column], errors="coerce") for column in COUNT_COLUMNS}
    if recipe == "inflated_volume":
        out["Tot_Srvcs"] = _format_count(counts["Tot_Srvcs"] * factor)
        out["Tot_Bene_Day_Srvcs"] = _format_count(counts["Tot_Bene_Day_Srvcs"] * factor)
    elif recipe == "shifted_code_mix":
        # Extra stages are billed on the same day, so only the add-on codes' services grow.
        grown = (counts["Tot_Srvcs"] * factor).where(add_on, counts["Tot_Srvcs"])
        out["Tot_Srvcs"] = _format_count(grown)
    elif recipe == "sudden_growth":
        for column in COUNT_COLUMNS:
            out[column] = _format_count(counts[column] * factor)
    elif recipe == "inflated_price":
        for column in MONEY_COLUMNS:
            amount = pd.to_numeric(rows[column], errors="coerce")
            out[column] = _format_money(amount * factor, rows[column])
    else:
        raise ValueError(f"unknown recipe {recipe!r}")
    return out


def inject_anomalies(
    raw: pd.DataFrame,
    add_on_hcpcs_codes: Collection[str],
    per_recipe: int = 30,
    seed: int = 0,
    recipes: Sequence[Recipe] = RECIPES,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A copy of raw CMS rows (all strings, plus an integer `data_year`) with anomalies injected.

    Returns (injected rows, labels); labels has npi, data_year, recipe and factor per injected
    provider-year. Rows keep their order and every column not touched by a recipe stays byte-identical.
    """
    labels = choose_provider_years(raw, per_recipe, seed, add_on_hcpcs_codes, recipes)
    injected = raw.copy()
    keys = pd.MultiIndex.from_arrays([raw["Rndrng_NPI"].astype(str), raw["data_year"].astype(int)])
    add_on = raw["HCPCS_Cd"].astype(str).isin(set(add_on_hcpcs_codes))
    for recipe in recipes:
        chosen = labels[labels["recipe"] == recipe.name].set_index(["npi", "data_year"])["factor"]
        factor = pd.Series(chosen.reindex(keys).to_numpy(), index=raw.index)
        mask = factor.notna()
        if mask.any():
            injected.loc[mask] = _apply_recipe(raw.loc[mask], recipe.name, factor[mask], add_on[mask])
    return injected, labels


def invalid_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows that break the CMS file's rules: services >= bene-day services >= beneficiaries >= 11,
    payment <= allowed."""
    number = {
        column: pd.to_numeric(raw[column], errors="coerce") for column in (*COUNT_COLUMNS, *MONEY_COLUMNS)
    }
    valid = (
        (number["Tot_Srvcs"] >= number["Tot_Bene_Day_Srvcs"])
        & (number["Tot_Bene_Day_Srvcs"] >= number["Tot_Benes"])
        & (number["Tot_Benes"] >= 11)
        & (number["Avg_Mdcr_Pymt_Amt"] <= number["Avg_Mdcr_Alowd_Amt"])
    )
    return raw[~valid]


def _ranked(scores: pd.DataFrame) -> pd.DataFrame:
    """Scores sorted most anomalous first; ties broken by npi then year, never by the labels."""
    frame = pd.DataFrame(
        {
            "npi": scores["npi"].astype(str),
            "data_year": scores["data_year"].astype(int),
            "anomaly_score": scores["anomaly_score"].astype(float),
        }
    )
    return frame.sort_values(
        ["anomaly_score", "npi", "data_year"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)


def _metrics(is_positive: pd.Series, score: pd.Series) -> dict[str, float]:
    """ROC-AUC and precision at k (k = the number of positives) of rows already ranked by score."""
    k = int(is_positive.sum())
    has_both = 0 < k < len(is_positive)
    return {
        "roc_auc": float(roc_auc_score(is_positive, score)) if has_both else float("nan"),
        "precision_at_k": float(is_positive.iloc[:k].mean()) if k else float("nan"),
        "k": float(k),
        "negatives": float(len(is_positive) - k),
    }


def evaluation_metrics(scores: pd.DataFrame, labels: pd.DataFrame) -> dict[str, dict[str, float]]:
    """ROC-AUC and precision at k per recipe and overall, from scores (npi, data_year, anomaly_score) and
    labels (npi, data_year, recipe). Per recipe, the injected provider-years of that recipe compete with
    every provider-year that was not injected."""
    ranked = _ranked(scores)
    label_keys = pd.DataFrame(
        {"npi": labels["npi"].astype(str), "data_year": labels["data_year"].astype(int)}
    )
    recipe_of = ranked.merge(
        label_keys.assign(recipe=labels["recipe"].astype(str).to_numpy()), on=["npi", "data_year"], how="left"
    )["recipe"]
    results: dict[str, dict[str, float]] = {}
    for recipe in sorted(recipe_of.dropna().unique()):
        subset = recipe_of.isna() | (recipe_of == recipe)
        results[str(recipe)] = _metrics(
            (recipe_of[subset] == recipe).reset_index(drop=True), ranked.loc[subset, "anomaly_score"]
        )
    results["overall"] = _metrics(recipe_of.notna(), ranked["anomaly_score"])
    return results


def read_raw_files(paths: Sequence[Path]) -> pd.DataFrame:
    """Raw CMS files as all-string columns, with `data_year` taken from each file name and `source_file`."""
    frames = []
    for path in paths:
        years = YEAR_IN_FILE_NAME.findall(path.name)
        if not years:
            raise ValueError(f"no data year in file name {path.name}")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
        frames.append(frame.assign(data_year=int(years[-1]), source_file=path.name))
    return pd.concat(frames, ignore_index=True)


def write_raw_files(raw: pd.DataFrame, folder: Path) -> list[Path]:
    """Write rows back into one file per `source_file` (compressed when the name ends in .gz)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in raw.groupby("source_file", sort=True):
        path = folder / str(name)
        rows.drop(columns=["data_year", "source_file"]).to_csv(path, index=False)
        written.append(path)
    return written


def read_add_on_codes(seed_csv: Path) -> list[str]:
    """HCPCS codes marked as add-on in the seed hcpcs_add_on_codes.csv."""
    codes = pd.read_csv(seed_csv, dtype=str, keep_default_na=False)
    return sorted(codes.loc[codes["is_add_on"].str.lower() == "true", "hcpcs_code"])


def _dbt_executable() -> str:
    """The dbt beside the running Python (the project's .venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def build_scratch_warehouse(project_dir: Path, data_glob: str, work_dir: Path) -> Path:
    """Run `dbt build` of the anomaly scores and everything upstream on `data_glob`, into work_dir.

    Data tests are left out: the evaluation measures the scores, and the lead's build runs the tests.
    """
    database = work_dir / "warehouse.duckdb"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MEDICARE_PHYSICIAN_FILES": data_glob,
        "MEDICARE_DUCKDB_PATH": str(database),
    }
    command = [
        _dbt_executable(),
        "build",
        "--select",
        f"+{SCORES_MODEL}",
        "--exclude-resource-type",
        "test",
        "--exclude-resource-type",
        "unit_test",
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    completed = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"dbt build failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
        )
    return database


def read_scores(database: Path) -> pd.DataFrame:
    """marts.provider_anomaly_scores from a warehouse (read-only)."""
    if not database.exists():
        raise RuntimeError(f"dbt wrote no warehouse at {database}; is models/ml/{SCORES_MODEL}.py there?")
    with duckdb.connect(str(database), read_only=True) as connection:
        try:
            return connection.execute(f"select npi, data_year, anomaly_score from marts.{SCORES_MODEL}").df()
        except duckdb.CatalogException as error:
            raise RuntimeError(
                f"marts.{SCORES_MODEL} was not built; is models/ml/{SCORES_MODEL}.py there?"
            ) from error


def run_evaluation(
    project_dir: Path,
    work_dir: Path,
    per_recipe: int = 30,
    seed: int = 0,
    sample_glob: str = "data/sample/*.csv*",
    recipes: Sequence[Recipe] = RECIPES,
) -> dict[str, dict[str, float]]:
    """Inject `recipes` into a copy of the sample, rebuild into work_dir, and return the metrics."""
    project_dir = project_dir.resolve()
    paths = sorted(project_dir.glob(sample_glob))
    if not paths:
        raise FileNotFoundError(f"no raw files match {sample_glob} under {project_dir}")
    add_on_codes = read_add_on_codes(project_dir / "seeds" / "hcpcs_add_on_codes.csv")
    injected, labels = inject_anomalies(
        read_raw_files(paths), add_on_codes, per_recipe=per_recipe, seed=seed, recipes=recipes
    )
    broken = invalid_rows(injected)
    if not broken.empty:
        raise AssertionError(f"injection produced {len(broken)} invalid rows")
    data_dir = work_dir / "data"
    write_raw_files(injected, data_dir)
    labels.to_csv(work_dir / "labels.csv", index=False)
    database = build_scratch_warehouse(project_dir, str(data_dir / "*.csv*"), work_dir)
    return evaluation_metrics(read_scores(database), labels)


def format_metrics(metrics: dict[str, dict[str, float]]) -> str:
    """A small table: one line per recipe, then overall."""
    lines = [f"{'recipe':<20} {'k':>5} {'ROC-AUC':>8} {'precision@k':>12}"]
    for name in [*(key for key in metrics if key != "overall"), "overall"]:
        row = metrics[name]
        lines.append(f"{name:<20} {int(row['k']):>5} {row['roc_auc']:>8.3f} {row['precision_at_k']:>12.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the evaluation of each chosen set and print its metrics table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), help="dbt project root (default: cwd)"
    )
    parser.add_argument(
        "--set",
        choices=[*RECIPE_SETS, "real", "all"],
        default="all",
        dest="recipe_set",
        help="which recipes to inject, or real (the real-label section alone); default: all, each set on "
        "its own copy, then the real labels",
    )
    parser.add_argument("--per-recipe", type=int, default=30, help="provider-years injected per recipe")
    parser.add_argument("--seed", type=int, default=0, help="seed for choosing provider-years and factors")
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep each set's scratch copy in a subfolder of this folder"
    )
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("MEDICARE_DUCKDB_PATH", "warehouse/medicare.duckdb"),
        help="the built warehouse the real-label section reads (default: $MEDICARE_DUCKDB_PATH)",
    )
    args = parser.parse_args(argv)
    names = list(RECIPE_SETS) if args.recipe_set == "all" else [args.recipe_set]
    names = [name for name in names if name != "real"]
    for index, name in enumerate(names):
        recipes = RECIPE_SETS[name]
        if args.keep is not None:
            work_dir = args.keep / name
            work_dir.mkdir(parents=True, exist_ok=True)
            metrics = run_evaluation(args.project_dir, work_dir, args.per_recipe, args.seed, recipes=recipes)
        else:
            with tempfile.TemporaryDirectory(prefix="deep_medicare_eval_") as scratch:
                metrics = run_evaluation(
                    args.project_dir, Path(scratch), args.per_recipe, args.seed, recipes=recipes
                )
        factors = ", ".join(f"{recipe.name} ×{recipe.low:g}-{recipe.high:g}" for recipe in recipes)
        print(f"{'' if index == 0 else chr(10)}{name} set ({factors}):")
        print(format_metrics(metrics), flush=True)
    if args.recipe_set in ("real", "all"):
        if not Path(args.warehouse).exists():
            raise SystemExit(f"No warehouse at {args.warehouse}: run make build first")
        heading = "real labels (OIG exclusions for fraud-related types; reported, never tuned on):"
        print(f"{chr(10) if names else ''}{heading}")
        print(evaluate_real_labels(args.warehouse, seed=args.seed), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
