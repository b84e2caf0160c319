"""`python -m nnplay` is the same as the `nnplay` command."""

from nnplay.cli import entry

if __name__ == "__main__":
    entry()
