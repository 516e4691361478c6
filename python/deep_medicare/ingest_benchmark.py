"""Benchmark (not a test): staging throughput on a national-size raw file.

Writes a synthetic CMS file of N lines (default 10 million, about a national year) made from the real
sample's lines with shifted NPIs so that every key is distinct, then times `dbt build` of staging on it in
a scratch warehouse and prints the numbers. Run: `python -m deep_medicare.ingest_benchmark --rows 10000000`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def repo_root() -> Path:
    """The project root: the folder holding dbt_project.yml above this package."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "dbt_project.yml").exists():
            return parent
    raise FileNotFoundError("dbt_project.yml not found above " + str(here))


def write_synthetic_file(sample_glob: str, out_path: Path, rows: int, gzip: bool) -> int:
    """Write `rows` CMS-layout lines cycled from the sample, keys kept distinct."""
    con = duckdb.connect()
    sample_rows = con.sql(f"select count(*) from read_csv('{sample_glob}', all_varchar = true)").fetchall()[
        0
    ][0]
    copies = -(-rows // sample_rows)
    compression = "gzip" if gzip else "none"
    # Each (copy, sample year) gets its own block of 10,000 NPIs: the sample's 3,422 NPIs, ranked,
    # so that no key repeats when every year's lines land in one file.
    con.execute(
        f"""
        copy (
            select * exclude (copy_number, year_number, npi_rank, filename) replace (
                cast(1000000000 + (copy_number * 9 + year_number) * 10000 + npi_rank as varchar)
                    as Rndrng_NPI
            )
            from (
                select
                    sample.*,
                    copies.range as copy_number,
                    dense_rank() over (order by sample.filename) - 1 as year_number,
                    dense_rank() over (order by sample.Rndrng_NPI) as npi_rank
                from read_csv('{sample_glob}', all_varchar = true, filename = true) as sample
                cross join range({copies}) as copies
            )
            qualify row_number() over () <= {rows}
        ) to '{out_path}' (header true, compression {compression})
        """
    )
    return rows


def time_staging(files_glob: str, warehouse: Path, work: Path) -> float:
    """Seconds for `dbt build` of staging (models and tests) on the given files."""
    root = repo_root()
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(root),
        MEDICARE_PHYSICIAN_FILES=files_glob,
        MEDICARE_DUCKDB_PATH=str(warehouse),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    dbt = Path(sys.executable).parent / "dbt"
    started = time.perf_counter()
    subprocess.run(
        [str(dbt), "build", "--select", "+staging", "--vars", "{physician_file_encoding: utf-8}"],
        cwd=root,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, write the file, time staging, print rows per second."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000, help="lines in the synthetic file")
    parser.add_argument("--gzip", action="store_true", help="write .csv.gz instead of .csv")
    parser.add_argument("--workdir", type=Path, default=None, help="where to write (default: a temp dir)")
    args = parser.parse_args(argv)

    root = repo_root()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        suffix = ".csv.gz" if args.gzip else ".csv"
        raw = work / f"Medicare_Physician_Other_Practitioners_by_Provider_and_Service_2021{suffix}"
        started = time.perf_counter()
        write_synthetic_file(str(root / "data/sample/*.csv.gz"), raw, args.rows, args.gzip)
        written = time.perf_counter() - started
        size_mb = raw.stat().st_size / 1e6
        print(f"wrote {args.rows:,} lines ({size_mb:,.0f} MB) in {written:.1f} s")
        seconds = time_staging(str(raw), work / "bench.duckdb", work)
        print(
            f"staging build (models + tests): {seconds:.1f} s for {args.rows:,} lines, "
            f"{args.rows / seconds:,.0f} lines/s, {size_mb / seconds:,.1f} MB/s"
        )


if __name__ == "__main__":
    main()
