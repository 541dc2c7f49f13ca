"""Relationships: orders and revenue, first vs repeat purchases, repeat-purchase rate, and how
long customers have gone without a touch.

An order is a repeat order when its account ordered before (ever, not only in the window);
won deals count as orders (the deal service records one per win).
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis.expr.types as ir

from salestrack.analytics.metrics.core import Metric, count, derived, ratio, safe_div, total
from salestrack.analytics.metrics.facts import CUSTOMER_TOUCH, CUSTOMERS, ORDERS

AREA = "Relationships"


def _spend_ratio(m: Mapping[str, ir.NumericValue], keys: tuple[str, ...]) -> ir.NumericValue:
    return safe_div(m["repeat_order_value"], m["first_order_value"])


METRICS: tuple[Metric, ...] = (
    count("orders", "Orders", ORDERS, time="ordered_at", unit="orders",
          formula="orders placed in the window"),
    total("revenue", "Revenue", ORDERS, lambda t: t.amount, time="ordered_at", unit="money",
          formula="sum of order amounts in the window"),
    count("orders_in_currency", "Orders in the currency", ORDERS, time="ordered_at",
          unit="orders", priced=True,
          formula="orders placed in the window whose amount is in the request's currency"),
    ratio("avg_order_value", "Average order value", "revenue", "orders_in_currency",
          unit="money"),
    count("first_orders", "First orders", ORDERS, time="ordered_at", unit="orders",
          formula="orders that were their account's first", where=lambda t, q: t.is_first),
    total("first_order_revenue", "First-order revenue", ORDERS, lambda t: t.amount,
          time="ordered_at", unit="money", formula="sum of amounts of first orders",
          where=lambda t, q: t.is_first),
    count("first_orders_in_currency", "First orders in the currency", ORDERS,
          time="ordered_at", unit="orders", priced=True, where=lambda t, q: t.is_first,
          formula="first orders whose amount is in the request's currency"),
    ratio("first_order_value", "First-order value", "first_order_revenue",
          "first_orders_in_currency", unit="money"),
    count("repeat_orders", "Repeat orders", ORDERS, time="ordered_at", unit="orders",
          formula="orders of accounts that had ordered before", where=lambda t, q: ~t.is_first),
    total("repeat_order_revenue", "Repeat-order revenue", ORDERS, lambda t: t.amount,
          time="ordered_at", unit="money", formula="sum of amounts of repeat orders",
          where=lambda t, q: ~t.is_first),
    count("repeat_orders_in_currency", "Repeat orders in the currency", ORDERS,
          time="ordered_at", unit="orders", priced=True, where=lambda t, q: ~t.is_first,
          formula="repeat orders whose amount is in the request's currency"),
    ratio("repeat_order_value", "Repeat-order value", "repeat_order_revenue",
          "repeat_orders_in_currency", unit="money"),
    derived("repeat_spend_ratio", "Repeat vs first order value", ("repeat_order_value",
            "first_order_value"), _spend_ratio, unit="ratio",
            formula="repeat_order_value / first_order_value"),
    count("customers", "Ordering customers", CUSTOMERS, time=None, unit="accounts",
          formula="accounts with at least one order in the window"),
    count("repeat_customers", "Repeat customers", CUSTOMERS, time=None, unit="accounts",
          formula="accounts with two or more orders in the window",
          where=lambda t, q: t.orders >= 2),
    ratio("repeat_purchase_rate", "Repeat-purchase rate", "repeat_customers", "customers"),
    ratio("orders_per_customer", "Orders per customer", "orders", "customers", unit="orders",
          formula="orders placed in the window per account ordering in it: orders / customers"),
    count("customer_accounts", "Customer accounts", CUSTOMER_TOUCH, time=None, unit="accounts",
          formula="accounts with status customer now"),
    total("customer_idle_days", "Days since last touch (sum)", CUSTOMER_TOUCH,
          lambda t: t.idle_days, time=None, unit="days",
          formula="sum over customer accounts of days since their last done activity "
          "(since creation when never touched)"),
    ratio("days_since_touch", "Days since last touch", "customer_idle_days",
          "customer_accounts", unit="days",
          formula="average days since a customer's last done activity: "
          "customer_idle_days / customer_accounts"),
)  # fmt: skip
