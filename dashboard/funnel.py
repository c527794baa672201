"""Record the funnel's steps that are not orders: a checkout tried, validated, or stopped by problems."""

from __future__ import annotations

from collections.abc import Iterable

from .models import FunnelEvent


def record_checkout(*, validated: bool, problem_codes: Iterable[str] = ()) -> None:
    """Record one checkout sent for validation: whether it passed, and each problem code that stopped it."""
    rows = [FunnelEvent(step=FunnelEvent.Step.CHECKED_OUT)]
    if validated:
        rows.append(FunnelEvent(step=FunnelEvent.Step.VALIDATED))
    rows += [FunnelEvent(step=FunnelEvent.Step.STOPPED, problem_code=code[:64]) for code in problem_codes]
    FunnelEvent.objects.bulk_create(rows)


def record_placement_stopped(*, problem_codes: Iterable[str]) -> None:
    """Record the problem codes (or failure) that stopped a validated checkout from being placed."""
    FunnelEvent.objects.bulk_create(
        [FunnelEvent(step=FunnelEvent.Step.STOPPED, problem_code=code[:64]) for code in problem_codes]
    )
