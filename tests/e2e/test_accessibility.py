"""The purchase for keyboard and screen-reader users (WCAG 2.2 AA): axe-core on every shopper page in
the three languages, the accessibility tree, the live region, focus at 320 px, and reduced motion."""

from __future__ import annotations

import re

import pytest
from a11y import assert_focus_shows, ax_nodes, ax_value, axe_violations, focus_state, tab_to, unnamed_controls
from conftest import screenshot
from playwright.sync_api import expect
from test_order_status import SHOPPER, place_order

from orders.models import Order
from storefront.upstream.factory import get_client

pytestmark = pytest.mark.django_db(transaction=True)
LANGUAGES = {"en": "", "es": "/es", "zh-hans": "/zh-hans"}


def add_steam_to_cart(page, prefix: str = "") -> None:
    page.goto(f"{page.base}{prefix}/shop/us/brands/steam/")
    page.locator("#quote button[name=add]").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))


def wait_for_state(order: Order, state: str, page, timeout_s: float = 20) -> None:
    for _ in range(int(timeout_s * 4)):
        order.refresh_from_db()
        if order.state == state:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"order stayed {order.state}, not {state}")


def assert_no_axe_violations(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {name} ({page.url}): {violations}"
    assert unnamed_controls(page) == [], f"controls without a name on {name}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_wcag_22_aa_violation_on_any_shopper_page(page, language):
    prefix = LANGUAGES[language]
    plain_pages = {
        "countries": "/countries/",
        "home": "/shop/us/",
        "brands": "/shop/us/brands/",
        "brands-search": "/shop/us/brands/?q=zzzz-nothing",
        "product-fixed": "/shop/us/brands/steam/",
        "product-range": "/shop/us/brands/amazon-com/",
        "product-family": "/shop/us/brands/lycamobile/",
        "empty-cart": "/cart/",
        "not-found": "/no-such-page/",
    }
    for name, path in plain_pages.items():
        page.goto(f"{page.base}{prefix}{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_no_axe_violations(page, name)
    page.goto(f"{page.base}{prefix}/")
    page.locator("a.nav-orders").click()
    assert_no_axe_violations(page, "find my orders")

    # A price update and a selected amount tile (the grey price on blue once failed contrast).
    page.goto(f"{page.base}{prefix}/shop/us/brands/steam/")
    page.locator(".denomination label").nth(1).click()
    page.locator('label[for="coin-USDT"]').click()
    expect(page.locator(".quote-coin")).to_have_text("USDT")
    assert_no_axe_violations(page, "product after a price update")

    add_steam_to_cart(page, prefix)
    assert_no_axe_violations(page, "cart")
    page.locator("a.button-block[href$='/checkout/']").click()
    assert_no_axe_violations(page, "checkout")
    # The failed checkout: wrong email, the error summary and the fields marked invalid.
    page.fill("#id_email", "buyer@example")
    page.locator("button[data-submit]").click()
    expect(page.locator("#form-problems")).to_be_visible()
    assert_no_axe_violations(page, "checkout with errors")
    # An upstream problem on submit (a compliance code) comes back on the form too.
    page.fill("#id_email", "kyc_missing@sandbox.test")
    page.locator("button[data-submit]").click()
    expect(page.locator("#form-problems")).to_be_visible()
    assert_no_axe_violations(page, "checkout refused by the supplier")

    order = place_order()
    page.goto(f"{page.base}{prefix}/orders/{order.token}/")
    assert_no_axe_violations(page, "payment")
    tron = place_order(network="Tron", coin="USDT")
    page.goto(f"{page.base}{prefix}/orders/{tron.token}/")
    assert_no_axe_violations(page, "payment on Tron")
    get_client().simulate_payment(order_id=order.upstream_order_id, action="pay", end_user=SHOPPER)
    page.goto(f"{page.base}{prefix}/orders/{order.token}/")
    expect(page.locator("#code-1")).to_be_visible(timeout=25_000)
    assert_no_axe_violations(page, "done")


def named(nodes: list[dict], role: str) -> list[str]:
    return [ax_value(n, "name") for n in nodes if not n.get("ignored") and ax_value(n, "role") == role]


def current_steps(page) -> list[str]:
    """Return the texts of the progress steps that the accessibility tree exposes as current."""
    return page.evaluate("""() => [...document.querySelectorAll('#status .progress li[aria-current="step"]')]
        .map(li => li.textContent.trim())""")


def test_the_accessibility_tree_names_every_copy_button_and_the_current_step(page):
    order = place_order(network="Base")
    page.goto(f"{page.base}/orders/{order.token}/")
    nodes = ax_nodes(page)
    buttons = named(nodes, "button")
    assert "Copy amount" in buttons and "Copy address" in buttons, buttons
    assert "Copy" not in buttons, "a copy button is named just Copy"
    assert unnamed_controls(page) == []
    # The progress list: the current step is exposed as such, the done ones say so in words.
    assert current_steps(page) == ["Paid"]
    steps = page.locator("#status .progress li")
    expect(steps.nth(0)).to_have_text("Placed (done)")
    # What a screen reader is given for the steps: done ones say so in words, not only in green.
    expect(page.locator("#status .progress")).to_match_aria_snapshot(
        '- list "Order progress":\n  - listitem: Placed (done)\n  - listitem: Paid\n  - listitem: Delivered'
    )

    # The countdown is a timer outside any live region: read on demand, never announced each second.
    countdown = page.locator("#countdown")
    expect(countdown).to_have_attribute("role", "timer")
    assert page.evaluate("""() => !document.querySelector('#countdown')
        .closest('[aria-live]:not([aria-live="off"]), [role=status], [role=alert], [role=log]')""")
    region_style = "() => getComputedStyle(document.getElementById('announcer')).position"
    assert page.evaluate(region_style) == "absolute"  # visually hidden, read by screen readers

    # After a partial payment the due amount has its own named button.
    page.locator('[data-simulate="partial"]').click()
    expect(page.get_by_role("button", name="Copy amount still to send", exact=True)).to_be_visible()

    get_client().simulate_payment(order_id=order.upstream_order_id, action="pay_rest", end_user=SHOPPER)
    expect(page.locator("#status-headline")).to_have_text("Your order is complete", timeout=25_000)
    assert current_steps(page) == []
    expect(steps.nth(2)).to_have_text("Delivered (done)")
    code = page.get_by_role("button", name=re.compile(r"^Copy code for Airbnb \$25$"))
    expect(code).to_have_count(1)


def test_the_live_region_is_there_from_the_start_and_its_text_changes_at_each_state(page):
    order = place_order(network="Base")
    page.goto(f"{page.base}/orders/{order.token}/")
    announcer = page.locator("#announcer")
    expect(announcer).to_have_attribute("role", "status")
    expect(announcer).to_have_text("")
    # Record every text the region takes, and that it is the same element throughout.
    page.evaluate("""() => {
        const region = document.getElementById('announcer');
        window.__region = region; window.__said = [];
        new MutationObserver(() => { if (region.textContent) window.__said.push(region.textContent); })
            .observe(region, {childList: true, characterData: true, subtree: true});
    }""")
    # The status section itself is no live region any more (one replaced whole is not read).
    assert page.evaluate("() => document.getElementById('status').getAttribute('aria-live')") is None

    page.locator('[data-simulate="partial"]').click()
    expect(page.locator("#status-headline")).to_have_text("Part of the payment arrived")
    page.wait_for_function("() => window.__said.some(t => t.includes('Part of the payment arrived'))")
    get_client().simulate_payment(order_id=order.upstream_order_id, action="pay_rest", end_user=SHOPPER)
    page.wait_for_function("() => window.__said.some(t => t.includes('Your order is complete'))",
                           timeout=25_000)
    said = page.evaluate("() => window.__said")
    assert page.evaluate("() => window.__region === document.getElementById('announcer')"), "region replaced"
    assert [t for t in said if "Part of the payment arrived" in t]
    assert said[-1].startswith("Your order is complete")
    assert not any(re.search(r"\d+:\d\d", t) for t in said), f"the countdown was announced: {said}"


def test_unchanged_polls_do_not_replace_the_status(page):
    order = place_order()
    page.goto(f"{page.base}/orders/{order.token}/")
    page.evaluate("() => { window.__copy = document.getElementById('copy-address'); }")
    def is_poll(response):
        return f"/orders/{order.token}/" in response.url and response.request.headers.get("hx-request")

    for _poll in range(2):
        with page.expect_response(is_poll, timeout=12_000):
            pass
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__copy === document.getElementById('copy-address')")


def test_the_language_changes_only_on_its_button(page):
    page.goto(page.base + "/shop/us/")
    page.locator("#language-select").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert not page.url.startswith(page.base + "/es/")
    page.keyboard.press("Tab")
    expect(page.locator("#language-submit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile(r"/es/shop/us/$"))


def test_removing_a_cart_line_or_paging_brands_keeps_focus_in_place(page):
    add_steam_to_cart(page)
    page.goto(page.base + "/shop/us/brands/airbnb/")
    page.locator("#quote button[name=add]").click()
    lines = page.locator(".cart-line")
    expect(lines).to_have_count(2)
    page.locator("[data-remove-line]").first.focus()
    page.keyboard.press("Enter")
    expect(lines).to_have_count(1)
    expect(page.locator("[data-remove-line]")).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("1 item of 10 per order")
    page.keyboard.press("Enter")
    expect(page.locator("#cart-empty")).to_be_focused()

    page.goto(page.base + "/shop/us/brands/")
    next_page = page.locator('.pagination a[rel="next"]')
    expect(next_page).to_be_visible()
    next_page.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#results-count")).to_be_focused()
    assert_focus_shows(page, "after paging")


def test_the_live_search_says_the_new_count(page):
    page.goto(page.base + "/shop/us/brands/")
    page.locator("#id_q").fill("steam")
    expect(page.locator("#announcer")).to_have_text(re.compile(r"^1 brand"))
    expect(page.locator("#id_q")).to_be_focused()


PHONE_PAGES = ["/shop/us/", "/shop/us/brands/", "/shop/us/brands/steam/", "/cart/", "/countries/?q=spain"]


def test_at_320_px_every_focused_element_is_on_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-US")
    page = context.new_page()
    page.base = live_server.url
    try:
        add_steam_to_cart(page)
        order = place_order()
        for path in [*PHONE_PAGES, "/checkout/", f"/orders/{order.token}/"]:
            page.goto(page.base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
            seen = set()
            for _ in range(60):
                page.keyboard.press("Tab")
                state = focus_state(page)
                if state is None:
                    break
                key = (state["tag"], state["id"], state["text"], state["left"], state["top"])
                if key in seen:
                    break
                seen.add(key)
                assert_focus_shows(page, f"on {path} at 320 px")
        # The kind filters wrap instead of scrolling out of sight.
        page.goto(page.base + "/shop/us/brands/")
        tab_to(page, "input[name=kind]")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
            assert_focus_shows(page, "a kind filter at 320 px")
        screenshot(page, "a11y-brands-320")
    finally:
        context.close()


def test_with_reduced_motion_nothing_animates(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/shop/us/")
        card = page.locator(".brand-card-link").first
        card.hover()
        page.locator(".kind-tile").first.hover()
        assert page.evaluate("() => document.getAnimations().length") == 0
        lifted = "() => getComputedStyle(document.querySelector('.brand-card-link')).transform"
        assert page.evaluate(lifted) == "none"
        page.goto(live_server.url + "/shop/us/brands/steam/")
        page.locator('label[for="coin-USDT"]').click()
        expect(page.locator(".quote-coin")).to_have_text("USDT")
        durations = page.evaluate("""() => [...document.querySelectorAll('*')]
            .map(el => getComputedStyle(el).transitionDuration)
            .filter(d => d.split(',').some(x => parseFloat(x) > 0))""")
        assert durations == []
        assert page.evaluate("() => document.getAnimations().length") == 0
    finally:
        context.close()
