"""The national benchmark's --growth run (the build of every year against the build of the last year alone,
both in one run) and its --history run (one year, the refreshes adding each later year, full builds of two
and of every year). The builds themselves are national-size and stay out of the tests; what is checked here
is what the runs do with their measurements and what they refuse before generating any data."""

from __future__ import annotations

from pathlib import Path

import pytest

from deep_medicare_dev import national_benchmark
from deep_medicare_dev.national_benchmark import Measurement, growth_figures, report

ONE_YEAR = {
    "data_year": 2021,
    "total_rows": 10_000_000,
    "scan": {"wall_seconds": 4.0, "peak_rss_bytes": 400 * 1024**2, "peak_temp_bytes": None, "returncode": 0},
    "build": {
        "wall_seconds": 300.0,
        "peak_rss_bytes": 3 * 1024**3,
        "peak_temp_bytes": 2 * 1024**3,
        "returncode": 0,
    },
    "wall_ratio": 75.0,
    "slowest_nodes": [],
}
SCAN = Measurement(wall_seconds=7.0, peak_rss_bytes=700 * 1024**2, peak_temp_bytes=None, returncode=0)
BUILD = Measurement(wall_seconds=630.0, peak_rss_bytes=4 * 1024**3, peak_temp_bytes=6 * 1024**3, returncode=0)


def summary_of_two_years() -> dict:
    return {
        "rows_per_year": 10_000_000,
        "years": 2,
        "data_years": [2020, 2021],
        "total_rows": 20_000_000,
        "csv_bytes": 6 * 1024**3,
        "settings": "MEDICARE_DUCKDB_MEMORY_LIMIT=2500MB (profile default)",
        "dbt_command": "dbt build",
        "scan": {
            "wall_seconds": 7.0,
            "peak_rss_bytes": 700 * 1024**2,
            "peak_temp_bytes": None,
            "rows": 20_000_000,
            "npis": 1_200_000,
            "payment": 1.0,
        },
        "build": {"wall_seconds": 630.0, "peak_rss_bytes": 4 * 1024**3, "peak_temp_bytes": 6 * 1024**3},
        "wall_ratio": 90.0,
        "rss_ratio": 5.9,
        "slowest_nodes": [],
        "report": {"wall_seconds": 3.0, "peak_rss_bytes": 500 * 1024**2, "peak_temp_bytes": None},
        **growth_figures(ONE_YEAR, SCAN, BUILD),
    }


def test_growth_compares_the_build_of_every_year_with_the_last_year_alone() -> None:
    figures = growth_figures(ONE_YEAR, SCAN, BUILD)
    assert figures["growth_ratio"] == pytest.approx(2.1)
    assert figures["scan_growth_ratio"] == pytest.approx(1.75)
    assert figures["one_year"] is ONE_YEAR


def line_starting(lines: list[str], start: str, *, unless: str = "\0") -> int:
    return next(
        index for index, line in enumerate(lines) if line.strip().startswith(start) and unless not in line
    )


def test_the_report_shows_the_last_year_alone_before_every_year_and_the_ratio_after() -> None:
    lines = report(summary_of_two_years()).splitlines()
    one_year_scan = line_starting(lines, "bare DuckDB scan (2021)")
    one_year_build = line_starting(lines, "dbt build (2021)")
    every_year_scan = line_starting(lines, "bare DuckDB scan ", unless="(2021)")
    every_year_build = line_starting(lines, "dbt build ", unless="(2021)")
    growth = line_starting(lines, "2 years / 1 year")
    assert one_year_scan < one_year_build < every_year_scan < every_year_build < growth
    assert "300.0 s" in lines[one_year_build]
    assert "630.0 s" in lines[every_year_build]
    assert "2.10x" in lines[growth]
    assert "the scan: 1.75x" in lines[growth]


def test_a_run_without_growth_prints_no_growth_lines() -> None:
    summary = summary_of_two_years()
    for key in ("one_year", "growth_ratio", "scan_growth_ratio"):
        del summary[key]
    printed = report(summary)
    assert "(2021)" not in printed
    assert "/ 1 year" not in printed


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--years", "1", "--growth"], "--growth needs --years 2 or more"),
        (["--years", "2", "--growth", "--add-year"], "--add-year, --growth and --history are separate runs"),
        (["--years", "2", "--history", "--add-year"], "--add-year, --growth and --history are separate runs"),
        (["--years", "1", "--history"], "--history needs --years 2 or more"),
    ],
)
def test_growth_refuses_what_it_cannot_measure_before_writing_any_data(
    arguments: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MEDICARE_BENCHMARK_DIR", str(tmp_path / "benchmark"))
    assert national_benchmark.main(["--rows", "1000", *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "benchmark").exists()


# --history: what each step's build took, in the order the run must take them (a fixed list)
HISTORY_WALLS = {
    ("build 2018 (1 year)", True): 300.0,
    ("add 2019 (N=1)", False): 330.0,
    ("add 2020 (N=2)", False): 345.0,
    ("add 2021 (N=3)", False): 360.0,
    ("build 2018-2019 (2 years)", True): 600.0,
    ("build 2018-2021 (4 years)", True): 1260.0,
}


def test_history_builds_one_year_refreshes_it_then_builds_two_and_every_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = []
    for year in (2018, 2019, 2020, 2021):
        files.append(tmp_path / "data" / f"{national_benchmark.FILE_PREFIX}{year}.csv")
        files[-1].parent.mkdir(exist_ok=True)
        files[-1].write_text("header\n")
    calls = []

    def fake_step(label, years, files_glob, scratch, dbt_args, *, fresh):
        linked = sorted(path.name[-8:-4] for path in (scratch / "linked_data").iterdir())
        calls.append((label, list(years), linked, fresh))
        return {"step": label, "wall_seconds": HISTORY_WALLS[(label, fresh)], "slowest_nodes": []}

    monkeypatch.setattr(national_benchmark, "history_step", fake_step)
    monkeypatch.setattr(national_benchmark, "cached_scan", lambda scanned: (SCAN, {"rows": 10}))
    history = national_benchmark.run_history(files, tmp_path, [], keep_warehouse=False)

    assert [(label, fresh) for label, _, _, fresh in calls] == list(HISTORY_WALLS)
    # each build reads exactly its years' files: the refreshes add one file at a time
    assert [linked for _, _, linked, _ in calls] == [
        ["2018"],
        ["2018", "2019"],
        ["2018", "2019", "2020"],
        ["2018", "2019", "2020", "2021"],
        ["2018", "2019"],
        ["2018", "2019", "2020", "2021"],
    ]
    assert [round(step["ratio_to_one_year"], 2) for step in history["steps"]] == [
        1.0,
        1.1,
        1.15,
        1.2,
        2.0,
        4.2,
    ]
    assert history["one_year_to_scan"] == pytest.approx(300.0 / 7.0)
