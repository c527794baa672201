"""The live-update bench reads streams and judges its targets as the issue states them."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import live  # noqa: E402


def figures(**changes) -> dict:
    base = {
        "watchers": 1000, "orders": 100, "got_first_event": 1000, "changes_made": 100, "change_missed": 0,
        "first_event_s": {"max": 0.4}, "change_seen_s": {"max": 1.2}, "throughput_ratio": 0.9,
        "run_seconds": 30.0, "upstream_streams_per_order_max": 1, "status_calls_per_order_max": 0,
        "log_lines_after_leaving": 0,
    }
    return {**base, **changes}


def test_an_event_split_across_reads_is_kept_until_it_is_whole():
    events, rest = live.parse_events('event: message\ndata: {"state": "Wait')
    assert events == []
    events, rest = live.parse_events(rest + 'ingForPayment"}\n\nevent: stop\ndata: {}\n\n: keep-alive\n\n')
    assert events == [("message", '{"state": "WaitingForPayment"}'), ("stop", "{}")]
    assert rest == ""


def test_a_run_within_every_bound_meets_every_target():
    assert all(live.targets_met(figures()).values())


def test_a_second_stream_for_one_order_misses_the_upstream_target():
    met = live.targets_met(figures(upstream_streams_per_order_max=2))
    assert [name for name, ok in met.items() if not ok] == [
        "upstream: <= 1 stream and <= 1 status call per 3 s per order"
    ]


def test_one_watcher_that_never_saw_its_change_misses_the_change_target():
    met = live.targets_met(figures(change_missed=1))
    assert not met["every change within 2 s"]


def test_a_log_line_after_the_watchers_leave_misses_the_quiet_target():
    met = live.targets_met(figures(log_lines_after_leaving=1))
    assert not met["nothing above INFO logged when watchers leave"]
