"""Provision Superset from the dbt project, through its REST API: the read-only connection to the served
warehouse, a dataset per public mart (with the dbt docs' descriptions), a joined dataset per semantic model,
the semantic layer's metrics, and the "Medicare payments" dashboard. Idempotent: each object is found by its
name and updated in place, so running it again changes what changed and duplicates nothing."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deep_medicare.superset import charts, dbt_docs, semantic
from deep_medicare.superset.api import Superset

log = logging.getLogger(__name__)

DATABASE_NAME = "Deep Medicare"
# the fields of a dataset column that Superset's PUT accepts
COLUMN_FIELDS = (
    "id",
    "column_name",
    "type",
    "verbose_name",
    "description",
    "expression",
    "filterable",
    "groupby",
    "is_active",
    "is_dttm",
    "python_date_format",
)


@dataclass(frozen=True)
class Provisioned:
    """What the bootstrap made: the database, datasets (name -> id), charts (name -> id) and dashboard."""

    database_id: int
    datasets: dict[str, int]
    charts: dict[str, int]
    dashboard_id: int
    dashboard_url: str
    metrics_left_out: dict[str, str]


def warehouse_uri(warehouse: Path) -> str:
    """The SQLAlchemy URI of the served warehouse, read-only (four slashes: an absolute path)."""
    return f"duckdb:///{warehouse.resolve()}?access_mode=read_only"


def _find(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    found = [row for row in rows if all(row.get(key) == value for key, value in match.items())]
    return found[0] if found else None


def ensure_database(superset: Superset, warehouse: Path) -> int:
    """The read-only DuckDB connection. Superset opens a new connection per query (its engines use NullPool),
    so a query after a publish reads the new warehouse file."""
    body = {
        "database_name": DATABASE_NAME,
        "sqlalchemy_uri": warehouse_uri(warehouse),
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_dml": False,
        "allow_file_upload": False,
    }
    existing = _find(superset.list_all("database", ("id", "database_name")), database_name=DATABASE_NAME)
    if existing:
        superset.put(f"/api/v1/database/{existing['id']}", body)
        return existing["id"]
    return superset.post("/api/v1/database/", body)["id"]


def ensure_dataset(
    superset: Superset,
    database_id: int,
    schema: str,
    table_name: str,
    *,
    description: str,
    column_descriptions: dict[str, str],
    metrics: list[semantic.SupersetMetric],
    sql: str | None = None,
    time_expression: str | None = None,
) -> int:
    """Create or update one dataset (physical, or virtual when `sql` is given): its columns refreshed from
    the warehouse and described, its metrics replaced by the semantic layer's (Superset's row `count` kept),
    and a `metric_time` column when the semantic model has a time dimension."""
    rows = superset.list_all("dataset", ("id", "table_name", "schema", "database.id"))
    existing = next(
        (
            row
            for row in rows
            if row["table_name"] == table_name
            and row["schema"] == schema
            and row["database"]["id"] == database_id
        ),
        None,
    )
    if existing is None:
        body: dict[str, Any] = {"database": database_id, "schema": schema, "table_name": table_name}
        if sql:
            body["sql"] = sql
        dataset_id = superset.post("/api/v1/dataset/", body)["id"]
    else:
        dataset_id = existing["id"]
        if sql:
            superset.put(f"/api/v1/dataset/{dataset_id}", {"sql": sql})
    superset.put(f"/api/v1/dataset/{dataset_id}/refresh", {})
    current = superset.get(f"/api/v1/dataset/{dataset_id}")["result"]

    columns = []
    time_column_id = {}
    for column in current["columns"]:
        if column["column_name"] == charts.TIME_COLUMN and column.get("expression") is not None:
            time_column_id = {"id": column["id"]}  # written again below
            continue
        fields = {key: column[key] for key in COLUMN_FIELDS if key in column and column[key] is not None}
        fields["description"] = column_descriptions.get(
            column["column_name"], column.get("description") or ""
        )
        columns.append(fields)
    if time_expression:
        columns.append(
            {
                **time_column_id,
                "column_name": charts.TIME_COLUMN,
                "expression": time_expression,
                "type": "DATE",
                "is_dttm": True,
                "groupby": True,
                "filterable": True,
                "description": "The data year as a date (1 January): the semantic layer's time dimension.",
            }
        )

    metric_ids = {metric["metric_name"]: metric["id"] for metric in current["metrics"]}
    metric_bodies = [
        {
            **({"id": metric_ids[metric.name]} if metric.name in metric_ids else {}),
            "metric_name": metric.name,
            "expression": metric.expression,
            "verbose_name": metric.label,
            "description": f"{metric.description} From the dbt semantic layer (semantic model "
            f"{metric.semantic_model}).",
        }
        for metric in metrics
    ]
    metric_bodies.append(
        {
            **({"id": metric_ids["count"]} if "count" in metric_ids else {}),
            "metric_name": "count",
            "expression": "count(*)",
            "verbose_name": "Rows",
            "description": "Rows of the dataset (Superset's own; not a semantic-layer metric).",
        }
    )
    superset.put(
        f"/api/v1/dataset/{dataset_id}",
        {
            "description": description,
            "columns": columns,
            "metrics": metric_bodies,
            "main_dttm_col": charts.TIME_COLUMN if time_expression else None,
        },
    )
    return dataset_id


def _time_expression(semantic_manifest: dict[str, Any], model_name: str) -> str | None:
    for model in semantic_manifest["semantic_models"]:
        if model["name"] == model_name:
            for dimension in model.get("dimensions") or []:
                if dimension["type"] == "time":
                    return dimension.get("expr") or dimension["name"]
    return None


def ensure_chart(
    superset: Superset, chart: charts.Chart, dataset_id: int, dashboard_id: int, existing: dict[str, int]
) -> int:
    """Create or update one chart (found by name) and attach it to the dashboard."""
    body = {
        "slice_name": chart.name,
        "description": chart.description,
        "viz_type": chart.viz_type,
        "datasource_id": dataset_id,
        "datasource_type": "table",
        "params": json.dumps(chart.form_data(dataset_id)),
        "query_context": json.dumps(chart.query_context(dataset_id)),
        "dashboards": [dashboard_id],
    }
    if chart.name in existing:
        superset.put(f"/api/v1/chart/{existing[chart.name]}", body)
        return existing[chart.name]
    return superset.post("/api/v1/chart/", body)["id"]


def bootstrap(superset: Superset, warehouse: Path, target_dir: Path) -> Provisioned:
    """Provision everything from the dbt artifacts in `target_dir` (manifest.json, semantic_manifest.json,
    which `dbt build` or `dbt parse` write) against the warehouse file at `warehouse`."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    semantic_manifest = json.loads((target_dir / "semantic_manifest.json").read_text())
    models = semantic.semantic_models(semantic_manifest)
    metric_homes, left_out = semantic.metric_homes(semantic_manifest)
    for name, reason in left_out.items():
        log.info("metric %s is not in Superset: %s", name, reason)

    database_id = ensure_database(superset, warehouse)
    marts = dbt_docs.public_marts(manifest, semantic_manifest)
    marts_by_relation = {(mart.schema, mart.table): mart for mart in marts}
    # a mart's metrics: those of the semantic model that reads it
    metrics_by_relation = {(model.schema, model.table): metric_homes[model.name] for model in models.values()}
    datasets: dict[str, int] = {}
    for mart in marts:
        datasets[mart.name] = ensure_dataset(
            superset,
            database_id,
            mart.schema,
            mart.table,
            description=mart.description,
            column_descriptions=mart.columns,
            metrics=metrics_by_relation.get((mart.schema, mart.table), []),
        )
        log.info("dataset %s.%s", mart.schema, mart.table)
    for model in models.values():
        sql = semantic.joined_dataset_sql(model, models)
        if sql is None:
            continue
        mart = marts_by_relation.get((model.schema, model.table))
        descriptions = (mart.columns if mart else {}) | semantic.joined_column_descriptions(model, models)
        datasets[model.name] = ensure_dataset(
            superset,
            database_id,
            model.schema,
            model.name,
            description=f"Semantic model {model.name}: {model.description} With the dimensions its entities "
            "join to, named <entity>__<dimension> as in `mf query`.",
            column_descriptions=descriptions,
            metrics=metric_homes[model.name],
            sql=sql,
            time_expression=_time_expression(semantic_manifest, model.name),
        )
        log.info("dataset %s (semantic model)", model.name)

    dashboards = superset.list_all("dashboard", ("id", "slug"))
    dashboard = _find(dashboards, slug=charts.DASHBOARD_SLUG)
    dashboard_body: dict[str, Any] = {
        "dashboard_title": charts.DASHBOARD_TITLE,
        "slug": charts.DASHBOARD_SLUG,
    }
    if dashboard:
        dashboard_id = dashboard["id"]
    else:
        dashboard_id = superset.post("/api/v1/dashboard/", dashboard_body | {"published": True})["id"]

    existing_charts = {
        row["slice_name"]: row["id"] for row in superset.list_all("chart", ("id", "slice_name"))
    }
    chart_ids: dict[str, int] = {}
    for chart in charts.dashboard_charts():
        chart_ids[chart.name] = ensure_chart(
            superset, chart, datasets[chart.dataset], dashboard_id, existing_charts
        )
        log.info("chart %s", chart.name)
    placed = []
    for chart in charts.dashboard_charts():
        uuid = superset.get(f"/api/v1/chart/{chart_ids[chart.name]}")["result"].get("uuid", "")
        placed.append((chart_ids[chart.name], uuid))
    superset.put(
        f"/api/v1/dashboard/{dashboard_id}",
        dashboard_body
        | {
            "published": True,
            "position_json": json.dumps(charts.dashboard_layout(placed)),
            "json_metadata": json.dumps(
                {"refresh_frequency": 0, "color_scheme": "supersetColors", "native_filter_configuration": []}
            ),
        },
    )
    return Provisioned(
        database_id=database_id,
        datasets=datasets,
        charts=chart_ids,
        dashboard_id=dashboard_id,
        dashboard_url=f"{superset.base_url}/superset/dashboard/{charts.DASHBOARD_SLUG}/",
        metrics_left_out=left_out,
    )
