"""`make report`: one self-contained HTML file of charts from the warehouse (python -m deep_medicare.report).

Plotly draws the charts: interactive (hover for exact figures, zoom), and plotly.js is embedded once in the
file, so opening it makes no network request (no CDN, web font, map tile or map geometry; the US map is a
tile grid from the seed us_state_tiles). The figures come from report_data, which aggregates in SQL.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from deep_medicare import report_data as data

LOGGER = logging.getLogger(__name__)

TOP_CODES = 8  # codes drawn in the per-code charts: the ones with the most payment in the latest year
TOP_FLAGGED = 15  # flagged provider-years listed
BINS_PER_DECADE = 5  # bins of the payment distribution per factor of ten
MIN_STATE_SERVICES = 100  # states with fewer services are left out of the peer comparison
RUCA_ORDER = ("urban", "large_rural", "small_rural", "isolated_rural", "unknown")
PLACE_NAMES = {"F": "facility", "O": "office"}
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class Chart:
    """One chart of the report, with what a reader needs around it."""

    key: str
    title: str
    units: str
    reading: str
    source: str
    figure: go.Figure
    table_html: str = ""


def money(amount: float) -> str:
    """US dollars, short: $617.3M, $4.7B, $12.5k, $403."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= size:
            return f"${amount / size:,.1f}{suffix}"
    return f"${amount:,.0f}"


def change(new: float, old: float) -> str:
    """A fractional change in words: '+41%'."""
    return f"{(new - old) / old:+.0%}"


def layout(figure: go.Figure, *, height: int = 420, **axes: object) -> go.Figure:
    """The report's common look."""
    figure.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 30, "t": 30, "b": 60},
        font={"family": "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif", "size": 13},
        legend={"orientation": "h", "y": -0.18},
        **axes,
    )
    return figure


def total_payment_chart(national: data.Table) -> Chart:
    years, payment = national.column("data_year"), national.column("total_medicare_payment")
    figure = go.Figure(
        go.Bar(
            x=years,
            y=payment,
            name="Medicare payment",
            customdata=national.column("total_services"),
            hovertemplate="%{x}: $%{y:,.2f}<br>%{customdata:,.0f} services<extra></extra>",
        )
    )
    layout(figure, yaxis_title="US dollars", xaxis={"dtick": 1, "title": "data year"})
    return Chart(
        "total-payment-by-year",
        "Total Medicare payment by year",
        "US dollars paid by Medicare, after deductible and coinsurance",
        f"Medicare paid {money(payment[0])} in {years[0]} and {money(payment[-1])} in {years[-1]} "
        f"({change(payment[-1], payment[0])}).",
        "marts.region_year_summary (national rows); metric total_medicare_payment",
        figure,
    )


def cost_index_chart(index: data.Table, codes: list[str]) -> Chart:
    figure = go.Figure()
    latest: dict[str, tuple[float, int, int]] = {}
    for code in codes:
        rows = [row for row in index.records() if row["hcpcs_code"] == code]
        figure.add_trace(
            go.Scatter(
                x=[row["data_year"] for row in rows],
                y=[row["payment_per_service_index"] for row in rows],
                customdata=[row["payment_per_service"] for row in rows],
                mode="lines+markers",
                name=code,
                hovertemplate=code + " %{x}: index %{y:.1f}, $%{customdata:,.2f} per service<extra></extra>",
            )
        )
        last = rows[-1]
        latest[code] = (last["payment_per_service_index"], last["data_year"], last["base_data_year"])
    layout(figure, yaxis_title="index, first year = 100", xaxis={"dtick": 1, "title": "data year"})
    fastest = max(latest, key=lambda code: latest[code][0])
    slowest = min(latest, key=lambda code: latest[code][0])
    reading = (
        f"By {latest[fastest][1]}, payment per service of {fastest} stood at {latest[fastest][0]:.0f} "
        f"(its {latest[fastest][2]} = 100), the most of these codes; {slowest} at {latest[slowest][0]:.0f}, "
        "the least."
    )
    return Chart(
        "payment-per-service-index",
        "Payment per service by code over time, indexed to the first year",
        f"index (the code's first data year = 100); the {len(codes)} codes with the most payment",
        reading,
        "marts.cost_trends (payment_per_service_index); metric payment_per_service by service",
        figure,
    )


def setting_chart(setting: data.Table, codes: list[str], year: int) -> Chart:
    figure = go.Figure()
    per_service: dict[tuple[str, str], float] = {}
    for row in setting.records():
        per_service[(row["hcpcs_code"], row["place_of_service"])] = row["payment_per_service"]
    for place in ("F", "O"):
        shown = [code for code in codes if (code, place) in per_service]
        figure.add_trace(
            go.Bar(
                x=shown,
                y=[per_service[(code, place)] for code in shown],
                name=PLACE_NAMES[place],
                hovertemplate="%{x} " + PLACE_NAMES[place] + ": $%{y:,.2f} per service<extra></extra>",
            )
        )
    layout(figure, barmode="group", yaxis_title="US dollars per service", xaxis={"type": "category"})
    both = [code for code in codes if (code, "F") in per_service and (code, "O") in per_service]
    if both:
        code = both[0]
        ratio = per_service[(code, "O")] / per_service[(code, "F")]
        reading = (
            f"In {year}, Medicare paid {ratio:.1f}× as much per service of {code} in an office "
            f"(${per_service[(code, 'O')]:,.2f}) as in a facility (${per_service[(code, 'F')]:,.2f}), where "
            "the facility bills its own costs separately."
        )
    else:
        reading = f"In {year} no code was billed in both settings."
    return Chart(
        "facility-vs-office",
        f"Facility against office payment per service, {year}",
        "US dollars per service",
        reading,
        "marts.cost_trends_by_place_of_service; metric payment_per_service by service and place_of_service",
        figure,
    )


def distribution_chart(bins: data.Table, concentration: dict[str, float], year: int) -> Chart:
    starts, ends, counts = bins.column("bin_start"), bins.column("bin_end"), bins.column("provider_years")
    figure = go.Figure(
        go.Scatter(
            x=[*starts, ends[-1]],
            y=[*counts, counts[-1]],
            line_shape="hv",
            fill="tozeroy",
            mode="lines",
            name="provider-years",
            hovertemplate="from $%{x:,.0f}: %{y} provider-years<extra></extra>",
        )
    )
    layout(
        figure,
        xaxis={"type": "log", "title": "total Medicare payment of the provider-year (US dollars, log scale)"},
        yaxis_title="provider-years",
    )
    return Chart(
        "payment-distribution",
        f"Distribution of provider-year payments, {year}",
        f"provider-years per bin; {BINS_PER_DECADE} bins per factor of ten of US dollars (log scale)",
        f"Half of the {concentration['provider_years']:,} provider-years of {year} were paid less than "
        f"{money(concentration['median'])}; the top tenth of providers received "
        f"{concentration['top_decile_share']:.0%} of the payment.",
        "marts.provider_year_summary (total_medicare_payment)",
        figure,
    )


def states_chart(states: data.Table, national: float, year: int) -> Chart:
    rows = sorted(
        (
            row
            for row in states.records()
            if row["data_year"] == year and row["payment_per_service"] is not None
        ),
        key=lambda row: row["payment_per_service"],
    )
    figure = go.Figure(
        go.Bar(
            x=[row["payment_per_service"] for row in rows],
            y=[row["geography_code"] for row in rows],
            orientation="h",
            customdata=[[row["geography_name"], row["providers"]] for row in rows],
            hovertemplate="%{customdata[0]}: $%{x:,.2f} per service, "
            "%{customdata[1]} providers<extra></extra>",
            name="payment per service",
        )
    )
    figure.add_vline(x=national, line_dash="dash", annotation_text=f"national ${national:,.2f}")
    layout(figure, height=max(420, 16 * len(rows) + 90), xaxis_title="US dollars per service")
    highest, lowest = rows[-1], rows[0]
    return Chart(
        "states-ranked",
        f"States ranked by payment per service, {year}",
        "US dollars per service",
        f"{highest['geography_name']} had the highest payment per service "
        f"(${highest['payment_per_service']:,.2f}) and {lowest['geography_name']} the lowest "
        f"(${lowest['payment_per_service']:,.2f}); "
        f"nationally ${national:,.2f}.",
        "marts.region_year_summary (state rows); metric payment_per_service by provider_year__provider_state",
        figure,
    )


def tile_reading(billed: list[dict], places: int, year: int) -> str:
    """The highest and lowest three places on the map, and how many billed anything."""
    ranked = sorted(billed, key=lambda row: row["payment_per_service"], reverse=True)
    highest = ", ".join(row["state_code"] for row in ranked[:3])
    lowest = ", ".join(row["state_code"] for row in ranked[-3:][::-1])
    return (
        f"Highest payment per service in {highest}; lowest in {lowest}. {len(billed)} of the {places} places "
        f"on the map (the states, DC and Puerto Rico) billed these services in {year}."
    )


def tile_map_chart(tiles: data.Table, year: int) -> Chart:
    rows = tiles.records()
    billed = [row for row in rows if row["payment_per_service"] is not None]
    figure = go.Figure(
        go.Scatter(
            x=[row["tile_column"] for row in billed],
            y=[-row["tile_row"] for row in billed],
            text=[row["state_code"] for row in billed],
            customdata=[row["payment_per_service"] for row in billed],
            mode="markers+text",
            marker={
                "symbol": "square",
                "size": 40,
                "color": [row["payment_per_service"] for row in billed],
                "colorscale": "Viridis",
                "colorbar": {"title": {"text": "$ per service"}},
            },
            textfont={"color": "white"},
            hovertemplate="%{text}: $%{customdata:,.2f} per service<extra></extra>",
            name="payment per service",
        )
    )
    empty = [row for row in rows if row["payment_per_service"] is None]
    if empty:
        figure.add_trace(
            go.Scatter(
                x=[row["tile_column"] for row in empty],
                y=[-row["tile_row"] for row in empty],
                text=[row["state_code"] for row in empty],
                mode="markers+text",
                marker={"symbol": "square", "size": 40, "color": "#dddddd"},
                hovertemplate="%{text}: no services<extra></extra>",
                name="no services",
            )
        )
    hidden = {"visible": False, "fixedrange": True}
    layout(figure, height=460, xaxis=hidden, yaxis={**hidden, "scaleanchor": "x"}, showlegend=False)
    return Chart(
        "states-tile-map",
        f"Payment per service on a US tile-grid map, {year}",
        "US dollars per service; one equal square per state, grey where no service was billed",
        tile_reading(billed, len(rows), year),
        "marts.region_year_summary (state rows), reference.us_state_tiles; metric payment_per_service",
        figure,
    )


def regions_chart(regions: data.Table, year: int) -> Chart:
    figure = go.Figure()
    codes = sorted({row["geography_code"] for row in regions.records()})
    for code in codes:
        rows = [row for row in regions.records() if row["geography_code"] == code]
        figure.add_trace(
            go.Scatter(
                x=[row["data_year"] for row in rows],
                y=[row["payment_per_service"] for row in rows],
                mode="lines+markers",
                name=code,
                hovertemplate=code + " %{x}: $%{y:,.2f} per service<extra></extra>",
            )
        )
    layout(figure, yaxis_title="US dollars per service", xaxis={"dtick": 1, "title": "data year"})
    latest = sorted(
        (
            row
            for row in regions.records()
            if row["data_year"] == year and row["geography_code"] != "unassigned"
        ),
        key=lambda row: row["payment_per_service"],
    )
    return Chart(
        "census-regions",
        "Payment per service by Census region",
        "US dollars per service; 'unassigned' is territories, military and unknown addresses",
        f"In {year} the {latest[-1]['geography_name']} had the highest payment per service "
        f"(${latest[-1]['payment_per_service']:,.2f}), the {latest[0]['geography_name']} the lowest "
        f"(${latest[0]['payment_per_service']:,.2f}).",
        "marts.region_year_summary (census_region rows); "
        "metric payment_per_service by provider_year__census_region",
        figure,
    )


def urban_rural_chart(classes: data.Table, year: int) -> Chart:
    by_class = {row["geography_code"]: row for row in classes.records() if row["data_year"] == year}
    shown = [code for code in RUCA_ORDER if code in by_class]
    figure = go.Figure(
        go.Bar(
            x=shown,
            y=[by_class[code]["payment_per_service"] for code in shown],
            customdata=[
                [by_class[code]["providers"], by_class[code]["total_medicare_payment"]] for code in shown
            ],
            hovertemplate="%{x}: $%{y:,.2f} per service, %{customdata[0]} providers, "
            "$%{customdata[1]:,.0f}<extra></extra>",
            name="payment per service",
        )
    )
    layout(figure, yaxis_title="US dollars per service", xaxis={"type": "category", "title": "RUCA class"})
    urban = by_class.get("urban")
    rural = [code for code in shown if code.endswith("_rural")]
    reading = f"{len(shown)} urban/rural classes in {year}."
    if urban and rural:
        rural_payment = sum(by_class[code]["total_medicare_payment"] for code in rural)
        rural_services = sum(by_class[code]["total_services"] for code in rural)
        urban_share = urban["total_medicare_payment"] / sum(
            row["total_medicare_payment"] for row in by_class.values()
        )
        reading = (
            f"In {year} urban providers were paid ${urban['payment_per_service']:,.2f} per service and rural "
            f"ones ${rural_payment / rural_services:,.2f}; urban providers received "
            f"{urban_share:.0%} of the payment."
        )
    return Chart(
        "urban-rural",
        f"Payment per service by urban/rural class, {year}",
        "US dollars per service; class from the RUCA code of the provider's ZIP",
        reading,
        "marts.region_year_summary (ruca_class rows); "
        "metric payment_per_service by provider_year__ruca_class",
        figure,
    )


def resource_chart(indexes: data.Table, year: int) -> Chart:
    rows = indexes.records()
    figure = go.Figure(
        go.Scatter(
            x=[row["price_index"] for row in rows],
            y=[row["volume_index"] for row in rows],
            text=[row["provider_state"] for row in rows],
            customdata=[[row["total_medicare_payment"], row["payment_above_peers"]] for row in rows],
            mode="markers+text",
            textposition="top center",
            marker={
                "size": [max(8.0, (row["total_medicare_payment"] / 1e6) ** 0.5 * 3) for row in rows],
                "sizemode": "diameter",
                "opacity": 0.7,
            },
            hovertemplate="%{text}: price %{x:.2f}, volume %{y:.2f} × peers; paid $%{customdata[0]:,.0f}, "
            "$%{customdata[1]:,.0f} above peers<extra></extra>",
            name="states",
        )
    )
    figure.add_vline(x=1, line_dash="dot")
    figure.add_hline(y=1, line_dash="dot")
    layout(
        figure,
        height=520,
        xaxis_title="payment per service ÷ national peers' (same code, setting, specialty)",
        yaxis_title="services per beneficiary ÷ national peers'",
        showlegend=False,
    )
    top = max(rows, key=lambda row: row["payment_above_peers"])
    return Chart(
        "resource-allocation",
        f"Where payment stands highest relative to peers, by state, {year}",
        "ratios to the national peer medians (1 = like the peers); marker area ~ payment",
        f"{top['provider_state']}'s providers were paid {money(top['payment_above_peers'])} more than their "
        f"national peers' medians would give for the same beneficiaries (price {top['price_index']:.2f}×, "
        f"volume {top['volume_index']:.2f}×): the largest such gap, a place to look first. Part of a "
        "price gap is Medicare's own geographic adjustment.",
        "marts.provider_peer_benchmarks (peer medians by code, setting, year and specialty)",
        figure,
    )


def flagged_chart(flagged: data.Table, by_year: data.Table, year: int, excluded: data.Table) -> Chart:
    rows = flagged.records()
    labels = [f"{row['anomaly_rank']}. {row['provider_name']} ({row['provider_state']})" for row in rows]
    figure = go.Figure(
        go.Bar(
            x=[row["anomaly_score"] for row in rows][::-1],
            y=labels[::-1],
            orientation="h",
            customdata=[[row["npi"], row["reasons"]] for row in rows][::-1],
            hovertemplate="NPI %{customdata[0]}: score %{x:.3f}<br>%{customdata[1]}<extra></extra>",
            name="anomaly score",
        )
    )
    layout(
        figure, height=max(360, 28 * len(rows) + 90), xaxis={"title": "anomaly score (0-1)", "range": [0, 1]}
    )
    figure.update_layout(margin={"l": 260})
    year_row = next(row for row in by_year.records() if row["data_year"] == year)
    table_rows = "".join(
        "<tr>"
        f"<td>{row['anomaly_rank']}</td><td>{row['npi']}</td><td>{html.escape(str(row['provider_name']))}</td>"
        f"<td>{html.escape(str(row['provider_type']))}</td><td>{row['provider_state']}</td>"
        f"<td>{row['anomaly_score']:.3f}</td><td>${row['total_medicare_payment']:,.2f}</td>"
        f"<td>{html.escape(str(row['reasons']))}</td><td>{html.escape(str(row['exclusion_status']))}</td>"
        "</tr>"
        for row in rows
    )
    excluded_rows = (
        "".join(
            "<tr>"
            f"<td>{row['data_year']}</td><td>{row['anomaly_rank']}</td><td>{row['npi']}</td>"
            f"<td>{html.escape(str(row['provider_name']))}</td><td>{row['provider_state']}</td>"
            f"<td>{row['anomaly_score']:.3f}</td><td>{html.escape(str(row['exclusion_status']))}</td>"
            "</tr>"
            for row in excluded.records()
        )
        or '<tr><td colspan="7">none (no LEIE file loaded, or no flagged provider excluded later)</td></tr>'
    )
    table = (
        '<table class="flagged"><thead><tr><th>rank</th><th>NPI</th><th>provider</th><th>specialty</th>'
        "<th>state</th><th>score</th><th>payment</th><th>reasons</th><th>OIG exclusion</th></tr></thead>"
        f"<tbody>{table_rows}</tbody></table>"
        "<h3>Flagged provider-years, every year, whose provider OIG excluded in that year or later</h3>"
        '<table class="later-excluded"><thead><tr><th>year</th><th>rank</th><th>NPI</th>'
        "<th>provider</th><th>state</th><th>score</th><th>OIG exclusion</th></tr></thead>"
        f"<tbody>{excluded_rows}</tbody></table>"
    )
    return Chart(
        "flagged-provider-years",
        f"Top flagged provider-years, {year}",
        "anomaly score, 0 to 1 (higher = more unusual against peers and the provider's own past)",
        f"{year_row['flagged_provider_years']} of {year_row['provider_years']:,} provider-years were "
        f"flagged in {year} ({money(year_row['flagged_medicare_payment'])} of payment). A flag is a lead to "
        "check against the data, not a finding of fraud or error. The OIG exclusion column says whether "
        "the provider was excluded from federal health care programs that year or later (OIG's LEIE): an "
        "exclusion is not proof of billing fraud, and most fraud never leads to one.",
        "marts.provider_anomaly_exclusions, marts.dim_provider; metric flagged_provider_years",
        figure,
        table,
    )


def build_charts(con: duckdb.DuckDBPyConnection) -> tuple[list[Chart], dict[str, object]]:
    """Every chart of the report, and the summary shown at its top."""
    steps: list[tuple[str, Callable[[], object]]] = []
    years = data.loaded_years(con)
    if not years:
        raise SystemExit("the warehouse holds no data year: build it first (make build)")
    latest = years[-1]
    results: dict[str, object] = {}
    steps = [
        ("national", lambda: data.national_by_year(con)),
        ("codes", lambda: data.top_codes(con, latest, TOP_CODES)),
        ("index", lambda: data.cost_index_by_code(con, results["codes"])),
        ("setting", lambda: data.setting_by_code(con, latest, results["codes"])),
        ("bins", lambda: data.payment_distribution(con, latest, BINS_PER_DECADE)),
        ("concentration", lambda: data.payment_concentration(con, latest)),
        ("states", lambda: data.geography(con, "state")),
        ("tiles", lambda: data.state_tiles(con, latest)),
        ("regions", lambda: data.geography(con, "census_region")),
        ("ruca", lambda: data.geography(con, "ruca_class")),
        ("peers", lambda: data.state_peer_indexes(con, latest, MIN_STATE_SERVICES)),
        ("flagged", lambda: data.top_flagged(con, latest, TOP_FLAGGED)),
        ("flagged_by_year", lambda: data.flagged_by_year(con)),
        ("flagged_later_excluded", lambda: data.flagged_later_excluded(con)),
    ]
    for name, step in steps:
        started = time.perf_counter()
        results[name] = step()
        rows = len(results[name].rows) if isinstance(results[name], data.Table) else ""
        counted = f": {rows} rows" if rows != "" else ""
        LOGGER.info("read %s%s (%.2f s)", name, counted, time.perf_counter() - started)
    national = results["national"]
    national_latest = national.records()[-1]
    charts = [
        total_payment_chart(national),
        cost_index_chart(results["index"], results["codes"]),
        setting_chart(results["setting"], results["codes"], latest),
        distribution_chart(results["bins"], results["concentration"], latest),
        states_chart(results["states"], national_latest["payment_per_service"], latest),
        tile_map_chart(results["tiles"], latest),
        regions_chart(results["regions"], latest),
        urban_rural_chart(results["ruca"], latest),
        resource_chart(results["peers"], latest),
        flagged_chart(
            results["flagged"], results["flagged_by_year"], latest, results["flagged_later_excluded"]
        ),
    ]
    summary = {
        "first_year": years[0],
        "latest_year": latest,
        "total_payment": sum(national.column("total_medicare_payment")),
        "latest_payment": national_latest["total_medicare_payment"],
        "latest_providers": national_latest["providers"],
    }
    return charts, summary


STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 0 auto;
       max-width: 1100px; padding: 1.5rem; color: #222; }
h1 { margin-bottom: 0.2rem; }
section.chart { border-top: 1px solid #ddd; padding-top: 1rem; margin-top: 1.5rem; }
p.units, p.source { color: #666; font-size: 0.9rem; margin: 0.2rem 0; }
p.reading { font-size: 1.05rem; margin: 0.4rem 0; }
table.flagged, table.later-excluded { border-collapse: collapse; font-size: 0.85rem; margin-top: 0.8rem; }
table.flagged th, table.flagged td, table.later-excluded th, table.later-excluded td {
       border-bottom: 1px solid #eee; padding: 0.3rem; text-align: left; vertical-align: top; }
"""


def chart_html(chart: Chart) -> str:
    """One chart's section: title, units, reading, source, the plot and any table."""
    plot = chart.figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"chart-{chart.key}", config=PLOTLY_CONFIG
    )
    return (
        f'<section class="chart" id="{chart.key}" data-source="{html.escape(chart.source)}">'
        f"<h2>{html.escape(chart.title)}</h2>"
        f'<p class="units">Units: {html.escape(chart.units)}</p>'
        f'<p class="reading">{html.escape(chart.reading)}</p>'
        f"{plot}{chart.table_html}"
        f'<p class="source">Source: {html.escape(chart.source)}</p>'
        "</section>"
    )


def render(charts: list[Chart], summary: dict[str, object]) -> str:
    """The whole report as one HTML document, plotly.js included."""
    contents = "".join(f'<li><a href="#{chart.key}">{html.escape(chart.title)}</a></li>' for chart in charts)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>Deep Medicare report</title>"
        f"<style>{STYLE}</style>"
        f"<script>{get_plotlyjs()}</script>"
        "</head><body>"
        "<h1>Deep Medicare: Medicare physician payments</h1>"
        f"<p>CMS Medicare Physician &amp; Other Practitioners, by Provider and Service, data years "
        f"{summary['first_year']}-{summary['latest_year']}: {money(float(summary['total_payment']))} of "
        f"Medicare payment in all, {money(float(summary['latest_payment']))} to "
        f"{summary['latest_providers']:,} providers in {summary['latest_year']}. Generated {generated}. "
        "Hover a chart for exact figures.</p>"
        f'<script type="application/json" id="report-summary">{json.dumps(summary)}</script>'
        f"<ol>{contents}</ol>" + "".join(chart_html(chart) for chart in charts) + "</body></html>\n"
    )


def write_report(warehouse: Path, output: Path) -> Path:
    """Read the warehouse (read-only), draw every chart and write the HTML file."""
    if not warehouse.exists():
        raise SystemExit(f"no warehouse at {warehouse}: build it first (make build)")
    started = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        charts, summary = build_charts(con)
    document = render(charts, summary)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    LOGGER.info(
        "wrote %s: %d charts, %.1f MB, %.1f s",
        output,
        len(charts),
        output.stat().st_size / 1e6,
        time.perf_counter() - started,
    )
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("MEDICARE_DUCKDB_PATH", "warehouse/medicare.duckdb")),
        help="the DuckDB warehouse (default: $MEDICARE_DUCKDB_PATH, else warehouse/medicare.duckdb)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("target/report/medicare_report.html"),
        help="the HTML file to write",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="report: %(message)s")
    write_report(arguments.warehouse, arguments.output)


if __name__ == "__main__":
    main()
