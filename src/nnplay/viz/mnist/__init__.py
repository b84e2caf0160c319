"""Figures of the MNIST lab: figures.py (weights, curves, confusion), inspect.py (digits, mistakes)."""

from .figures import *  # noqa: F401,F403
