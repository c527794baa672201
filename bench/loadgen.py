"""Page load from a separate process: wrk when installed, else bench/pyload.py's threaded client.

Each run answers {"rps", "p50_ms", "p99_ms", "errors"} (errors: answers that are not 2xx or 3xx).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

from harness import PY, ROOT

DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def run_wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str]) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def run_python_load(url: str, *, seconds: int, connections: int, headers: dict[str, str]) -> dict:
    """Fallback load generator (bench/pyload.py), also in a separate process."""
    args = [PY, str(ROOT / "bench" / "pyload.py"), url, str(seconds), str(connections), json.dumps(headers)]
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def load(
    url: str, *, seconds: int = DURATION, connections: int = CONNECTIONS, headers: dict | None = None
) -> dict:
    runner = run_wrk if shutil.which("wrk") else run_python_load
    return runner(url, seconds=seconds, connections=connections, headers=headers or {})


def count_calls(before: dict[str, int], after: dict[str, int], prefix: str = "") -> int:
    """Return the upstream calls between two request counts whose "METHOD /path" starts with `prefix`."""
    return sum(n - before.get(k, 0) for k, n in after.items() if k.startswith(prefix) and "/logos/" not in k)
