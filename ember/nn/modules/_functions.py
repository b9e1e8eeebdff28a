"""Autograd functions behind some modules (``torch.nn.modules._functions``):
``CrossMapLRN2d``, the legacy (Lua torch) cross-channel local response normalization, ported
step for step (its running window sum, with its asymmetric removal ``c > pre_pad``, and its
hand-written backward), on arrays."""
from __future__ import annotations

from typing import Any

from ..._backend import xp
from ..._tensor import Tensor, _make
from ...autograd.function import Function

__all__ = ["CrossMapLRN2d"]


class CrossMapLRN2d(Function):
    """``y = x * (k + alpha / size * sum of x^2 over a window of channels) ^ -beta``."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                k: float = 1) -> Tensor:
        ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        x = input._array
        channels = x.shape[1]
        sq = xp.power(x, 2)
        scale = xp.empty_like(x)
        pre_pad = int((size - 1) / 2 + 1)
        scale[:, 0] = 0
        for c in range(min(pre_pad, channels)):
            scale[:, 0] += sq[:, c]
        for c in range(1, channels):
            scale[:, c] = scale[:, c - 1]
            if c < channels - pre_pad + 1:
                scale[:, c] += sq[:, c + pre_pad - 1]
            if c > pre_pad:
                scale[:, c] -= sq[:, c - pre_pad]
        scale *= alpha / size
        scale += k
        out = xp.power(scale, -beta) * x
        ctx.scale = scale
        ctx.save_for_backward(input)
        ctx.out = out
        return _make(out, False, None, 0, None)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple:
        (input,) = ctx.saved_tensors
        x, out, scale, g = input._array, ctx.out, ctx.scale, grad_output._array
        size = ctx.size
        N, C, H, W = x.shape
        padded = xp.zeros((C + size - 1, H, W), x.dtype)
        cache = 2 * ctx.alpha * ctx.beta / size
        inverse_pre_pad = int(size - (size - 1) / 2)
        gi = xp.power(scale, -ctx.beta) * g
        center = padded[inverse_pre_pad:inverse_pre_pad + C]
        for n in range(N):
            xp.multiply(g[n], out[n], out=center)
            center /= scale[n]
            acc = padded[:size - 1].sum(0)
            for c in range(C):
                acc += padded[c + size - 1]
                gi[n, c] += x[n, c] * acc * -cache
                acc -= padded[c]
        return _make(gi, False, None, 0, None), None, None, None, None
