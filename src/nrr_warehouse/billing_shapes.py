"""Write one simulated billing history in the other input shapes of SPEC section 9.

`invoice_lines(periods)` turns subscription periods (the rows tools/generate_demo_data.py writes)
into the invoice lines a biller such as Stripe would have issued for them:

* A subscription is billed in cycles from its first paid day (the anchor), each cycle one billing
  interval long, on the anchor's day of the month or its month's last day when that is shorter
  (a month-end anchor: 01-31, 02-29, 03-31). Each cycle is one `recurring` line at the price in
  force on its first day: unit_amount x quantity x (1 - discount_pct / 100), the cycle's net amount.
* A change inside a cycle (a seat change, an upgrade or downgrade, a discount) is two proration
  lines from the change to the cycle's end: a credit of the old price and a charge of the new one,
  each the price times the share of the cycle's days left. A change of billing interval, or a paid
  period after a free one, credits the old price and starts a new anchor on the day of the change.
* A cancellation inside a cycle is a credit of the old price for the days left.
* A free period (a trial) is one line of amount 0 over the period.
* A subscription still running is billed through the cycle that contains the window's last day.

Amounts are written at full precision (the float a period's price is, shortest round-trip text), not
rounded to the currency's minor unit as a real biller rounds a proration: so the invoice-line shape
gives marts identical to the periods shape to the last digit. Rounded prorations are the warehouse's
remainder policy (DECISIONLOG "Invoice lines: the remainder of a rounded proration"), tested on
their own.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

INVOICE_LINE_COLUMNS = [
    "line_id",
    "customer_id",
    "subscription_id",
    "plan_id",
    "service_start",
    "service_end",
    "amount",
    "currency",
    "quantity",
    "billing_interval",
    "line_type",
]

INTERVAL_MONTHS = {
    "month": 1,
    "monthly": 1,
    "quarter": 3,
    "quarterly": 3,
    "year": 12,
    "yearly": 12,
    "annual": 12,
}


def add_months(anchor: dt.date, months: int) -> dt.date:
    """`anchor` plus whole months, on the anchor's day or the month's last day when shorter."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    day = min(anchor.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def amount_text(value: float) -> str:
    """A float as the shortest text that reads back as the same float (two decimals when exact)."""
    if value == round(value, 2):
        return f"{value:.2f}"
    return repr(value)


class _Period:
    def __init__(self, row: dict[str, str]) -> None:
        self.row = row
        self.start = dt.date.fromisoformat(row["start_date"])
        self.end = dt.date.fromisoformat(row["end_date"]) if row["end_date"] else None
        # The price of one cycle, computed as the warehouse computes a period's (same float ops).
        self.price = (
            float(row["unit_amount"])
            * float(row["quantity"] or 1)
            * (1 - float(row["discount_pct"] or 0) / 100)
        )
        self.months = INTERVAL_MONTHS[(row["billing_interval"] or "month").strip().lower()]


def invoice_lines(periods: Iterable[dict[str, str]], last_day: dt.date) -> Iterator[list[str]]:
    """The invoice lines billing `periods` (dicts of the subscriptions columns), rows in
    INVOICE_LINE_COLUMNS order; `last_day` is the last day of the simulated window."""
    by_subscription: dict[str, list[_Period]] = {}
    for row in periods:
        by_subscription.setdefault(row["subscription_id"], []).append(_Period(row))
    for subscription_id, subscription in by_subscription.items():
        subscription.sort(key=lambda period: period.start)
        yield from _bill(subscription_id, subscription, last_day)


def _bill(subscription_id: str, periods: list[_Period], last_day: dt.date) -> Iterator[list[str]]:
    number = 0

    def line(period: _Period, start: dt.date, end: dt.date, amount: float) -> list[str]:
        nonlocal number
        number += 1
        row = period.row
        return [
            f"{subscription_id}_l{number:03d}",
            row["customer_id"],
            subscription_id,
            row["plan_id"],
            start.isoformat(),
            end.isoformat(),
            amount_text(amount),
            row["currency"],
            row["quantity"] or "1",  # the seats the line bills (a proration: the old or new seats)
            row["billing_interval"],
            "recurring",
        ]

    index = 0
    while index < len(periods):
        period = periods[index]
        if period.price == 0:
            # A free period: one line of 0 (it never makes the customer active).
            yield line(period, period.start, period.end or add_months(last_day, 1), 0.0)
            index += 1
            continue
        # Cycles from a new anchor: the period's first day.
        anchor, cycle = period.start, 0
        while True:
            cycle_start = add_months(anchor, cycle * period.months)
            cycle_end = add_months(anchor, (cycle + 1) * period.months)
            if period.end is None and cycle_start > last_day:
                return
            yield line(period, cycle_start, cycle_end, period.price)
            cycle_days = (cycle_end - cycle_start).days
            restart = False
            # Every change inside this cycle: prorations from the change to the cycle's end.
            while period.end is not None and period.end < cycle_end:
                change = period.end
                share = (cycle_end - change).days / cycle_days
                yield line(period, change, cycle_end, -period.price * share)
                following = periods[index + 1] if index + 1 < len(periods) else None
                if following is None or following.start != change:
                    # Cancelled (or a gap before the next period: that one starts a new anchor).
                    index += 1
                    restart = True
                    break
                index += 1
                if following.price == 0 or following.months != period.months:
                    restart = True
                    break
                yield line(following, change, cycle_end, following.price * share)
                period = following
            if restart:
                break
            if period.end is not None and period.end == cycle_end:
                # The period ends with the cycle: the next period (if any) takes the next cycle.
                following = periods[index + 1] if index + 1 < len(periods) else None
                index += 1
                if following is None or following.start != cycle_end:
                    break
                if following.price == 0 or following.months != period.months:
                    break
                period = following
            cycle += 1
    return


# The Stripe tables `stripe_tables` writes, with the columns of the Fivetran Stripe connector that
# the warehouse reads (README docs/billing-shapes.md).
STRIPE_COLUMNS = {
    "invoice_line_item": [
        "id",
        "invoice_id",
        "subscription_id",
        "price_id",
        "period_start",
        "period_end",
        "amount",
        "amount_excluding_tax",
        "discount_amount",
        "currency",
        "quantity",
        "type",
        "proration",
    ],
    "invoice": ["id", "customer_id", "status", "currency"],
    "customer": [
        "id",
        "name",
        "metadata",
        "address_country",
        "shipping_address_country",
        "is_deleted",
    ],
    "price": [
        "id",
        "recurring_interval",
        "recurring_interval_count",
        "recurring_usage_type",
        "product_id",
    ],
}

# The minor units of the currencies the demo bills in (Stripe's amounts are in them).
MINOR_UNITS_PER_UNIT = {"JPY": 1}
STRIPE_INTERVALS = {1: ("month", 1), 3: ("month", 3), 12: ("year", 1)}


def stripe_tables(lines: list[list[str]]) -> dict[str, list[list[str]]]:
    """The Stripe tables (STRIPE_COLUMNS but customer) of invoice lines (rows in
    INVOICE_LINE_COLUMNS order), as Stripe would hold the same billing: amounts in the currency's
    minor unit (a decimal, not rounded to a whole cent, so the history stays exact), currency codes
    lower-case, periods as UTC timestamps at the anchor's time of day (every third line in epoch
    seconds, _stripe_time); each cycle on an invoice of its own (paid), prorations as invoice items
    flagged `proration`. Some lines are written as Stripe writes them with a discount (amount before
    it, discount_amount beside it) or a tax-inclusive price (amount with the tax,
    amount_excluding_tax without it); every 40th subscription also has a draft and a void invoice
    repeating a cycle line, which must not count."""
    column = {name: i for i, name in enumerate(INVOICE_LINE_COLUMNS)}
    first_start: dict[tuple[str, str], str] = {}
    for line in lines:
        key = (line[column["subscription_id"]], line[column["service_end"]])
        first_start[key] = min(first_start.get(key, line[column["service_start"]]),
                               line[column["service_start"]])  # fmt: skip
    # Every table but customer (stripe_customer writes that one).
    tables: dict[str, list[list[str]]] = {name: [] for name in STRIPE_COLUMNS if name != "customer"}
    prices: dict[str, list[str]] = {}
    subscriptions: dict[str, int] = {}
    invoices: set[str] = set()
    for number, line in enumerate(lines):
        subscription = line[column["subscription_id"]]
        start, end = line[column["service_start"]], line[column["service_end"]]
        currency = line[column["currency"]] or "USD"
        months = INTERVAL_MONTHS[(line[column["billing_interval"]] or "month").strip().lower()]
        interval, count = STRIPE_INTERVALS[months]
        price_id = f"price_{line[column['plan_id']]}_{interval}{count}_{currency.lower()}"
        # The price's product is the plan (its id the plan name: Stripe takes custom product ids).
        product = line[column["plan_id"]]
        prices.setdefault(price_id, [price_id, interval, str(count), "licensed", product])
        net = Decimal(line[column["amount"]]) * MINOR_UNITS_PER_UNIT.get(currency, 100)
        amount, excluding_tax, discount = net, "", ""
        if number % 5 == 1 and net > 1000:
            discount = Decimal(100)  # a coupon of one unit, netted by the warehouse
            amount = net + discount
        if number % 7 == 3:
            excluding_tax = amount
            amount = amount * Decimal("1.2")  # a tax-inclusive price's 20 % tax, excluded
        is_proration = start != first_start[(subscription, end)]
        invoice_id = f"in_{subscription}_{start}" + ("_p" if is_proration else "")
        time_of_day = f"{9 + len(subscription) % 8:02d}:30:00"
        tables["invoice_line_item"].append([
            f"il_{line[column['line_id']]}", invoice_id, subscription, price_id,
            _stripe_time(start, time_of_day, number), _stripe_time(end, time_of_day, number),
            _minor_text(amount),
            _minor_text(excluding_tax) if excluding_tax != "" else "",
            _minor_text(discount) if discount != "" else "", currency.lower(),
            line[column["quantity"]], "invoiceitem" if is_proration else "subscription",
            "true" if is_proration else "false",
        ])  # fmt: skip
        if invoice_id not in invoices:
            invoices.add(invoice_id)
            tables["invoice"].append(
                [invoice_id, line[column["customer_id"]], "paid", currency.lower()]
            )
        index = subscriptions.setdefault(subscription, len(subscriptions))
        if index % 40 == 0 and not is_proration:
            subscriptions[subscription] = -1  # once per subscription
            original = tables["invoice_line_item"][-1]
            for status in ("draft", "void"):
                repeated = f"{invoice_id}_{status}"
                tables["invoice"].append([repeated, line[column["customer_id"]], status,
                                          currency.lower()])  # fmt: skip
                tables["invoice_line_item"].append(
                    [f"{original[0]}_{status}", repeated, *original[2:]]
                )
    tables["price"] = list(prices.values())
    return tables


def stripe_customer(number: int, customer: list[str]) -> list[str]:
    """A customers row (customer_id, customer_name, segment, country, parent_customer_id) as
    Stripe's customer table holds it (STRIPE_COLUMNS["customer"]): the segment and the parent
    account as written, in metadata (no key when blank);
    the country in the address, or only in the shipping address (every 10th); every 50th customer
    deleted in Stripe since (kept: its invoices still count). `number` counts the customers."""
    customer_id, name, segment, country, parent = customer
    keys = {"segment": segment, "parent_customer_id": parent}
    metadata = json.dumps({k: v for k, v in keys.items() if v}, separators=(",", ":"))
    shipping_only = number % 10 == 9
    return [
        customer_id,
        name,
        metadata,
        "" if shipping_only else country,
        country if shipping_only else "",
        "true" if number % 50 == 49 else "false",
    ]


def _stripe_time(day: str, time_of_day: str, number: int) -> str:
    """A UTC timestamp as Fivetran writes it (`2024-01-15 09:30:00`), or for every third line as
    Stripe's API and CSV exports do, Unix epoch seconds."""
    if number % 3 != 2:
        return f"{day} {time_of_day}"
    moment = dt.datetime.fromisoformat(f"{day}T{time_of_day}+00:00")
    return str(int(moment.timestamp()))


def _minor_text(value: Decimal) -> str:
    """A minor-unit amount as plain decimal text (no exponent, no trailing zeros)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
