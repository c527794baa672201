"""Fallback load generator when wrk is not installed: keep-alive connections in threads.

Usage: python bench/pyload.py URL SECONDS CONNECTIONS '{"Header": "value"}'
Prints {"rps", "p50_ms", "p99_ms", "errors"} as JSON.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import urllib.parse


def main() -> None:
    url, seconds, connections, headers = (
        sys.argv[1],
        float(sys.argv[2]),
        int(sys.argv[3]),
        json.loads(sys.argv[4]),
    )
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port)
        while time.monotonic() < stop:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            errors[0] += response.status >= 400

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    count = len(latencies)
    print(
        json.dumps(
            {
                "rps": count / seconds,
                "p50_ms": latencies[count // 2] * 1000,
                "p99_ms": latencies[int(count * 0.99)] * 1000,
                "errors": errors[0],
            }
        )
    )


if __name__ == "__main__":
    main()
