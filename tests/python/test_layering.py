"""Layers point one way: staging reads sources, intermediate reads staging and intermediate, marts read
below them. No staging or intermediate model depends on a mart, and no staging model on an intermediate
one. Read from dbt's graph (target/manifest.json, which `make build` and `make test` write; a throwaway
`dbt parse` when it is absent), so a `ref` added anywhere in a model's SQL or its Jinja fails here, naming
the edge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = REPO_ROOT / "target" / "manifest.json"
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
# A layer is the folder under models/ a model lives in; the marts' group names the public layer too.
LOWER_LAYERS = {"staging": ("intermediate", "marts"), "intermediate": ("marts",)}


def parsed_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """target/manifest.json, or a fresh `dbt parse` of the project into a temporary target path."""
    if MANIFEST.exists():
        return json.loads(MANIFEST.read_text())
    work = tmp_path_factory.mktemp("layering")
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(REPO_ROOT),
        MEDICARE_DUCKDB_PATH=str(work / "warehouse.duckdb"),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    completed = subprocess.run(
        [str(DBT_EXECUTABLE), "parse"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return json.loads((work / "target" / "manifest.json").read_text())


def layer(node: dict) -> str | None:
    """The layer of a model: 'marts' for the marts' group, else its folder under models/ (None otherwise)."""
    if node.get("group") == "marts":
        return "marts"
    parts = Path(node["original_file_path"]).parts
    return parts[1] if len(parts) > 2 and parts[0] == "models" else None


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, dict]:
    nodes = parsed_manifest(tmp_path_factory)["nodes"]
    return {
        unique_id: node
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model" and node["package_name"] == "deep_medicare"
    }


def upward_edges(models: dict[str, dict]) -> list[str]:
    """'model (layer) -> model it reads (layer)' for every edge from a lower layer to a higher one."""
    edges = []
    for node in models.values():
        higher = LOWER_LAYERS.get(layer(node) or "", ())
        for parent_id in node["depends_on"]["nodes"]:
            parent = models.get(parent_id)
            if parent is not None and layer(parent) in higher:
                edges.append(f"{node['name']} ({layer(node)}) -> {parent['name']} ({layer(parent)})")
    return sorted(edges)


def test_the_layers_are_found(models):
    layers = {layer(node) for node in models.values()}
    assert {"staging", "intermediate", "marts"} <= layers
    assert "int_provider_year_code_features" in {node["name"] for node in models.values()}


def test_no_staging_or_intermediate_model_reads_a_mart_and_staging_reads_no_intermediate(models):
    edges = upward_edges(models)
    assert not edges, "models reading a higher layer: " + "; ".join(edges)
