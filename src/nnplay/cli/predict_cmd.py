"""`nnplay predict IMAGE...`: which digit is in each image (with probabilities)."""

from __future__ import annotations

import sys

from nnplay.engine.errors import ImageError, NnplayError


def register(sub) -> None:
    p = sub.add_parser("predict", help="classify images of handwritten digits",
                       description="Read images (PNG, JPEG, GIF, WebP, BMP; dark-on-light or light-on-dark), "
                                   "put them into MNIST form and classify them.")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    p.add_argument("--checkpoint", help="an MNIST checkpoint (default: the bundled CNN)")
    p.add_argument("--json", action="store_true", help="print one JSON object with the predictions")
    p.set_defaults(func=run)


def run(args) -> int:
    from nnplay.cli import emit_json
    from nnplay.engine.mnist.evaluate import predict_probs
    from nnplay.engine.mnist.io import load_model, load_pretrained
    from nnplay.engine.mnist.preprocess import to_mnist

    model = load_model(args.checkpoint)[0] if args.checkpoint else load_pretrained()[0]
    entries, ok = [], 0
    for file in args.images:
        try:
            probs = predict_probs(model, to_mnist(file))
        except (NnplayError, OSError) as e:
            msg = str(e) if isinstance(e, NnplayError) else str(ImageError(f"{file}: cannot read it ({e})"))
            entries.append({"file": file, "error": msg})
            continue
        ok += 1
        entries.append({"file": file, "digit": int(probs.argmax()), "probabilities": [float(p) for p in probs]})
    if args.json:
        emit_json({"predictions": entries})
    else:
        for e in entries:
            if "error" in e:
                print(f"{e['file']}: error: {e['error']}", file=sys.stderr)
            else:
                p = e["probabilities"]
                runner = sorted(range(10), key=lambda d: -p[d])[1]
                print(f"{e['file']}: {e['digit']}  ({p[e['digit']]:.1%}; next {runner} at {p[runner]:.1%})")
    if ok == 0:
        print("error: no image could be predicted", file=sys.stderr)
        return 2
    return 0
