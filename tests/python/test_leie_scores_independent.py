"""The anomaly scores never see the LEIE: the whole project built with no LEIE file gives the very scores the
build with the shipped LEIE files gives, and no node the scores are built from reads the LEIE.

The build with no LEIE file is also the check that the physician build works without any: every data test
passes, and the exclusion marts are empty.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from leie_support import run_dbt

pytestmark = pytest.mark.slow

SCORES = "marts.provider_anomaly_scores"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    empty_dir = tmp_path_factory.mktemp("no_leie_files")
    without = run_dbt(tmp_path_factory.mktemp("without_leie"), str(empty_dir / "*.csv"), ["build"])
    assert without.returncode == 0, f"the build with no LEIE file failed:\n{without.output[-6000:]}"
    with_dir = tmp_path_factory.mktemp("with_leie")
    with_leie = run_dbt(
        with_dir,
        "data/sample/oig/leie/*/*.csv",
        ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
    )
    assert with_leie.returncode == 0, f"the build with the LEIE files failed:\n{with_leie.output[-6000:]}"
    return without.warehouse, with_leie.warehouse, with_dir / "target" / "manifest.json"


def test_the_scores_are_identical_with_and_without_the_leie(builds):
    without, with_leie, _ = builds
    connection = duckdb.connect()
    connection.execute(f"attach '{without}' as without_leie (read_only)")
    connection.execute(f"attach '{with_leie}' as with_leie (read_only)")
    # the LEIE build really loaded exclusions, and the other none
    assert connection.execute("select count(*) from with_leie.marts.provider_exclusions").fetchone()[0] > 0
    assert connection.execute("select count(*) from without_leie.marts.provider_exclusions").fetchone() == (
        0,
    )
    columns = connection.execute(f"describe without_leie.{SCORES}").fetchall()
    assert columns == connection.execute(f"describe with_leie.{SCORES}").fetchall()
    # Two builds of the same input differ in the last bits of DuckDB's parallel float sums (about 1e-13
    # relative): floats agree to 1e-9 relative, everything else (ranks, flags, reasons, totals) exactly.
    same = " and ".join(
        f"(abs(a.{name} - b.{name}) <= 1e-9 * greatest(abs(a.{name}), abs(b.{name}), 1e-12)"
        f" or (a.{name} is null and b.{name} is null))"
        if kind in ("DOUBLE", "FLOAT")
        else f"a.{name} is not distinct from b.{name}"
        for name, kind, *_ in columns
    )
    counts = connection.execute(
        f"select count(*), count(a.npi), count(b.npi), count(*) filter (where {same})"
        f" from without_leie.{SCORES} as a full outer join with_leie.{SCORES} as b using (npi, data_year)"
    ).fetchone()
    rows = counts[0]
    assert rows > 20000
    assert counts == (rows, rows, rows, rows), "score rows that differ with and without the LEIE"


def test_no_node_upstream_of_the_scores_reads_the_leie(builds):
    _, _, manifest_path = builds
    manifest = json.loads(manifest_path.read_text())
    nodes = {**manifest["nodes"], **manifest.get("sources", {})}
    upstream, stack = set(), ["model.deep_medicare.provider_anomaly_scores"]
    while stack:
        for parent in nodes[stack.pop()].get("depends_on", {}).get("nodes", []):
            if parent not in upstream:
                upstream.add(parent)
                stack.append(parent)
    assert "model.deep_medicare.int_provider_year_attributes" in upstream  # the walk does reach the inputs
    leie_nodes = sorted(node for node in upstream if "leie" in node or "exclusion" in node)
    assert not leie_nodes, f"the scores are built from LEIE nodes: {leie_nodes}"


def test_with_no_leie_file_the_exclusion_marts_are_empty_and_no_provider_is_excluded(builds):
    without, _, _ = builds
    with duckdb.connect(str(without), read_only=True) as connection:
        assert connection.execute(
            "select count(*) from intermediate.int_leie_exclusion_periods"
        ).fetchone() == (0,)
        assert connection.execute(
            "select count(*), count(first_fraud_exclusion_date), count(*) filter (where is_excluded_now)"
            " from marts.dim_provider"
        ).fetchone() == (3422, 0, 0)
