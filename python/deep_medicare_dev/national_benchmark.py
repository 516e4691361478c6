"""Benchmark (not a test): what users run on national-size data, against a bare DuckDB scan of the files.

Generates synthetic CMS "by Provider and Service" years of national size from the real sample (about nine
lines per NPI, each NPI with one identity across its lines and years, about 6,000 HCPCS codes with a skewed
distribution, most NPIs present in consecutive years), caches them, then in one run times

1. a bare DuckDB scan of the files (count, payment sum, distinct NPIs) in a fresh child process, after one
   untimed read of the files so that the scan finds them in the page cache as the build does, and
2. the full `dbt build` (every seed, model, test and the Python scoring model) into a scratch warehouse,
3. `make report`'s command (the HTML report) on the warehouse that build published,

and prints wall time, peak memory (RSS of the whole process tree) and the DuckDB temp folder's peak size.
With --growth (two years or more) the same run first scans and builds the last year alone, so the growth
of the build with the data (the issue's "two years at most 2.2x one") compares two builds of one run.

With --history (the national-history issue's table) it builds the first year alone, adds each later year to
that warehouse as a yearly refresh, then builds the first two years and every year from scratch: one table of
wall time, ratio to the one-year build, peak RSS, temp peak and warehouse size.

    python -m deep_medicare_dev.national_benchmark [--rows 10000000] [--years 1] [--seed 0]
        [--growth | --add-year | --history]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

LAST_YEAR = 2021
GENERATOR_VERSION = 2  # bump when the generated data changes, so cached files are written again
FILE_PREFIX = "Medicare_Physician_Other_Practitioners_by_Provider_and_Service_"
# The current CMS layout, in file order: the sample's header must be exactly this.
NPI_COLUMN = "Rndrng_NPI"
IDENTITY_COLUMNS = (
    "Rndrng_Prvdr_Last_Org_Name",
    "Rndrng_Prvdr_First_Name",
    "Rndrng_Prvdr_MI",
    "Rndrng_Prvdr_Crdntls",
    "Rndrng_Prvdr_Gndr",
    "Rndrng_Prvdr_Ent_Cd",
    "Rndrng_Prvdr_St1",
    "Rndrng_Prvdr_St2",
    "Rndrng_Prvdr_City",
    "Rndrng_Prvdr_State_Abrvtn",
    "Rndrng_Prvdr_State_FIPS",
    "Rndrng_Prvdr_Zip5",
    "Rndrng_Prvdr_RUCA",
    "Rndrng_Prvdr_RUCA_Desc",
    "Rndrng_Prvdr_Cntry",
    "Rndrng_Prvdr_Type",
    "Rndrng_Prvdr_Mdcr_Prtcptg_Ind",
)
SERVICE_COLUMNS = ("HCPCS_Cd", "HCPCS_Desc", "HCPCS_Drug_Ind", "Place_Of_Srvc")
COUNT_COLUMNS = ("Tot_Benes", "Tot_Srvcs", "Tot_Bene_Day_Srvcs")
AMOUNT_COLUMNS = ("Avg_Sbmtd_Chrg", "Avg_Mdcr_Alowd_Amt", "Avg_Mdcr_Pymt_Amt", "Avg_Mdcr_Stdzd_Amt")
CMS_COLUMNS = (NPI_COLUMN, *IDENTITY_COLUMNS, *SERVICE_COLUMNS, *COUNT_COLUMNS, *AMOUNT_COLUMNS)

# Shape of the synthetic data (national CMS files: ~10 million lines, ~1.1 million NPIs, ~6,000 codes).
CODE_COUNT = 6000
REAL_CODE_FIRST_RANK = 30  # the sample's own codes (17311-17315) sit among the popular ones
LINES_PER_NPI_MEDIAN = 5.1  # lognormal (sigma 1) lines per NPI, median 5.1: about 9 on average
LINES_PER_NPI_MEAN = 9.0  # what sizes the NPI windows: ~rows / 9 NPIs a year
LINES_PER_NPI_SIGMA = 1.0
MAX_LINES_PER_NPI = 400
NPI_TURNOVER = 0.1  # share of a year's NPIs absent the year before
PROFILE_COUNT = 1000  # code lists NPIs bill from; each NPI takes the head of one
PROFILE_DRAWS = 2500  # Zipf draws per profile, deduplicated into at most PROFILE_LENGTH codes
PROFILE_LENGTH = 450
MAX_CODE_SKIP = 8  # an NPI skips up to this many entries of its profile, so NPIs of a profile differ
SECOND_PLACE_SHARE = 0.08  # profile entries for a code's other place of service (F and O on one code)
PRICE_MULTIPLIER_RANGE = (0.02, 10.0)  # log-uniform price level of made-up codes, times the sample's
YEARLY_PRICE_DRIFT = 0.02  # amounts grow 2% a year, plus +-4% noise per line and year
LINE_PRICE_NOISE = 0.04
YEARLY_COUNT_NOISE = 0.25  # a year adds 0-25% of a line's beneficiaries to each of its three counts
CODE_PHRASES = (
    ("Office or outpatient visit, established patient, moderate complexity", "N"),
    ("Injection, synthetic compound, per 10 mg", "Y"),
    ("Imaging of chest, abdomen, or pelvis, with contrast", "N"),
    ("Laboratory test, quantitative, each specimen", "N"),
    ("Excision of lesion, trunk, arms, or legs, first lesion", "N"),
    ("Therapeutic exercise, each 15 minutes", "N"),
    ("Infusion, synthetic biologic, per 1 unit", "Y"),
    ("Ambulance service, advanced life support, per mile", "N"),
)

SCAN_SCRIPT = """
import json, re, sys, time
import duckdb
files = json.loads(sys.argv[1])
listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
started = time.perf_counter()
rows, payment, npis = duckdb.connect().execute(
    "select count(*), sum(cast(Avg_Mdcr_Pymt_Amt as double)), count(distinct Rndrng_NPI) "
    f"from read_csv([{listed}], header = true)"
).fetchone()
print(json.dumps({"rows": rows, "payment": payment, "npis": npis,
                  "query_seconds": time.perf_counter() - started,
                  "max_rss_bytes": 1024 * int(re.search(r"VmHWM:\\s*(\\d+) kB",
                                                        open("/proc/self/status").read()).group(1))}))
"""
POLL_SECONDS = 0.2
# dbt output worth echoing while the build runs: models and seeds built, anything not passing, the summary
PROGRESS_LINE = re.compile(r" \d+ of \d+ (OK|ERROR|FAIL|WARN)| (Finished running|Done\.) ")


# --- generation -----------------------------------------------------------------------------------------


def repo_root() -> Path:
    """The project root: the folder holding dbt_project.yml above this package."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "dbt_project.yml").exists():
            return parent
    raise FileNotFoundError("dbt_project.yml not found above " + str(here))


def data_years(years: int) -> list[int]:
    """The `years` consecutive data years ending at LAST_YEAR, oldest first."""
    if years < 1:
        raise ValueError("--years must be at least 1")
    return list(range(LAST_YEAR - years + 1, LAST_YEAR + 1))


def data_file(directory: Path, year: int) -> Path:
    """The path of a year's file, named as CMS names it (the build reads the year from the name)."""
    return directory / f"{FILE_PREFIX}{year}.csv"


def sql_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def hashed(seed: int, tag: str, *keys: str) -> str:
    """SQL for a deterministic 64-bit hash of the seed, a tag and integer key expressions.

    Chains DuckDB's hash of one integer (a strong mixer) over the keys: its hash of several values at once
    combines them too weakly (two tags' values come out correlated).
    """
    digest = hashlib.blake2b(f"{seed}:{tag}".encode(), digest_size=8).digest()
    expression = f"cast({int.from_bytes(digest, 'big')} as ubigint)"
    for key in keys:
        expression = f"hash(xor({expression}, cast({key} as ubigint)))"
    return expression


def uniform(seed: int, tag: str, *keys: str) -> str:
    """SQL for a deterministic uniform number in [0, 1) from the seed, a tag and integer key expressions."""
    return f"(({hashed(seed, tag, *keys)} >> 11) / 9007199254740992.0)"


def cms_quoted(column: str) -> str:
    """SQL rendering a text column as CMS writes it: quoted when empty or holding a space, comma or quote."""
    return (
        f"""case when {column} is null or regexp_matches({column}, '[ ,''"]') """
        f"""then '"' || replace(coalesce({column}, ''), '"', '""') || '"' else {column} end"""
    )


def cms_decimal(expression: str) -> str:
    """SQL rendering an amount (below 10^10) with up to 8 decimals and no trailing zeros, as CMS does."""
    trimmed = f"rtrim(rtrim(cast(cast({expression} as decimal(18, 8)) as varchar), '0'), '.')"
    return f"coalesce(nullif({trimmed}, ''), '0')"


def load_sample(connection: duckdb.DuckDBPyConnection, sample_glob: str) -> None:
    """Tables of the sample's identities (one per NPI, its latest row), codes and numbers, indexed from 0."""
    header = connection.execute(
        f"select column_name from (describe select * from read_csv({sql_literal(sample_glob)}, "
        "all_varchar = true))"
    ).fetchall()
    found = tuple(name for (name,) in header)
    if found != CMS_COLUMNS:
        raise ValueError(f"sample header is not the current CMS layout: {found}")
    connection.execute(
        f"""
        create or replace temp table sample_rows as
        select
            row_number() over (
                order by filename, Rndrng_NPI, HCPCS_Cd, Place_Of_Srvc, HCPCS_Desc, Tot_Srvcs
            ) - 1 as sample_index,
            *
        from read_csv({sql_literal(sample_glob)}, all_varchar = true, filename = true)
        """
    )
    identity = " || ',' || ".join(cms_quoted(column) for column in IDENTITY_COLUMNS)
    connection.execute(
        f"""
        create or replace temp table identities as
        select
            row_number() over (order by Rndrng_NPI) - 1 as identity_index,
            fragment
        from (
            select Rndrng_NPI, {identity} as fragment
            from sample_rows
            qualify row_number() over (
                partition by Rndrng_NPI order by filename desc, HCPCS_Cd, Place_Of_Srvc
            ) = 1
        )
        """
    )
    connection.execute(
        """
        create or replace temp table sample_numbers as
        select
            sample_index,
            Place_Of_Srvc as place,
            -- numbers are drawn within a place of service: facility rates are lower, as CMS's are
            row_number() over (partition by Place_Of_Srvc order by sample_index) - 1 as place_index,
            cast(Tot_Benes as bigint) as benes,
            cast(Tot_Srvcs as bigint) as services,
            cast(Tot_Bene_Day_Srvcs as bigint) as bene_day_services,
            cast(Avg_Sbmtd_Chrg as double) as charge,
            cast(Avg_Mdcr_Alowd_Amt as double) as allowed,
            cast(Avg_Mdcr_Pymt_Amt as double) as payment,
            cast(coalesce(Avg_Mdcr_Stdzd_Amt, Avg_Mdcr_Pymt_Amt) as double) as standardized
        from sample_rows
        """
    )
    invalid = connection.execute(
        """
        select count(*) from sample_numbers
        where not (benes >= 11 and services >= bene_day_services and bene_day_services >= benes
            and least(charge, allowed, payment, standardized) >= 0 and payment <= allowed)
        """
    ).fetchall()[0][0]
    if invalid:
        raise ValueError(f"{invalid} sample rows break the staging rules the generated lines must keep")


def build_codes(connection: duckdb.DuckDBPyConnection, seed: int) -> None:
    """CODE_COUNT codes ranked by popularity: the sample's real codes plus made-up letter+4-digit codes.

    Made-up codes are distinct numbers of A0000-Z9999 drawn by hash; each has a description (with commas,
    as CMS's have), a drug indicator and its own price level.
    """
    low, high = PRICE_MULTIPLIER_RANGE
    phrases = ", ".join(f"({sql_literal(text)}, {sql_literal(drug)})" for text, drug in CODE_PHRASES)
    connection.execute(
        f"""
        create or replace temp table codes as
        with real_codes as (
            select
                {REAL_CODE_FIRST_RANK} + row_number() over (order by HCPCS_Cd) - 1 as code_rank,
                HCPCS_Cd as code,
                arg_max(HCPCS_Desc, filename) as description,
                arg_max(HCPCS_Drug_Ind, filename) as drug_indicator,
                1.0 as price_multiplier
            from sample_rows
            group by HCPCS_Cd
        ),
        phrases as (
            select row_number() over () - 1 as phrase_index, phrase.*
            from (values {phrases}) phrase(text, drug)
        ),
        -- CODE_COUNT distinct numbers of A0000-Z9999 in hash order: rank r gets the r-th
        code_numbers as (
            select
                range as code_number,
                row_number() over (order by {hashed(seed, "code number", "range")}, range) - 1 as code_rank
            from range(260000)
            qualify code_rank < {CODE_COUNT}
        ),
        made_up as (
            select
                code_rank,
                chr(65 + cast(code_number // 10000 as integer))
                    || lpad(cast(code_number % 10000 as varchar), 4, '0') as code,
                cast(floor({uniform(seed, "phrase", "code_rank")} * {len(CODE_PHRASES)}) as bigint)
                    as phrase_index,
                exp(ln({low}) + {uniform(seed, "code price", "code_rank")} * ln({high / low}))
                    as price_multiplier
            from code_numbers
            where code_rank not in (select code_rank from real_codes)
        )
        select code_rank, code, description, drug_indicator, price_multiplier from real_codes
        union all
        select
            made_up.code_rank,
            made_up.code,
            phrases.text || ' (synthetic code ' || made_up.code || ')',
            phrases.drug,
            made_up.price_multiplier
        from made_up
        inner join phrases using (phrase_index)
        """
    )
    connection.execute(
        f"""
        create or replace temp table code_fragments as
        select
            code_rank,
            code,
            price_multiplier,
            {cms_quoted("code")} || ',' || {cms_quoted("description")} || ',' || drug_indicator as fragment
        from codes
        """
    )


def build_profiles(connection: duckdb.DuckDBPyConnection, seed: int) -> int:
    """PROFILE_COUNT ordered code lists (Zipf draws, first occurrence kept); returns the shortest's length.

    An NPI bills the head of one profile, so its codes are distinct by construction (the key stays unique
    without a deduplicating pass over the lines) and popular codes come first, giving the skew.
    """
    connection.execute(
        f"""
        create or replace temp table profile_entries as
        with draws as (
            select
                profiles.range as profile,
                draws.range as draw,
                -- continuous Zipf (exponent 1) over CODE_COUNT ranks: rank = (n + 1) ^ u - 1
                least(
                    cast(floor(pow(
                        {CODE_COUNT + 1}, {uniform(seed, "zipf", "profiles.range", "draws.range")}
                    )) as bigint) - 1,
                    {CODE_COUNT - 1}
                ) as code_rank,
                {uniform(seed, "second place", "profiles.range", "draws.range")} < {SECOND_PLACE_SHARE}
                    as is_second_place
            from range({PROFILE_COUNT}) profiles
            cross join range({PROFILE_DRAWS}) draws
        ),
        first_draws as (
            select profile, code_rank, is_second_place, min(draw) as first_draw
            from draws
            group by all
        )
        select
            profile,
            row_number() over (partition by profile order by first_draw) - 1 as position,
            code_rank,
            is_second_place
        from first_draws
        qualify position < {PROFILE_LENGTH}
        """
    )
    shortest = connection.execute(
        "select min(entries) from (select count(*) as entries from profile_entries group by profile)"
    ).fetchall()[0][0]
    return int(shortest)


def build_npis(connection: duckdb.DuckDBPyConnection, seed: int, universe: int, max_lines: int) -> None:
    """`universe` NPIs: a distinct 10-digit number, an identity, a profile and a base line count each.

    The number is a bijection of the index modulo 10^9 (odd multiplier not divisible by 5), so NPIs never
    collide. Everything else comes from hashing the index, so an NPI is the same in every year.
    """
    offset = int.from_bytes(hashlib.blake2b(f"{seed}:npi".encode(), digest_size=8).digest(), "big") % 10**9
    identity_count = connection.execute("select count(*) from identities").fetchall()[0][0]
    z = (
        f"sqrt(-2 * ln(1 - {uniform(seed, 'lines a', 'npis.range')})) "
        f"* cos(2 * pi() * {uniform(seed, 'lines b', 'npis.range')})"
    )
    connection.execute(
        f"""
        create or replace temp table npis as
        select
            npis.range as npi_index,
            cast(1000000000 + (npis.range * 7777777 + {offset}) % 1000000000 as varchar) as npi,
            cast(floor({uniform(seed, "identity", "npis.range")} * {identity_count}) as bigint)
                as identity_index,
            cast(floor({uniform(seed, "profile", "npis.range")} * {PROFILE_COUNT}) as bigint) as profile,
            least(
                {max_lines}, cast(ceil({LINES_PER_NPI_MEDIAN} * exp({LINES_PER_NPI_SIGMA} * {z})) as bigint)
            ) as base_lines,
            -- share of the NPI's codes billed in a facility: most NPIs mostly office, a few mostly facility
            pow({uniform(seed, "facility", "npis.range")}, 2) as facility_share,
            {uniform(seed, "skip at", "npis.range")} as skip_at_share,
            cast(floor({uniform(seed, "skip", "npis.range")} * {MAX_CODE_SKIP + 1}) as bigint) as code_skip
        from range({universe}) npis
        """
    )


def write_year(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    year: int,
    rows: int,
    first_npi_index: int,
    window: int,
    max_lines: int,
    seed: int,
) -> int:
    """Write one year's file: NPIs from first_npi_index on until `rows` lines; returns the lines written.

    Each line is assembled as text (NPI, identity and code fragments quoted once, numbers formatted per
    line) and written as one unquoted column, so the header and the quoting are exactly CMS's.
    """
    header = ",".join(CMS_COLUMNS)
    line_key = ("placed.npi_index", "placed.code_rank", "placed.is_second_place")
    place_counts = dict(
        connection.execute("select place, count(*) from sample_numbers group by place").fetchall()
    )
    if sorted(place_counts) != ["F", "O"]:
        raise ValueError(f"the sample needs rows of both places of service, has {sorted(place_counts)}")
    count_growth = (
        f"cast(floor(numbers.benes * {YEARLY_COUNT_NOISE} * {uniform(seed, 'counts', *line_key, str(year))})"
        " as bigint)"
    )
    price = (
        f"codes.price_multiplier * pow({1 + YEARLY_PRICE_DRIFT}, {year - LAST_YEAR}) "
        f"* (1 + {LINE_PRICE_NOISE} * (2 * {uniform(seed, 'price', *line_key, str(year))} - 1))"
    )
    place = (
        f"case when ({uniform(seed, 'place', 'lines.npi_index', 'entries.code_rank')} < lines.facility_share)"
        " != entries.is_second_place then 'F' else 'O' end"
    )
    place_count = f"case placed.place when 'F' then {place_counts['F']} else {place_counts['O']} end"
    fields = [
        "npi",
        "identity_fragment",
        "code_fragment",
        "place",
        *(
            f"cast({column} + count_growth as varchar)"
            for column in ("benes", "services", "bene_day_services")
        ),
        *(cms_decimal(f"{column} * price") for column in ("charge", "allowed", "payment", "standardized")),
    ]
    # one concat of every field: chained || copies the growing line once per field
    line = "concat(" + ", ',', ".join(fields) + ")"
    written = connection.execute(
        f"""
        copy (
            with year_npis as (
                select
                    *,
                    greatest(1, least({max_lines}, cast(round(
                        base_lines * (0.85 + 0.3 * {uniform(seed, "year lines", "npi_index", str(year))})
                    ) as bigint))) as year_lines
                from npis
                where npi_index >= {first_npi_index} and npi_index < {first_npi_index + window}
            ),
            numbered as (
                select
                    *,
                    cast(coalesce(sum(year_lines) over (
                        order by npi_index rows between unbounded preceding and 1 preceding
                    ), 0) as bigint) as lines_before
                from year_npis
            ),
            kept as (
                select
                    *,
                    least(year_lines, {rows} - lines_before) as line_count,
                    cast(floor(skip_at_share * base_lines) as bigint) as skip_at
                from numbered
                where lines_before < {rows}
            ),
            lines as (
                select
                    npi_index,
                    npi,
                    identity_index,
                    profile,
                    facility_share,
                    skip_at,
                    code_skip,
                    unnest(range(line_count)) as line_number
                from kept
            ),
            placed as (
                select
                    lines.npi_index,
                    lines.npi,
                    lines.identity_index,
                    entries.code_rank,
                    entries.is_second_place,
                    {place} as place
                from lines
                inner join profile_entries as entries
                    on
                        lines.profile = entries.profile
                        and entries.position = lines.line_number
                            + case when lines.line_number >= lines.skip_at then lines.code_skip else 0 end
            ),
            line_values as (
                select
                    placed.npi,
                    identities.fragment as identity_fragment,
                    codes.code,
                    codes.fragment as code_fragment,
                    placed.is_second_place,
                    placed.place,
                    numbers.benes,
                    numbers.services,
                    numbers.bene_day_services,
                    numbers.charge,
                    numbers.allowed,
                    numbers.payment,
                    numbers.standardized,
                    {count_growth} as count_growth,
                    {price} as price
                from placed
                inner join code_fragments as codes on placed.code_rank = codes.code_rank
                inner join identities on placed.identity_index = identities.identity_index
                inner join sample_numbers as numbers
                    on
                        numbers.place = placed.place
                        and numbers.place_index
                            = cast({hashed(seed, "numbers", *line_key)} % ({place_count}) as bigint)
            )
            select {line} as {duckdb_identifier(header)}
            from line_values
            -- CMS's own order, and a total one: the file's bytes depend on the seed alone
            order by npi, code, is_second_place
        ) to {sql_literal(str(path))} (format csv, header true, quote '', escape '', delimiter '\x1f')
        """
    ).fetchall()[0][0]
    return int(written)


def duckdb_identifier(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def generate_years(
    connection: duckdb.DuckDBPyConnection,
    sample_glob: str,
    out_dir: Path,
    *,
    rows: int,
    years: int,
    seed: int = 0,
) -> list[Path]:
    """Write `years` synthetic CMS files of `rows` lines each (years ending at 2021) into out_dir.

    NPI windows slide by NPI_TURNOVER of a year's NPIs per year, so consecutive years share about 90% of
    their NPIs; a line's numbers come from one sample row per (NPI, code, place), drifting by year.
    """
    if rows < 1:
        raise ValueError("--rows must be at least 1")
    out_dir.mkdir(parents=True, exist_ok=True)
    load_sample(connection, sample_glob)
    build_codes(connection, seed)
    shortest_profile = build_profiles(connection, seed)
    max_lines = min(MAX_LINES_PER_NPI, shortest_profile - MAX_CODE_SKIP)
    turnover = round(NPI_TURNOVER * rows / LINES_PER_NPI_MEAN)
    window = int(rows / LINES_PER_NPI_MEAN * 1.4) + 50  # enough NPIs that their lines always reach `rows`
    listed = data_years(years)
    build_npis(connection, seed, (len(listed) - 1) * turnover + window, max_lines)
    paths = []
    for year in listed:
        path = data_file(out_dir, year)
        written = write_year(
            connection,
            path,
            year=year,
            rows=rows,
            first_npi_index=(LAST_YEAR - year) * turnover,
            window=window,
            max_lines=max_lines,
            seed=seed,
        )
        if written != rows:
            raise RuntimeError(f"wrote {written:,} lines to {path}, expected {rows:,}")
        paths.append(path)
    return paths


def benchmark_dir() -> Path:
    """Root of the generated data and scratch builds: $MEDICARE_BENCHMARK_DIR or target/benchmark-national."""
    configured = os.environ.get("MEDICARE_BENCHMARK_DIR")
    return Path(configured).resolve() if configured else repo_root() / "target" / "benchmark-national"


def ensure_data(run_dir: Path, *, rows: int, years: int, seed: int, regenerate: bool) -> list[Path]:
    """The generated files of this size and seed: reused when complete, otherwise (re)generated."""
    data_dir = run_dir / "data"
    manifest = data_dir / "manifest.json"
    expected = [data_file(data_dir, year) for year in data_years(years)]
    cached = json.loads(manifest.read_text()) if manifest.exists() else {}
    if (
        not regenerate
        and cached.get("generator_version") == GENERATOR_VERSION
        and all(path.exists() for path in expected)
    ):
        print(f"reusing generated data in {data_dir} (--regenerate to write it again)")
        return expected
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    print(f"generating {years} year(s) x {rows:,} lines from the sample into {data_dir} ...", flush=True)
    started = time.perf_counter()
    connection = duckdb.connect()
    connection.execute("set enable_progress_bar = false")
    connection.execute(f"set temp_directory = {sql_literal(str(run_dir / 'generate_tmp'))}")
    connection.execute(
        f"set memory_limit = {sql_literal(os.environ.get('MEDICARE_DUCKDB_MEMORY_LIMIT', '2GB'))}"
    )
    try:
        paths = generate_years(
            connection, str(repo_root() / "data/sample/*.csv.gz"), data_dir, rows=rows, years=years, seed=seed
        )
    finally:
        connection.close()
        shutil.rmtree(run_dir / "generate_tmp", ignore_errors=True)
    seconds = time.perf_counter() - started
    manifest.write_text(
        json.dumps(
            {
                "generator_version": GENERATOR_VERSION,
                "rows": rows,
                "years": years,
                "seed": seed,
                "seconds": seconds,
            },
            indent=2,
        )
    )
    print(f"generated in {seconds:.1f} s:")
    for path in paths:
        print(f"  {path.name}  {format_bytes(path.stat().st_size)}")
    return paths


# --- measurement ----------------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One measured child process: wall time, peak memory of its process tree, peak temp folder size."""

    wall_seconds: float
    peak_rss_bytes: int
    peak_temp_bytes: int | None
    returncode: int


def process_tree(root: int) -> list[int]:
    """The pid `root` and all its descendants, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        # fields after "(comm)": state, then the parent pid
        parent = int(stat[stat.rfind(")") + 2 :].split()[1])
        children[parent].append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, ()))
    return tree


def tree_memory_bytes(root: int) -> tuple[int, int]:
    """Resident memory of a process and all its descendants: the sum of their RSS, and the largest peak
    RSS (VmHWM) any one of them has reached, which catches a spike between two polls."""
    total = largest_peak = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
                status = handle.read()
        except OSError:
            continue
        fields = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, flags=re.MULTILINE))
        total += int(fields.get("VmRSS", 0)) * 1024
        largest_peak = max(largest_peak, int(fields.get("VmHWM", 0)) * 1024)
    return total, largest_peak


def folder_bytes(folder: Path) -> int:
    """Total size of the files under a folder (0 when it does not exist)."""
    total = 0
    for directory, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.stat(os.path.join(directory, name)).st_size
            except OSError:
                continue
    return total


def run_measured(
    command: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path,
    temp_dir: Path | None = None,
    log_path: Path | None = None,
    echo: re.Pattern[str] | None = None,
) -> tuple[Measurement, list[str]]:
    """Run a command, polling its process tree's RSS and temp_dir's size every POLL_SECONDS.

    Returns the measurement and the last 40 lines of output. The peak RSS is the larger of the polled tree
    sum and any one process's own peak (VmHWM; not the kernel's ru_maxrss, which counts the parent's
    memory the child had between fork and exec). Output goes to log_path; lines matching `echo` are
    printed as they come.
    """
    tail: collections.deque[str] = collections.deque(maxlen=40)
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(log_path, "w", encoding="utf-8")) if log_path else None
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )

        def read_output() -> None:
            for line in process.stdout or ():
                tail.append(line.rstrip("\n"))
                if log:
                    log.write(line)
                if echo and echo.search(line):
                    print("  " + line.rstrip("\n"), flush=True)

        reader = threading.Thread(target=read_output, daemon=True)
        reader.start()
        peak_rss = peak_temp = 0
        while True:
            pid, status = os.waitpid(process.pid, os.WNOHANG)
            if pid:
                break
            peak_rss = max(peak_rss, *tree_memory_bytes(process.pid))
            if temp_dir is not None:
                peak_temp = max(peak_temp, folder_bytes(temp_dir))
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped by waitpid above
        reader.join()
    measurement = Measurement(
        wall_seconds=wall,
        peak_rss_bytes=peak_rss,
        peak_temp_bytes=peak_temp if temp_dir is not None else None,
        returncode=process.returncode,
    )
    return measurement, list(tail)


def warm_page_cache(files: Sequence[Path], chunk_bytes: int = 64 * 1024 * 1024) -> int:
    """Read every byte of the files once, untimed, and return how many bytes were read.

    The build that follows the scan always finds the files in the page cache (the scan has just read
    them), so the scan must too: read from disk it took 8.8 to 10.6 s on the reference machine against
    about 4 s from the cache, and the ratio moved with it. Reading them first compares like with like.
    """
    read = 0
    for path in files:
        with open(path, "rb", buffering=0) as handle:
            while chunk := handle.read(chunk_bytes):
                read += len(chunk)
    return read


def time_scan(files: Sequence[Path]) -> tuple[Measurement, dict]:
    """A bare DuckDB scan of the files (count, payment sum, distinct NPIs) in a fresh child process."""
    measurement, output = run_measured(
        [sys.executable, "-c", SCAN_SCRIPT, json.dumps([str(path) for path in files])],
        env=dict(os.environ),
        cwd=repo_root(),
    )
    if measurement.returncode != 0:
        raise RuntimeError("the DuckDB scan failed:\n" + "\n".join(output))
    result = json.loads(output[-1])
    measurement.peak_rss_bytes = max(measurement.peak_rss_bytes, int(result.pop("max_rss_bytes")))
    return measurement, result


# The scratch warehouse's files: the served file, dbt's build file beside it, their WALs, a publish copy.
WAREHOUSE_FILES = (
    "medicare.duckdb",
    "medicare.duckdb.wal",
    "medicare.duckdb.build",
    "medicare.duckdb.build.wal",
    "medicare.duckdb.publishing",
    "medicare.duckdb.build.file-sha256.json",
)


def dbt_environment(files_glob: str, scratch: Path) -> dict[str, str]:
    """The user's environment, pointed at the generated files and a scratch warehouse."""
    env = dict(os.environ)
    env.update(
        MEDICARE_PHYSICIAN_FILES=files_glob,
        MEDICARE_DUCKDB_PATH=str(scratch / "medicare.duckdb"),
        MEDICARE_DUCKDB_TEMP_DIR=str(scratch / "duckdb_tmp"),
        DBT_PROFILES_DIR=str(repo_root()),
        DBT_LOG_PATH=str(scratch / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_USE_COLORS="false",
        PYTHONUNBUFFERED="1",  # dbt's progress lines arrive as they happen, not in 8 KB blocks
    )
    return env


def time_dbt_build(
    files_glob: str,
    scratch: Path,
    dbt_args: Sequence[str],
    *,
    fresh: bool = True,
    log_name: str = "dbt_build.log",
) -> tuple[Measurement, list[str]]:
    """`dbt build` (plus dbt_args) of the whole project over the files into a scratch warehouse: a new one
    when `fresh`, else the one an earlier build left (a yearly refresh).

    Returns the measurement and dbt's last 40 lines of output; all of it is in <scratch>/<log_name>.
    """
    leftovers = (*WAREHOUSE_FILES, "duckdb_tmp", "target", "logs", "benchmark.json") if fresh else ("target",)
    for leftover in leftovers:
        path = scratch / leftover
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    scratch.mkdir(parents=True, exist_ok=True)
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt), "build", "--target-path", str(scratch / "target"), *dbt_args]
    print("$ " + shlex.join(command), flush=True)
    return run_measured(
        command,
        env=dbt_environment(files_glob, scratch),
        cwd=repo_root(),
        temp_dir=scratch / "duckdb_tmp",
        log_path=scratch / log_name,
        echo=PROGRESS_LINE,
    )


def time_report(scratch: Path) -> Measurement:
    """The command `make report` runs, on the warehouse the build published, writing into the scratch folder.

    Prints its time, or its last 40 lines when it fails; all its output (its stages and queries, each timed)
    is in <scratch>/report.log.
    """
    command = [
        sys.executable,
        "-m",
        "deep_medicare.report",
        *("--warehouse", str(scratch / "medicare.duckdb")),
        *("--output", str(scratch / "report" / "medicare_report.html")),
    ]
    print("make report on the built warehouse ...\n$ " + shlex.join(["python", *command[1:]]), flush=True)
    measured, output = run_measured(
        command, env=dict(os.environ), cwd=repo_root(), log_path=scratch / "report.log"
    )
    if measured.returncode != 0:
        print_failure("make report", measured, output, f"{scratch / 'report.log'}")
    else:
        rss = format_bytes(measured.peak_rss_bytes)
        print(f"  {measured.wall_seconds:.1f} s, peak RSS {rss}", flush=True)
    return measured


def print_failure(step: str, measured: Measurement, output: list[str], full_output: str) -> None:
    """On stderr: which step failed with which exit code, its last 40 lines, and where the rest is."""
    print(f"{step} failed (exit {measured.returncode}); its last 40 lines:", file=sys.stderr)
    print("\n".join(output), file=sys.stderr)
    print(f"full output: {full_output}", file=sys.stderr)


def cached_scan(files: Sequence[Path]) -> tuple[Measurement, dict]:
    """`time_scan` after one untimed read of the files, so that the scan finds them in the page cache as the
    build after it will; prints both."""
    print("reading the files once, so that the scan finds them cached as the build will ...", flush=True)
    print(f"  {format_bytes(warm_page_cache(files))} read", flush=True)
    print("bare DuckDB scan ...", flush=True)
    scan, scan_result = time_scan(files)
    print(f"  {scan.wall_seconds:.1f} s, peak RSS {format_bytes(scan.peak_rss_bytes)}", flush=True)
    return scan, scan_result


def remove_warehouse(scratch: Path) -> None:
    """Delete the scratch warehouse and DuckDB temp folder (the run's numbers and logs stay)."""
    for leftover in WAREHOUSE_FILES:
        (scratch / leftover).unlink(missing_ok=True)
    shutil.rmtree(scratch / "duckdb_tmp", ignore_errors=True)


def slowest_nodes(run_results: Path, count: int = 10) -> list[dict]:
    """The `count` nodes of a dbt run_results.json with the longest execution_time."""
    results = json.loads(run_results.read_text())["results"]
    ranked = sorted(results, key=lambda result: result.get("execution_time") or 0.0, reverse=True)
    return [
        {"unique_id": result["unique_id"], "execution_time": result["execution_time"]}
        for result in ranked[:count]
    ]


# --- report ---------------------------------------------------------------------------------------------


def format_bytes(size: float | None) -> str:
    """A byte count in MiB or GiB."""
    if size is None:
        return "-"
    if size >= 1024**3:
        return f"{size / 1024**3:.2f} GiB"
    return f"{size / 1024**2:.0f} MiB"


def report(summary: dict) -> str:
    """The printed table of one benchmark run."""
    scan, build = summary["scan"], summary["build"]
    lines = [
        "",
        "national benchmark",
        f"  data        {summary['rows_per_year']:,} lines x {summary['years']} year(s) "
        f"({', '.join(map(str, summary['data_years']))}), {summary['total_rows']:,} lines, "
        f"{format_bytes(summary['csv_bytes'])} CSV",
        f"  settings    {summary['settings']}",
        f"  dbt         {summary['dbt_command']}",
        "",
        f"  {'step':<22}{'wall':>12}{'peak RSS':>14}{'temp peak':>14}",
        *one_year_lines(summary),
        step_line("bare DuckDB scan", scan),
        step_line("dbt build", build),
        f"  {'build / scan':<22}{summary['wall_ratio']:>11.1f}x{summary['rss_ratio']:>13.1f}x",
        *growth_lines(summary),
        *refresh_lines(summary),
        step_line("make report", summary["report"]),
        "",
        f"  scan result: {scan['rows']:,} rows, {scan['npis']:,} distinct NPIs, "
        f"${scan['payment']:,.2f} summed Avg_Mdcr_Pymt_Amt",
        "",
        "  slowest nodes",
    ]
    lines += [
        f"  {node['execution_time']:>10.1f} s  {node['unique_id']}" for node in summary["slowest_nodes"]
    ]
    return "\n".join(lines)


def step_line(step: str, measured: dict) -> str:
    """One measured step of the printed table: wall time, peak RSS, temp folder peak ("-" where unwatched)."""
    return (
        f"  {step:<22}{measured['wall_seconds']:>10.1f} s"
        f"{format_bytes(measured['peak_rss_bytes']):>14}{format_bytes(measured['peak_temp_bytes']):>14}"
    )


def one_year_lines(summary: dict) -> list[str]:
    """The report's lines for --growth before the main steps: the last year's scan and build alone."""
    one_year = summary.get("one_year")
    if one_year is None:
        return []
    year = one_year["data_year"]
    return [
        step_line(f"bare DuckDB scan ({year})", one_year["scan"]),
        step_line(f"dbt build ({year})", one_year["build"]),
        f"  {f'build / scan ({year})':<22}{one_year['wall_ratio']:>11.1f}x",
    ]


def growth_lines(summary: dict) -> list[str]:
    """The report's line for --growth after the main steps: every year's build against the last year's."""
    if "growth_ratio" not in summary:
        return []
    label = f"{summary['years']} years / 1 year"
    return [
        f"  {label:<22}{summary['growth_ratio']:>11.2f}x   (the scan: {summary['scan_growth_ratio']:.2f}x; "
        "both builds in this run)"
    ]


def refresh_lines(summary: dict) -> list[str]:
    """The report's lines for --add-year: the refresh that added the last year to the built warehouse."""
    refresh = summary.get("refresh")
    if refresh is None:
        return []
    return [
        step_line(f"add {summary['data_years'][-1]} (refresh)", refresh),
        f"  {'refresh / build':<22}{summary['refresh_ratio']:>11.2f}x   (the build above had "
        f"{summary['years'] - 1} year(s); the refresh adds one to it)",
    ]


def settings_in_effect() -> str:
    """The profile settings a user can change by environment, as this run sees them (set, or the default
    profiles.yml gives)."""
    profile = (repo_root() / "profiles.yml").read_text()
    settings = []
    for name in ("MEDICARE_DUCKDB_MEMORY_LIMIT", "MEDICARE_DBT_THREADS"):
        if name in os.environ:
            settings.append(f"{name}={os.environ[name]}")
            continue
        default = re.search(rf"env_var\('{name}',\s*'([^']*)'\)", profile)
        settings.append(f"{name}={default.group(1) if default else '?'} (profile default)")
    return ", ".join(settings)


def linked_glob(folder: Path, files: Sequence[Path]) -> str:
    """A new `folder` of links to `files`, for a build that reads only those; the glob that reads them."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in files:
        (folder / path.name).symlink_to(path)
    return str(folder / f"{FILE_PREFIX}*.csv")


def measure_one_year(
    year: int, last_file: Path, scratch: Path, dbt_args: Sequence[str], keep_warehouse: bool
) -> dict | None:
    """For --growth: the bare scan and the full build of the last year's file alone, into a scratch folder
    of their own (its warehouse removed afterwards unless kept); None, with dbt's last lines printed, when
    the build fails."""
    print(f"one year first ({year} alone), to compare the build of every year with ...", flush=True)
    files_glob = linked_glob(scratch / "linked_data", [last_file])
    scan, scan_result = cached_scan([last_file])
    try:
        build, output = time_dbt_build(files_glob, scratch, dbt_args)
    finally:
        if not keep_warehouse:
            remove_warehouse(scratch)
    if build.returncode != 0:
        print_failure(f"dbt build of {year} alone", build, output, f"{scratch / 'dbt_build.log'}")
        return None
    print(f"  build {build.wall_seconds:.1f} s, peak RSS {format_bytes(build.peak_rss_bytes)}", flush=True)
    return {
        "data_year": year,
        "total_rows": scan_result["rows"],
        "scan": {**asdict(scan), **scan_result},
        "build": asdict(build),
        "wall_ratio": build.wall_seconds / scan.wall_seconds,
        "slowest_nodes": slowest_nodes(scratch / "target" / "run_results.json"),
    }


def growth_figures(one_year: dict, scan: Measurement, build: Measurement) -> dict:
    """The summary's --growth entries: the last year's figures (measure_one_year), and how many times as
    long the build and the scan of every year took as those of the last year alone."""
    return {
        "one_year": one_year,
        "growth_ratio": build.wall_seconds / one_year["build"]["wall_seconds"],
        "scan_growth_ratio": scan.wall_seconds / one_year["scan"]["wall_seconds"],
    }


def warehouse_bytes(scratch: Path) -> dict[str, int]:
    """The sizes of the scratch warehouse's files on disk: dbt's build file, the served file, and both with
    their WALs (the disk a warehouse takes between two builds)."""
    sizes = {name: (scratch / name).stat().st_size for name in WAREHOUSE_FILES if (scratch / name).exists()}
    return {
        "build_file_bytes": sizes.get("medicare.duckdb.build", 0),
        "served_file_bytes": sizes.get("medicare.duckdb", 0),
        "on_disk_bytes": sum(sizes.values()),
    }


def history_step(
    label: str, years: Sequence[int], files_glob: str, scratch: Path, dbt_args: Sequence[str], *, fresh: bool
) -> dict | None:
    """One measured build of --history: a full build (fresh) or a yearly refresh of the warehouse an earlier
    step left in `scratch`; None, with dbt's last lines printed, when it fails."""
    print(f"{label} ...", flush=True)
    log_name = "dbt_build.log" if fresh else f"dbt_refresh_{years[-1]}.log"
    measured, output = time_dbt_build(files_glob, scratch, dbt_args, fresh=fresh, log_name=log_name)
    if measured.returncode != 0:
        print_failure(label, measured, output, str(scratch / log_name))
        return None
    step = {
        "step": label,
        "data_years": list(years),
        "refresh": not fresh,
        **asdict(measured),
        **warehouse_bytes(scratch),
        "slowest_nodes": slowest_nodes(scratch / "target" / "run_results.json"),
    }
    print(
        f"  {measured.wall_seconds:.1f} s, peak RSS {format_bytes(measured.peak_rss_bytes)}, temp peak "
        f"{format_bytes(measured.peak_temp_bytes)}, warehouse on disk {format_bytes(step['on_disk_bytes'])}",
        flush=True,
    )
    return step


def run_history(
    files: Sequence[Path], run_dir: Path, dbt_args: Sequence[str], keep_warehouse: bool
) -> dict | None:
    """--history: the costs that follow the history, in one run.

    1. a bare scan of the first year, then its full build: the one-year build every ratio divides by;
    2. the yearly refreshes that add each later year to that warehouse, one at a time (N = 1, 2, ...);
    3. full builds from scratch of the first 2 years and of every year.

    Each step is one measured `dbt build` (wall, peak RSS, temp peak, warehouse size, slowest nodes). Each
    warehouse is deleted when its steps are done unless kept, so the disk holds one at a time.
    """
    years = [int(path.name.removeprefix(FILE_PREFIX).removesuffix(".csv")) for path in files]
    scan, scan_result = cached_scan(files[:1])
    steps = []
    chain = run_dir / "history-refresh"
    try:
        files_glob = linked_glob(chain / "linked_data", files[:1])
        step = history_step(f"build {years[0]} (1 year)", years[:1], files_glob, chain, dbt_args, fresh=True)
        if step is None:
            return None
        steps.append(step)
        for count in range(1, len(files)):
            (chain / "linked_data" / files[count].name).symlink_to(files[count])
            label = f"add {years[count]} (N={count})"
            step = history_step(label, years[: count + 1], files_glob, chain, dbt_args, fresh=False)
            if step is None:
                return None
            steps.append(step)
    finally:
        if not keep_warehouse:
            remove_warehouse(chain)
    for count in sorted({2, len(files)} - {1}):
        scratch = run_dir / f"history-full-{count}"
        try:
            files_glob = linked_glob(scratch / "linked_data", files[:count])
            label = f"build {years[0]}-{years[count - 1]} ({count} years)"
            step = history_step(label, years[:count], files_glob, scratch, dbt_args, fresh=True)
            if step is None:
                return None
            steps.append(step)
        finally:
            if not keep_warehouse:
                remove_warehouse(scratch)
    one_year = steps[0]["wall_seconds"]
    for step in steps:
        step["ratio_to_one_year"] = step["wall_seconds"] / one_year
    return {
        "scan": {**asdict(scan), **scan_result},
        "one_year_to_scan": one_year / scan.wall_seconds,
        "steps": steps,
    }


def history_report(summary: dict) -> str:
    """The printed history table of a --history run, then each step's ten slowest nodes."""
    history = summary["history"]
    scan = history["scan"]
    lines = [
        "",
        "national benchmark: the history",
        f"  data        {summary['rows_per_year']:,} lines a year, years "
        f"{', '.join(map(str, summary['data_years']))}, {format_bytes(summary['csv_bytes'])} CSV in all",
        f"  settings    {summary['settings']}",
        f"  dbt         {summary['dbt_command']}",
        f"  bare DuckDB scan of one year {scan['wall_seconds']:.1f} s; the one-year build is "
        f"{history['one_year_to_scan']:.1f}x the scan",
        "",
        f"  {'step':<28}{'wall':>10}{'/ 1 year':>10}{'peak RSS':>11}{'temp peak':>11}{'build file':>12}"
        f"{'on disk':>11}",
    ]
    for step in history["steps"]:
        lines.append(
            f"  {step['step']:<28}{step['wall_seconds']:>8.1f} s{step['ratio_to_one_year']:>9.2f}x"
            f"{format_bytes(step['peak_rss_bytes']):>11}{format_bytes(step['peak_temp_bytes']):>11}"
            f"{format_bytes(step['build_file_bytes']):>12}{format_bytes(step['on_disk_bytes']):>11}"
        )
    lines += [
        "",
        "  on disk: the build file, the served file and their WALs after the step",
    ]
    for step in history["steps"]:
        lines += ["", f"  slowest nodes of {step['step']}"]
        lines += [
            f"  {node['execution_time']:>10.1f} s  {node['unique_id']}" for node in step["slowest_nodes"]
        ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Synthetic national-size CMS years: bare DuckDB scan against the full dbt build."
    )
    parser.add_argument("--rows", type=int, default=10_000_000, help="lines per year (default 10,000,000)")
    parser.add_argument("--years", type=int, default=1, help="consecutive data years ending at 2021")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument("--regenerate", action="store_true", help="write the data again even if cached")
    parser.add_argument(
        "--keep-warehouse", action="store_true", help="keep the scratch warehouse and DuckDB temp folder"
    )
    parser.add_argument(
        "--add-year",
        action="store_true",
        help="build all years but the last, then time the yearly refresh that adds the last one "
        "(--years 2: a full one-year build, then adding a year to it)",
    )
    parser.add_argument(
        "--growth",
        action="store_true",
        help="with --years 2 or more: first scan and build the last year alone, in the same run, and print "
        "how many times as long the build of every year took",
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="with --years 2 or more (4 for the issue's table): the one-year build, the refreshes adding "
        "each later year to it, and full builds of 2 and of every year, in one run, as one table",
    )
    parser.add_argument(
        "--dbt-args",
        default="",
        help="extra arguments for dbt build, one string; staging alone: "
        "--dbt-args='--select resource_type:seed staging --indirect-selection cautious'",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate or reuse the data, time the scan and the build, print and save the numbers."""
    args = parse_args(argv)
    run_dir = benchmark_dir() / f"rows{args.rows}-years{args.years}-seed{args.seed}"
    if (args.add_year or args.growth) and args.years < 2:
        print(f"--{'add-year' if args.add_year else 'growth'} needs --years 2 or more", file=sys.stderr)
        return 2
    if sum((args.add_year, args.growth, args.history)) > 1:
        print("--add-year, --growth and --history are separate runs: give one of them", file=sys.stderr)
        return 2
    if args.history and args.years < 2:
        print("--history needs --years 2 or more (4 for the full table)", file=sys.stderr)
        return 2
    files = ensure_data(run_dir, rows=args.rows, years=args.years, seed=args.seed, regenerate=args.regenerate)
    files_glob = str(run_dir / "data" / f"{FILE_PREFIX}*.csv")
    scratch = run_dir / "build"
    dbt_args = shlex.split(args.dbt_args)
    if args.history:
        history = run_history(files, run_dir, dbt_args, args.keep_warehouse)
        if history is None:
            return 1
        summary = {
            "rows_per_year": args.rows,
            "years": args.years,
            "data_years": data_years(args.years),
            "seed": args.seed,
            "csv_bytes": sum(path.stat().st_size for path in files),
            "settings": settings_in_effect(),
            "dbt_command": shlex.join(["dbt", "build", *dbt_args]),
            "history": history,
        }
        saved = run_dir / "history.json"
        saved.write_text(json.dumps(summary, indent=2))
        print(history_report(summary))
        print(f"\n  numbers saved to {saved}")
        return 0
    one_year = None
    if args.growth:
        one_year = measure_one_year(
            data_years(args.years)[-1], files[-1], run_dir / "build-one-year", dbt_args, args.keep_warehouse
        )
        if one_year is None:
            return 1
    if args.add_year:
        # the builds read links in a folder of their own: all years but the last, then the last one too
        files_glob = linked_glob(scratch / "linked_data", files[:-1])

    # the scan reads what the (first) build reads: with --add-year, every year but the last
    scanned = files[:-1] if args.add_year else files
    scan, scan_result = cached_scan(scanned)

    refresh = None
    try:
        build, output = time_dbt_build(files_glob, scratch, dbt_args)
        if build.returncode == 0 and args.add_year:
            build_nodes = slowest_nodes(scratch / "target" / "run_results.json")
            (scratch / "linked_data" / files[-1].name).symlink_to(files[-1])
            print(f"adding {files[-1].name} to the built warehouse ...", flush=True)
            refresh, refresh_output = time_dbt_build(
                files_glob, scratch, dbt_args, fresh=False, log_name="dbt_refresh.log"
            )
            if refresh.returncode != 0:
                build, output = refresh, refresh_output
        if build.returncode == 0:
            report_run = time_report(scratch)
            if report_run.returncode != 0:
                return 1
    finally:
        if not args.keep_warehouse:
            remove_warehouse(scratch)
    if build.returncode != 0:
        print_failure(
            "dbt build", build, output, f"{scratch / 'dbt_build.log'} (the refresh's: dbt_refresh.log)"
        )
        return 1

    summary = {
        "rows_per_year": args.rows,
        "years": args.years,
        "data_years": data_years(args.years),
        "seed": args.seed,
        "total_rows": scan_result["rows"],
        "csv_bytes": sum(path.stat().st_size for path in scanned),
        "files_glob": files_glob,
        "settings": settings_in_effect(),
        "dbt_command": shlex.join(["dbt", "build", *dbt_args]),
        "scan": {**asdict(scan), **scan_result},
        "build": asdict(build),
        "wall_ratio": build.wall_seconds / scan.wall_seconds,
        "rss_ratio": build.peak_rss_bytes / scan.peak_rss_bytes,
        "slowest_nodes": slowest_nodes(scratch / "target" / "run_results.json"),
        "report": asdict(report_run),
    }
    if one_year is not None:
        summary.update(growth_figures(one_year, scan, build))
    if refresh is not None:
        summary["build_slowest_nodes"] = build_nodes
        summary["refresh"] = asdict(refresh)
        summary["refresh_ratio"] = refresh.wall_seconds / build.wall_seconds
    (scratch / "benchmark.json").write_text(json.dumps(summary, indent=2))
    print(report(summary))
    print(f"\n  numbers saved to {scratch / 'benchmark.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
