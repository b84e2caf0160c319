"""Small networking helpers shared by test modules (import as `from netutil import free_port`).

Not in conftest.py: with several conftest.py files in the tree, `import conftest` picks
whichever one pytest loaded first, so helpers there cannot be imported reliably.
The one implementation is `nnplay.runtime.ports`, shared with the benchmarks.
"""
from nnplay.runtime.ports import free_port

__all__ = ["free_port"]
