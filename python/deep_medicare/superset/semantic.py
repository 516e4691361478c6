"""Superset metrics and datasets generated from the dbt semantic layer (target/semantic_manifest.json), so
that every metric is defined once, in models/semantic/, and Superset computes it as MetricFlow does: a
simple metric aggregates its measure's expression; a ratio metric divides the two sums (never an average of
ratios); a derived metric combines its input metrics' SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# MetricFlow aggregation -> SQL, over the measure's expression (DuckDB dialect, which Superset sends as is)
AGGREGATIONS = {
    "sum": "sum({expr})",
    "count": "count({expr})",
    "count_distinct": "count(distinct {expr})",
    "average": "avg({expr})",
    "min": "min({expr})",
    "max": "max({expr})",
    "sum_boolean": "sum(case when {expr} then 1 else 0 end)",
    "median": "median({expr})",
}


class UnsupportedMetricError(ValueError):
    """A metric whose definition a single Superset dataset cannot express (see `metric_homes`)."""


@dataclass(frozen=True)
class Measure:
    """A measure of a semantic model: its aggregation, over a SQL expression of the model's columns."""

    name: str
    agg: str
    expr: str
    percentile: float | None = None

    def sql(self) -> str:
        """The aggregate as SQL."""
        if self.agg == "percentile":
            if self.percentile is None:
                raise UnsupportedMetricError(f"measure {self.name}: percentile without agg_params.percentile")
            return f"quantile_cont({self.expr}, {self.percentile})"
        if self.agg not in AGGREGATIONS:
            raise UnsupportedMetricError(f"measure {self.name}: aggregation {self.agg!r}")
        return AGGREGATIONS[self.agg].format(expr=self.expr)


@dataclass(frozen=True)
class SupersetMetric:
    """One Superset dataset metric: name, SQL expression, label and description from the semantic layer."""

    name: str
    expression: str
    label: str
    description: str
    semantic_model: str


@dataclass(frozen=True)
class Dimension:
    """A categorical dimension of a semantic model, reachable from another through an entity."""

    name: str
    expr: str
    description: str


@dataclass(frozen=True)
class SemanticModel:
    """A semantic model: its relation, entities (name -> (type, expr)), dimensions and measures."""

    name: str
    description: str
    schema: str
    table: str
    entities: dict[str, tuple[str, str]]
    dimensions: tuple[Dimension, ...]
    measures: dict[str, Measure]


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def semantic_models(semantic_manifest: dict[str, Any]) -> dict[str, SemanticModel]:
    """The semantic models of a semantic manifest, by name."""
    models = {}
    for model in semantic_manifest["semantic_models"]:
        measures = {}
        for measure in model.get("measures") or []:
            agg_params = measure.get("agg_params") or {}
            measures[measure["name"]] = Measure(
                name=measure["name"],
                agg=measure["agg"],
                expr=measure.get("expr") or measure["name"],
                percentile=agg_params.get("percentile"),
            )
        dimensions = tuple(
            Dimension(
                dimension["name"],
                dimension.get("expr") or dimension["name"],
                _one_line(dimension.get("description")),
            )
            for dimension in model.get("dimensions") or []
            if dimension["type"] == "categorical"
        )
        entities = {
            entity["name"]: (entity["type"], entity.get("expr") or entity["name"])
            for entity in model.get("entities") or []
        }
        relation = model["node_relation"]
        models[model["name"]] = SemanticModel(
            name=model["name"],
            description=_one_line(model.get("description")),
            schema=relation["schema_name"],
            table=relation["alias"],
            entities=entities,
            dimensions=dimensions,
            measures=measures,
        )
    return models


def _measure_home(models: dict[str, SemanticModel], measure_name: str) -> tuple[str, Measure]:
    for model in models.values():
        if measure_name in model.measures:
            return model.name, model.measures[measure_name]
    raise UnsupportedMetricError(f"measure {measure_name} is in no semantic model")


def _metric_sql(
    metric_name: str, metrics: dict[str, dict[str, Any]], models: dict[str, SemanticModel]
) -> tuple[str, set[str]]:
    """A metric's SQL and the semantic models its measures come from."""
    metric = metrics[metric_name]
    params = metric["type_params"]
    if metric.get("filter") or any(m.get("filter") for m in params.get("input_measures") or []):
        raise UnsupportedMetricError(f"metric {metric_name}: filters are not translated")
    kind = metric["type"]
    if kind == "simple":
        home, measure = _measure_home(models, params["measure"]["name"])
        return measure.sql(), {home}
    if kind == "ratio":
        if params["numerator"].get("filter") or params["denominator"].get("filter"):
            raise UnsupportedMetricError(f"metric {metric_name}: filters are not translated")
        numerator, numerator_homes = _metric_sql(params["numerator"]["name"], metrics, models)
        denominator, denominator_homes = _metric_sql(params["denominator"]["name"], metrics, models)
        return f"{numerator} / nullif({denominator}, 0)", numerator_homes | denominator_homes
    if kind == "derived":
        expression = params["expr"]
        homes: set[str] = set()
        for input_metric in params["metrics"]:
            if (
                input_metric.get("offset_window")
                or input_metric.get("offset_to_grain")
                or input_metric.get("filter")
            ):
                raise UnsupportedMetricError(f"metric {metric_name}: offsets and filters are not translated")
            sql, input_homes = _metric_sql(input_metric["name"], metrics, models)
            homes |= input_homes
            name = input_metric.get("alias") or input_metric["name"]
            expression = re.sub(rf"\b{re.escape(name)}\b", f"({sql})", expression)
        return expression, homes
    raise UnsupportedMetricError(f"metric {metric_name}: type {kind!r}")


def metric_homes(semantic_manifest: dict[str, Any]) -> tuple[dict[str, list[SupersetMetric]], dict[str, str]]:
    """Every metric as Superset SQL, grouped by the semantic model whose dataset gets it; and the metrics left
    out, with why. A metric lands on a dataset when all its measures come from that one semantic model: a
    ratio of measures from two models (MetricFlow joins them on the group-by) has no single-table SQL."""
    models = semantic_models(semantic_manifest)
    metrics = {metric["name"]: metric for metric in semantic_manifest["metrics"]}
    homes: dict[str, list[SupersetMetric]] = {name: [] for name in models}
    left_out: dict[str, str] = {}
    for name, metric in metrics.items():
        try:
            expression, model_names = _metric_sql(name, metrics, models)
        except UnsupportedMetricError as error:
            left_out[name] = str(error)
            continue
        if len(model_names) > 1:
            left_out[name] = (
                f"its measures come from {', '.join(sorted(model_names))}; no one dataset holds them"
            )
            continue
        (home,) = model_names
        homes[home].append(
            SupersetMetric(
                name=name,
                expression=expression,
                label=metric.get("label") or name,
                description=_one_line(metric.get("description")),
                semantic_model=home,
            )
        )
    return homes, left_out


def joined_dimensions(
    model: SemanticModel, models: dict[str, SemanticModel]
) -> list[tuple[str, SemanticModel]]:
    """The (foreign entity, target model) pairs through which `model` reaches other models' dimensions: each
    foreign entity joined to the semantic model where it is primary (one hop, as MetricFlow names them)."""
    joins = []
    for entity, (kind, _) in model.entities.items():
        if kind != "foreign":
            continue
        for other in models.values():
            if (
                other.name != model.name
                and other.entities.get(entity, ("",))[0] == "primary"
                and other.dimensions
            ):
                joins.append((entity, other))
    return joins


def joined_dataset_sql(model: SemanticModel, models: dict[str, SemanticModel]) -> str | None:
    """SQL of a dataset holding `model`'s table and, as `<entity>__<dimension>` columns, the dimensions of the
    models its foreign entities join to, so a chart can slice the model's metrics by them (as `mf query`
    does). None when the model joins to nothing."""
    joins = joined_dimensions(model, models)
    if not joins:
        return None
    keys = ",\n".join(f"        {model.entities[entity][1]} as __{entity}" for entity, _ in joins)
    ctes = [f"base as (\n    select\n        *,\n{keys}\n    from {model.schema}.{model.table}\n)"]
    columns = ["    base.* exclude (" + ", ".join(f"__{entity}" for entity, _ in joins) + ")"]
    joins_sql = []
    for entity, other in joins:
        dimensions = ",\n".join(
            f"        {dimension.expr} as {dimension.name}" for dimension in other.dimensions
        )
        ctes.append(
            f"{entity} as (\n    select\n        {other.entities[entity][1]} as __key,\n{dimensions}\n"
            f"    from {other.schema}.{other.table}\n)"
        )
        columns += [
            f"    {entity}.{dimension.name} as {entity}__{dimension.name}" for dimension in other.dimensions
        ]
        joins_sql.append(f"left join {entity} on base.__{entity} = {entity}.__key")
    return (
        "with "
        + ",\n".join(ctes)
        + "\n\nselect\n"
        + ",\n".join(columns)
        + "\nfrom base\n"
        + "\n".join(joins_sql)
    )


def joined_column_descriptions(model: SemanticModel, models: dict[str, SemanticModel]) -> dict[str, str]:
    """Descriptions of the joined `<entity>__<dimension>` columns, from the semantic layer."""
    descriptions = {}
    for entity, other in joined_dimensions(model, models):
        for dimension in other.dimensions:
            descriptions[f"{entity}__{dimension.name}"] = (
                f"{dimension.description} (from {other.table}, joined on {entity})".strip()
            )
    return descriptions
