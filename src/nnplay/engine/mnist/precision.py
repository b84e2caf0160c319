"""Which floating-point precision the MNIST trainer computes in, on this CPU.

bfloat16 ("brain float") keeps float32's 8 exponent bits and drops its mantissa to 7
bits: the same range, about 3 significant digits. CPUs with AVX-512 BF16 or AMX
multiply bf16 matrices in hardware, 2x (AVX-512 BF16) to much more (AMX tiles) the
float32 rate. Under `torch.autocast("cpu", dtype=torch.bfloat16)` convolutions and
matrix products take bf16 inputs and accumulate in float32, while the weights, the
gradients and the optimizer stay float32, so training reaches the same accuracy.
Without native support, oneDNN emulates bf16 and it is slower than float32.
"""

from __future__ import annotations

import torch

from ..errors import ConfigError
from .models import is_convolutional

PRECISIONS = ("auto", "bf16", "fp32")


def native_bf16() -> bool:
    """True when this CPU has bfloat16 arithmetic in hardware (AVX-512 BF16 or AMX).
    Without it, oneDNN emulates bf16 and autocast makes training slower, not faster."""
    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    try:
        return any(bool(getattr(cpu, name)()) for name in checks if hasattr(cpu, name))
    except RuntimeError:
        return False


def use_bf16(model: str, precision: str = "auto") -> bool:
    """The precision `auto` picks: bf16 autocast for the convolutional models on a CPU
    with native bf16, float32 otherwise (and always for "fp32")."""
    if precision not in PRECISIONS:
        raise ConfigError(f"unknown precision {precision!r}; choose one of: {', '.join(PRECISIONS)}")
    if precision == "auto":
        return is_convolutional(model) and native_bf16()
    return precision == "bf16"
