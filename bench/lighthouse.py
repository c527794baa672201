"""Lighthouse audits (the npm package, headless system Chromium) of the shop's pages.

Audits the home, catalog, product, checkout, payment and status pages of the shop as deployed,
prints performance, accessibility and best-practices scores, layout shift and the compressed
JavaScript + CSS each page loads, and writes them to bench/lighthouse-results.md.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx
from harness import ROOT, running_shop

HERE = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run --disable-quic"
)
TARGET = 0.95
ASSET_BUDGET_BYTES = 60 * 1024
ATTEMPTS = 3


def install_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)


PRODUCT_PATH = "/shop/us/brands/airbnb/"  # fixed denominations, as the README's figures have used


def checked(page: str, name: str) -> str:
    """Return the value of the checked radio `name` in the page's pick form."""
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', page):
        if re.search(r"\schecked\b", tag) and not re.search(r"\sdisabled\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    raise SystemExit(f"no checked {name!r} radio on {PRODUCT_PATH}: has the pick form changed?")


def cart_cookie(shop_url: str) -> str:
    """Return a session cookie whose cart holds one gift card, added through the product page's pick form."""
    with httpx.Client(base_url=shop_url, follow_redirects=True) as client:
        page = client.get(PRODUCT_PATH).text
        form = re.search(r'<form id="pick".*?</form>', page, re.S).group(0)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        amount = re.search(r'name="amount"[^>]*value="([^"]*)"', form)
        response = client.post(
            "/cart/add/",
            data={
                **hidden,  # csrfmiddlewaretoken, country, family, quantity
                "product": checked(form, "product"),
                "amount": amount.group(1) if amount else "",
                "coin": checked(form, "coin"),
                "add": "1",  # the Add button; the form's first button only updates the price
            },
            headers={"Referer": shop_url + PRODUCT_PATH},
        )
        if response.url.path != "/cart/":
            raise SystemExit(f"adding to the cart ended on {response.url.path}, not /cart/")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def audit(url: str, *, cookie: str = "") -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out.name}",
            "--only-categories=performance,accessibility,best-practices",
            f"--chrome-flags={CHROME_FLAGS}",
        ]
        if cookie:
            args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        # On a loaded machine Lighthouse sometimes loses the trace (NO_NAVSTART) and asks to be
        # run again: a few attempts, then the error.
        for attempt in range(1, ATTEMPTS + 1):
            try:
                subprocess.run(args, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=180)
                break
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                if attempt == ATTEMPTS:
                    raise
                print(f"Lighthouse failed on {url} (attempt {attempt} of {ATTEMPTS}); running it again")
        report = json.loads(Path(out.name).read_text())
    categories = report["categories"]
    items = report["audits"]["network-requests"]["details"]["items"]
    assets = sum(i.get("transferSize", 0) for i in items if i.get("resourceType") in ("Script", "Stylesheet"))
    failed = [
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") == "binary"
    ]
    return {
        "performance": categories["performance"]["score"],
        "accessibility": categories["accessibility"]["score"],
        "best-practices": categories["best-practices"]["score"],
        "cls": report["audits"]["cumulative-layout-shift"]["numericValue"],
        "js_css_bytes": assets,
        "failed_audits": failed,
    }


def main() -> None:
    install_lighthouse()
    with running_shop() as shop:
        open_order = shop.place_order()
        done_order = shop.place_order(pay=True)
        cookie = cart_cookie(shop.url)
        pages = {
            "home": (f"{shop.url}/shop/us/", ""),
            "catalog": (f"{shop.url}/shop/us/brands/", ""),
            "product": (shop.url + PRODUCT_PATH, ""),
            "checkout": (f"{shop.url}/checkout/", cookie),
            "payment": (f"{shop.url}/orders/{open_order}/", ""),
            "status (done)": (f"{shop.url}/orders/{done_order}/", ""),
        }
        results = {name: audit(url, cookie=c) for name, (url, c) in pages.items()}
    report(results)


def report(results: dict) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Lighthouse 12 (mobile preset, simulated throttling) of {when}, system Chromium, shop as deployed",
        "",
        "| page | performance | accessibility | best practices | CLS | JS+CSS (compressed) "
        "| audits failing |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['performance']:.2f} | {r['accessibility']:.2f} | {r['best-practices']:.2f} | "
            f"{r['cls']:.3f} | {r['js_css_bytes'] / 1024:.1f} KB | {', '.join(r['failed_audits']) or '-'} |"
        )
    met = all(
        min(r["performance"], r["accessibility"], r["best-practices"]) >= TARGET
        and r["js_css_bytes"] < ASSET_BUDGET_BYTES
        for r in results.values()
    )
    lines += ["", f"Targets (each score >= {TARGET}, JS+CSS < 60 KB): {'met' if met else 'NOT met'}"]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "lighthouse-results.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
