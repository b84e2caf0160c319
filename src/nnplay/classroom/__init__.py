"""Class mode: every finished run of a class in one database, and what the class view draws.

    store = ClassStore.open("sqlite:///class.db", "Period 3")   # or a path, or postgresql://...
    store.record_gate("ada", owner, cfg.to_dict(), solved=True, epochs=120, final_loss=0.01)
    summary = crowd_sweep(store.list_runs("gates"), gate="XOR")  # viz.sweeps.heatmap_figure(summary)

No gradio and no plotly here (the app and the CLI both use it); SQLAlchemy does the SQL.
"""

from .store import SCHEMA_VERSION, ClassStore, default_db_path, resolve_url
from .summary import crowd_sweep, gate_filters, leaderboard, to_csv

__all__ = ["ClassStore", "SCHEMA_VERSION", "default_db_path", "resolve_url", "crowd_sweep", "gate_filters", "leaderboard",
           "to_csv"]
