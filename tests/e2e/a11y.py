"""Helpers of the accessibility browser tests: where focus is, whether it shows, axe-core, the AX tree."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

# What the focused element is, where it sits and whether a focus ring shows on it. A radio or
# checkbox hidden visually shows its ring on the label that follows it (the pills, the amount tiles).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const rect = el.getBoundingClientRect();
  const tiny = rect.width <= 2 || rect.height <= 2;  // .visually-hidden: its label shows the ring
  const candidates = [tiny ? null : el, el.nextElementSibling, el.closest("label")].filter(Boolean);
  const ringed = candidates.filter(node => {
    const style = getComputedStyle(node);
    return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  });
  const shown = ringed[0] || el;
  const box = shown.getBoundingClientRect();
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  return {
    tag: el.tagName.toLowerCase(), id: el.id,
    text: (el.getAttribute("aria-label") || el.textContent || "").trim(),
    visible: el.matches(":focus-visible") && ringed.length > 0,
    left: box.left, right: box.right, top: box.top, bottom: box.bottom,
    viewportWidth: innerWidth, viewportHeight: innerHeight,
    // Not hidden under a sticky header or anything else drawn on top (WCAG 2.4.11).
    uncovered: !!hit && (shown.contains(hit) || hit.contains(shown) || el.contains(hit)),
    size: rect.width * rect.height,
  };
}"""


def focus_state(page) -> dict | None:
    """Return where focus is and whether it shows (None: on the page itself)."""
    return page.evaluate(FOCUS_STATE)


def assert_focus_shows(page, where: str = "") -> dict:
    """Assert that an element has focus, shows a focus ring and is on screen, uncovered."""
    state = focus_state(page)
    assert state is not None, f"focus fell back to the page {where}"
    assert state["visible"], f"no visible focus ring on {state} {where}"
    # A few pixels of slack: the browser scrolls a focused element into view to the nearest pixel.
    width, height = state["viewportWidth"], state["viewportHeight"]
    assert state["left"] >= -4 and state["right"] <= width + 4, f"off-screen: {state} {where}"
    assert state["top"] >= -4 and state["bottom"] <= height + 4, f"off-screen: {state} {where}"
    assert state["uncovered"], f"covered by something else: {state} {where}"
    return state


def tab_to(page, selector: str, *, max_stops: int = 150, backwards: bool = False) -> dict:
    """Press Tab until the element matching `selector` has focus, checking the ring at every stop."""
    for _ in range(max_stops):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = assert_focus_shows(page, f"(tabbing to {selector})")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return state
    raise AssertionError(f"{selector} never got focus in {max_stops} Tab presses")


def focused_matches(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


@cache
def axe_source() -> str:
    """axe-core itself, as shipped inside the axe-playwright-python wheel (pinned in pyproject)."""
    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page at WCAG 2.2 A and AA; return its violations, shortened."""
    # Measured at rest: not while a fragment loads or fades in (its colours are then half-blended).
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.wait_for_timeout(300)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
            "summary": (v["nodes"][0].get("failureSummary") or "")[:300] if v["nodes"] else "",
        }
        for v in result["violations"]
    ]


INTERACTIVE_ROLES = {
    "button", "link", "textbox", "searchbox", "combobox", "radio", "checkbox", "spinbutton", "listbox",
    "menuitem", "tab", "switch", "slider",
}


def ax_nodes(page) -> list[dict]:
    """Return Chromium's accessibility tree of the page (what a screen reader is given)."""
    session = page.context.new_cdp_session(page)
    try:
        return session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()


def ax_value(node: dict, key: str):
    value = node.get(key) or {}
    return value.get("value")


def unnamed_controls(page) -> list[str]:
    """Return the controls of the accessibility tree that have no accessible name."""
    missing = []
    for node in ax_nodes(page):
        if node.get("ignored"):
            continue
        role = ax_value(node, "role")
        if role in INTERACTIVE_ROLES and not (ax_value(node, "name") or "").strip():
            missing.append(f"{role} (node {node.get('backendDOMNodeId')})")
    return missing
