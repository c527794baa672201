from storefront.upstream.client import parse_sse_lines


def test_events_are_split_on_blank_lines_and_comments_skipped():
    lines = [
        ": keep-alive",
        "",
        "event: message",
        'data: {"a":',
        "data: 1}",
        "",
        "event: stop",
        "data: {}",
        "",
    ]
    events = list(parse_sse_lines(iter(lines)))
    assert [(e.event, e.data) for e in events] == [("message", '{"a":\n1}'), ("stop", "{}")]


def test_an_event_without_a_name_is_a_message():
    events = list(parse_sse_lines(iter(["data: x", ""])))
    assert events[0].event == "message"
