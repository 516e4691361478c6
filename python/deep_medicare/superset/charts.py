"""The "Medicare payments" dashboard: one chart per question the report answers, each written once as a
`Chart` from which both Superset's chart form (what the browser draws) and its saved query (what
/api/v1/chart/{id}/data returns) are made, so the two cannot drift apart."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

DASHBOARD_TITLE = "Medicare payments"
DASHBOARD_SLUG = "medicare-payments"
# The time column every semantic dataset gets: the semantic layer's time dimension (data_year as a date)
TIME_COLUMN = "metric_time"
TOP_FLAGGED_LIMIT = 20
TOP_CODES_LIMIT = 10
# d3 number formats: money, money per service, rates and scores (never raw floats)
MONEY_FORMAT = "$,.0f"
MONEY_PER_SERVICE_FORMAT = "$,.2f"
SCORE_FORMAT = ".3f"
# what a provider-year with no Census region (territories, military codes, unknown states) is called, as in
# region_year_summary and the report
UNASSIGNED_REGION = "Unassigned"


def labelled_column(sql: str, label: str) -> dict[str, str]:
    """An ad hoc column: a SQL expression over the dataset, shown and returned under `label`."""
    return {"expressionType": "SQL", "sqlExpression": sql, "label": label}


# the place of service in words (CMS writes F and O)
PLACE_OF_SERVICE = labelled_column(
    "case place_of_service when 'F' then 'Facility' when 'O' then 'Office' else place_of_service end",
    "place_of_service",
)
CENSUS_REGION = labelled_column(
    f"coalesce(provider_year__census_region, '{UNASSIGNED_REGION}')", "provider_year__census_region"
)


def latest_year(table: str) -> str:
    """A WHERE clause keeping a table's latest data year, so the chart follows a rebuild that adds a year."""
    return f"data_year = (select max(data_year) from {table})"


@dataclass(frozen=True)
class Chart:
    """One chart: which dataset (a semantic model's or a mart's), what it draws and which rows it reads."""

    name: str
    dataset: str
    viz_type: str
    description: str
    metrics: tuple[str, ...] = ()
    x_axis: str | None = None
    groupby: tuple[str | dict[str, str], ...] = ()  # a column's name, or an ad hoc column (labelled_column)
    columns: tuple[str, ...] = ()  # a raw table's columns
    where: tuple[str, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()  # (column or metric, ascending)
    row_limit: int = 10000
    series_limit: int = 0
    series_limit_metric: str | None = None
    form: dict[str, Any] = field(default_factory=dict)

    def form_data(self, dataset_id: int) -> dict[str, Any]:
        """Superset's chart parameters (the Explore form) for this chart."""
        form: dict[str, Any] = {
            "datasource": f"{dataset_id}__table",
            "viz_type": self.viz_type,
            "adhoc_filters": [
                {"expressionType": "SQL", "sqlExpression": clause, "clause": "WHERE"} for clause in self.where
            ],
            "row_limit": self.row_limit,
        }
        if self.viz_type == "table":
            form |= {
                "query_mode": "raw",
                "all_columns": list(self.columns),
                "order_by_cols": [json.dumps([column, ascending]) for column, ascending in self.order_by],
                "server_pagination": False,
                "include_search": False,
                "table_timestamp_format": "smart_date",
            }
        else:
            form |= {
                "x_axis": self.x_axis,
                "metrics": list(self.metrics),
                "groupby": list(self.groupby),
                "series_limit": self.series_limit,
                "truncate_metric": True,
                "show_legend": True,
                "legendType": "scroll",
                "legendOrientation": "top",
                "rich_tooltip": True,
                "y_axis_format": "SMART_NUMBER",
            }
            if self.x_axis == TIME_COLUMN:
                form |= {"time_grain_sqla": "P1Y", "x_axis_time_format": "%Y"}
            if self.series_limit_metric:
                form["series_limit_metric"] = self.series_limit_metric
        return form | self.form

    def query_context(self, dataset_id: int) -> dict[str, Any]:
        """The saved query of the chart: the rows behind it, unpivoted (one row per x value and series)."""
        if self.viz_type == "table":
            columns: list[Any] = list(self.columns)
        else:
            x_axis: Any = self.x_axis
            if self.x_axis == TIME_COLUMN:
                x_axis = {
                    "columnType": "BASE_AXIS",
                    "sqlExpression": TIME_COLUMN,
                    "label": TIME_COLUMN,
                    "expressionType": "SQL",
                    "timeGrain": "P1Y",
                }
            columns = [x_axis, *self.groupby]
        query: dict[str, Any] = {
            "columns": columns,
            "metrics": list(self.metrics),
            "orderby": [[column, ascending] for column, ascending in self.order_by],
            "filters": [],
            "extras": {"where": " and ".join(f"({clause})" for clause in self.where), "having": ""},
            "row_limit": self.row_limit,
            "series_limit": self.series_limit,
            "order_desc": True,
            "url_params": {},
            "custom_params": {},
            "custom_form_data": {},
            "annotation_layers": [],
            "applied_time_extras": {},
        }
        if self.series_limit:
            query["series_columns"] = [
                column if isinstance(column, str) else column["label"] for column in self.groupby
            ]
            query["series_limit_metric"] = self.series_limit_metric
        return {
            "datasource": {"id": dataset_id, "type": "table"},
            "force": False,
            "queries": [query],
            "form_data": self.form_data(dataset_id),
            "result_format": "json",
            "result_type": "full",
        }


def dashboard_charts() -> list[Chart]:
    """The dashboard's charts, in reading order. Metrics are the semantic layer's (see semantic.py); the
    datasets named after semantic models hold the dimensions MetricFlow would join."""
    return [
        Chart(
            name="Medicare payment by year",
            dataset="provider_service_years",
            viz_type="echarts_timeseries_bar",
            description="Metric total_medicare_payment by data year (US dollars).",
            metrics=("total_medicare_payment",),
            x_axis=TIME_COLUMN,
            form={"y_axis_format": MONEY_FORMAT},
        ),
        Chart(
            name="Payment per service, facility against office",
            dataset="provider_service_years",
            viz_type="echarts_timeseries_line",
            description="Metric payment_per_service (US dollars per service) by year, in a facility and in "
            "an office.",
            metrics=("payment_per_service",),
            x_axis=TIME_COLUMN,
            groupby=(PLACE_OF_SERVICE,),
            form={"y_axis_format": MONEY_PER_SERVICE_FORMAT},
        ),
        Chart(
            name="Payment per service by state, latest year",
            dataset="provider_service_years",
            viz_type="echarts_timeseries_bar",
            description="Metric payment_per_service (US dollars per service) by the provider's state "
            "that year.",
            metrics=("payment_per_service",),
            x_axis="provider_year__provider_state",
            where=(latest_year("marts.fct_provider_service_year"),),
            order_by=(("payment_per_service", False),),
            form={
                "x_axis_sort": "payment_per_service",
                "x_axis_sort_asc": False,
                "xAxisLabelRotation": 45,
                "y_axis_format": MONEY_PER_SERVICE_FORMAT,
            },
        ),
        Chart(
            name="Payment per service by Census region",
            dataset="provider_service_years",
            viz_type="echarts_timeseries_line",
            description="Metric payment_per_service (US dollars per service) by Census region and year; "
            f"{UNASSIGNED_REGION}: territories, military codes and unknown states.",
            metrics=("payment_per_service",),
            x_axis=TIME_COLUMN,
            groupby=(CENSUS_REGION,),
            form={"y_axis_format": MONEY_PER_SERVICE_FORMAT},
        ),
        Chart(
            name="Cost trends: payment per service by code",
            dataset="provider_service_years",
            viz_type="echarts_timeseries_line",
            description="Metric payment_per_service (US dollars per service) of the "
            f"{TOP_CODES_LIMIT} HCPCS codes with the most payment, by year.",
            metrics=("payment_per_service",),
            x_axis=TIME_COLUMN,
            groupby=("hcpcs_code",),
            series_limit=TOP_CODES_LIMIT,
            series_limit_metric="total_medicare_payment",
            form={"y_axis_format": MONEY_PER_SERVICE_FORMAT},
        ),
        Chart(
            name="Top flagged provider-years, latest year",
            dataset="provider_anomaly_exclusions",
            viz_type="table",
            description=f"The {TOP_FLAGGED_LIMIT} highest-ranked flagged provider-years of the latest data "
            "year, with the reasons, and whether OIG excluded the provider that year or later (LEIE). A flag "
            "is a lead to check, not a finding; an exclusion is not proof of billing fraud.",
            columns=(
                "data_year",
                "anomaly_rank",
                "npi",
                "provider_type",
                "provider_state",
                "anomaly_score",
                "total_medicare_payment",
                "excess_payment",
                "reasons",
                "exclusion_status",
            ),
            where=("is_flagged", latest_year("marts.provider_anomaly_exclusions")),
            order_by=(("anomaly_rank", True),),
            row_limit=TOP_FLAGGED_LIMIT,
            form={
                "column_config": {
                    "anomaly_score": {"d3NumberFormat": SCORE_FORMAT},
                    "total_medicare_payment": {"d3NumberFormat": MONEY_PER_SERVICE_FORMAT},
                    "excess_payment": {"d3NumberFormat": MONEY_FORMAT},
                }
            },
        ),
        Chart(
            name="Flagged provider-years later excluded by OIG",
            dataset="provider_anomaly_exclusions",
            viz_type="table",
            description="Flagged provider-years of every year whose provider OIG excluded from federal "
            "health care programs that year or later (LEIE), with when and why. Empty with no LEIE file.",
            columns=(
                "data_year",
                "anomaly_rank",
                "npi",
                "provider_state",
                "anomaly_score",
                "exclusion_status",
                "later_exclusion_type_description",
            ),
            where=("is_flagged", "is_later_excluded"),
            order_by=(("data_year", True), ("anomaly_rank", True)),
            form={"column_config": {"anomaly_score": {"d3NumberFormat": SCORE_FORMAT}}},
        ),
    ]


# The dashboard's rows, as indexes into dashboard_charts(); a chart alone on its row takes the full width
LAYOUT_ROWS = ((0, 1), (2,), (3, 4), (5,), (6,))
# charts drawn taller: the table of the latest year's top flagged provider-years
TALL_CHARTS = (5,)


def dashboard_layout(
    chart_ids: list[tuple[int, str]], rows: tuple[tuple[int, ...], ...] = LAYOUT_ROWS
) -> dict[str, Any]:
    """Superset's position_json placing the charts (id, uuid, in dashboard_charts() order) on the 12-column
    grid, row by row; a chart alone on its row (the states, the flagged table) gets the full width."""
    layout: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": DASHBOARD_TITLE}},
    }
    for row_index, members in enumerate(rows):
        row_id = f"ROW-{row_index}"
        layout["GRID_ID"]["children"].append(row_id)
        layout[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for member in members:
            chart_id, chart_uuid = chart_ids[member]
            component_id = f"CHART-{chart_id}"
            layout[row_id]["children"].append(component_id)
            layout[component_id] = {
                "type": "CHART",
                "id": component_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "chartId": chart_id,
                    "uuid": chart_uuid,
                    "width": 12 // len(members),
                    "height": 100 if member in TALL_CHARTS else 60,
                },
            }
    return layout
