"""`python -m nnplay` is the same as the `nnplay` command."""

from nnplay.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
