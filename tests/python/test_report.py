"""The HTML report: its figures equal the marts, it is self-contained, and a browser renders it."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EXAMPLES_DIR, PROJECT_DIR, rows, run_harness

CHARTS = ["trend", "segments", "bridge", "movements", "rates", "methods", "cohorts", "logos"]
# Flags for headless Chromium on a closed network: without the background-networking ones it
# tries to reach Google services and its connections are refused.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]
SCREENSHOT = PROJECT_DIR / "target" / "report-test" / "report.png"


@pytest.fixture(scope="module")
def demo_report(demo_warehouse, tmp_path_factory) -> Path:
    """`nrr report` of the demo warehouse."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    process = run_harness("report", "--warehouse", demo_warehouse, "--out", out)
    assert process.returncode == 0, process.stdout + process.stderr
    assert process.stdout.strip() == str(out)
    return out


def shown(page: str) -> dict[str, tuple[str, str]]:
    """The tiles' figures: mart column -> (exact value from the mart, text shown)."""
    pattern = r'data-mart="([^"]+)" data-value="([^"]*)">([^<]*)<'
    return {mart: (value, text) for mart, value, text in re.findall(pattern, page)}


def test_headline_figures_equal_the_marts(demo_warehouse, demo_report):
    page = demo_report.read_text()
    figures = shown(page)
    month, arr, mrr = rows(
        demo_warehouse,
        "select month, ending_arr, ending_mrr from marts.mrr_bridge_monthly"
        " order by month desc limit 1",
    )[0]
    assert Decimal(figures["mrr_bridge_monthly.ending_arr"][0]) == arr
    assert Decimal(figures["mrr_bridge_monthly.ending_mrr"][0]) == mrr
    assert figures["mrr_bridge_monthly.ending_arr"][1] == f"{float(arr) / 1e6:,.2f} M"

    # The trailing-12-month NRR and GRR tiles are the marts' figures for the as-of month, exactly.
    nrr, grr = rows(
        demo_warehouse,
        "select nrr_pct, grr_pct from marts.nrr_by_period"
        " where period_months = 12 and segment = 'All' and period_end_month = ?",
        [month],
    )[0]
    company = rows(
        demo_warehouse,
        "select nrr_pct, grr_pct, rating from marts.company_benchmark where period_end_month = ?",
        [month],
    )[0]
    assert float(figures["company_benchmark.nrr_pct"][0]) == nrr == company[0]
    assert float(figures["company_benchmark.grr_pct"][0]) == grr == company[1]
    assert figures["company_benchmark.nrr_pct"][1] == f"{nrr:.1f} %"  # 114.7 % in the demo
    assert figures["company_benchmark.grr_pct"][1] == f"{grr:.1f} %"
    assert figures["company_benchmark.rating"][1] == company[2]
    assert "Revenue retention, Dec 2025" in page


def test_segment_figures_equal_the_marts(demo_warehouse, demo_report):
    page = demo_report.read_text()
    pattern = r'data-segment="([^"]+)" data-nrr="([^"]+)"'
    in_page = {segment: float(nrr) for segment, nrr in re.findall(pattern, page)}
    expected = dict(
        rows(
            demo_warehouse,
            """
            select segment, nrr_pct from marts.nrr_by_period
            where period_months = 12 and segment != 'All'
              and period_end_month = (select max(month) from marts.mrr_bridge_monthly)
            """,
        )
    )
    assert in_page == expected


def test_report_is_one_self_contained_file(demo_report):
    page = demo_report.read_text()
    # Nothing to fetch: no script, stylesheet link, image or import; SVG urls are in-page (#id).
    for forbidden in ["<script", "<link", "<img", "<iframe", "@import", " src="]:
        assert forbidden not in page, forbidden
    assert all(url.startswith("#") for url in re.findall(r"url\(([^)]*)\)", page))
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', page))
    # Every chart is an inline SVG, with its ids made unique on the page.
    assert re.findall(r'<svg data-chart="([a-z]+)"', page) == CHARTS
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert "How to read this" in page and "Net revenue retention, in percent" in page


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    """Run headless Chromium once with a fresh profile; fail the test if it is not installed."""
    binary = shutil.which("chromium")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's package)")
        pytest.skip("chromium is not installed: apt-get install chromium")
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def png_colours(path: Path) -> tuple[int, int, Counter]:
    """Width, height and pixel count per colour of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    colours: Counter = Counter()
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the PNG row filter (None, Sub, Up, Average, Paeth)
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - channels] if i >= channels else 0
                estimate = left + up - corner
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
                line[i] = (line[i] + (left, up, corner)[distances.index(min(distances))]) & 0xFF
        colours.update(zip(line[0::channels], line[1::channels], line[2::channels], strict=True))
        previous = line
    return width, height, colours


def screenshot(page: Path, png: Path, profile: Path) -> subprocess.CompletedProcess:
    """A full-width screenshot of a page, tall enough for every chart."""
    png.parent.mkdir(parents=True, exist_ok=True)
    size = "--window-size=1000,7000"
    return chromium(f"--screenshot={png}", size, page.as_uri(), profile=profile)


def console_messages(process: subprocess.CompletedProcess) -> list[str]:
    """What the page logged: Chromium writes every console message (errors too) as CONSOLE."""
    lines = process.stderr.splitlines()
    return [line for line in lines if ":CONSOLE" in line or "Uncaught" in line]


def test_report_renders_in_headless_chromium(demo_report, tmp_path):
    """Open the file as a person would, look at it, and check the charts were drawn.

    - The page logs nothing: it has no JavaScript, so any console message at all is a failure.
    - The DOM after load holds the eight SVG charts with their marks.
    - The screenshot shows them: compared with a screenshot of the same page whose SVGs are emptied
      (same layout, same CSS), it has thousands more pixels of the marks' colours (the NRR line,
      new and churned MRR bars, the segment bands) and many more distinct colours (the heatmap).
      Colours that only a legend swatch or a CSS border would show cannot pass that.
    """
    shot = screenshot(demo_report, SCREENSHOT, tmp_path / "p1")
    assert shot.returncode == 0, shot.stderr[-3000:]
    dom = chromium("--dump-dom", demo_report.as_uri(), profile=tmp_path / "p2")
    assert dom.returncode == 0, dom.stderr[-3000:]
    assert console_messages(shot) == [] and console_messages(dom) == []

    charts = re.findall(r'<svg data-chart="([a-z]+)"(.*?)</svg>', dom.stdout, re.DOTALL)
    assert [name for name, _ in charts] == CHARTS
    for name, body in charts:
        assert body.count('class="mark-') >= 2, name  # axes and marks were drawn into the SVG

    empty = tmp_path / "empty_charts.html"
    empty.write_text(
        re.sub(r'(<svg data-chart="[a-z]+"[^>]*>).*?</svg>', r"\1</svg>", demo_report.read_text(),
               flags=re.DOTALL)
    )  # fmt: skip
    control = screenshot(empty, tmp_path / "empty_charts.png", tmp_path / "p3")
    assert control.returncode == 0, control.stderr[-3000:]

    width, height, drawn = png_colours(SCREENSHOT)
    _, _, without = png_colours(tmp_path / "empty_charts.png")
    assert (width, height) == (1000, 7000)
    marks = {
        "NRR line": (0x1F, 0x5F, 0xA8),
        "new MRR bars": (0x2E, 0x8B, 0x57),
        "churned MRR bars": (0xC0, 0x39, 0x2B),
        "segment bands": (0xD9, 0xD9, 0xD9),
    }
    gained = {name: drawn[colour] - without[colour] for name, colour in marks.items()}
    assert all(pixels > 2000 for pixels in gained.values()), (gained, SCREENSHOT)
    assert len(drawn) > len(without) + 500, (len(drawn), len(without), SCREENSHOT)


def test_thin_data_says_there_is_no_trailing_nrr_yet(tmp_path, shared_build):
    """Two months of history: a sentence instead of the NRR trend and benchmarks, no empty chart."""
    warehouse, process = shared_build(data_dir=EXAMPLES_DIR / "single_contraction")
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    out = tmp_path / "thin.html"
    report = run_harness("report", "--warehouse", warehouse, "--out", out)
    assert report.returncode == 0, report.stderr
    page = out.read_text()
    assert 'id="no-trailing-nrr"' in page
    assert "No trailing-12-month NRR yet." in page and "covers 2 months" in page
    assert re.findall(r'<svg data-chart="([a-z]+)"', page) == [
        "bridge", "movements", "rates", "cohorts", "logos"
    ]  # fmt: skip
    assert "company_benchmark.nrr_pct" not in page
    # The bridge of the latest month is still there, read from the mart: 500 -> 200 by contraction.
    assert shown(page)["mrr_bridge_monthly.ending_mrr"][1] == "200"


def test_report_without_a_warehouse_fails_clearly(tmp_path):
    process = run_harness("report", "--warehouse", tmp_path / "missing.duckdb")
    assert process.returncode == 1
    assert "no such warehouse" in process.stderr


def test_waterfall_axis_is_cut_only_when_the_movements_would_be_invisible():
    from nrr_warehouse.report import waterfall_domain

    # The demo's December: movements of a few percent of MRR, so the axis starts below the lowest.
    low, high = waterfall_domain([1_031_988.0, 1_100_986.0, 1_116_461.0, 1_115_897.0, 1_103_828.0])
    assert 900_000 < low < 1_031_988 and high > 1_116_461
    # Nothing moved: from 0, never a range of width 0 that would hide the bars.
    assert waterfall_domain([102_000.0] * 7) == [0.0, 1.12 * 102_000]
    # Large movements (500 -> 200): from 0.
    assert waterfall_domain([500.0, 200.0, 200.0])[0] == 0.0
    assert waterfall_domain([0.0, 0.0]) == [0.0, 1.0]


def report_module():
    """nrr_warehouse.report, imported (its chart specs carry the values they draw)."""
    from nrr_warehouse import report

    return report


def test_saas_metrics_tiles_equal_the_mart(demo_warehouse, demo_report):
    """The latest month's ARPA, quick ratio and churn rates are saas_metrics_monthly's, exactly."""
    figures = shown(demo_report.read_text())
    columns = ["arpa", "quick_ratio", "logo_churn_rate_pct", "gross_mrr_churn_rate_pct"]
    columns += ["net_mrr_churn_rate_pct", "expansion_rate_pct"]
    [latest] = rows(
        demo_warehouse,
        f"select {', '.join(columns)} from marts.saas_metrics_monthly"
        " where segment = 'All' order by month desc limit 1",
    )
    for column, value in zip(columns, latest, strict=True):
        exact, text = figures[f"saas_metrics_monthly.{column}"]
        assert Decimal(exact) == Decimal(str(value)), column
        if column == "arpa":
            assert text == f"{float(value):,.0f}"
        elif column == "quick_ratio":
            assert text == f"{value:.2f}"
        else:
            assert text == f"{value:.1f} %", column
    # The demo's December: net MRR churn below 0 (expansion outgrew the losses), with its sign.
    assert figures["saas_metrics_monthly.net_mrr_churn_rate_pct"][1].startswith("-")


def test_two_nrr_methods_table_equals_the_mart(demo_warehouse, demo_report):
    page = demo_report.read_text()
    pattern = r'data-period="(\d+)" data-cohort-nrr="([^"]+)" data-bridge-nrr="([^"]+)"'
    pattern += r' data-difference="([^"]+)"'
    in_page = {
        int(k): (float(cohort), float(bridge), Decimal(difference))
        for k, cohort, bridge, difference in re.findall(pattern, page)
    }
    expected = {
        k: (cohort, bridge, difference)
        for k, cohort, bridge, difference in rows(
            demo_warehouse,
            "select period_months, cohort_nrr_pct, bridge_nrr_pct, method_difference_mrr"
            " from marts.nrr_methods_compared where segment = 'All'"
            " and period_end_month = (select max(month) from marts.mrr_bridge_monthly)",
        )
    }
    assert in_page == expected and sorted(in_page) == [1, 3, 12]
    assert round(in_page[12][0], 1) == 114.7  # the cohort NRR of the headline
    assert "Two NRR methods" in page and "the figure investors usually mean" in page


def test_cohort_sizes_and_logo_retention_are_the_marts(demo_warehouse):
    """The bars beside the heatmaps are the cohorts' sizes, the logo heatmap the mart's logo
    retention: read from the chart specs the page is drawn from."""
    report = report_module()
    data = report.load(demo_warehouse)
    sizes = dict(
        rows(
            demo_warehouse,
            "select strftime(cohort_month, '%Y-%m'), cohort_customers from marts.cohort_retention"
            " where months_since_start = 0",
        )
    )
    for column in ["revenue_retention_pct", "logo_retention_pct"]:
        spec = report.cohort_chart(data, column).to_dict()
        heatmap, bars = spec["hconcat"]
        assert {v["cohort"]: v["customers"] for v in bars["data"]["values"]} == sizes
        cells = {(v["cohort"], v["months"]): v["pct"] for v in heatmap["data"]["values"]}
        expected = dict(
            ((cohort, months), value)
            for cohort, months, value in rows(
                demo_warehouse,
                f"select strftime(cohort_month, '%Y-%m'), months_since_start, {column}"
                " from marts.cohort_retention",
            )
        )
        assert cells == expected, column
    # The demo's cohorts range from 2 to 22 customers: the bars tell the small ones apart.
    assert (min(sizes.values()), max(sizes.values())) == (2, 22)


def test_causes_table_equals_the_bridge(demo_warehouse, demo_report):
    """The bridge's expansion and contraction by cause (DECISIONLOG "Causes of expansion and
    contraction"), latest month: each row carries the mart's exact value and the parts add up."""
    page = demo_report.read_text()
    assert "Why MRR moved: expansion and contraction by cause" in page
    pattern = r'data-cause="([a-z_]+)" data-expansion="([^"]+)" data-contraction="([^"]+)"'
    table = {cause: (Decimal(e), Decimal(c)) for cause, e, c in re.findall(pattern, page)}
    assert set(table) == {"seats", "price", "cross_sell", "cross_sell_lost", "total"}
    columns = [
        f"{d}_{c}_mrr"
        for c in ("seats", "price", "cross_sell", "cross_sell_lost")
        for d in ("expansion", "contraction")
    ]
    mart = rows(
        demo_warehouse,
        f"select expansion_mrr, contraction_mrr, {', '.join(columns)} from marts.mrr_bridge_monthly"
        " order by month desc limit 1",
    )[0]
    assert table["total"] == (mart[0], mart[1])
    for index, cause in enumerate(("seats", "price", "cross_sell", "cross_sell_lost")):
        assert table[cause] == (mart[2 + 2 * index], mart[3 + 2 * index])
    expansion = (
        table["seats"][0] + table["price"][0] + table["cross_sell"][0] - table["cross_sell_lost"][0]
    )
    contraction = (
        table["seats"][1] + table["price"][1] + table["cross_sell_lost"][1] - table["cross_sell"][1]
    )
    assert (expansion, contraction) == table["total"]
    # Dec 2025 of the demo: expansion 15,474.9972766667, mostly seats.
    assert table["total"][0] == Decimal("15474.9972766667")
    assert table["seats"][0] > table["price"][0] > 0


def test_dimensions_table_equals_the_mart(demo_warehouse, demo_report):
    """The 'by plan, ARR band and country' table is nrr_by_dimension's trailing-12-month rows."""
    page = demo_report.read_text()
    pattern = r'data-dimension="([^"]+)" data-dimension-value="([^"]+)"'
    pattern += r' data-nrr="([^"]+)" data-grr="([^"]+)" data-cohort="(\d+)"'
    in_page = {
        (dimension, value): (float(nrr), float(grr), int(cohort))
        for dimension, value, nrr, grr, cohort in re.findall(pattern, page)
    }
    expected = {
        (dimension, value): (nrr, grr, cohort)
        for dimension, value, nrr, grr, cohort in rows(
            demo_warehouse,
            "select dimension, dimension_value, nrr_pct, grr_pct, cohort_customers"
            " from marts.nrr_by_dimension where period_months = 12"
            " and dimension in ('plan', 'country', 'arr_band') and dimension_value != 'All'"
            " and period_end_month = (select max(month) from marts.mrr_bridge_monthly)",
        )
    }
    assert in_page == expected
    assert {dimension for dimension, _ in in_page} == {"plan", "country", "arr_band"}
    # The bands in the seed's order, the smallest first.
    bands = [value for dimension, value in in_page if dimension == "arr_band"]
    assert bands == ["under 10k", "10k to 50k", "50k to 100k", "100k and up"]
