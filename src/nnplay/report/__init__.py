"""`nnplay report`: train the models, evaluate them and write REPORT.md with PNG figures.

Files: build.py (the run and the document), common.py (context, kaleido figures, markdown
helpers), architectures.py, gates.py, mnist_data.py, mnist_runs.py, studies.py (one per
part of the report).
"""

from .build import HEADINGS, generate

__all__ = ["HEADINGS", "generate"]
