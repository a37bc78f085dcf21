"""Start-up time and resident memory of one gunicorn worker, for this checkout and others, in one run.

    .venv/bin/python bench/web_start.py [--runs 5] [--baseline DIR ...]

Starts ``gunicorn trustasset.wsgi --workers 1`` in each checkout (this one, and every ``--baseline``
checkout of the project, e.g. a ``git worktree`` of an older commit), ``--runs`` times each in turn, and
measures the seconds from the start until ``/health/live/`` answers (the worker has imported the
application: every view, serializer and form, as trustasset/wsgi.py loads them) and the worker's
resident memory then. All of them use the database ``DATABASE_URL`` names, or the embedded one started
here, so no run pays for starting a server. Prints the median of each and the ratio to the first baseline.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_start(checkout: Path, *, environ: dict[str, str]) -> tuple[float, float]:
    """(seconds until the worker answers, its resident MB then) for one gunicorn start in ``checkout``."""
    port = _free_port()
    started = time.perf_counter()
    master = subprocess.Popen(  # noqa: S603 (our own command)
        [str(ROOT / ".venv/bin/gunicorn"), "trustasset.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=checkout, env=environ)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live/", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if master.poll() is not None:
                    raise RuntimeError(f"gunicorn exited in {checkout}") from None
                time.sleep(0.02)
        seconds = time.perf_counter() - started
        (worker,) = psutil.Process(master.pid).children()
        return seconds, worker.memory_info().rss / 2**20
    finally:
        master.terminate()
        master.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, action="append", default=[], metavar="DIR")
    args = parser.parse_args()
    from trustasset.startup import process_prepare

    process_prepare()  # one database for every checkout, started before any timing
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "trustasset.settings", "OMP_NUM_THREADS": "1"}
    checkouts = [*args.baseline, ROOT]
    measured: dict[Path, list[tuple[float, float]]] = {checkout: [] for checkout in checkouts}
    for _ in range(args.runs):  # alternating, so a busy spell on the machine falls on every checkout alike
        for checkout in checkouts:
            measured[checkout].append(worker_start(checkout, environ=environ))
    first = None
    for checkout in checkouts:
        seconds = statistics.median(run[0] for run in measured[checkout])
        megabytes = statistics.median(run[1] for run in measured[checkout])
        first = first or (seconds, megabytes)
        print(f"{checkout}: start {seconds:.2f} s, worker RSS {megabytes:.0f} MB "
              f"({seconds / first[0]:.2f}x time, {megabytes / first[1]:.2f}x memory of the first)")


if __name__ == "__main__":
    main()
