"""Everything the dashboard page shows, gathered in one call: the selectors' figures and their charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.states import STATE_TONES, OrderState

from . import charts, selectors
from .templatetags.dashboard_format import share
from .upstream_health import EndpointHealth, get_upstream_health

PERIODS = (1, 7, 30, 90)
DEFAULT_PERIOD = 30
DAILY_DAYS = 30

# The admin's "needs attention" reasons (orders.admin.NeedsAttentionFilter), in the order staff act.
ATTENTION_REASONS = (
    ("stuck", _("Paid, not delivered for long")),
    ("partial", _("Partial payment")),
    ("late", _("Late payment")),
    ("unknown", _("Unknown upstream state")),
    ("manual", _("Manual review")),
    ("failed", _("Submit failed")),
)
FUNNEL_STEPS = (
    ("checked_out", _("Carts checked out")),
    ("validated", _("Validated")),
    ("placed", _("Placed")),
    ("paid", _("Paid")),
    ("delivered", _("Delivered")),
)


@dataclass(frozen=True)
class Attention:
    reason: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int
    lost_share: float | None  # of the step before, the share that did not reach this one


@dataclass(frozen=True)
class Dashboard:
    days: int
    periods: tuple[int, ...]
    attention: list[Attention]
    attention_total: int
    attention_url: str
    orders_chart: charts.DailyChart
    volume_chart: charts.DailyChart
    daily: list[selectors.DayOfCoin]
    funnel: list[FunnelStep]
    funnel_chart: charts.RowChart
    problems: list[tuple[str, int]]
    states_chart: charts.RowChart
    top_brands: list[selectors.Ranked]
    top_countries: list[selectors.Ranked]
    medians: selectors.Medians
    upstream: list[EndpointHealth]


def period_days(value: object) -> int:
    """Return the period asked for, if it is one of PERIODS, else the default."""
    try:
        days = int(str(value))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _order_list_url(**query: str) -> str:
    base = reverse("admin:orders_order_changelist")
    return base + "?" + "&".join(f"{name}={value}" for name, value in query.items()) if query else base


def _funnel_steps(funnel: selectors.Funnel) -> list[FunnelStep]:
    steps, before = [], None
    for key, label in FUNNEL_STEPS:
        count = getattr(funnel, key)
        # More at a step than at the one before happens only while the funnel's first records are
        # younger than the period (orders placed before checkouts were recorded): no share then.
        lost = None if before is None or count > before else (1 - count / before if before else 0.0)
        steps.append(FunnelStep(key=key, label=str(label), count=count, lost_share=lost))
        before = count
    return steps


def _daily_values(daily: list[selectors.DayOfCoin], field: str) -> dict[str, dict[date, Decimal | int]]:
    values: dict[str, dict[date, Decimal | int]] = {}
    for row in daily:
        values.setdefault(row.coin, {})[row.day] = getattr(row, field)
    return values


def get_dashboard(*, days: int = DEFAULT_PERIOD, now: datetime | None = None) -> Dashboard:
    """Return the dashboard for the last `days` days (the daily charts always show 30)."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    today = timezone.localdate(now)
    daily_days = [today - timedelta(days=offset) for offset in range(DAILY_DAYS - 1, -1, -1)]
    daily_start = timezone.make_aware(datetime.combine(daily_days[0], datetime.min.time()))

    counts = selectors.count_needs_attention(now=now)
    attention = [
        Attention(
            reason=reason, label=str(label), count=counts[reason], url=_order_list_url(attention=reason)
        )
        for reason, label in ATTENTION_REASONS
    ]
    failed_emails = selectors.count_failed_emails()
    attention.append(Attention(
        reason="email_failed", label=str(_("E-mail failed")), count=failed_emails,
        url=reverse("admin:notifications_outboxemail_changelist") + "?status__exact=failed",
    ))
    daily = selectors.get_daily_orders(start=daily_start)
    funnel = selectors.get_funnel(start=start)
    steps = _funnel_steps(funnel)
    by_state = selectors.count_orders_by_state()
    states = [state for state in OrderState if by_state.get(state)]
    states += sorted(set(by_state) - set(OrderState.values))  # a state no longer known, shown as stored
    return Dashboard(
        days=days,
        periods=PERIODS,
        attention=attention,
        attention_total=counts["yes"],
        attention_url=_order_list_url(attention="yes"),
        orders_chart=charts.daily_stacked_bars(days=daily_days, values=_daily_values(daily, "orders")),
        volume_chart=charts.daily_stacked_bars(days=daily_days, values=_daily_values(daily, "paid_volume")),
        daily=sorted(daily, key=lambda row: (row.day, row.coin)),
        funnel=steps,
        funnel_chart=charts.horizontal_bars(
            rows=[(step.label, step.count) for step in steps],
            notes=["" if step.lost_share is None else "−" + share(step.lost_share) for step in steps],
        ),
        problems=funnel.problems,
        states_chart=charts.horizontal_bars(
            rows=[(str(OrderState(state).label) if state in OrderState.values else state, by_state[state])
                  for state in states],
            css=[f"tone-{STATE_TONES.get(state, 'neutral')}" for state in states],
            links=[_order_list_url(state__exact=state) for state in states],
        ),
        top_brands=selectors.get_top_brands(start=start),
        top_countries=selectors.get_top_countries(start=start),
        medians=selectors.get_median_times(start=start),
        upstream=get_upstream_health(),
    )
