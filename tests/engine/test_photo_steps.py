"""Photo clean-up steps on made-up masks and flat fields whose right answer is known
(photo.drop_mottled, segment.choose)."""

from __future__ import annotations

import cv2
import numpy as np

from nnplay.engine.mnist import photo, segment


def test_the_local_floor_drops_a_mottled_background_and_keeps_the_strokes():
    rng = np.random.default_rng(0)
    flat = np.zeros((480, 640), np.float32)
    # the right third: the table past a dim sheet, its noise blown up by the flat field
    flat[:, 430:] = np.clip(0.15 + 0.08 * rng.standard_normal((480, 210)), 0, 1)
    pencil = np.zeros_like(flat, np.uint8)
    cv2.line(pencil, (100, 80), (160, 400), 1, 4)       # a faint pencil stroke on clean paper
    cv2.circle(pencil, (280, 240), 60, 1, 4)
    felt = np.zeros_like(flat, np.uint8)
    cv2.line(felt, (520, 60), (540, 420), 1, 18)        # a felt pen over the mottled part
    flat[pencil > 0] = 0.3
    flat[felt > 0] = 0.85
    mask = flat > 0.1                                    # what a threshold on the whole page keeps
    out = photo.drop_mottled(mask, flat)
    strokes = (pencil > 0) | (felt > 0)
    assert out[strokes].mean() > 0.98                    # every stroke stays
    speckle = mask & ~strokes
    speckle[:, :470] = False                             # the mottled part away from its edge
    assert speckle.sum() > 5000 and out[speckle].mean() < 0.02
    assert not (out & ~mask).any()                       # it only removes pixels


def test_a_thick_short_stroke_is_not_taken_for_a_blob_beside_specks():
    mask = np.zeros((600, 800), np.uint8)
    mask[337:584, 252:273] = 1                           # a "1" drawn with a thick pen
    mask[46:49, 443:472] = 1                             # specks of paper grain
    mask[2:4, 440:442] = 1
    mask[10:12, 441:442] = 1
    lab, pieces = segment.components(mask.astype(bool))
    chosen = segment.choose(pieces, mask.shape, lab)
    assert [p.box for p in chosen] == [(252, 337, 273, 584)]
    # a solid patch among strokes is still dropped
    mask[:] = 0
    for x in (100, 180, 260):                            # "111" written with a thin pen
        cv2.line(mask, (x, 120), (x + 20, 300), 1, 6)
    mask[150:260, 400:510] = 1                           # a thumb: square and solid
    lab, pieces = segment.components(mask.astype(bool))
    boxes = [p.box for p in segment.choose(pieces, mask.shape, lab)]
    assert all(b[0] < 300 for b in boxes) and boxes


def test_a_small_piece_near_the_border_joins_the_writing_only_when_close():
    mask = np.zeros((600, 800), np.uint8)
    cv2.ellipse(mask, (270, 245), (100, 90), 0, 0, 360, 1, 12)     # a 0, 180 px tall, in the middle
    corner = np.array([[13, 228], [64, 240], [30, 353]], np.int32)  # a corner of the table, 95 px away
    cv2.polylines(mask, [corner], False, 1, 8)
    lab, pieces = segment.components(mask.astype(bool))
    boxes = [p.box for p in segment.choose(pieces, mask.shape, lab)]
    assert len(boxes) == 1 and boxes[0][0] > 150
    # the same small piece close to the digit is part of the writing (a 5's hat, a loose stroke)
    mask[:] = 0
    cv2.ellipse(mask, (170, 245), (100, 90), 0, 0, 360, 1, 12)
    cv2.line(mask, (40, 180), (55, 300), 1, 12)
    lab, pieces = segment.components(mask.astype(bool))
    assert len(segment.choose(pieces, mask.shape, lab)) == 2


def _ruled(h=600, w=800, every=32, level=0.3):
    """A flat field of ruled paper: bare paper 0, blue lines absorbing `level` of the light."""
    flat = np.zeros((h, w), np.float32)
    for y in range(every // 2, h, every):
        cv2.line(flat, (0, y), (w, y), level, 3)
    return flat


def test_a_pen_stroke_lying_on_a_ruled_line_is_kept_and_the_line_erased():
    flat = _ruled()
    pen = np.zeros(flat.shape, np.uint8)
    cv2.line(pen, (300, 272), (420, 272), 1, 3)          # a 7's bar drawn on the line at y=272
    cv2.line(pen, (420, 272), (360, 450), 1, 3)          # its stem, crossing five lines
    flat = 1 - (1 - flat) * (1 - 0.6 * pen)              # light is multiplicative: pen over line
    mask = flat > 0.1
    out, erased, n = photo.remove_lines(mask, flat)
    assert n >= 5
    stroke = pen > 0
    assert out[stroke].mean() > 0.95                     # the bar and the crossings stay
    bare = mask & ~cv2.dilate(pen, np.ones((5, 5), np.uint8)).astype(bool)
    assert out[bare].mean() < 0.01                       # the lines go
    # without the flat field (the old rule) the bar, lying on the line, was erased with it
    old, _, _ = photo.remove_lines(mask)
    bar = np.zeros_like(stroke)
    bar[270:275, 310:410] = True
    assert old[bar & stroke].mean() < 0.2 and out[bar & stroke].mean() > 0.95


def test_the_writing_grows_from_a_thin_digit_not_from_a_fat_wedge_at_the_border():
    mask = np.zeros((600, 800), np.uint8)
    cv2.ellipse(mask, (400, 300), (60, 90), 0, 0, 360, 1, 3)    # a 0 in a thin ballpoint
    wedge = np.array([[10, 510], [430, 590], [10, 590]], np.int32)
    cv2.fillPoly(mask, [wedge], 1)                               # a shadow's wedge, bigger, near the border
    cv2.line(mask, (60, 20), (740, 24), 1, 4)                     # the sheet's edge near the top
    lab, pieces = segment.components(mask.astype(bool))
    boxes = [p.box for p in segment.choose(pieces, mask.shape, lab)]
    assert len(boxes) == 1 and abs((boxes[0][0] + boxes[0][2]) / 2 - 400) < 5
