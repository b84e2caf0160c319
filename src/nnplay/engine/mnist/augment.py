"""Data augmentation for MNIST batches: random shifts (MnistConfig.augment).

A digit moved by a pixel or two is still the same digit, so each training image is shown at
a random small offset: the network cannot memorise exact pixel positions and learns shapes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def random_shift(x: torch.Tensor, max_shift: int, gen: torch.Generator) -> torch.Tensor:
    """Shift each image by its own random (dy, dx) in [-max_shift, max_shift], filling with 0.

    x: (B, 1, H, W). Pad every side by s and flatten each image -> (B, P) with
    P = (H+2s)(W+2s) and padded width Wp = W+2s. The output pixel (i, j) of image b is the
    padded pixel (dy[b] + i, dx[b] + j), at flat position

        idx[b, i*W + j] = dy[b]*Wp + dx[b]  +  (i*Wp + j)
                          per-image offset     the same template for every image

    so one `gather` along dim 1 reads every window: (B, H*W) values -> (B, 1, H, W).
    (Indexing padded[b, 0, rows, cols] with three broadcast index tensors gives the same
    numbers but took 2.3x as long: 0.29 ms against 0.13 ms per batch of 128, 2 threads.)
    """
    b, _, h, w = x.shape
    s = max_shift
    wp = w + 2 * s
    padded = F.pad(x, (s, s, s, s)).reshape(b, -1)                      # (B, (H+2s)*Wp)
    dy = torch.randint(0, 2 * s + 1, (b, 1), generator=gen)
    dx = torch.randint(0, 2 * s + 1, (b, 1), generator=gen)
    template = (torch.arange(h).unsqueeze(1) * wp + torch.arange(w)).reshape(1, h * w)  # (1, H*W)
    return padded.gather(1, dy * wp + dx + template).view(b, 1, h, w)   # (B, 1, H, W)
