"""The full load test: `python -m tests.load.full [--clients 20] [--each 25] [--json]`.

20 prediction clients x 25 = 500 measured requests, 4 gate sessions (3 rounds each),
1 MNIST CNN training, then cleanup. Prints the figures; exit 1 if a target is missed
(errors 0, isolation, p95 <= 1 s during training, RSS growth <= 10%, sessions released).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .harness import Scenario, run


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.load.full", description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--each", type=int, default=25, help="measured predictions per client")
    p.add_argument("--gates", type=int, default=4)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--max-trainings", type=int, default=1)
    p.add_argument("--think", type=float, default=1.0, help="mean seconds between one client's predictions")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    os.environ.setdefault("NNPLAY_DATA_DIR", str(_data_dir()))
    sc = Scenario(predict_clients=args.clients, predictions_each=args.each, gate_sessions=args.gates,
                  gate_rounds=args.rounds, max_trainings=args.max_trainings, warmup_rounds=2,
                  think=args.think)
    rep = run(sc, log=lambda *a: print(*a, file=sys.stderr, flush=True))
    s = rep.summary()
    checks = {
        "errors == 0": s["errors"] == 0,
        "isolation": s["isolation_failures"] == 0 and s["isolation_checks"] >= args.gates * args.rounds,
        "p95 during training <= 1 s": s["p95_during_training_s"] <= 1.0,
        "RSS growth <= 10%": s["rss_growth_pct"] <= 10.0,
        "closed sessions released": (s["sessions_after_close"] or {}).get("sessions_with_state") == 0,
        "closed session's training stopped": s["closed_session_training_stopped"] is True,
    }
    return print_report(s, checks, as_json=args.json)


def print_report(summary: dict, checks: dict, *, as_json: bool) -> int:
    """The figures and the checks, as JSON or one per line; the exit status (1 if a check failed)."""
    if as_json:
        print(json.dumps({"summary": summary, "checks": checks}, indent=2))
    else:
        for k, v in summary.items():
            print(f"{k:34} {v}")
        print()
        for k, ok in checks.items():
            print(f"{'ok  ' if ok else 'FAIL'} {k}")
    return 0 if all(checks.values()) else 1


def _data_dir():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    shared = root.parent / "shared" / "data" / "mnist"
    return shared if shared.exists() else root / "data" / "mnist"


if __name__ == "__main__":
    sys.exit(main())
