"""`nnplay predict IMAGE...`: the digits in each image (a number read left to right), with
probabilities, boxes, and whether the picture looks like handwritten digits at all."""

from __future__ import annotations

import sys

from nnplay.engine.errors import ImageError, NnplayError


def register(sub) -> None:
    p = sub.add_parser("predict", help="read handwritten digits and numbers in images",
                       description="Read images (photos, scans or drawings; PNG, JPEG, GIF, WebP, BMP), clean them "
                                   "up (uneven light, shadows, ruled or squared paper), find the digits, put each "
                                   "into MNIST form and classify it. Says so when the picture does not look like "
                                   "digits at all.")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    p.add_argument("--checkpoint", help="an MNIST checkpoint (default: the photo reader, photo_reader.py, else the bundled CNN)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: per file its digit, probabilities, number, digits "
                        "[{digit, probabilities, box}], is_digit and why")
    p.set_defaults(func=run)


def _human(e: dict) -> str:
    p = e["probabilities"]
    runner = sorted(range(10), key=lambda d: -p[d])[1]
    if not e["is_digit"]:
        return (f"{e['file']}: not a digit ({e['why']}); a network trained only on digits would still say "
                f"{e['number']} ({p[e['digit']]:.1%})")
    if len(e["digits"]) == 1:
        return f"{e['file']}: {e['digit']}  ({p[e['digit']]:.1%}; next {runner} at {p[runner]:.1%})"
    each = ", ".join(f"{d['digit']} {max(d['probabilities']):.0%}" for d in e["digits"])
    return f"{e['file']}: {e['number']}  (digits left to right: {each})"


def run(args) -> int:
    from nnplay.cli import emit_json
    from nnplay.engine.mnist.io import load_model
    from nnplay.engine.mnist.reading import default_reader, read_image

    model = load_model(args.checkpoint)[0] if args.checkpoint else default_reader()
    entries, ok = [], 0
    for file in args.images:
        try:
            reading = read_image(file, model)
        except (NnplayError, OSError) as e:
            msg = str(e) if isinstance(e, NnplayError) else str(ImageError(f"{file}: cannot read it ({e})"))
            entries.append({"file": file, "error": msg})
            continue
        ok += 1
        entries.append({"file": file, **reading.to_dict()})
    if args.json:
        emit_json({"predictions": entries})
    else:
        for e in entries:
            if "error" in e:
                print(f"{e['file']}: error: {e['error']}", file=sys.stderr)
            else:
                print(_human(e))
    if ok == 0:
        print("error: no image could be predicted", file=sys.stderr)
        return 2
    return 0
