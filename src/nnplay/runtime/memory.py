"""Keep freed memory in the process: fewer page faults for a training loop.

A training step allocates the same large tensors every time (the activations and
gradients of each layer: for the default CNN at batch 128, 0.2-3 MB each) and frees
them at the end of the step. glibc's malloc serves blocks above its mmap threshold
(128 KB at start, raised as such blocks are freed, at most 32 MB) with fresh mmap()
calls and hands them back with munmap(), and it returns the free top of the heap to the
system above its trim threshold. Either way the next step gets pages the kernel must
map and zero again: one page fault per 4 KB touched. Measured on the 2-core Xeon, one
epoch of the default CNN took ~570,000 minor page faults and 5.5 s of training; with
the two thresholds raised, ~7,000 faults and 4.4 s (docs/benchmarks.md, "malloc").

    keep_freed_memory()   # once, at the start of a program that trains

The cost is memory the process keeps after a peak instead of returning it (up to
TRIM bytes at the top of its heap). It is a process-wide setting, so programs call it
(the CLI's train and eval, the app), never the engine. A no-op where the C library is
not glibc (macOS, Windows, musl): there it returns False.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1   # mallopt parameters, from glibc's <malloc.h>
M_MMAP_THRESHOLD = -3
MMAP = 32 << 20         # blocks up to 32 MB come from the heap (glibc's largest allowed value)
TRIM = 256 << 20        # free memory at the heap's top is returned above 256 MB

_done = False


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds (idempotent). True when they were set."""
    global _done
    if _done:
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # mallopt returns 1 on success; setting the mmap threshold also stops glibc moving it
    _done = mallopt(M_MMAP_THRESHOLD, MMAP) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM) == 1
    return _done
