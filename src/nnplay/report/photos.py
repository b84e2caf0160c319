"""Section 4.7 of REPORT.md: photographed digits, numbers and "not a digit".

The numbers come from docs/photos.json, written by tests/photos/measure.py (it needs the
test suite's photo generator and takes minutes, so the report reads its saved result
rather than re-running it). Without that file the section is left out.
"""

from __future__ import annotations

import json
from pathlib import Path

OVERCONFIDENCE = (
    "**Overconfidence.** A network trained only on digits has no answer for \"none of these\": its softmax "
    "always shares 100% among the ten digits, so a printed letter A comes out as a 4 with 99.9% and a smiley as "
    "a 7. High confidence is not evidence that the input is in-distribution; the most confident mistakes are "
    "exactly the ones a confidence threshold lets through. nnplay therefore asks a second, small network "
    "trained with outlier exposure (MNIST digits against synthetic letters, shapes and scribbles) whether the "
    "picture looks like a digit at all, and shows both answers: \"This does not look like a digit. A network "
    "trained only on digits would still have said 4, with 99.9%.\"")


def _path() -> Path:
    return Path(__file__).resolve().parents[3] / "docs" / "photos.json"


def render() -> str:
    path = _path()
    if not path.exists():
        return ""
    saved = json.loads(path.read_text(encoding="utf-8"))
    # before: main before any photo work; earlier: the previous round's "after", when saved
    runs = [("before", saved["before"])] + ([("earlier", saved["earlier"])] if "earlier" in saved else []) \
        + [("after", saved["after"])]
    lines = ["### 4.7 Photographed digits, numbers and \"not a digit\"", "",
             f"{saved['pictures']} pictures from the test suite's photo generator (seed {saved['seed']}: MNIST "
             "test digits re-drawn with a pen on plain, ruled and squared paper, lit, shadowed and photographed; "
             "written numbers; non-digits), read by `nnplay predict` before the photo clean-up"
             + (", after the previous round of work (earlier)" if len(runs) == 3 else "")
             + " and now (after; docs/photos.md has the method and every condition):", "",
             "| | " + " | ".join(name for name, _ in runs) + " |", "|---" * (len(runs) + 1) + "|"]
    for label, key in (("digits read right", "digits"), ("numbers of 2-4 digits exactly right", "numbers"),
                       ("non-digits flagged", "non-digits flagged")):
        cells = []
        for _, res in runs:
            rows = [v for k, v in res["rows"].items() if k.startswith(key + "|")]
            ok, n = sum(r[0] for r in rows), sum(r[1] for r in rows)
            cells.append(f"{ok / max(1, n):.1%}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    acc = saved["after"]["accepted"]
    ok = sum(v[0] for v in acc.values())
    n = sum(v[1] for v in acc.values())
    lines += ["", f"Real digits and numbers accepted as digits after: {ok / max(1, n):.1%} (target 97%)."
              + (f" Measured {saved['after_measured']}." if "after_measured" in saved else ""),
              "", OVERCONFIDENCE, ""]
    return "\n".join(lines)
