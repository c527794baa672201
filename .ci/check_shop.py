"""Check a shop started by `make run`: its health check, home, catalog, a product page and the admin.

    python3 .ci/check_shop.py http://127.0.0.1:PORT --pid PID --within 120

Waits for /healthz (giving up when process group PID has exited or after --within seconds), then
fetches the pages a new user opens first, without following redirects. Any answer but 200 or 302,
or none within the time left, fails. The product page is the first brand link on the catalog page,
so brand slugs may change without changing this check. Standard library only: it runs before and
beside the shop's own virtualenv.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import urllib.error
import urllib.request

OK = {200, 302}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to check, not a page to fetch


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, *, timeout: float) -> tuple[int, str]:
    """Return the status and body of GET `url`."""
    try:
        with OPENER.open(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
        return error.code, error.read().decode("utf-8", "replace")


def group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def wait_for_health(base: str, *, pid: int | None, deadline: float) -> None:
    while time.monotonic() < deadline:
        if pid is not None and not group_alive(pid):
            raise SystemExit("make run exited before the shop answered")
        try:
            if fetch(f"{base}/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("no answer from /healthz in time")


def check(base: str, path: str, *, deadline: float) -> str:
    """Fetch `path`, fail unless it answers 200 or 302 in time; return its body."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise SystemExit(f"out of time before {path}")
    try:
        status, body = fetch(base + path, timeout=left)
    except OSError as error:
        raise SystemExit(f"{path}: no answer ({error})") from None
    print(f"{status} {path}")
    if status not in OK:
        raise SystemExit(f"{path} answered {status}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--pid", type=int, help="process group of `make run`")
    parser.add_argument("--within", type=float, default=120.0)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    deadline = time.monotonic() + args.within
    wait_for_health(base, pid=args.pid, deadline=deadline)
    check(base, "/", deadline=deadline)
    check(base, "/shop/us/", deadline=deadline)
    catalog = check(base, "/shop/us/brands/", deadline=deadline)
    products = re.findall(r'href="(/shop/us/brands/[^"?#/]+/)"', catalog)
    if not products:
        raise SystemExit("the catalog page links to no product page")
    check(base, products[0], deadline=deadline)
    check(base, "/admin/login/", deadline=deadline)
    check(base, "/admin/", deadline=deadline)
    print("the shop answers as the README says")


if __name__ == "__main__":
    sys.exit(main())
