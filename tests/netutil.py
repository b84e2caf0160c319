"""Small networking helpers shared by test modules (import as `from netutil import free_port`).

Not in conftest.py: with several conftest.py files in the tree, `import conftest` picks
whichever one pytest loaded first, so helpers there cannot be imported reliably.
"""
import socket


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
