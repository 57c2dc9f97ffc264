"""The written docs hold together: README.md is an entry page whose links, and those of docs/*.md
and DECISIONLOG.md, reach existing files and headings; every DECISIONLOG heading that code or docs
cite exists; every definition of the contract (SPEC.md) is explained somewhere in the project's
docs; and no count that a command prints is kept by hand."""

# The contract's own symbols (minus, times, divided by, en dash) are what the docs must say.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DECISIONLOG = PROJECT_DIR / "DECISIONLOG.md"
# Where the contract lives beside the main checkout (read-only; not in this repository).
SPEC_CANDIDATES = [PROJECT_DIR.parent / "shared" / "SPEC.md", Path("/work/shared/SPEC.md")]
# Where code and docs cite decisions (`DECISIONLOG "Heading"`).
CITING_DIRS = [
    "models", "macros", "scripts", "src", "tools", "tests", "data-tests", "seeds", "analyses",
    "integration_tests", "docs",
]  # fmt: skip
CITING_FILES = ["README.md", "dbt_project.yml", "profiles.yml", "Makefile", "pyproject.toml"]
CITING_SUFFIXES = {".sql", ".yml", ".yaml", ".md", ".py", ".toml", ".cfg", ""}

# Every `quoted` term of SPEC.md: each must appear in the project's docs (README.md, docs/*.md, the
# dbt doc blocks), so no definition of the contract goes unexplained when a page moves.
SPEC_TERMS = [
    "#N/A", "$ € £ ¥", "$12,345", "--data-dir", "--data-dir DIR", "--date-format",
    "01-30 → 02-28 → 03-30", "01-31 → 02-29 → 03-31", "01/15/2024", "1,200.00", "50,00",
    "9999-12-31", "<NA>", "All", "Enterprise", "Mid-Market", "N/A", "NA", "NRR_DATA_DIR",
    "NULL", "NaN", "None", "SMB", "Subscription ID", "USD", "Unknown", "YYYY-MM",
    "YYYY-MM-DD", "YYYY/MM/DD", "above", "amount",
    "amount ÷ fraction ÷ months in the interval", "arpa", "as_of_month",
    "audit.input_reconciliation", "audit.rejected_rows", "below", "billing_interval",
    "cohort_retention", "company_benchmark", "currency", "customer", "customer_id", "dbt",
    "dim_customers", "early", "end_date", "end_date > last_day(M)",
    "ending = starting + new + reactivation + expansion − contraction − churned",
    "expansion_rate_pct", "fair", "fct_mrr_movements", "fraction", "gross_mrr_churn_rate_pct",
    "growth", "input_date_format", "input_decimal_comma", "invoice", "invoice_line_item",
    "invoice_lines", "invoice_lines.csv|.parquet", "leaky_bucket", "leaky_bucket_grr_pct",
    "line_id", "line_type", "logo_churn_rate_pct", "malformed_line", "marts", "mature",
    "max_rejected_rows_pct", "mrr_bridge_monthly", "n/a", "nan", "net_mrr_churn_rate_pct",
    "nrr_by_period", "nrr_methods_compared", "null", "one_time", "plan", "plan_id", "price",
    "quantity", "quick_ratio", "rate_to_reporting", "read_csv", "recurring",
    "reporting_currency", "saas_metrics_monthly", "segment", "segment_benchmarks",
    "service_end", "service_start", "sources:", "start_date <= last_day(M)",
    "subscription_history", "subscription_id", "subscriptions", "usage", "value_out_of_range",
    "within",
]  # fmt: skip

# The contract's formulas and lines, as the docs state them (SPEC section in the comment).
SPEC_DEFINITIONS = [
    r"unit_amount × quantity × \(1 − discount_pct/100\) ÷ months in the interval",  # 1: MRR
    r"\*\*ARR\*\* = 12 × MRR",  # 2
    r"100 × \(starting \+ expansion − contraction − churned\) / starting",  # 4: NRR
    r"100 × \(starting − contraction − churned\) / starting",  # 4: GRR
    r"SMB 100–115 %, Mid-Market 110–125 %,\s+Enterprise 120–140 %",  # 5: bands
    r"`early` \(< 10 M\), `growth` \(10 M to < 50 M\), `mature` \(≥ 50 M\)",  # 5: stages
    r"median SaaS NRR 108 %, best in class 120 % and above",  # 5: reference lines
    r"NRR ≥ 100 while GRR < 90",  # 5: leaky bucket
    r"\(new \+ reactivation \+ expansion\) ÷ \(contraction \+ churned\)",  # 10: quick ratio
    r"100 × \(churned \+ contraction − expansion − reactivation\) ÷ starting",  # 10: net MRR churn
    r"rows in = used \+ rejected \+ duplicates",  # 8: reconciliation
]

LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```\s*$", re.MULTILINE | re.DOTALL)
CITATION = re.compile(r'DECISIONLOG(?:\.md)?\s*\(?\s*"([^"]+)"')
HAND_KEPT_COUNT = re.compile(r"\b\d[\d,]*\s+(?:data |unit |singular |dbt )?(?:tests|models)\b")


def doc_pages() -> list[Path]:
    return [PROJECT_DIR / "README.md", DECISIONLOG, *sorted((PROJECT_DIR / "docs").glob("*.md"))]


def prose(path: Path) -> str:
    """The page without its fenced code blocks (a `# comment` in a shell block is no heading)."""
    return FENCE.sub("", path.read_text())


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for _, title in HEADING.findall(prose(path)):
        base = slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def decision_headings() -> set[str]:
    return {title.replace("`", "") for _, title in HEADING.findall(prose(DECISIONLOG))}


def test_slug_follows_github():
    assert slug("The harness (`nrr`)") == "the-harness-nrr"
    assert slug("Scheduled runs: write, audit, publish") == "scheduled-runs-write-audit-publish"
    assert slug("Bad rows: nothing is silently lost") == "bad-rows-nothing-is-silently-lost"


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: p.relative_to(PROJECT_DIR).as_posix())
def test_every_relative_link_reaches_a_file_and_heading(page):
    broken = []
    for target in LINK.findall(prose(page)):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path_part, _, fragment = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            broken.append(f"{target}: no file {destination.relative_to(PROJECT_DIR)}")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            broken.append(f"{target}: no heading #{fragment} in {destination.name}")
    assert broken == [], f"{page.name}: " + "; ".join(broken)


def test_readme_is_an_entry_page_linking_every_docs_page():
    readme = (PROJECT_DIR / "README.md").read_text()
    linked = {(PROJECT_DIR / target.partition("#")[0]).resolve() for target in LINK.findall(readme)}
    pages = {
        path.resolve()
        for path in (PROJECT_DIR / "docs").glob("*.md")
        if path.stem != "performance-run"  # generated by tools/bench.py, linked from performance.md
    }
    assert pages - linked == set(), "docs pages the README does not link: " + ", ".join(
        sorted(p.name for p in pages - linked)
    )
    assert len(readme.splitlines()) < 200, "README.md is the entry page; details go to docs/"


def citing_files() -> list[Path]:
    files = [PROJECT_DIR / name for name in CITING_FILES if (PROJECT_DIR / name).exists()]
    for folder in CITING_DIRS:
        for path in sorted((PROJECT_DIR / folder).rglob("*")):
            skip = {"target", "dbt_packages", "logs", "__pycache__", "fixtures"}
            if path == Path(__file__).resolve():  # its own examples of citations
                continue
            if path.is_file() and path.suffix in CITING_SUFFIXES and not skip & set(path.parts):
                files.append(path)
    return files


def citations(text: str) -> list[str]:
    """Cited headings, also when a citation wraps onto the next comment line."""
    joined = re.sub(r"\s*\n\s*(?:--|#|//|\*|\{#-?)?\s*", " ", text)
    return CITATION.findall(joined)


def test_citations_are_read_across_comment_lines():
    sql = (
        '-- the policy (DECISIONLOG "Invoice lines: the remainder of a\n    -- rounded proration").'
    )
    assert citations(sql) == ["Invoice lines: the remainder of a rounded proration"]


def test_every_cited_decision_heading_exists():
    headings = decision_headings()
    missing, cited = [], 0
    for path in citing_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for heading in citations(text):
            cited += 1
            if heading.replace("`", "") not in headings:
                missing.append(f"{path.relative_to(PROJECT_DIR)}: {heading!r}")
    assert cited > 0, "no DECISIONLOG citation found: the pattern is wrong"
    assert missing == [], "cited DECISIONLOG headings that do not exist: " + "; ".join(missing)


def test_every_cited_docs_section_exists():
    """Comments point readers at `docs/<page>.md "Heading"` (or `README "Heading"`): that heading
    must be on that page, so a moved section cannot leave a pointer to nowhere."""
    pattern = re.compile(r'\b(README(?:\.md)?|docs/[\w.-]+\.md)\s*\(?\s*"([^"]+)"')
    missing, cited = [], 0
    for path in citing_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        joined = re.sub(r"\s*\n\s*(?:--|#|//|\*|\{#-?)?\s*", " ", text)
        for page, heading in pattern.findall(joined):
            cited += 1
            target = PROJECT_DIR / ("README.md" if page.startswith("README") else page)
            titles = (
                {title.replace("`", "") for _, title in HEADING.findall(prose(target))}
                if target.exists()
                else set()
            )
            if heading not in titles:
                missing.append(f"{path.relative_to(PROJECT_DIR)}: {page} {heading!r}")
    assert cited > 0, "no docs citation found: the pattern is wrong"
    assert missing == [], "cited sections that do not exist: " + "; ".join(missing)


def test_decision_headings_are_unique():
    titles = [title for level, title in HEADING.findall(prose(DECISIONLOG)) if level == "##"]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)


def project_docs() -> str:
    pages = [PROJECT_DIR / "README.md", *sorted((PROJECT_DIR / "docs").glob("*.md"))]
    blocks = sorted((PROJECT_DIR / "models").rglob("*.md")) + sorted(
        (PROJECT_DIR / "seeds").rglob("*.md")
    )
    return "\n".join(path.read_text() for path in pages + blocks)


def test_every_spec_definition_is_explained_in_the_docs():
    docs = project_docs()
    missing = [term for term in SPEC_TERMS if term not in docs]
    missing += [pattern for pattern in SPEC_DEFINITIONS if not re.search(pattern, docs)]
    assert missing == [], "SPEC definitions no page explains: " + "; ".join(missing)


def test_spec_terms_are_those_of_the_contract():
    spec = next((path for path in SPEC_CANDIDATES if path.exists()), None)
    if spec is None:
        pytest.skip("SPEC.md is not beside this checkout")
    terms = set(re.findall(r"`([^`]+)`", spec.read_text()))
    assert terms - set(SPEC_TERMS) == set(), "new SPEC terms: add them to SPEC_TERMS and the docs"


def test_no_count_a_command_prints_is_kept_by_hand():
    found = []
    for page in [PROJECT_DIR / "README.md", *sorted((PROJECT_DIR / "docs").glob("*.md"))]:
        found += [
            f"{page.name}: {m.group(0)!r}" for m in HAND_KEPT_COUNT.finditer(page.read_text())
        ]
    assert found == [], "print these with `dbt ls ... | wc -l` instead: " + "; ".join(found)
