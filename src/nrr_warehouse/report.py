"""The retention report: one self-contained HTML file built from the marts of a built warehouse.

Every number shown is read from a mart (`mrr_bridge_monthly`, `nrr_by_period`,
`company_benchmark`, `segment_benchmarks`, `cohort_retention`, `saas_metrics_monthly`,
`nrr_methods_compared`); this module only formats and draws them. Charts are altair specs
rendered to SVG by vl-convert, in process and offline, and inlined in the page: no JavaScript, no
CDN, no server. Definitions are read from the project's doc blocks,
where they are written once.

    nrr report [--warehouse PATH] [--out FILE]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import altair as alt
import vl_convert

from nrr_warehouse import marts
from nrr_warehouse.errors import HarnessError
from nrr_warehouse.marts import fetch
from nrr_warehouse.project import PROG, PROJECT_DIR

DOCS_FILE = PROJECT_DIR / "models" / "marts" / "_marts__docs.md"
CHART_WIDTH = 760
EN_DASH, MINUS = "\u2013", "\u2212"  # typography of ranges (100-115) and losses (-564)
FONT = "Liberation Sans, DejaVu Sans, Arial, Helvetica, sans-serif"
COLORS = {
    "nrr": "#1f5fa8",
    "grr": "#d9822b",
    "median": "#777777",
    "best_in_class": "#2e8b57",
    "new": "#2e8b57",
    "reactivation": "#7fc97f",
    "expansion": "#1f5fa8",
    "contraction": "#f0a04b",
    "churned": "#c0392b",
    "total": "#555555",
    "below": "#c0392b",
    "within": "#2e8b57",
    "above": "#1f5fa8",
    "no_band": "#888888",
    "gross_churn": "#c0392b",
    "net_churn": "#8e44ad",
    "expansion_rate": "#1f5fa8",
    "logo_churn": "#d9822b",
    "quick_ratio": "#2e8b57",
    "bridge_method": "#8e44ad",
}
# SPEC section 10's rates drawn over time (column of saas_metrics_monthly, label, colour key).
RATES = [
    ("gross_mrr_churn_rate_pct", "Gross MRR churn", "gross_churn"),
    ("net_mrr_churn_rate_pct", "Net MRR churn", "net_churn"),
    ("expansion_rate_pct", "Expansion", "expansion_rate"),
    ("logo_churn_rate_pct", "Logo churn", "logo_churn"),
]
MOVEMENTS = [
    # (column of mrr_bridge_monthly, label, sign in the bridge)
    ("new_mrr", "New", 1),
    ("reactivation_mrr", "Reactivation", 1),
    ("expansion_mrr", "Expansion", 1),
    ("contraction_mrr", "Contraction", -1),
    ("churned_mrr", "Churned", -1),
]
# The doc blocks shown under "How to read this", in this order.
DEFINITIONS = [
    ("MRR", "def_mrr"),
    ("ARR", "def_arr"),
    ("Movements", "def_movement_type"),
    ("Bridge", "def_bridge_identity"),
    ("Cohort (NRR, GRR)", "def_cohort_customers"),
    ("NRR", "def_nrr_pct"),
    ("GRR", "def_grr_pct"),
    ("Trailing 12 months", "def_trailing_12_months"),
    ("Segment band position", "def_position"),
    ("Company stage", "def_company_stage"),
    ("Rating", "def_rating"),
    ("Leaky bucket", "def_leaky_bucket"),
    ("Cohort month", "def_cohort_month"),
    ("ARPA", "def_arpa"),
    ("Quick ratio", "def_quick_ratio"),
    ("Logo churn rate", "def_logo_churn_rate_pct"),
    ("Gross MRR churn rate", "def_gross_mrr_churn_rate_pct"),
    ("Net MRR churn rate", "def_net_mrr_churn_rate_pct"),
    ("Expansion rate", "def_expansion_rate_pct"),
    ("Two NRR methods", "nrr_methods_compared"),
    ("Causes of movement", "def_movement_causes"),
    ("Expansion by cause", "def_expansion_by_cause"),
    ("Contraction by cause", "def_contraction_by_cause"),
]
# The causes of expansion and contraction (DECISIONLOG "Causes of expansion and contraction"):
# (cause in mrr_bridge_monthly's expansion_<cause>_mrr / contraction_<cause>_mrr, label, sign in the
# expansion, sign in the contraction).
CAUSES = [
    ("seats", "Seats", 1, 1),
    ("price", "Price", 1, 1),
    ("cross_sell", "Cross-sell", 1, -1),
    ("cross_sell_lost", "Cross-sell lost", -1, 1),
]


@dataclass
class ReportData:
    """Everything the report shows, as read from the marts."""

    warehouse: Path
    bridge: list[dict]
    trend: list[dict]
    company: dict | None
    segments: list[dict]
    cohorts: list[dict]
    rejected_rows: int
    saas: list[dict] = field(default_factory=list)
    methods: list[dict] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)
    causes: list[dict] = field(default_factory=list)
    # The trailing-12-month row of family_nrr_by_period (segment All) beside the company's, and the
    # family counts of dim_account_families (DECISIONLOG "Account families: the root of the parent
    # chain").
    family: dict | None = None
    # The trailing-12-month rows of nrr_by_dimension by plan, country and ARR band (DECISIONLOG
    # "Dimensions beside segment"); segments are shown against their bands above.
    dimensions: list[dict] = field(default_factory=list)

    @property
    def latest(self) -> dict:
        """The latest month of the bridge (the as-of month)."""
        return self.bridge[-1]


def load(warehouse: Path) -> ReportData:
    """Read the marts the report shows (read-only: a running BI tool or report never blocks)."""
    marts.check_readable(warehouse)
    with marts.connect(warehouse) as con:
        bridge = fetch(
            con,
            """
            select month, starting_mrr, new_mrr, reactivation_mrr, expansion_mrr,
                   contraction_mrr, churned_mrr, ending_mrr, ending_arr, active_customers,
                   new_customers, reactivated_customers, churned_customers
            from marts.mrr_bridge_monthly
            order by month
            """,
        )
        trend = fetch(
            con,
            """
            select period_end_month, nrr_pct, grr_pct, cohort_customers
            from marts.nrr_by_period
            where period_months = 12 and segment = 'All'
            order by period_end_month
            """,
        )
        company_rows = fetch(
            con,
            """
            select period_end_month, ending_arr, company_stage, nrr_pct, grr_pct, rating,
                   median_nrr_pct, best_in_class_nrr_pct, leaky_bucket
            from marts.company_benchmark
            order by period_end_month desc
            limit 1
            """,
        )
        company = company_rows[0] if company_rows else None
        segments = []
        if company is not None:
            segments = fetch(
                con,
                """
                select benchmarks.segment, benchmarks.nrr_pct, benchmarks.grr_pct,
                       benchmarks.benchmark_low_pct, benchmarks.benchmark_high_pct,
                       benchmarks.position, benchmarks.leaky_bucket, periods.cohort_customers
                from marts.segment_benchmarks as benchmarks
                inner join marts.nrr_by_period as periods
                    on benchmarks.period_end_month = periods.period_end_month
                    and benchmarks.segment = periods.segment
                    and periods.period_months = 12
                where benchmarks.period_end_month = ?
                """,
                [company["period_end_month"]],
            )
            segments = list(marts.by_segment(segments).values())
        cohorts = fetch(
            con,
            """
            select cohort_month, months_since_start, cohort_customers, cohort_starting_mrr, mrr,
                   revenue_retention_pct, active_customers, logo_retention_pct
            from marts.cohort_retention
            order by cohort_month, months_since_start
            """,
        )
        saas = fetch(
            con,
            """
            select month, arpa, quick_ratio, logo_churn_rate_pct, gross_mrr_churn_rate_pct,
                   net_mrr_churn_rate_pct, expansion_rate_pct, starting_customers,
                   churned_customers
            from marts.saas_metrics_monthly
            where segment = 'All'
            order by month
            """,
        )
        methods = fetch(
            con,
            """
            select period_end_month, period_months, cohort_nrr_pct, bridge_nrr_pct,
                   cohort_grr_pct, bridge_grr_pct, starting_mrr, period_new_mrr,
                   period_reactivation_mrr, non_cohort_ending_mrr, method_difference_mrr
            from marts.nrr_methods_compared
            where segment = 'All'
            order by period_end_month, period_months
            """,
        )
        causes = fetch(
            con,
            f"""
            select month, expansion_mrr, contraction_mrr,
                   {", ".join(f"expansion_{c}_mrr, contraction_{c}_mrr" for c, *_ in CAUSES)}
            from marts.mrr_bridge_monthly
            order by month
            """,
        )
        rejected_rows = con.execute("select count(*) from audit.rejected_rows").fetchone()[0]
        family = None
        if company is not None:
            family_rows = fetch(
                con,
                """
                select periods.nrr_pct, periods.grr_pct, periods.logo_retention_pct,
                       periods.cohort_customers, counts.families, counts.grouped_families
                from marts.family_nrr_by_period as periods
                cross join (
                    select count(distinct family_id) as families,
                           count(distinct case when family_members > 1 then family_id end)
                               as grouped_families
                    from marts.dim_account_families
                ) as counts
                where periods.period_months = 12 and periods.segment = 'All'
                  and periods.period_end_month = ?
                """,
                [company["period_end_month"]],
            )
            family = family_rows[0] if family_rows else None
        dimensions = []
        if company is not None:
            dimensions = fetch(
                con,
                """
                select periods.dimension, periods.dimension_value, periods.cohort_customers,
                       periods.starting_mrr, periods.nrr_pct, periods.grr_pct,
                       periods.logo_retention_pct
                from marts.nrr_by_dimension as periods
                left join reference.arr_bands as bands
                    on periods.dimension = 'arr_band' and periods.dimension_value = bands.arr_band
                where periods.period_months = 12 and periods.period_end_month = ?
                  and periods.dimension in ('plan', 'country', 'arr_band')
                  and periods.dimension_value != 'All'
                order by
                    case periods.dimension when 'plan' then 1 when 'arr_band' then 2 else 3 end,
                    bands.band_order, periods.starting_mrr desc, periods.dimension_value
                """,
                [company["period_end_month"]],
            )
    if not bridge:
        raise HarnessError(f"{warehouse}: marts.mrr_bridge_monthly is empty")
    return ReportData(
        warehouse=warehouse,
        bridge=bridge,
        trend=trend,
        company=company,
        segments=segments,
        cohorts=cohorts,
        rejected_rows=rejected_rows,
        saas=saas,
        methods=methods,
        definitions=read_doc_blocks(DOCS_FILE),
        causes=causes,
        family=family,
        dimensions=dimensions,
    )


def read_doc_blocks(path: Path) -> dict[str, str]:
    """The `{% docs name %}...{% enddocs %}` blocks of a dbt docs file, by name."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}", re.DOTALL)
    return {name: " ".join(body.split()) for name, body in pattern.findall(text)}


# ---------------------------------------------------------------------------------------------
# Formatting (display only: the values themselves come from the marts)


def money(value: Decimal | float) -> str:
    """A money amount with thousands separators and no decimals: 1,103,828."""
    return f"{float(value):,.0f}"


def money_short(value: Decimal | float) -> str:
    """A money amount for a tile: 13.25 M, 845.3 k."""
    number = float(value)
    if abs(number) >= 1e9:
        return f"{number / 1e9:,.2f} B"
    if abs(number) >= 1e6:
        return f"{number / 1e6:,.2f} M"
    if abs(number) >= 1e4:
        return f"{number / 1e3:,.1f} k"
    return f"{number:,.0f}"


def signed_money(sign: int, value: Decimal | float) -> str:
    """A bridge movement with its sign in the bridge: +68,998, \u2212564, 0."""
    text = money(value)
    if text == "0":
        return text
    return ("+" if sign > 0 else MINUS) + text


def pct(value: Decimal | float | None) -> str:
    """A percentage with one decimal: 114.7 %."""
    return EN_DASH if value is None else f"{float(value):.1f} %"


def month_text(value: date) -> str:
    """A month as 'Dec 2025'."""
    return f"{value:%b %Y}"


def iso(value: date) -> str:
    """A date for a Vega-Lite temporal field."""
    return value.isoformat()


def markdown_inline(text: str) -> str:
    """The little markdown the doc blocks use (`code`), as HTML; everything else escaped."""
    parts = text.split("`")
    return "".join(
        f"<code>{html.escape(part)}</code>" if i % 2 else html.escape(part)
        for i, part in enumerate(parts)
    )


# ---------------------------------------------------------------------------------------------
# Charts (altair specs; vl-convert renders them to SVG)


def base_config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Fonts and quiet axes shared by every chart."""
    return (
        chart.configure(font=FONT, background="white")
        .configure_view(strokeWidth=0)
        .configure_axis(labelFontSize=11, titleFontSize=12, gridColor="#e6e6e6")
        .configure_legend(labelFontSize=11, titleFontSize=12, orient="bottom", titleLimit=500)
    )


def trend_chart(data: ReportData) -> alt.TopLevelMixin:
    """Trailing-12-month NRR and GRR by end month, with the median and best-in-class lines."""
    points = []
    for row in data.trend:
        points.append(
            {"month": iso(row["period_end_month"]), "metric": "NRR", "pct": row["nrr_pct"]}
        )
        points.append(
            {"month": iso(row["period_end_month"]), "metric": "GRR", "pct": row["grr_pct"]}
        )
    company = data.company
    lines = [
        {"label": f"SaaS median {float(company['median_nrr_pct']):g} %",
         "pct": float(company["median_nrr_pct"]), "kind": "median"},
        {"label": f"Best in class {float(company['best_in_class_nrr_pct']):g} %",
         "pct": float(company["best_in_class_nrr_pct"]), "kind": "best_in_class"},
    ]  # fmt: skip
    values = [p["pct"] for p in points] + [line["pct"] for line in lines]
    domain = [min(values) - 5, max(values) + 5]
    y = alt.Y("pct:Q", title="% of starting MRR", scale=alt.Scale(domain=domain, nice=False))
    series = (
        alt.Chart(alt.Data(values=points))
        .mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.5)
        .encode(
            x=alt.X("month:T", title="12-month period ending in", axis=alt.Axis(format="%b %Y")),
            y=y,
            color=alt.Color(
                "metric:N",
                title=None,
                scale=alt.Scale(domain=["NRR", "GRR"], range=[COLORS["nrr"], COLORS["grr"]]),
            ),
        )
    )
    reference = alt.Chart(alt.Data(values=lines))
    rules = reference.mark_rule(strokeDash=[6, 4], strokeWidth=1.5).encode(
        y=alt.Y("pct:Q"),
        color=alt.Color(
            "kind:N",
            legend=None,
            scale=alt.Scale(
                domain=["median", "best_in_class", "NRR", "GRR"],
                range=[COLORS["median"], COLORS["best_in_class"], COLORS["nrr"], COLORS["grr"]],
            ),
        ),
    )
    width = CHART_WIDTH - 130  # room on the right for the reference lines' labels
    labels = reference.mark_text(align="left", dx=6, fontSize=11).encode(
        x=alt.value(width), y=alt.Y("pct:Q"), text="label:N", color=alt.value("#444444")
    )
    chart = alt.layer(series, rules, labels).resolve_scale(color="independent")
    return base_config(chart.properties(width=width, height=280))


def segment_chart(data: ReportData) -> alt.TopLevelMixin:
    """Each segment's trailing-12-month NRR (a dot) against its band (a grey bar)."""
    rows = []
    for row in data.segments:
        has_band = row["benchmark_low_pct"] is not None
        band = (
            f" (band {float(row['benchmark_low_pct']):g}{EN_DASH}"
            f"{float(row['benchmark_high_pct']):g} %)"
            if has_band
            else ""
        )
        rows.append(
            {
                "segment": row["segment"],
                "nrr": row["nrr_pct"],
                "low": float(row["benchmark_low_pct"]) if has_band else None,
                "high": float(row["benchmark_high_pct"]) if has_band else None,
                "position": row["position"],
                "label": f"NRR {pct(row['nrr_pct'])}: {row['position'].replace('_', ' ')}{band}",
                # where the label starts: right of the dot and of the band (drawing only)
                "label_at": max(row["nrr_pct"], float(row["benchmark_high_pct"] or 0)),
            }
        )
    numbers = [r["nrr"] for r in rows] + [v for r in rows for v in (r["low"], r["high"]) if v]
    domain = [min([*numbers, 100]) - 5, max(numbers) + 40]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("segment:N", title=None, sort=[r["segment"] for r in rows])
    )
    x_scale = alt.Scale(domain=domain, nice=False)
    bands = base.mark_bar(color="#d9d9d9", height=22, cornerRadius=3).encode(
        x=alt.X("low:Q", title="Trailing-12-month NRR %", scale=x_scale), x2="high:Q"
    )
    positions = ["below", "within", "above", "no_band"]
    dots = base.mark_point(filled=True, size=160, opacity=1).encode(
        x=alt.X("nrr:Q", scale=x_scale),
        color=alt.Color(
            "position:N",
            title="NRR against the band",
            scale=alt.Scale(domain=positions, range=[COLORS[p] for p in positions]),
        ),
    )
    labels = base.mark_text(align="left", dx=12, fontSize=11, color="#333333").encode(
        x=alt.X("label_at:Q", scale=x_scale), text="label:N"
    )
    hundred = (
        alt.Chart(alt.Data(values=[{"pct": 100}]))
        .mark_rule(color="#999999", strokeDash=[2, 2])
        .encode(x=alt.X("pct:Q", scale=x_scale))
    )
    chart = alt.layer(bands, hundred, dots, labels)
    return base_config(chart.properties(width=CHART_WIDTH, height=44 * len(rows)))


def waterfall_chart(data: ReportData) -> alt.TopLevelMixin:
    """The latest month's MRR bridge: starting MRR, each movement, ending MRR.

    Bar ends are running totals of the mart's amounts (drawing positions only); the labels are the
    amounts themselves, and the last bar is the mart's ending_mrr.
    """
    latest = data.latest
    steps = [
        {"step": "Starting MRR", "start": 0.0, "end": float(latest["starting_mrr"]),
         "kind": "total", "label": money(latest["starting_mrr"])},
    ]  # fmt: skip
    level = float(latest["starting_mrr"])
    for column, label, sign in MOVEMENTS:
        amount = float(latest[column])
        kind = column.removesuffix("_mrr")
        steps.append(
            {
                "step": label,
                "start": level,
                "end": level + sign * amount,
                "kind": kind,
                "label": signed_money(sign, latest[column]),
            }
        )
        level += sign * amount
    steps.append(
        {"step": "Ending MRR", "start": 0.0, "end": float(latest["ending_mrr"]), "kind": "total",
         "label": money(latest["ending_mrr"])}
    )  # fmt: skip
    domain = waterfall_domain([s["end"] for s in steps] + [s["start"] for s in steps[1:-1]])
    kinds = ["total", *[c.removesuffix("_mrr") for c, _, _ in MOVEMENTS]]
    base = alt.Chart(alt.Data(values=steps)).encode(
        x=alt.X("step:N", title=None, sort=[s["step"] for s in steps], axis=alt.Axis(labelAngle=0))
    )
    bars = base.mark_bar(size=48).encode(
        y=alt.Y(
            "start:Q",
            title="MRR" if domain[0] == 0 else "MRR (axis does not start at 0)",
            scale=alt.Scale(domain=domain, nice=False, clamp=True),
        ),
        y2="end:Q",
        color=alt.Color(
            "kind:N", legend=None, scale=alt.Scale(domain=kinds, range=[COLORS[k] for k in kinds])
        ),
    )
    labels = base.transform_calculate(top="max(datum.start, datum.end)").mark_text(
        dy=-8, fontSize=11, color="#333333"
    )
    labels = labels.encode(
        y=alt.Y("top:Q", scale=alt.Scale(domain=domain, clamp=True)), text="label:N"
    )
    return base_config(alt.layer(bars, labels).properties(width=CHART_WIDTH, height=300))


def waterfall_domain(levels: list[float]) -> list[float]:
    """The waterfall's y range: from 0, unless the movements would be too thin to see from 0.

    Movements of a few percent of MRR are a few pixels on an axis from 0, so the axis is cut just
    below the lowest level. Not when nothing moved (there is nothing to zoom on, and a range of
    width 0 would hide every bar) or when the movements are large anyway.
    """
    top, spread = max(levels), max(levels) - min(levels)
    if top <= 0:
        return [0.0, 1.0]
    if spread == 0 or spread >= 0.15 * top:
        return [0.0, 1.12 * top]
    return [max(min(levels) - 0.4 * spread, 0.0), top + 0.12 * spread]


def movements_chart(data: ReportData) -> alt.TopLevelMixin:
    """Monthly MRR movements over time: gains above zero, losses below."""
    values = []
    for row in data.bridge:
        for column, label, sign in MOVEMENTS:
            values.append(
                {"month": iso(row["month"]), "movement": label, "amount": sign * float(row[column])}
            )
    labels = [label for _, label, _ in MOVEMENTS]
    kinds = [column.removesuffix("_mrr") for column, _, _ in MOVEMENTS]
    bars = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X(
                "yearmonth(month):O", title=None, axis=alt.Axis(format="%b %y", labelAngle=-60)
            ),
            y=alt.Y("sum(amount):Q", title="MRR moved in the month (losses below 0)"),
            color=alt.Color(
                "movement:N",
                title=None,
                scale=alt.Scale(domain=labels, range=[COLORS[k] for k in kinds]),
            ),
            order=alt.Order("order:Q"),
        )
        .transform_calculate(order=f"indexof({labels!r}, datum.movement)")
    )
    return base_config(bars.properties(width=CHART_WIDTH, height=280))


def cohort_heatmap(data: ReportData, column: str, title: str, domain: list[int]) -> alt.Chart:
    """One row per starting cohort, one column per month since its start, coloured by `column`."""
    values = [
        {
            "cohort": f"{row['cohort_month']:%Y-%m}",
            "months": row["months_since_start"],
            "pct": row[column],
        }
        for row in data.cohorts
    ]
    cohorts = cohort_labels(data)
    return (
        alt.Chart(alt.Data(values=values))
        .mark_rect()
        .encode(
            x=alt.X("months:O", title="Months since the cohort's first month with MRR",
                    axis=alt.Axis(labelAngle=0, values=list(range(0, 400, 6)))),
            y=alt.Y("cohort:O", title="Cohort (first month with MRR)", sort=cohorts,
                    axis=alt.Axis(values=cohorts[:: max(1, len(cohorts) // 16)])),
            color=alt.Color(
                "pct:Q",
                title=title,
                scale=alt.Scale(scheme="redyellowblue", domain=domain, clamp=True),
                legend=alt.Legend(gradientLength=300),
            ),
        )
    )  # fmt: skip


def cohort_labels(data: ReportData) -> list[str]:
    """The cohorts, oldest first, as the heatmaps' row labels."""
    return sorted({f"{row['cohort_month']:%Y-%m}" for row in data.cohorts})


def cohort_sizes(data: ReportData) -> alt.Chart:
    """Beside a heatmap: each cohort's size in customers, so a cohort of one does not look as
    important as a cohort of fifty."""
    sizes = {
        f"{row['cohort_month']:%Y-%m}": row["cohort_customers"]
        for row in data.cohorts
        if row["months_since_start"] == 0
    }
    values = [{"cohort": cohort, "customers": sizes[cohort]} for cohort in cohort_labels(data)]
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("cohort:O", sort=cohort_labels(data), axis=None)
    )
    bars = base.mark_bar(color=COLORS["total"]).encode(
        x=alt.X("customers:Q", title="Customers in the cohort")
    )
    return bars


def cohort_chart(data: ReportData, column: str = "revenue_retention_pct") -> alt.TopLevelMixin:
    """Revenue (or logo) retention of each starting cohort by months since its start, with the
    cohort's size beside each row."""
    if column == "revenue_retention_pct":
        heatmap = cohort_heatmap(
            data, column, "Revenue retained, % of the cohort's first-month MRR", [0, 100, 200]
        )
    else:
        heatmap = cohort_heatmap(
            data, column, "Customers still paying, % of the cohort", [0, 50, 100]
        )
    cohorts = cohort_labels(data)
    cell = max(6, min(16, 640 // max(len(cohorts), 1)))
    height = cell * len(cohorts)
    chart = alt.hconcat(
        heatmap.properties(width=CHART_WIDTH - 170, height=height),
        cohort_sizes(data).properties(width=110, height=height),
        spacing=8,
    )
    return base_config(chart)


def rates_chart(data: ReportData) -> alt.TopLevelMixin:
    """SPEC section 10's churn and expansion rates by month, and the quick ratio below them."""
    values = [
        {"month": iso(row["month"]), "rate": label, "pct": row[column]}
        for row in data.saas
        for column, label, _ in RATES
        if row[column] is not None
    ]
    labels = [label for _, label, _ in RATES]
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y"))
    rates = (
        alt.Chart(alt.Data(values=values))
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("pct:Q", title="% of last month's MRR (logo churn: of customers)"),
            color=alt.Color(
                "rate:N",
                title=None,
                scale=alt.Scale(domain=labels, range=[COLORS[key] for _, _, key in RATES]),
            ),
        )
    )
    zero = alt.Chart(alt.Data(values=[{"pct": 0}])).mark_rule(color="#999999").encode(y="pct:Q")
    ratios = [
        {"month": iso(row["month"]), "quick_ratio": row["quick_ratio"]}
        for row in data.saas
        if row["quick_ratio"] is not None
    ]
    quick = (
        alt.Chart(alt.Data(values=ratios))
        .mark_line(point=alt.OverlayMarkDef(size=20), color=COLORS["quick_ratio"], strokeWidth=2)
        .encode(x=x, y=alt.Y("quick_ratio:Q", title="Quick ratio (gained ÷ lost MRR)"))
    )
    one = alt.Chart(alt.Data(values=[{"q": 1}])).mark_rule(color="#999999", strokeDash=[4, 3])
    chart = alt.vconcat(
        alt.layer(zero, rates).properties(width=CHART_WIDTH - 40, height=240),
        alt.layer(one.encode(y="q:Q"), quick).properties(width=CHART_WIDTH - 40, height=160),
        spacing=18,
    )
    return base_config(chart)


def methods_chart(data: ReportData) -> alt.TopLevelMixin:
    """Trailing-12-month NRR by the cohort method and by the bridge method, by end month."""
    values = []
    for row in data.methods:
        if row["period_months"] != 12:
            continue
        month = iso(row["period_end_month"])
        values.append(
            {"month": month, "method": "Cohort (nrr_by_period)", "pct": row["cohort_nrr_pct"]}
        )
        values.append(
            {"month": month, "method": "Bridge (Baremetrics)", "pct": row["bridge_nrr_pct"]}
        )
    domain = ["Cohort (nrr_by_period)", "Bridge (Baremetrics)"]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.5)
        .encode(
            x=alt.X("month:T", title="12-month period ending in", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("pct:Q", title="NRR, % of starting MRR", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "method:N",
                title=None,
                scale=alt.Scale(domain=domain, range=[COLORS["nrr"], COLORS["bridge_method"]]),
            ),
        )
    )
    return base_config(chart.properties(width=CHART_WIDTH - 40, height=260))


def svg(chart: alt.TopLevelMixin, prefix: str) -> str:
    """The chart as inline SVG; ids made unique so several SVGs can share one page."""
    markup = vl_convert.vegalite_to_svg(chart.to_dict())
    ids = set(re.findall(r'\bid="([^"]+)"', markup))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        markup = markup.replace(f'id="{old}"', f'id="{new}"')
        markup = markup.replace(f"url(#{old})", f"url(#{new})")
        markup = markup.replace(f'href="#{old}"', f'href="#{new}"')
    return markup.replace("<svg ", f'<svg data-chart="{prefix}" role="img" ', 1)


# ---------------------------------------------------------------------------------------------
# The page


def tile(label: str, value: str, note: str = "", mart: str = "", raw: object = None) -> str:
    """One headline tile; data-* attributes carry the exact mart value it shows."""
    attributes = ""
    if mart:
        attributes = f' data-mart="{html.escape(mart)}" data-value="{html.escape(str(raw))}"'
    return (
        f'<div class="tile"><div class="label">{html.escape(label)}</div>'
        f'<div class="value"{attributes}>{html.escape(value)}</div>'
        f'<div class="note">{html.escape(note)}</div></div>'
    )


def figure(title: str, body: str, caption: str, key: str) -> str:
    """A titled chart (or sentence) with its caption."""
    return (
        f'<section class="figure" id="{key}"><h2>{html.escape(title)}</h2>{body}'
        f'<p class="caption">{caption}</p></section>'
    )


def headline(data: ReportData) -> str:
    """The tiles: ARR and MRR at the as-of month, trailing NRR/GRR, stage and rating."""
    latest, company = data.latest, data.company
    tiles = [
        tile(
            "ARR",
            money_short(latest["ending_arr"]),
            f"{money(latest['ending_arr'])} at the end of {month_text(latest['month'])}",
            "mrr_bridge_monthly.ending_arr",
            latest["ending_arr"],
        ),
        tile(
            "MRR",
            money_short(latest["ending_mrr"]),
            f"{latest['active_customers']:,} active customers",
            "mrr_bridge_monthly.ending_mrr",
            latest["ending_mrr"],
        ),
    ]
    if company is not None:
        suffix = ""
        if company["period_end_month"] != latest["month"]:
            suffix = f" (12 months to {month_text(company['period_end_month'])})"
        tiles += [
            tile(
                "NRR, trailing 12 months",
                pct(company["nrr_pct"]),
                f"SaaS median {float(company['median_nrr_pct']):g} %, best in class "
                f"{float(company['best_in_class_nrr_pct']):g} %{suffix}",
                "company_benchmark.nrr_pct",
                company["nrr_pct"],
            ),
            tile(
                "GRR, trailing 12 months",
                pct(company["grr_pct"]),
                "revenue kept before expansion",
                "company_benchmark.grr_pct",
                company["grr_pct"],
            ),
            tile(
                "NRR rating",
                company["rating"],
                f"company stage: {company['company_stage']} (by ARR)",
                "company_benchmark.rating",
                company["rating"],
            ),
        ]
    parts = [f'<div class="tiles">{"".join(tiles)}</div>']
    if company is not None and company["leaky_bucket"]:
        parts.append(
            '<div class="warning" data-mart="company_benchmark.leaky_bucket" data-value="True">'
            f"<strong>Leaky bucket.</strong> NRR is {pct(company['nrr_pct'])} (at least 100 %) "
            f"while GRR is only {pct(company['grr_pct'])}: expansion of the customers who stay is "
            "hiding churn and contraction. Growth depends on upselling a shrinking base.</div>"
        )
    if data.family is not None:
        parts.append(family_grain_line(data.family))
    if company is None:
        parts.append(no_trailing_nrr_notice(data))
    return "".join(parts)


def family_grain_line(family: dict) -> str:
    """The family-grain NRR, GRR and logo retention beside the customer-grain tiles."""

    def figure_of(column: str) -> str:
        return (
            f'<strong data-mart="family_nrr_by_period.{column}" data-value="{family[column]}">'
            f"{html.escape(pct(family[column]))}</strong>"
        )

    grouping = (
        f"{family['grouped_families']:,} of {family['families']:,} families have more than one "
        "member"
        if family["grouped_families"]
        else "no customer names a parent, so every customer is its own family"
    )
    return (
        '<p class="family-grain">By account family (a subsidiary\'s churn while its parent '
        f"pays is a contraction of the family), trailing 12 months: NRR {figure_of('nrr_pct')}, "
        f"GRR {figure_of('grr_pct')}, logo retention {figure_of('logo_retention_pct')} over "
        f"{family['cohort_customers']:,} families ({grouping}; <code>family_nrr_by_period</code>, "
        "<code>dim_account_families</code>).</p>"
    )


def no_trailing_nrr_notice(data: ReportData) -> str:
    """The sentence shown instead of the NRR tiles and charts when there is no 12-month NRR."""
    first, last = data.bridge[0]["month"], data.latest["month"]
    months = len(data.bridge)
    return (
        '<div class="notice" id="no-trailing-nrr"><strong>No trailing-12-month NRR yet.</strong> '
        f"The data covers {months} month{'s' if months != 1 else ''} "
        f"({month_text(first)} to {month_text(last)}). NRR and GRR over 12 months compare a "
        "cohort's MRR in one month with its MRR 12 months later, so they need at least 13 months "
        "of history; the benchmark figures (stage, rating, segment bands, leaky bucket) need them "
        "too. The bridge and the cohort retention below are complete.</div>"
    )


def definitions_html(data: ReportData) -> str:
    """'How to read this': the charts in two sentences each, then the definitions (doc blocks)."""
    reading = """
<p>Every figure is read from the marts of the warehouse; nothing is recomputed for this page.
Months are month-end snapshots: what is in force on the month's last day. Percentages are of the
starting MRR of the group in question.</p>
<ul>
<li><strong>NRR and GRR over time</strong>: each point is a 12-month period ending in that month,
for every customer who paid in its first month. NRR above 100 % means the customers you had a year
ago pay more today than they did then; GRR shows what they kept before any expansion.</li>
<li><strong>Segments against their bands</strong>: the grey bar is the range typical for the
segment, the dot its NRR (red below the band, green within, blue above).</li>
<li><strong>Bridge</strong>: how last month's MRR became this month's; the movements over time show
the same five amounts every month, gains above zero, losses below.</li>
<li><strong>Churn rates and quick ratio</strong>: each month's losses and expansion as a share of
last month's MRR; the quick ratio is MRR gained for every unit lost (above 1: growing).</li>
<li><strong>Two NRR methods</strong>: the same 12 months measured on the start month's customers
(cohort) and summed from the monthly bridges (bridge); the table shows the amounts between
them.</li>
<li><strong>Cohorts</strong>: each row is the customers who first paid in one month; a cell is
their MRR n months later as a share of their first month's MRR (blue above 100 %, red towards
0 %), the bar beside it the cohort's size. The logo view counts customers instead of MRR.</li>
</ul>"""
    items = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{markdown_inline(data.definitions[name])}</dd>"
        for term, name in DEFINITIONS
        if name in data.definitions
    )
    return (
        f'<section class="figure" id="how-to-read"><h2>How to read this</h2>{reading}'
        f"<dl>{items}</dl>"
        '<p class="caption">Definitions as written once in the project\'s doc blocks '
        "(<code>models/marts/_marts__docs.md</code>); the choices behind them are in "
        "<code>DECISIONLOG.md</code>.</p></section>"
    )


CSS = """
* { box-sizing: border-box; }
body { font-family: Liberation Sans, DejaVu Sans, Arial, Helvetica, sans-serif; color: #222;
       margin: 0; background: #f4f5f7; font-size: 15px; line-height: 1.45; }
main { max-width: 900px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 0 0 10px; }
.subtitle { color: #555; margin: 0 0 20px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 16px; }
.tile { flex: 1 1 140px; border: 1px solid #e1e4e8; border-radius: 8px; padding: 12px 14px; }
.tile .label { font-size: 12px; color: #555; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 26px; font-weight: bold; margin: 4px 0; }
.tile .note { font-size: 12px; color: #666; }
.warning { background: #fdecea; border-left: 5px solid #c0392b; padding: 10px 14px;
           margin: 0 0 16px; }
.notice { background: #fff8e1; border-left: 5px solid #d9822b; padding: 10px 14px;
          margin: 0 0 16px; }
.figure { margin: 28px 0 0; padding-top: 16px; border-top: 1px solid #e1e4e8; }
.figure svg { max-width: 100%; height: auto; display: block; }
.caption { color: #555; font-size: 13px; margin: 6px 0 0; }
table { border-collapse: collapse; font-size: 13px; margin-top: 10px; }
th, td { padding: 4px 10px; text-align: right; border-bottom: 1px solid #eee; }
th:first-child, td:first-child { text-align: left; }
dt { font-weight: bold; margin-top: 8px; }
dd { margin: 2px 0 0 0; font-size: 14px; }
code { background: #f0f1f3; padding: 0 3px; border-radius: 3px; font-size: 90%; }
footer { color: #777; font-size: 12px; margin-top: 32px; }
"""


def segment_table(data: ReportData) -> str:
    """The figures behind the segment chart."""
    rows = []
    for row in data.segments:
        band = (
            f"{float(row['benchmark_low_pct']):g}{EN_DASH}{float(row['benchmark_high_pct']):g} %"
            if row["benchmark_low_pct"] is not None
            else EN_DASH
        )
        rows.append(
            f'<tr data-segment="{html.escape(row["segment"])}" data-nrr="{row["nrr_pct"]!r}">'
            f"<td>{html.escape(row['segment'])}</td><td>{row['cohort_customers']:,}</td>"
            f"<td>{pct(row['nrr_pct'])}</td><td>{pct(row['grr_pct'])}</td><td>{band}</td>"
            f"<td>{html.escape(row['position'].replace('_', ' '))}</td>"
            f"<td>{'leaky bucket' if row['leaky_bucket'] else ''}</td></tr>"
        )
    return (
        "<table><tr><th>Segment</th><th>Cohort</th><th>NRR</th><th>GRR</th><th>Band</th>"
        f"<th>Position</th><th></th></tr>{''.join(rows)}</table>"
    )


def ratio_text(value: float | None) -> str:
    """A ratio with two decimals (the quick ratio), a dash when there is none."""
    return EN_DASH if value is None else f"{value:.2f}"


def saas_tiles(data: ReportData) -> str:
    """The latest month's SPEC section 10 figures (segment All), each with its mart value."""
    latest = data.saas[-1]
    month = month_text(latest["month"])
    tiles = [
        tile("ARPA", money(latest["arpa"]) if latest["arpa"] is not None else EN_DASH,
             f"MRR per active customer, {month}", "saas_metrics_monthly.arpa", latest["arpa"]),
        tile("Quick ratio", ratio_text(latest["quick_ratio"]), "gained ÷ lost MRR",
             "saas_metrics_monthly.quick_ratio", latest["quick_ratio"]),
        tile("Logo churn", pct(latest["logo_churn_rate_pct"]),
             f"{latest['churned_customers']:,} of {latest['starting_customers']:,} customers",
             "saas_metrics_monthly.logo_churn_rate_pct", latest["logo_churn_rate_pct"]),
        tile("Gross MRR churn", pct(latest["gross_mrr_churn_rate_pct"]), "contraction + churn",
             "saas_metrics_monthly.gross_mrr_churn_rate_pct", latest["gross_mrr_churn_rate_pct"]),
        tile("Net MRR churn", pct(latest["net_mrr_churn_rate_pct"]), "negative is good",
             "saas_metrics_monthly.net_mrr_churn_rate_pct", latest["net_mrr_churn_rate_pct"]),
        tile("Expansion", pct(latest["expansion_rate_pct"]), "of last month's MRR",
             "saas_metrics_monthly.expansion_rate_pct", latest["expansion_rate_pct"]),
    ]  # fmt: skip
    return f'<div class="tiles">{"".join(tiles)}</div>'


def methods_table(data: ReportData) -> str:
    """The latest end month's NRR by both methods, per period length, with the amounts between."""
    latest = max(row["period_end_month"] for row in data.methods)
    rows = []
    for row in data.methods:
        if row["period_end_month"] != latest:
            continue
        arrived = row["period_new_mrr"] + row["period_reactivation_mrr"]
        rows.append(
            f'<tr data-period="{row["period_months"]}" data-cohort-nrr="{row["cohort_nrr_pct"]!r}"'
            f' data-bridge-nrr="{row["bridge_nrr_pct"]!r}"'
            f' data-difference="{row["method_difference_mrr"]}">'
            f"<td>{row['period_months']} month{'s' if row['period_months'] != 1 else ''}</td>"
            f"<td>{pct(row['cohort_nrr_pct'])}</td><td>{pct(row['bridge_nrr_pct'])}</td>"
            f"<td>{pct(row['cohort_grr_pct'])}</td><td>{pct(row['bridge_grr_pct'])}</td>"
            f"<td>{money(row['starting_mrr'])}</td><td>{money(arrived)}</td>"
            f"<td>{money(row['non_cohort_ending_mrr'])}</td>"
            f"<td>{money(row['method_difference_mrr'])}</td></tr>"
        )
    return (
        f"<table><tr><th>To {month_text(latest)}</th><th>Cohort NRR</th><th>Bridge NRR</th>"
        "<th>Cohort GRR</th><th>Bridge GRR</th><th>Starting MRR</th>"
        "<th>New + reactivated</th><th>Their MRR at the end</th><th>Difference</th></tr>"
        f"{''.join(rows)}</table>"
    )


DIMENSION_LABELS = {"plan": "Plan", "arr_band": "ARR band", "country": "Country"}


def dimensions_table(data: ReportData) -> str:
    """Trailing-12-month NRR, GRR and logo retention by plan, ARR band and country."""
    rows = []
    for row in data.dimensions:
        rows.append(
            f'<tr data-dimension="{html.escape(row["dimension"])}"'
            f' data-dimension-value="{html.escape(row["dimension_value"])}"'
            f' data-nrr="{row["nrr_pct"]!r}" data-grr="{row["grr_pct"]!r}"'
            f' data-cohort="{row["cohort_customers"]}">'
            f"<td>{DIMENSION_LABELS[row['dimension']]}</td>"
            f"<td>{html.escape(row['dimension_value'])}</td>"
            f"<td>{row['cohort_customers']:,}</td><td>{money(row['starting_mrr'])}</td>"
            f"<td>{pct(row['nrr_pct'])}</td><td>{pct(row['grr_pct'])}</td>"
            f"<td>{pct(row['logo_retention_pct'])}</td></tr>"
        )
    return (
        "<table><tr><th>Dimension</th><th>Value</th><th>Cohort</th><th>Starting MRR</th>"
        "<th>NRR</th><th>GRR</th><th>Logo retention</th></tr>"
        f"{''.join(rows)}</table>"
    )


def signed(value: Decimal | float) -> str:
    """An amount with its own sign: +1,200, \u2212300, 0."""
    return signed_money(1 if value >= 0 else -1, abs(value))


def causes_table(data: ReportData) -> str:
    """The expansion and contraction of the latest month and of the last 12 months, by cause."""
    latest = data.causes[-1]
    year = data.causes[-12:]
    totals = {column: sum(row[column] for row in year) for column in latest if column != "month"}

    def cells(figures: dict, cause: str, expansion_sign: int, contraction_sign: int) -> str:
        expansion = figures[f"expansion_{cause}_mrr"]
        contraction = figures[f"contraction_{cause}_mrr"]
        # Each part as it moves MRR: + adds, - removes (a contraction's seats lost are -).
        return (
            f"<td>{signed(expansion_sign * expansion)}</td>"
            f"<td>{signed(-contraction_sign * contraction)}</td>"
        )

    rows = []
    for cause, label, expansion_sign, contraction_sign in CAUSES:
        rows.append(
            f'<tr data-cause="{cause}" data-expansion="{latest[f"expansion_{cause}_mrr"]}"'
            f' data-contraction="{latest[f"contraction_{cause}_mrr"]}">'
            f"<td>{label}</td>{cells(latest, cause, expansion_sign, contraction_sign)}"
            f"{cells(totals, cause, expansion_sign, contraction_sign)}</tr>"
        )
    rows.append(
        f'<tr data-cause="total" data-expansion="{latest["expansion_mrr"]}"'
        f' data-contraction="{latest["contraction_mrr"]}"><th>Total</th>'
        f"<th>{signed_money(1, latest['expansion_mrr'])}</th>"
        f"<th>{signed_money(-1, latest['contraction_mrr'])}</th>"
        f"<th>{signed_money(1, totals['expansion_mrr'])}</th>"
        f"<th>{signed_money(-1, totals['contraction_mrr'])}</th></tr>"
    )
    return (
        f"<table><tr><th>Cause</th><th>Expansion, {month_text(latest['month'])}</th>"
        f"<th>Contraction, {month_text(latest['month'])}</th>"
        f"<th>Expansion, {len(year)} months</th><th>Contraction, {len(year)} months</th></tr>"
        f"{''.join(rows)}</table>"
    )


def render(data: ReportData) -> str:
    """The whole page."""
    latest = data.latest
    sections = []
    if data.company is not None:
        sections.append(
            figure(
                "NRR and GRR, trailing 12 months",
                svg(trend_chart(data), "trend"),
                "Cohort method, all customers. Dashed lines: the SaaS reference lines from "
                "<code>company_benchmark</code>.",
                "trend",
            )
        )
        segments_body = (
            svg(segment_chart(data), "segments") + segment_table(data)
            if data.segments
            else "<p>No segment has a trailing-12-month NRR for this month.</p>"
        )
        sections.append(
            figure(
                f"Segments against their NRR bands, 12 months to "
                f"{month_text(data.company['period_end_month'])}",
                segments_body,
                "From <code>segment_benchmarks</code>; a segment without a band (Unknown) is "
                "shown but not judged.",
                "segments",
            )
        )
    if data.dimensions:
        sections.append(
            figure(
                f"NRR by plan, ARR band and country, 12 months to "
                f"{month_text(data.company['period_end_month'])}",
                dimensions_table(data),
                "From <code>nrr_by_dimension</code> (the company's row is the headline). A "
                "plan's cohort is the customers paying for it 12 months ago, with that plan's "
                "revenue only: a customer who moved to another plan churned from this one. The "
                "ARR band is the customer's 12 months ago (bands: seed <code>arr_bands</code>); "
                "the country its current one.",
                "dimensions",
            )
        )
    sections.append(
        figure(
            f"MRR bridge, {month_text(latest['month'])}",
            svg(waterfall_chart(data), "bridge"),
            "From <code>mrr_bridge_monthly</code>: starting MRR + new + reactivation + expansion "
            "&minus; contraction &minus; churned = ending MRR.",
            "bridge",
        )
    )
    if data.causes:
        sections.append(
            figure(
                "Why MRR moved: expansion and contraction by cause",
                causes_table(data),
                "From <code>mrr_bridge_monthly</code>'s expansion_&lt;cause&gt;_mrr and "
                "contraction_&lt;cause&gt;_mrr: seats at the old price per seat, then price at "
                "the new seats, subscriptions added (cross-sell) and removed (cross-sell lost), "
                "of customers paying in both months. Each column adds up to its total; a "
                "customer who expanded may have lost a subscription, hence a negative part.",
                "causes",
            )
        )
    sections.append(
        figure(
            "MRR movements by month",
            svg(movements_chart(data), "movements"),
            "From <code>mrr_bridge_monthly</code>, every reporting month.",
            "movements",
        )
    )
    if data.saas:
        sections.append(
            figure(
                "Churn rates and quick ratio by month",
                saas_tiles(data) + svg(rates_chart(data), "rates"),
                "From <code>saas_metrics_monthly</code>, all customers. A rate is missing where "
                "its denominator is 0 (the first month; the quick ratio in a month that lost "
                "nothing).",
                "rates",
            )
        )
    if data.methods:
        sections.append(
            figure(
                "Two NRR methods",
                # The chart is of 12-month periods; with less history, the table alone.
                (
                    svg(methods_chart(data), "methods")
                    if any(row["period_months"] == 12 for row in data.methods)
                    else ""
                )
                + methods_table(data),
                "From <code>nrr_methods_compared</code>, all customers. The cohort method (the "
                "figure investors usually mean) follows the customers of the start month; the "
                "bridge method (Baremetrics) adds up the monthly expansion, contraction and churn "
                "of every customer, those who arrived inside the period included. The difference "
                "is exactly the new and reactivated MRR of the period less what those customers "
                "pay at its end.",
                "methods",
            )
        )
    sections.append(
        figure(
            "Cohort revenue retention",
            svg(cohort_chart(data), "cohorts"),
            "From <code>cohort_retention</code>. Colours stop at 0 % and 200 %; a cohort can "
            "exceed 100 % when its customers expand or come back. The bars beside the rows are "
            "the cohorts' sizes: a cohort of one customer swings from 0 % to 200 % on its own.",
            "cohorts",
        )
    )
    sections.append(
        figure(
            "Cohort logo retention",
            svg(cohort_chart(data, "logo_retention_pct"), "logos"),
            "From <code>cohort_retention.logo_retention_pct</code>: the share of each cohort's "
            "customers still paying n months after their first month (never above 100 %).",
            "logos",
        )
    )
    sections.append(definitions_html(data))
    rejected = ""
    if data.rejected_rows:
        rejected = (
            f" {data.rejected_rows:,} input rows were rejected and are not in these figures "
            "(see <code>audit.rejected_rows</code>)."
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Revenue retention report, {month_text(latest["month"])}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>Revenue retention, {month_text(latest["month"])}</h1>
<p class="subtitle">Month-end figures from {month_text(data.bridge[0]["month"])} to
{month_text(latest["month"])}, in the reporting currency.{rejected}</p>
{headline(data)}
{"".join(sections)}
<footer>Warehouse: <code>{html.escape(str(data.warehouse))}</code>. Generated by
<code>{PROG} report</code>.</footer>
</main>
</body>
</html>
"""


def write_report(warehouse: Path, out: Path) -> Path:
    """Read the marts of `warehouse`, write the HTML report to `out`; return its path."""
    page = render(load(warehouse))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
