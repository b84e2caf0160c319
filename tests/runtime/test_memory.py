"""runtime/memory.py: glibc keeps freed blocks, so a training loop stops page-faulting.

Oracle: the kernel's own count of minor page faults (getrusage) for a loop that
allocates, touches and frees the same 8 MB block 50 times, in a fresh process (the
setting is process-wide), with and without keep_freed_memory()."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

LOOP = """
import resource, sys
import numpy as np
if sys.argv[1] == "keep":
    from nnplay.runtime.memory import keep_freed_memory
    assert keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(1 << 20)  # numpy's own first-use allocations
f0 = faults()
for _ in range(50):
    a = np.ones(1 << 20)  # 8 MB: above glibc's starting mmap threshold (128 KB)
    del a
print(faults() - f0)
"""


def faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", LOOP, mode], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_keeping_freed_memory_stops_the_page_faults_of_a_repeated_allocation():
    # 50 x 8 MB = 400 MB touched: ~100,000 pages if every block is fresh memory. glibc raises
    # its threshold after the first free of an mmapped block, so even the default may reuse
    # heap memory afterwards - but trims the heap's top, and faults again, each time.
    default, kept = faults("default"), faults("keep")
    assert kept < 3000, kept                # the first block's 2,048 pages, then reuse
    assert default > 10 * max(kept, 1), (default, kept)


def test_it_is_safe_to_call_twice_and_says_whether_it_worked():
    from nnplay.runtime.memory import keep_freed_memory

    first = keep_freed_memory()
    assert keep_freed_memory() == first
