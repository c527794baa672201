"""Count the in-process sandbox's requests across the shop's workers, for bench/live.py.

Over HTTP the sandbox answers its request counts (/sandbox/request-counts); in process each worker
holds its own sandbox app and counts in its own memory, which no request can read. bench/harness.py
puts this folder on PYTHONPATH (with BENCH_SANDBOX_COUNTS_DIR) for in-process runs only, so Python
imports this module in every process it starts: once the sandbox app's module loads, each counted
request also rewrites this process's counts to <BENCH_SANDBOX_COUNTS_DIR>/<pid>.json. The shop's code
is not changed; the sandbox counts exactly what it counts over HTTP.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import sys
import threading

TARGET = "storefront.sandbox.app"
COUNTS_DIR = os.environ.get("BENCH_SANDBOX_COUNTS_DIR", "")
_writing = threading.Lock()


def _instrument(module) -> None:
    original = module.SandboxApp._log
    path = os.path.join(COUNTS_DIR, f"{os.getpid()}.json")

    def _log(self, request) -> None:
        original(self, request)
        if request.path in module.UNLOGGED_PATHS:
            return
        # The in-process sandbox answers from several threads at once (each order stream opens on
        # one): one writes at a time, or a file renamed by one goes missing under the other.
        with _writing:
            partial = f"{path}.tmp"
            with open(partial, "w") as out:
                json.dump(dict(self.request_counts), out)
            os.replace(partial, path)  # whole files only: a reader never sees half of one

    module.SandboxApp._log = _log


class _AfterImport(importlib.abc.MetaPathFinder):
    """Instrument the sandbox app's module right after it is executed, wherever it is imported."""

    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module) -> None:
            run(module)
            _instrument(module)

        spec.loader.exec_module = exec_module
        return spec


if COUNTS_DIR:
    sys.meta_path.insert(0, _AfterImport())
