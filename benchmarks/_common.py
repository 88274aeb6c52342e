"""Shared helpers for the benchmark scripts: timing loops, machine description, RSS."""

from __future__ import annotations

import os
import platform
import resource
import time


def machine() -> str:
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {cpu or platform.machine()}"


def rate(fn, *, seconds: float = 2.0, min_runs: int = 20, rounds: int = 5) -> tuple[float, float]:
    """(calls per second, mean ms per call) of the fastest of `rounds` rounds of fn() after one warm-up call.

    The best round, not the mean over all: on a shared machine other processes only ever make a round slower."""
    fn()
    best = None
    for _ in range(rounds):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if n >= max(1, min_runs // rounds) and elapsed >= seconds / rounds:
                break
        if best is None or elapsed / n < best:
            best = elapsed / n
    return 1 / best, 1000 * best


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), falling back to the peak."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
