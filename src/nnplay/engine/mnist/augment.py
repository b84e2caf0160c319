"""Data augmentation for MNIST batches: random shifts (MnistConfig.augment).

A digit moved by a pixel or two is still the same digit, so each training image is shown at
a random small offset: the network cannot memorise exact pixel positions and learns shapes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def random_shift(x: torch.Tensor, max_shift: int, gen: torch.Generator) -> torch.Tensor:
    """Shift each image by its own random (dy, dx) in [-max_shift, max_shift], filling with 0.

    x: (B, 1, 28, 28). Pad every side by s -> (B, 1, 28+2s, 28+2s), then read a 28x28
    window at offset (s+dy, s+dx) per image with one advanced-indexing gather:
    rows[b, i] = s + dy[b] + i, cols[b, j] = s + dx[b] + j.
    """
    b, _, h, w = x.shape
    s = max_shift
    padded = F.pad(x, (s, s, s, s))
    dy = torch.randint(0, 2 * s + 1, (b, 1), generator=gen)
    dx = torch.randint(0, 2 * s + 1, (b, 1), generator=gen)
    rows = (dy + torch.arange(h)).unsqueeze(2)         # (B, H, 1)
    cols = (dx + torch.arange(w)).unsqueeze(1)         # (B, 1, W)
    batch = torch.arange(b).view(b, 1, 1)
    return padded[batch, 0, rows, cols].unsqueeze(1)   # (B, 1, H, W)
