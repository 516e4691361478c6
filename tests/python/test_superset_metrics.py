"""The Superset metrics generated from a semantic manifest (no Superset needed): a small hand-made manifest,
with the expected SQL written by hand."""

from __future__ import annotations

import duckdb

from deep_medicare.superset import semantic


def _measure(name: str, agg: str, expr: str | None = None) -> dict:
    return {"name": name, "agg": agg, "expr": expr, "agg_params": None}


def _ref(name: str) -> dict:
    return {"name": name, "filter": None, "alias": None, "offset_window": None, "offset_to_grain": None}


def _metric(name: str, kind: str, **params: object) -> dict:
    type_params = {"measure": None, "numerator": None, "denominator": None, "expr": None, "metrics": []}
    type_params |= params
    measures = [params["measure"]] if "measure" in params else []
    return {
        "name": name,
        "type": kind,
        "label": name.replace("_", " "),
        "description": f"{name}.",
        "filter": None,
        "type_params": type_params | {"input_measures": measures},
    }


MANIFEST = {
    "semantic_models": [
        {
            "name": "sales",
            "description": "One row per sale.",
            "node_relation": {"schema_name": "marts", "alias": "fct_sales"},
            "entities": [
                {"name": "sale", "type": "primary", "expr": "sale_id"},
                {"name": "shop", "type": "foreign", "expr": "shop_id"},
            ],
            "dimensions": [{"name": "sold_on", "type": "time", "expr": "make_date(sold_year, 1, 1)"}],
            "measures": [
                _measure("revenue", "sum"),
                _measure("units", "sum", "quantity"),
                _measure("returned", "sum", "case when is_returned then 1 else 0 end"),
            ],
        },
        {
            "name": "shops",
            "description": "One row per shop.",
            "node_relation": {"schema_name": "marts", "alias": "dim_shop"},
            "entities": [{"name": "shop", "type": "primary", "expr": "shop_id"}],
            "dimensions": [{"name": "region", "type": "categorical", "expr": None, "description": "Region."}],
            "measures": [_measure("shop_count", "count_distinct", "shop_id")],
        },
    ],
    "metrics": [
        _metric("revenue", "simple", measure=_ref("revenue")),
        _metric("units", "simple", measure=_ref("units")),
        _metric("returns", "simple", measure=_ref("returned")),
        _metric("shops", "simple", measure=_ref("shop_count")),
        _metric("price", "ratio", numerator=_ref("revenue"), denominator=_ref("units")),
        _metric(
            "revenue_less_returns",
            "derived",
            expr="revenue - returns",
            metrics=[_ref("revenue"), _ref("returns")],
        ),
        _metric("revenue_per_shop", "ratio", numerator=_ref("revenue"), denominator=_ref("shops")),
    ],
}


def test_each_metric_becomes_the_sql_of_its_definition() -> None:
    homes, left_out = semantic.metric_homes(MANIFEST)
    sales = {metric.name: metric.expression for metric in homes["sales"]}
    assert sales == {
        "revenue": "sum(revenue)",
        "units": "sum(quantity)",
        "returns": "sum(case when is_returned then 1 else 0 end)",
        "price": "sum(revenue) / nullif(sum(quantity), 0)",
        "revenue_less_returns": "(sum(revenue)) - (sum(case when is_returned then 1 else 0 end))",
    }
    assert {metric.name: metric.expression for metric in homes["shops"]} == {
        "shops": "count(distinct shop_id)"
    }
    # a ratio over two semantic models has no one-table SQL: left out, with the reason
    assert list(left_out) == ["revenue_per_shop"]
    assert "sales, shops" in left_out["revenue_per_shop"]


def test_a_ratio_metric_is_a_ratio_of_sums_not_an_average_of_ratios() -> None:
    homes, _ = semantic.metric_homes(MANIFEST)
    price = next(metric.expression for metric in homes["sales"] if metric.name == "price")
    con = duckdb.connect()
    con.execute("create schema marts")
    # by hand: (10 + 90 + 100) / (1 + 9 + 1) = 200 / 11; the average of the three prices would be 40
    con.execute("create table marts.fct_sales (revenue double, quantity integer)")
    con.execute("insert into marts.fct_sales values (10, 1), (90, 9), (100, 1)")
    (value,) = con.execute(f"select {price} from marts.fct_sales").fetchone()
    assert value == 200 / 11


def test_the_joined_dataset_holds_the_dimensions_an_entity_reaches() -> None:
    models = semantic.semantic_models(MANIFEST)
    sql = semantic.joined_dataset_sql(models["sales"], models)
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.fct_sales as select 1 as sale_id, 7 as shop_id, 5.0 as revenue")
    con.execute("create table marts.dim_shop as select 7 as shop_id, 'North' as region")
    rows = con.execute(f"select sale_id, shop_id, revenue, shop__region from ({sql})").fetchall()
    assert rows == [(1, 7, 5.0, "North")]
    assert semantic.joined_dataset_sql(models["shops"], models) is None


def test_the_dashboard_formats_its_numbers_and_names_codes_in_words() -> None:
    from deep_medicare.superset import charts

    for chart in charts.dashboard_charts():
        form = chart.form_data(1)
        if chart.viz_type == "table":
            formats = {column: config["d3NumberFormat"] for column, config in form["column_config"].items()}
            assert formats.get("anomaly_score") == ".3f", chart.name
        else:
            assert form["y_axis_format"].startswith("$,."), chart.name  # every series here is in dollars
    by_name = {chart.name: chart for chart in charts.dashboard_charts()}
    (place,) = by_name["Payment per service, facility against office"].form_data(1)["groupby"]
    assert "'F' then 'Facility'" in place["sqlExpression"] and "'O' then 'Office'" in place["sqlExpression"]
    (region,) = by_name["Payment per service by Census region"].query_context(1)["queries"][0]["columns"][1:]
    assert region["sqlExpression"] == "coalesce(provider_year__census_region, 'Unassigned')"
