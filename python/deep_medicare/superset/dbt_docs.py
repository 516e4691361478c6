"""What the dbt docs say about the public marts (target/manifest.json): which relations they are, and the
description of each model and column, so Superset shows the same words as the docs site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mart:
    """A public model: its relation, description and column descriptions (column name -> text)."""

    name: str
    schema: str
    table: str
    description: str
    columns: dict[str, str]


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def public_marts(manifest: dict[str, Any], semantic_manifest: dict[str, Any]) -> list[Mart]:
    """The project's public models (access: public), by name, except MetricFlow's time spines: plumbing for
    the semantic layer, not a table an analyst charts."""
    spines = {
        (spine["node_relation"]["schema_name"], spine["node_relation"]["alias"])
        for spine in semantic_manifest["project_configuration"].get("time_spines") or []
    }
    project = manifest["metadata"].get("project_name")
    marts = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node.get("access") != "public":
            continue
        if project and node["package_name"] != project:
            continue
        relation = (node["schema"], node.get("alias") or node["name"])
        if relation in spines:
            continue
        marts.append(
            Mart(
                name=node["name"],
                schema=relation[0],
                table=relation[1],
                description=_one_line(node.get("description")),
                columns={
                    name: _one_line(column.get("description")) for name, column in node["columns"].items()
                },
            )
        )
    return sorted(marts, key=lambda mart: mart.name)
