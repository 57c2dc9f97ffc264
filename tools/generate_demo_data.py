"""Generate a deterministic, realistic SaaS billing export for the NRR warehouse.

The output imitates what a billing system (Stripe, Chargebee, Zuora, ...) exports:
three tables, written as CSV (the committed demo seeds) or Parquet.

subscriptions
    One row per subscription *period* at a constant price. Any change of price, plan,
    seats, discount or billing interval closes the current row (``end_date`` = the
    change date, exclusive) and opens a new row with the same ``subscription_id`` whose
    ``start_date`` is that date. An empty ``end_date`` means "still in force".
    ``unit_amount`` is the net price per seat per billing interval (an annual plan's
    unit_amount is the yearly price), so a period's MRR is::

        unit_amount * quantity * (1 - discount_pct / 100) / months_in_interval * fx

customers
    One row per customer with a (messily spelled) segment, an ISO country code and, for every
    25th customer and chains of three, a parent account (parent_customer_id).

fx_rates
    Conversion of each non-reporting currency into the reporting currency (USD).

The model behind the data
-------------------------
* Customers are acquired over the whole window with a growing intake (the monthly
  acquisition weight grows by ``ACQUISITION_GROWTH`` per month), each on a random day.
* Every customer has a hidden segment (SMB, Mid-Market, Enterprise) that drives the
  plan mix, price points, seat counts, billing-interval mix, currency and the monthly
  event probabilities in ``PROFILES``. About 3 % of customers carry no usable segment
  label; they behave like a random real segment.
* A new customer may start with a free trial (a 14 or 30 day period with
  unit_amount 0) under the same or its own subscription_id. Most trials convert.
* Each month a subscription draws at most one event: churn, seat expansion, seat
  contraction, plan upgrade or downgrade, a retention discount added, a promotional
  discount removed, a price increase, or (monthly plans) a switch to annual billing.
  Monthly plans change on arbitrary days (biased a little towards the 1st and the
  last day of the month); quarterly and annual plans change at renewal (the
  anniversary day), apart from occasional mid-term seat true-ups. Churn is higher in
  the first months of a subscription and lower on annual contracts.
* Some customers buy an add-on product: a second, concurrent subscription that ends
  at the latest when the main subscription churns.
* Some churned customers come back later with a new subscription (reactivation).
* A few customer_ids appear in subscriptions but not in customers, and a few
  customers (leads) have no subscription at all.
* Nothing is dated after the last day of the window; subscriptions still running at
  the end have an empty end_date.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so the same
arguments always give byte-identical files. Rows are streamed per customer, so the
generator scales to millions of customers in constant memory (apart from one small
integer per customer for the sorted acquisition months).
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import csv
import dataclasses
import datetime as dt
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nrr_warehouse.billing_shapes import (
    INVOICE_LINE_COLUMNS,
    STRIPE_COLUMNS,
    invoice_lines,
    stripe_customer,
    stripe_tables,
)

REPO_ROOT = Path(__file__).resolve().parent.parent

SUBSCRIPTION_COLUMNS = [
    "subscription_id",
    "customer_id",
    "plan_id",
    "start_date",
    "end_date",
    "unit_amount",
    "quantity",
    "discount_pct",
    "billing_interval",
    "currency",
]
CUSTOMER_COLUMNS = ["customer_id", "customer_name", "segment", "country", "parent_customer_id"]
FX_COLUMNS = ["currency", "rate_to_reporting"]

FX_RATES = [("EUR", "1.08"), ("GBP", "1.27")]

# Monthly acquisition weight multiplier: month m of the window has weight GROWTH ** m.
ACQUISITION_GROWTH = 1.035

# Segment shares of the labels written to the customers table.
SEGMENT_WEIGHTS = [
    ("SMB", 0.60),
    ("Mid-Market", 0.28),
    ("Enterprise", 0.09),
    ("", 0.03),
]

# Messy but valid spellings of each segment, with weights.
SEGMENT_SPELLINGS = {
    "SMB": [("SMB", 0.80), ("smb", 0.20)],
    "Mid-Market": [
        ("Mid-Market", 0.60),
        ("Mid Market", 0.15),
        ("mid-market", 0.10),
        ("MidMarket", 0.15),
    ],
    "Enterprise": [("Enterprise", 0.75), ("ENTERPRISE", 0.10), ("enterprise", 0.15)],
    # No usable segment: blank or a value the warehouse does not recognise.
    "": [("", 0.5), ("Partner", 0.3), ("Reseller", 0.2)],
}

# Currency and country of a customer, by segment (Enterprise buys more in EUR/GBP).
CURRENCY_WEIGHTS = {
    "SMB": [("USD", 0.78), ("EUR", 0.15), ("GBP", 0.07)],
    "Mid-Market": [("USD", 0.72), ("EUR", 0.19), ("GBP", 0.09)],
    "Enterprise": [("USD", 0.66), ("EUR", 0.22), ("GBP", 0.12)],
}
COUNTRIES = {
    "USD": [("US", 0.86), ("CA", 0.08), ("AU", 0.03), ("SG", 0.03)],
    "EUR": [
        ("DE", 0.35),
        ("FR", 0.22),
        ("NL", 0.15),
        ("ES", 0.10),
        ("IE", 0.10),
        ("IT", 0.08),
    ],
    "GBP": [("GB", 1.0)],
}
LEGAL_SUFFIX = {
    "US": ["Inc.", ", Inc.", "LLC", "Corp."],
    "CA": ["Inc.", "Ltd."],
    "AU": ["Pty Ltd"],
    "SG": ["Pte. Ltd."],
    "DE": ["GmbH", "AG"],
    "FR": ["SAS", "SA"],
    "NL": ["B.V."],
    "ES": ["S.L."],
    "IE": ["Ltd"],
    "IT": ["S.r.l."],
    "GB": ["Ltd", "PLC", "Ltd."],
}
NAME_FIRST = [
    "Acme", "Blue", "Bright", "Cedar", "Cobalt", "Copper", "Delta", "Ember", "Fern",
    "Granite", "Harbor", "Iron", "Juniper", "Kestrel", "Lumen", "Maple", "Nimbus",
    "North", "Oak", "Orbit", "Pine", "Quartz", "Rapid", "River", "Sable", "Silver",
    "Summit", "Tidal", "Umber", "Vertex", "Willow", "Zephyr",
]  # fmt: skip
NAME_SECOND = [
    "Analytics", "Bakery", "Capital", "Cloud", "Consulting", "Dental", "Design",
    "Dynamics", "Energy", "Foods", "Freight", "Health", "Labs", "Legal", "Logistics",
    "Media", "Metrics", "Motors", "Networks", "Partners", "Robotics", "Software",
    "Studio", "Systems", "Telecom", "Travel", "Ventures", "Works",
]  # fmt: skip

# Plans in upgrade order with the monthly list price per seat in each currency.
PLANS = ["starter", "pro", "business", "enterprise"]
LIST_PRICE = {
    "USD": {"starter": 25.0, "pro": 49.0, "business": 79.0, "enterprise": 129.0},
    "EUR": {"starter": 23.0, "pro": 45.0, "business": 73.0, "enterprise": 119.0},
    "GBP": {"starter": 20.0, "pro": 39.0, "business": 62.0, "enterprise": 99.0},
}
# Add-on products: (plan_id, monthly USD list price per unit, priced per seat?).
ADDONS = [("addon_analytics", 9.0, True), ("addon_sso", 149.0, False)]

MONTHS_IN_INTERVAL = {"month": 1, "quarter": 3, "year": 12}
# Price of one interval relative to the monthly list price (annual: two months free).
INTERVAL_PRICE_MULTIPLIER = {"month": 1.0, "quarter": 2.85, "year": 10.0}
INTERVAL_SPELLINGS = {
    "month": [("month", 0.85), ("monthly", 0.15)],
    "quarter": [("quarter", 0.80), ("Quarterly", 0.20)],
    "year": [("year", 0.75), ("Annual", 0.15), ("yearly", 0.10)],
}

EVENTS = [
    "churn",
    "expand",
    "contract",
    "upgrade",
    "downgrade",
    "discount_add",
    "discount_remove",
    "price_increase",
    "to_annual",
]

# Behaviour by segment. Event rates are per month; quarterly and annual plans draw the
# compounded rate of their interval once at renewal.
PROFILES = {
    "SMB": {
        "plans": [("starter", 0.55), ("pro", 0.35), ("business", 0.10)],
        "seats": (1, 10),
        "intervals": [("month", 0.80), ("quarter", 0.05), ("year", 0.15)],
        "price_factor": (1.0, 1.0),
        "initial_discount": (0.10, [10, 15, 20]),
        "rates": {
            "churn": 0.023,
            "expand": 0.045,
            "contract": 0.010,
            "upgrade": 0.012,
            "downgrade": 0.005,
            "discount_add": 0.003,
            "discount_remove": 0.020,
            "price_increase": 0.003,
            "to_annual": 0.004,
        },
        "expand_step": (0.15, 0.45),
        "trial": 0.45,
        "trial_conversion": 0.80,
        "addon": 0.05,
        "reactivation": 0.15,
    },
    "Mid-Market": {
        "plans": [("pro", 0.40), ("business", 0.50), ("enterprise", 0.10)],
        "seats": (10, 60),
        "intervals": [("month", 0.50), ("quarter", 0.15), ("year", 0.35)],
        "price_factor": (0.90, 1.0),
        "initial_discount": (0.25, [5, 10, 12.5, 15]),
        "rates": {
            "churn": 0.012,
            "expand": 0.075,
            "contract": 0.009,
            "upgrade": 0.008,
            "downgrade": 0.004,
            "discount_add": 0.003,
            "discount_remove": 0.010,
            "price_increase": 0.004,
            "to_annual": 0.006,
        },
        "expand_step": (0.10, 0.35),
        "trial": 0.25,
        "trial_conversion": 0.85,
        "addon": 0.15,
        "reactivation": 0.20,
    },
    "Enterprise": {
        "plans": [("business", 0.30), ("enterprise", 0.70)],
        "seats": (50, 500),
        "intervals": [("month", 0.10), ("quarter", 0.15), ("year", 0.75)],
        "price_factor": (0.75, 1.0),
        "initial_discount": (0.45, [10, 15, 20, 25, 30]),
        "rates": {
            "churn": 0.005,
            "expand": 0.090,
            "contract": 0.008,
            "upgrade": 0.005,
            "downgrade": 0.002,
            "discount_add": 0.002,
            "discount_remove": 0.004,
            "price_increase": 0.005,
            "to_annual": 0.008,
        },
        "expand_step": (0.08, 0.30),
        "trial": 0.10,
        "trial_conversion": 0.90,
        "addon": 0.25,
        "reactivation": 0.25,
    },
}
# Churn multipliers: new subscriptions churn more, annual contracts less.
EARLY_TENURE_MONTHS = 6
EARLY_CHURN_FACTOR = 1.3
LONG_CONTRACT_CHURN_FACTOR = 0.75
# Mid-term (between renewals) seat true-ups on quarterly/annual plans, relative to rate.
MID_TERM_EXPAND_FACTOR = 0.25
# Share of USD rows whose currency column the export left empty.
EMPTY_CURRENCY_SHARE = 0.02
# Number of customers missing from the customers table / leads without subscriptions.
MISSING_CUSTOMERS = 3
LEADS = 3


@dataclass
class Subscription:
    """Mutable state of one subscription while it is being simulated."""

    subscription_id: str
    plan_id: str
    interval: str
    spelling: str
    currency: str
    quantity: int
    discount_pct: float
    price_factor: float
    unit_amount: float
    period_start: dt.date
    anchor: dt.date  # start of the current billing term; renewals fall on its day
    started: dt.date  # first paid day, for the higher churn of young subscriptions
    is_addon: bool = False


@dataclass
class Window:
    """The simulated calendar window: month indexes are year * 12 + month - 1."""

    first_month: int
    last_month: int
    last_day: dt.date


# --------------------------------------------------------------------------- dates


def month_index(day: dt.date) -> int:
    """Absolute month number of a date (year * 12 + month - 1)."""
    return day.year * 12 + day.month - 1


def days_in_month(month: int) -> int:
    """Number of days of an absolute month."""
    return calendar.monthrange(month // 12, month % 12 + 1)[1]


def month_day(month: int, day: int) -> dt.date:
    """The given day of an absolute month, clamped to the month's last day."""
    return dt.date(month // 12, month % 12 + 1, min(day, days_in_month(month)))


def random_day(rng: random.Random, month: int) -> dt.date:
    """A change date in a month: any day, a little more often the 1st or the last."""
    last = days_in_month(month)
    u = rng.random()
    if u < 0.08:
        return month_day(month, 1)
    if u < 0.14:
        return month_day(month, last)
    return month_day(month, rng.randint(1, last))


# ------------------------------------------------------------------------- sampling


def pick(rng: random.Random, weighted: list[tuple]) -> object:
    """Draw a value from a list of (value, weight) pairs."""
    u = rng.random() * sum(w for _, w in weighted)
    for value, weight in weighted:
        u -= weight
        if u < 0:
            return value
    return weighted[-1][0]


def draw_seats(rng: random.Random, segment: str) -> int:
    """Initial seat count: skewed towards the low end of the segment's range."""
    low, high = PROFILES[segment]["seats"]
    return round(low * (high / low) ** (rng.random() ** 1.3))


def build_event_tables() -> dict[tuple[str, int, bool], list[tuple[float, str]]]:
    """Cumulative event probabilities per (segment, months per draw, early tenure).

    A draw that covers k months (a renewal of a quarterly or annual plan) uses the
    compounded probability 1 - (1 - p) ** k of each event.
    """
    tables = {}
    for segment, profile in PROFILES.items():
        for months in (1, 3, 12):
            for early in (False, True):
                cumulative, table = 0.0, []
                for event in EVENTS:
                    rate = profile["rates"][event]
                    if event == "churn":
                        rate *= EARLY_CHURN_FACTOR if early else 1.0
                        rate *= LONG_CONTRACT_CHURN_FACTOR if months > 1 else 1.0
                    if event == "to_annual" and months > 1:
                        continue
                    cumulative += 1.0 - (1.0 - rate) ** months
                    table.append((cumulative, event))
                tables[(segment, months, early)] = table
    return tables


EVENT_TABLES = build_event_tables()


def draw_event(rng: random.Random, table: list[tuple[float, str]]) -> str | None:
    """At most one event from a cumulative probability table (None: nothing happens)."""
    u = rng.random()
    for cumulative, event in table:
        if u < cumulative:
            return event
    return None


# ---------------------------------------------------------------------- pricing


def list_unit_amount(plan_id: str, interval: str, currency: str, factor: float) -> float:
    """Price per seat and billing interval of a plan, after the negotiated factor."""
    for addon_id, usd_price, _ in ADDONS:
        if plan_id == addon_id:
            monthly = usd_price if currency == "USD" else round(usd_price * 0.9)
            break
    else:
        monthly = LIST_PRICE[currency][plan_id]
    return round(monthly * INTERVAL_PRICE_MULTIPLIER[interval] * factor, 2)


def format_amount(value: float) -> str:
    """An amount with exactly two decimals."""
    return f"{value:.2f}"


def format_pct(value: float) -> str:
    """A percentage without a trailing .0 (12.5 stays 12.5)."""
    return str(int(value)) if value == int(value) else f"{value:g}"


# --------------------------------------------------------------------- simulation


class CustomerSimulator:
    """Simulates the subscriptions of one customer and collects their period rows."""

    def __init__(
        self,
        rng: random.Random,
        window: Window,
        next_subscription_id: Callable[[], str],
    ) -> None:
        self.rng = rng
        self.window = window
        self.next_subscription_id = next_subscription_id
        self.rows: list[list[str]] = []
        self.customer_id = ""

    def emit(self, sub: Subscription, end: dt.date | None) -> None:
        """Write the current period of a subscription, ending on `end` (None: open)."""
        currency = sub.currency
        if currency == "USD" and self.rng.random() < EMPTY_CURRENCY_SHARE:
            currency = ""
        self.rows.append(
            [
                sub.subscription_id,
                self.customer_id,
                sub.plan_id,
                sub.period_start.isoformat(),
                end.isoformat() if end else "",
                format_amount(sub.unit_amount),
                str(sub.quantity),
                format_pct(sub.discount_pct),
                sub.spelling,
                currency,
            ]
        )

    def change(self, sub: Subscription, day: dt.date, **changes) -> None:
        """Close the current period on `day` and open a new one with `changes`."""
        self.emit(sub, day)
        for name, value in changes.items():
            setattr(sub, name, value)
        sub.period_start = day

    def new_subscription(
        self, segment: str, currency: str, start: dt.date, seats: int | None = None
    ) -> Subscription:
        """A fresh paid subscription with the segment's plan, seat and interval mix."""
        rng, profile = self.rng, PROFILES[segment]
        plan_id = pick(rng, profile["plans"])
        interval = pick(rng, profile["intervals"])
        factor = round(rng.uniform(*profile["price_factor"]), 3)
        share, choices = profile["initial_discount"]
        discount = rng.choice(choices) if rng.random() < share else 0
        return Subscription(
            subscription_id=self.next_subscription_id(),
            plan_id=plan_id,
            interval=interval,
            spelling=pick(rng, INTERVAL_SPELLINGS[interval]),
            currency=currency,
            quantity=seats if seats is not None else draw_seats(rng, segment),
            discount_pct=discount,
            price_factor=factor,
            unit_amount=list_unit_amount(plan_id, interval, currency, factor),
            period_start=start,
            anchor=start,
            started=start,
        )

    def apply_event(self, sub: Subscription, event: str, day: dt.date, segment: str) -> None:
        """Apply a non-churn event on `day`; an event changing nothing is skipped."""
        rng = self.rng
        if event == "upgrade" and sub.is_addon:
            event = "expand"
        if event == "downgrade" and sub.is_addon:
            event = "contract"
        if event in ("expand", "contract") and sub.is_addon and sub.plan_id == "addon_sso":
            return
        if event == "expand":
            step = rng.uniform(*PROFILES[segment]["expand_step"])
            self.change(sub, day, quantity=sub.quantity + max(1, round(sub.quantity * step)))
        elif event == "contract" and sub.quantity > 1:
            step = max(1, round(sub.quantity * rng.uniform(0.1, 0.35)))
            self.change(sub, day, quantity=max(1, sub.quantity - step))
        elif event in ("upgrade", "downgrade"):
            position = PLANS.index(sub.plan_id) + (1 if event == "upgrade" else -1)
            if 0 <= position < len(PLANS):
                plan_id = PLANS[position]
                amount = list_unit_amount(plan_id, sub.interval, sub.currency, sub.price_factor)
                self.change(sub, day, plan_id=plan_id, unit_amount=amount)
        elif event == "discount_add" and sub.discount_pct == 0:
            self.change(sub, day, discount_pct=rng.choice([10, 15, 20, 25]))
        elif event == "discount_remove" and sub.discount_pct > 0:
            self.change(sub, day, discount_pct=0)
        elif event == "price_increase":
            amount = round(sub.unit_amount * rng.uniform(1.03, 1.10), 2)
            self.change(sub, day, unit_amount=amount)
        elif event == "to_annual" and sub.interval == "month":
            amount = list_unit_amount(sub.plan_id, "year", sub.currency, sub.price_factor)
            spelling = pick(rng, INTERVAL_SPELLINGS["year"])
            self.change(
                sub,
                day,
                interval="year",
                spelling=spelling,
                unit_amount=amount,
                anchor=day,
            )

    def run(self, sub: Subscription, segment: str, stop: dt.date | None = None) -> dt.date | None:
        """Simulate a subscription month by month; return its churn date (None: active).

        `stop` forces the subscription to end on that date at the latest (an add-on
        ends with its main subscription).
        """
        rng, window = self.rng, self.window
        horizon = min(stop, window.last_day) if stop else window.last_day
        month = month_index(sub.period_start) + 1
        while month <= month_index(horizon):
            months = MONTHS_IN_INTERVAL[sub.interval]
            early = month - month_index(sub.started) < EARLY_TENURE_MONTHS
            if months == 1:
                day = random_day(rng, month)
                table = EVENT_TABLES[(segment, 1, early)]
            elif (month - month_index(sub.anchor)) % months == 0:
                day = month_day(month, sub.anchor.day)
                table = EVENT_TABLES[(segment, months, early)]
            else:
                day = random_day(rng, month)
                table = None
            if day > horizon or (stop and day == horizon):
                break
            if table is None:
                rate = PROFILES[segment]["rates"]["expand"] * MID_TERM_EXPAND_FACTOR
                event = "expand" if rng.random() < rate else None
            else:
                event = draw_event(rng, table)
            if event == "churn":
                self.emit(sub, day)
                return day
            if event and day > sub.period_start:
                self.apply_event(sub, event, day, segment)
            month += 1
        if stop and stop <= window.last_day:
            self.emit(sub, stop)
            return stop
        self.emit(sub, None)
        return None

    def simulate_customer(
        self, customer_id: str, segment: str, currency: str, start: dt.date
    ) -> list[list[str]]:
        """Period rows of one customer: trial, main plan, add-on and reactivations."""
        rng, window, profile = self.rng, self.window, PROFILES[segment]
        self.customer_id = customer_id
        self.rows = []
        paid_start = start
        if rng.random() < profile["trial"]:
            trial_end = start + dt.timedelta(days=rng.choice([14, 30]))
            converts = rng.random() < profile["trial_conversion"]
            sub = self.new_subscription(segment, currency, start)
            trial = dataclasses.replace(sub, unit_amount=0.0, discount_pct=0)
            if trial_end > window.last_day:
                self.emit(trial, None)
                return self.rows
            self.emit(trial, trial_end)
            if not converts:
                return self.rows
            if rng.random() < 0.5:  # the paid plan gets its own subscription_id
                sub.subscription_id = self.next_subscription_id()
            sub.period_start = sub.anchor = sub.started = paid_start = trial_end
        else:
            sub = self.new_subscription(segment, currency, start)
        churned = self.run(sub, segment)

        if rng.random() < profile["addon"]:
            addon_month = month_index(paid_start) + rng.randint(1, 18)
            if addon_month <= window.last_month:
                addon_start = random_day(rng, addon_month)
                if addon_start < (churned or dt.date.max):
                    self.run_addon(sub, segment, addon_start, churned)

        reactivation = profile["reactivation"]
        while churned and rng.random() < reactivation:
            month = month_index(churned) + rng.randint(2, 14)
            if month > window.last_month:
                break
            seats = max(1, round(sub.quantity * rng.uniform(0.5, 1.0)))
            sub = self.new_subscription(segment, currency, random_day(rng, month), seats)
            churned = self.run(sub, segment)
            reactivation /= 2
        self.rows.sort(key=lambda row: (row[0], row[3]))
        return self.rows

    def run_addon(
        self, main: Subscription, segment: str, start: dt.date, stop: dt.date | None
    ) -> None:
        """Simulate an add-on subscription next to the main one, ending with it."""
        plan_id, _, per_seat = self.rng.choice(ADDONS)
        interval = main.interval
        addon = Subscription(
            subscription_id=self.next_subscription_id(),
            plan_id=plan_id,
            interval=interval,
            spelling=pick(self.rng, INTERVAL_SPELLINGS[interval]),
            currency=main.currency,
            quantity=main.quantity if per_seat else 1,
            discount_pct=0,
            price_factor=1.0,
            unit_amount=list_unit_amount(plan_id, interval, main.currency, 1.0),
            period_start=start,
            anchor=start,
            started=start,
            is_addon=True,
        )
        self.run(addon, segment, stop)


# ------------------------------------------------------------------------ customers


def customer_name(rng: random.Random, country: str) -> str:
    """A plausible company name with a legal suffix for its country."""
    suffix = rng.choice(LEGAL_SUFFIX[country])
    base = f"{rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)}"
    return f"{base}{suffix}" if suffix.startswith(",") else f"{base} {suffix}"


def acquisition_months(rng: random.Random, customers: int, window: Window) -> list[int]:
    """Sorted acquisition month of every customer, with a growing monthly intake."""
    months = window.last_month - window.first_month + 1
    cumulative, total = [], 0.0
    for m in range(months):
        total += ACQUISITION_GROWTH**m
        cumulative.append(total)
    picks = [
        window.first_month + bisect.bisect_right(cumulative, rng.random() * total)
        for _ in range(customers)
    ]
    picks.sort()
    return picks


def account_parent(listed: list[str], is_missing: bool) -> str:
    """parent_customer_id of the next customer: every 25th customer of the customers table is a
    subsidiary of the one listed before it, and so is every 99th of 100, which makes chains of three
    (the 98th <- 99th <- 100th). Drawn from no random number, so every other value of the demo is
    as before; a parent is always a listed customer (account families, docs/marts.md)."""
    position = len(listed) + 1
    if is_missing or not listed or (position % 25 != 0 and position % 100 != 99):
        return ""
    return listed[-1]


def generate(
    seed: int, customers: int, window: Window
) -> Iterator[tuple[list[str] | None, list[list[str]]]]:
    """Yield (customer row or None, subscription rows) per customer, in id order."""
    rng = random.Random(seed)
    width = max(6, len(str(customers)))
    months = acquisition_months(rng, customers, window)
    special = rng.sample(range(customers), min(customers, MISSING_CUSTOMERS + LEADS))
    missing = set(special[:MISSING_CUSTOMERS])
    leads = set(special[MISSING_CUSTOMERS:])
    counter = 0

    def next_subscription_id() -> str:
        nonlocal counter
        counter += 1
        return f"sub_{counter:0{width + 1}d}"

    simulator = CustomerSimulator(rng, window, next_subscription_id)
    listed: list[str] = []  # the customer_ids written to customers so far
    for index, month in enumerate(months):
        customer_id = f"cus_{index + 1:0{width}d}"
        label = pick(rng, SEGMENT_WEIGHTS)
        # An unlabelled customer behaves like one of the real segments.
        segment = label or pick(rng, SEGMENT_WEIGHTS[:3])
        currency = pick(rng, CURRENCY_WEIGHTS[segment])
        country = pick(rng, COUNTRIES[currency])
        customer = [
            customer_id,
            customer_name(rng, country),
            pick(rng, SEGMENT_SPELLINGS[label]),
            country,
            account_parent(listed, index in missing),
        ]
        if index not in missing:
            listed.append(customer_id)
        start = month_day(month, rng.randint(1, days_in_month(month)))
        if index in leads:
            yield customer, []
            continue
        rows = simulator.simulate_customer(customer_id, segment, currency, start)
        yield (None if index in missing else customer), rows


# --------------------------------------------------------------------------- output


def write_csvs(
    seed: int,
    customers: int,
    window: Window,
    paths: dict[str, Path],
    shape: str = "periods",
    zero_decimal: bool = False,
) -> None:
    """Stream the tables to CSV files: subscriptions (shape `periods`) or the invoice lines that
    bill them (shape `invoice_lines`, see nrr_warehouse.billing_shapes), customers and fx_rates.
    `zero_decimal` bills the GBP customers in JPY instead (a zero-decimal currency), in any shape.
    Shape `stripe` writes the invoice lines as Stripe's tables (stripe_tables) instead."""
    if shape == "stripe":
        write_stripe_csvs(seed, customers, window, paths, zero_decimal)
        return
    history = "subscriptions" if shape == "periods" else "invoice_lines"
    with (
        paths[history].open("w", newline="", encoding="utf-8") as sub_file,
        paths["customers"].open("w", newline="", encoding="utf-8") as cust_file,
    ):
        sub_writer = csv.writer(sub_file, lineterminator="\n")
        cust_writer = csv.writer(cust_file, lineterminator="\n")
        sub_writer.writerow(SUBSCRIPTION_COLUMNS if shape == "periods" else INVOICE_LINE_COLUMNS)
        cust_writer.writerow(CUSTOMER_COLUMNS)
        for customer, rows in generate(seed, customers, window):
            if customer:
                cust_writer.writerow(customer)
            if zero_decimal:
                rows = [in_zero_decimal_currency(row) for row in rows]
            if shape == "periods":
                sub_writer.writerows(rows)
            else:
                periods = [dict(zip(SUBSCRIPTION_COLUMNS, row, strict=True)) for row in rows]
                sub_writer.writerows(invoice_lines(periods, window.last_day))
    with paths["fx_rates"].open("w", newline="", encoding="utf-8") as fx_file:
        fx_writer = csv.writer(fx_file, lineterminator="\n")
        fx_writer.writerow(FX_COLUMNS)
        fx_writer.writerows(FX_RATES + ([ZERO_DECIMAL_FX] if zero_decimal else []))


def write_stripe_csvs(
    seed: int, customers: int, window: Window, paths: dict[str, Path], zero_decimal: bool
) -> None:
    """The history as Stripe tables (invoice_line_item, invoice, price, and customer instead of the
    customers table: the segment in metadata, stripe_customer) and fx_rates."""
    lines: list[list[str]] = []
    with paths["customer"].open("w", newline="", encoding="utf-8") as cust_file:
        cust_writer = csv.writer(cust_file, lineterminator="\n")
        cust_writer.writerow(STRIPE_COLUMNS["customer"])
        written = 0
        for customer, rows in generate(seed, customers, window):
            if customer:
                cust_writer.writerow(stripe_customer(written, customer))
                written += 1
            if zero_decimal:
                rows = [in_zero_decimal_currency(row) for row in rows]
            periods = [dict(zip(SUBSCRIPTION_COLUMNS, row, strict=True)) for row in rows]
            lines.extend(invoice_lines(periods, window.last_day))
    for table, rows in stripe_tables(lines).items():
        with paths[table].open("w", newline="", encoding="utf-8") as table_file:
            writer = csv.writer(table_file, lineterminator="\n")
            writer.writerow(STRIPE_COLUMNS[table])
            writer.writerows(rows)
    with paths["fx_rates"].open("w", newline="", encoding="utf-8") as fx_file:
        fx_writer = csv.writer(fx_file, lineterminator="\n")
        fx_writer.writerow(FX_COLUMNS)
        fx_writer.writerows(FX_RATES + ([ZERO_DECIMAL_FX] if zero_decimal else []))


# --zero-decimal-currency: GBP customers pay in JPY (no minor unit), at this many yen per pound.
ZERO_DECIMAL_FX = ("JPY", "0.0067")
YEN_PER_POUND = 190


def in_zero_decimal_currency(row: list[str]) -> list[str]:
    """A GBP subscription row priced in whole yen instead; other rows as they are."""
    if row[SUBSCRIPTION_COLUMNS.index("currency")] != "GBP":
        return row
    converted = list(row)
    amount = SUBSCRIPTION_COLUMNS.index("unit_amount")
    converted[amount] = str(round(float(row[amount]) * YEN_PER_POUND))
    converted[SUBSCRIPTION_COLUMNS.index("currency")] = "JPY"
    return converted


PARQUET_TYPES = {
    "subscriptions": {
        "subscription_id": "VARCHAR",
        "customer_id": "VARCHAR",
        "plan_id": "VARCHAR",
        "start_date": "DATE",
        "end_date": "DATE",
        "unit_amount": "DECIMAL(18,2)",
        "quantity": "INTEGER",
        "discount_pct": "DECIMAL(5,2)",
        "billing_interval": "VARCHAR",
        "currency": "VARCHAR",
    },
    "customers": {
        "customer_id": "VARCHAR",
        "customer_name": "VARCHAR",
        "segment": "VARCHAR",
        "country": "VARCHAR",
        "parent_customer_id": "VARCHAR",
    },
    "fx_rates": {"currency": "VARCHAR", "rate_to_reporting": "DECIMAL(12,6)"},
}


def csv_to_parquet(csv_paths: dict[str, Path], parquet_paths: dict[str, Path]) -> None:
    """Convert the CSVs to typed Parquet files with duckdb (empty values: NULL)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 1")  # single-threaded: identical files on every run
    for table, source in csv_paths.items():
        columns = ", ".join(f"'{name}': '{kind}'" for name, kind in PARQUET_TYPES[table].items())
        con.execute(
            f"COPY (SELECT * FROM read_csv('{source.as_posix()}', header = true, "
            f"columns = {{{columns}}}, nullstr = '')) "
            f"TO '{parquet_paths[table].as_posix()}' (FORMAT parquet)"
        )
    con.close()


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--months", type=int, default=48)
    parser.add_argument("--start-month", default="2022-01", help="first month, YYYY-MM")
    parser.add_argument(
        "--out",
        default="seeds/demo",
        help="output directory; a relative path is taken from the repository root",
    )
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--prefix", default="raw_", help="file name prefix")
    parser.add_argument(
        "--shape",
        choices=["periods", "invoice_lines", "stripe"],
        default="periods",
        help="periods: a subscriptions table (the demo seeds); invoice_lines: the invoice lines "
        "that bill the same history instead (SPEC section 9); stripe: the same invoice lines as "
        "Stripe's tables (invoice_line_item, invoice, price); CSV only",
    )
    parser.add_argument(
        "--zero-decimal-currency",
        action="store_true",
        help="bill the GBP customers in JPY, a currency without a minor unit (the demo has none)",
    )
    args = parser.parse_args(argv)
    if args.customers < 1 or args.months < 1:
        parser.error("--customers and --months must be positive")
    try:
        first = dt.datetime.strptime(args.start_month, "%Y-%m").date()
    except ValueError:
        parser.error("--start-month must look like YYYY-MM")
    first_month = month_index(first)
    last_month = first_month + args.months - 1
    args.window = Window(first_month, last_month, month_day(last_month, 31))
    return args


def main(argv: list[str] | None = None) -> None:
    """Generate the tables into the output directory."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    out = Path(args.out)
    out = out if out.is_absolute() else REPO_ROOT / out
    out.mkdir(parents=True, exist_ok=True)
    history = {"periods": ["subscriptions"], "invoice_lines": ["invoice_lines"]}.get(
        args.shape, list(STRIPE_COLUMNS)
    )
    tables = [*history, *([] if args.shape == "stripe" else ["customers"]), "fx_rates"]
    targets = {t: out / f"{args.prefix}{t}.{args.format}" for t in tables}
    if args.shape != "periods" or args.zero_decimal_currency:
        if args.format != "csv":
            sys.exit(
                "generate_demo_data.py: --shape invoice_lines or stripe and --zero-decimal-currency"
                " write CSV"
            )
        write_csvs(
            args.seed, args.customers, args.window, targets, args.shape, args.zero_decimal_currency
        )
    elif args.format == "csv":
        write_csvs(args.seed, args.customers, args.window, targets)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            csv_paths = {t: Path(tmp) / f"{t}.csv" for t in tables}
            write_csvs(args.seed, args.customers, args.window, csv_paths)
            csv_to_parquet(csv_paths, targets)
    for path in targets.values():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
