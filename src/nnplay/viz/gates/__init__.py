"""Figures of the logic-gate lab (boundary, network diagram, curves, one neuron).

figures.py: the figure specs; network.py: the network diagram; style.py: colours and JSON.
"""

from .figures import *  # noqa: F401,F403
