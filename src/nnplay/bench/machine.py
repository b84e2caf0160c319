"""Describe the machine a benchmark ran on, and small timing helpers shared by the rows."""

from __future__ import annotations

import os
import platform
import statistics
import time
from datetime import datetime, timezone


def cpu_model() -> str:
    """The `model name` line of /proc/cpuinfo (Linux), else platform.processor()."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float] | None:
    """1/5/15-minute load averages: other work on a shared machine shows up here."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def describe() -> dict:
    import torch

    flags = cpu_flags()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "avx512": "avx512f" in flags,
        "avx512_bf16": "avx512_bf16" in flags,
        "amx": "amx_bf16" in flags or "amx_tile" in flags,
        "memory_gib": memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_at_start": load_average(),
    }


def rss_mb(pid: int | str = "self") -> float | None:
    """Resident set size of a process in MB (VmRSS from /proc/<pid>/status)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def percentiles(samples: list[float], *qs: float) -> list[float]:
    """Percentiles (0-100) by linear interpolation between order statistics."""
    xs = sorted(samples)
    out = []
    for q in qs:
        pos = (len(xs) - 1) * q / 100
        lo = int(pos)
        hi = min(lo + 1, len(xs) - 1)
        out.append(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))
    return out


def time_calls(fn, repeats: int, warmup: int = 3) -> list[float]:
    """Wall times (seconds) of `repeats` calls of fn() after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None
