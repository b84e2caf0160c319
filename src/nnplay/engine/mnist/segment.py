"""From an ink mask to the digits written on it, left to right.

    components     connected pieces of ink (8-neighbour), with their boxes and areas
    choose         keep the writing: drop specks (tiny next to the biggest piece) and
                   page edges (pieces touching the border when there is ink away from it),
                   and pieces far from the main cluster of writing
    group          pieces that overlap horizontally belong to one digit: a 5 and its hat,
                   the two strokes of an open 4, a broken 0
    split          a group much wider than tall is several touching digits: cut it at the
                   columns with the least ink near the evenly spaced positions

Boxes are (x0, y0, x1, y1) in pixels of the mask, x1/y1 exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Piece:
    box: tuple[int, int, int, int]
    area: int
    labels: list[int]          # component labels in the label image

    @property
    def w(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def h(self) -> int:
        return self.box[3] - self.box[1]


def _union(a, b):
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _gap(a, b) -> float:
    """Distance between two boxes (0 when they overlap)."""
    dx = max(0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0, max(a[1], b[1]) - min(a[3], b[3]))
    return float(np.hypot(dx, dy))


def components(mask: np.ndarray) -> tuple[np.ndarray, list[Piece]]:
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    pieces = [Piece((int(s[0]), int(s[1]), int(s[0] + s[2]), int(s[1] + s[3])), int(s[4]), [i])
              for i, s in enumerate(stats) if i > 0]
    return lab, pieces


def choose(pieces: list[Piece], shape: tuple[int, int], lab: np.ndarray | None = None) -> list[Piece]:
    """The pieces that make up the writing (see the module docstring)."""
    if not pieces:
        return []
    h, w = shape
    band = 0.05 * max(h, w)
    contact = {}
    if lab is not None:  # how many of each piece's pixels lie on the image's border
        rim = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])
        ids, counts = np.unique(rim[rim > 0], return_counts=True)
        contact = dict(zip(ids.tolist(), counts.tolist()))

    def edge_like(p: Piece) -> bool:
        """Touches the border and is long (a page edge), lies in a thin band along the
        border (noise on the table), or meets the border along a long stretch (the table
        showing past the sheet): a digit cut by the frame meets it for a stroke's width."""
        if not (p.box[0] <= 3 or p.box[1] <= 3 or p.box[2] >= w - 3 or p.box[3] >= h - 3):
            return False
        long = p.w > 0.4 * w or p.h > 0.4 * h
        thin = (min(p.box[2], w - p.box[0]) <= band) or (min(p.box[3], h - p.box[1]) <= band)
        wide_contact = sum(contact.get(i, 0) for i in p.labels) > 0.04 * max(h, w)
        return long or thin or wide_contact

    inner = [p for p in pieces if not edge_like(p)]
    if inner:
        pieces = inner                                                        # page edges, table
    if lab is not None and len(pieces) > 1:
        pieces = _drop_blobs(pieces, lab)                                     # solid patches of table
    biggest = max(p.area for p in pieces)
    pieces = [p for p in pieces if p.area >= max(4, 0.04 * biggest)]           # specks
    if not pieces:
        return []
    seed = _seed(pieces, shape, lab) if lab is not None else max(pieces, key=lambda p: p.area)
    if lab is not None and len(pieces) > 1:
        pieces = _drop_thin(pieces, lab, seed)                                # leftovers of lines
    # grow a cluster from the seed: add the pieces near it
    pieces.sort(key=lambda p: -p.area)
    cluster = [seed]
    box = seed.box
    big = seed.area
    rest = [p for p in pieces if p is not seed]
    grew = True
    while grew and rest:
        grew = False
        ref = max(box[3] - box[1], 0.5 * max(p.h for p in cluster))
        for p in list(rest):
            # a small piece must be close (0.6 heights); a digit-sized one may stand a digit's
            # height away (a widely spaced number)
            reach = 1.0 if p.h >= 0.6 * ref else 0.6
            if lab is not None and _near_border(p, shape) and (p.area < 0.25 * big or _straight(p, lab)):
                # the sheet's edge, a margin, a shadow's rim, a corner of the table: only when close
                reach = min(reach, 0.4)
            if _gap(box, p.box) <= reach * ref and p.h <= 2.5 * ref:
                cluster.append(p)
                box = _union(box, p.box)
                rest.remove(p)
                grew = True
    return cluster


def _near_border(p: Piece, shape) -> bool:
    """Within a tenth of the picture from its border."""
    h, w = shape
    return p.box[0] < 0.1 * w or p.box[1] < 0.1 * h or p.box[2] > 0.9 * w or p.box[3] > 0.9 * h


def _straight(p: Piece, lab: np.ndarray) -> bool:
    """A straight, thin piece (its smallest enclosing rectangle 5 times longer than wide):
    a "1", or what is left of a ruled line, a grid line, the sheet's or a shadow's edge."""
    x0, y0, x1, y1 = p.box
    ys, xs = np.nonzero(np.isin(lab[y0:y1, x0:x1], p.labels))
    if len(xs) < 3:
        return False
    (_, _), (a, b), _ = cv2.minAreaRect(np.stack([xs, ys], 1).astype(np.float32))
    return max(a, b) >= 5 * max(1.0, min(a, b))


def _fatness(p: Piece, lab: np.ndarray) -> float:
    """2 * area / perimeter: a pen stroke's width, or a solid patch's half size."""
    x0, y0, x1, y1 = p.box
    m = np.isin(lab[y0:y1, x0:x1], p.labels).astype(np.uint8)
    contours, _ = cv2.findContours(m, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    return 2 * float(m.sum()) / max(1.0, sum(cv2.arcLength(c, True) for c in contours))


def _drop_blobs(pieces: list[Piece], lab: np.ndarray) -> list[Piece]:
    """Drop solid patches (the table seen past the sheet, a thumb): pieces that fill most of
    their box, are far fatter than the pen strokes around them and are fat for their length
    (a short, thick "1" is a bar: long for its width). Specks do not set the usual pen: next
    to the paper's grain, any stroke is fat."""
    top = sorted(pieces, key=lambda p: -p.area)[:30]
    top = [p for p in top if p.area >= 0.04 * top[0].area]
    fat = {id(p): _fatness(p, lab) for p in top}
    usual = float(np.median(list(fat.values())))
    keep = [p for p in pieces if not (id(p) in fat and p.area / max(1, p.w * p.h) > 0.55
                                      and fat[id(p)] > 2.5 * usual and fat[id(p)] > 0.12 * max(p.w, p.h))]
    return keep or pieces


def _seed(pieces: list[Piece], shape, lab: np.ndarray) -> Piece:
    """The piece the writing grows from: the biggest, leaving out pieces near the border that
    are far fatter than the biggest piece away from it (the table's corner, a shadow's wedge
    or rim next to a thin ballpoint or pencil digit) or long and straight (the sheet's or a
    shadow's edge). Grown from such a patch, the writing lost the digit: thinner than the
    patch's "pen", it was dropped as a line's leftover."""
    order = sorted(pieces, key=lambda p: -p.area)
    inner = [p for p in order if not _near_border(p, shape)]
    if not inner or not _near_border(order[0], shape):
        return order[0]
    pen = _fatness(inner[0], lab)
    for p in order:
        if not _near_border(p, shape):
            return p
        long = max(p.w, p.h) >= 0.5 * max(shape)
        fat = _fatness(p, lab)
        # (a patch is also fat for its size: a gel-pen 1 near the border, beside grid lines'
        # thin leftovers, is more than twice as fat as they are, but its pen is 5% of its length)
        if not (fat > 2 * pen and fat > 0.1 * max(p.w, p.h) or long and _straight(p, lab)):
            return p
    return order[0]


def _drop_thin(pieces: list[Piece], lab: np.ndarray, top: Piece) -> list[Piece]:
    """Drop pieces drawn with a far thinner line than the seed piece (the writing): what is
    left of a ruled line, a grid line or a margin next to a felt-pen digit; and small ones far
    fatter (blots of paper grain beside a pencil line). The pieces of one broken digit share
    its pen."""
    pen = _fatness(top, lab)
    return [p for p in pieces if p is top or 0.45 * pen <= _fatness(p, lab) <= 2.2 * pen or p.area >= 0.5 * top.area]


def group(pieces: list[Piece]) -> list[Piece]:
    """Merge pieces that share most of their horizontal extent, or small pieces into their
    nearest neighbour: one group per digit. Sorted left to right."""
    groups = sorted((Piece(p.box, p.area, list(p.labels)) for p in pieces), key=lambda p: p.box[0])
    tall = max((p.h for p in pieces), default=0)
    merged = True
    while merged and len(groups) > 1:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                a, b = groups[i], groups[j]
                overlap = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
                # (or one just above the other: the two halves of a slanted stroke broken where
                # it crossed a line; the digits of a number share their line of writing)
                stacked = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1]) <= 0.1 * min(a.h, b.h)
                if overlap >= 0.5 * min(a.w, b.w) or stacked and _gap(a.box, b.box) <= 0.1 * tall:
                    groups[i] = Piece(_union(a.box, b.box), a.area + b.area, a.labels + b.labels)
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    if len(groups) > 1:
        # short pieces (a 5's hat, a dot, a stroke end) join the nearest group: one that overlaps
        # them horizontally if any, else the closest
        tall = max(g.h for g in groups)
        for g in sorted(groups, key=lambda g: g.h):
            if g in groups and len(groups) > 1 and g.h < 0.55 * tall:
                others = [o for o in groups if o is not g and o.h >= g.h]
                if not others:
                    continue
                near = min(others, key=lambda o: (min(o.box[2], g.box[2]) - max(o.box[0], g.box[0]) <= 0,
                                                  _gap(o.box, g.box)))
                if _gap(near.box, g.box) > 0.5 * tall:
                    continue
                idx = groups.index(near)
                groups[idx] = Piece(_union(near.box, g.box), near.area + g.area, near.labels + g.labels)
                groups.remove(g)
    return sorted(groups, key=lambda g: (g.box[0] + g.box[2]) / 2)


def merged(pieces: list[Piece]) -> Piece:
    box = pieces[0].box
    for p in pieces[1:]:
        box = _union(box, p.box)
    return Piece(box, sum(p.area for p in pieces), [i for p in pieces for i in p.labels])


def split_points(mask: np.ndarray, k: int) -> list[int]:
    """k-1 cut columns in a (h, w) mask of touching digits: near i*w/k, where the fewest ink
    pixels are (a touching pair usually meets in a thin bridge)."""
    w = mask.shape[1]
    cols = cv2.GaussianBlur(mask.sum(0).astype(np.float32).reshape(1, -1), (0, 0), max(1.0, w / 60)).ravel()
    cuts = []
    for i in range(1, k):
        centre = i * w / k
        lo, hi = int(max(1, centre - 0.3 * w / k)), int(min(w - 1, centre + 0.3 * w / k))
        cuts.append(lo + int(np.argmin(cols[lo:hi])) if hi > lo else int(centre))
    return cuts


def pieces_count(box_w: int, box_h: int, tall: int = 0) -> int:
    """How many touching digits a group of this shape holds (MNIST digits are at most about
    as wide as tall; two side by side are 1.3-2 times wider than tall). `tall`: the height of
    the tallest digit in the picture (a flat group, such as a lone stroke, is not split)."""
    ratio = box_w / max(1, box_h, tall)
    if ratio < 1.25:
        return 1
    return int(min(4, max(2, round(ratio / 0.8))))
