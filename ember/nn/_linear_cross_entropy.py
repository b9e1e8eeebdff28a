"""``nn.LinearCrossEntropyLoss``, ``nn.LinearCrossEntropyOptions`` and
``F.linear_cross_entropy`` (new in torch 2.13): ``cross_entropy(linear(input, W, b), target)``.

Without ``options`` it is exactly that composition (torch's reference path: the graph ends
in ``NllLossBackward0``).  With ``options`` torch runs a chunked op that never holds all the
logits: it walks the batch in chunks of ``batch_chunk_size`` rows, computing the loss and
the gradients in forward, and its backward only scales them.  ember does the same, on arrays,
one chunk's logits at a time (``acc_policy``/``acc_dtype`` choose precisions that only
differ for float16/bfloat16 input: ember accumulates in the input dtype).
"""
from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any, Literal

from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Function


__all__ = ["LinearCrossEntropyOptions", "linear_cross_entropy"]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """Configuration of the chunked ``linear_cross_entropy`` (torch's fields, checks and
    chunk-size rules): ``batch_chunk_size`` rows per chunk, or ``chunking_method``
    ``"aspect_ratio[:N]"`` (``"auto"``: ``"aspect_ratio:2"`` on CPU for float32/float64),
    ``allow_retain_graph`` to allow a second backward."""

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: Literal["accurate", "balanced", "compact", "auto"] = "auto"
    acc_dtype: Any = None

    def __post_init__(self) -> None:
        from .. import bfloat16, float16, float32, float64
        if self.acc_policy not in {"auto", "accurate", "balanced", "compact"}:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            if not sep:
                factor = "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        if not (self.batch_chunk_size is None or (isinstance(self.batch_chunk_size, int)
                                                  and self.batch_chunk_size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got "
                             f"{self.batch_chunk_size!r}")
        if self.acc_dtype is not None and self.acc_dtype not in {float16, bfloat16, float32,
                                                                  float64}:
            raise ValueError(f"acc_dtype must be one of {{None, torch.float16, torch.bfloat16, "
                             f"torch.float32, torch.float64}}, got {self.acc_dtype!r}. Pass "
                             "acc_dtype=None to let the op pick automatically.")

    @staticmethod
    def _compute_batch_chunk_size(num_batches: int, in_features: int, num_classes: int,
                                  method: str) -> int:
        factor = int(method.split(":", 1)[1]) if ":" in method else 1
        target = _ceil_div(num_batches, _ceil_div(num_classes, in_features))
        chunk_size = 1 << (target - 1).bit_length()
        return min(chunk_size // factor, num_batches)

    def _chunk_size(self, num_batches: int, in_features: int, num_classes: int) -> int:
        """torch's ``_adjust``: the resolved rows per chunk."""
        method = self.chunking_method
        if method == "auto":
            method = None if self.batch_chunk_size is not None else "aspect_ratio:2"
        size = num_batches if self.batch_chunk_size is None else \
            min(self.batch_chunk_size, num_batches)
        if method is not None:
            size = self._compute_batch_chunk_size(num_batches, in_features, num_classes, method)
            if self.batch_chunk_size is not None and self.batch_chunk_size != size:
                raise ValueError(f"batch_chunk_size (={self.batch_chunk_size}) and "
                                 f"chunking_method ('{method}') give different chunk sizes "
                                 f"({self.batch_chunk_size} vs {size}); pass only one.")
        return max(1, size)


def _chunk_grads(x: Any, w: Any, b: Any, t: Any, cw: Any, ignore: int, rows: int) -> tuple:
    """Per-row losses and d(loss_i)/d(logits) factors, one chunk of logits at a time:
    (losses, row weights, grad_x, grad_w, grad_b) for upstream gradient 1 per row."""
    n = x.shape[0]
    losses = xp.zeros(n, x.dtype)
    gx = xp.zeros_like(x)
    gw = xp.zeros_like(w)
    gb = None if b is None else xp.zeros_like(b)
    valid = t != ignore
    tt = xp.where(valid, t, 0)
    rw = xp.where(valid, cw[tt] if cw is not None else 1.0, 0.0).astype(x.dtype)
    for s in range(0, n, rows):
        sl = slice(s, min(n, s + rows))
        z = x[sl] @ w.T
        if b is not None:
            z = z + b
        m = z.max(1, keepdims=True)
        e = xp.exp(z - m)
        se = e.sum(1, keepdims=True)
        lse = (m + xp.log(se))[:, 0]
        r = xp.arange(z.shape[0])
        losses[sl] = rw[sl] * (lse - z[r, tt[sl]])
        d = e / se
        d[r, tt[sl]] -= 1.0
        d *= rw[sl][:, None]
        gx[sl] = d @ w
        gw += d.T @ x[sl]
        if gb is not None:
            gb += d.sum(0)
    return losses, rw, gx, gw, gb


class GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_default(Function):
    """The chunked op for ``reduction`` mean/sum: loss and gradients in forward (torch's
    node name), the backward scales them by the upstream gradient."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, w: Tensor, t: Tensor, b: Any, cw: Any, reduction: str,
                ignore: int, rows: int, allow_retain: bool) -> Tensor:
        arrs = _chunk_grads(x._array, w._array, None if b is None else b._array, t._array,
                            None if cw is None else cw._array, ignore, rows)
        losses, rw, gx, gw, gb = arrs
        scale = 1.0 / rw.sum() if reduction == "mean" else 1.0
        with xp.errstate(divide="ignore", invalid="ignore"):
            out = xp.asarray(losses.sum() * scale, x._array.dtype)
            ctx.grads = [g * scale if g is not None else None for g in (gx, gw, gb)]
        ctx.allow_retain = allow_retain
        ctx.has_bias = b is not None
        return _make(out, False, None, 0, None)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        if ctx.grads is None:
            raise RuntimeError("linear_cross_entropy chunked backward called twice; "
                               "retain_graph=True / double backward are not supported.")
        gx, gw, gb = (None if a is None else _make(a * g._array, False, None, 0, None)
                      for a in ctx.grads)
        if not ctx.allow_retain:
            ctx.grads = None
        return gx, gw, None, gb, None, None, None, None, None


class GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_no_reduction_default(
        Function):
    """The chunked op for ``reduction='none'``: per-row losses; the backward recomputes the
    chunked gradients from the saved inputs."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, w: Tensor, t: Tensor, b: Any, cw: Any, ignore: int,
                rows: int) -> Tensor:
        losses = _chunk_grads(x._array, w._array, None if b is None else b._array, t._array,
                              None if cw is None else cw._array, ignore, rows)[0]
        ctx.args = (x._array, w._array, None if b is None else b._array, t._array,
                    None if cw is None else cw._array, ignore, rows)
        return _make(losses, False, None, 0, None)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        x, w, b, t, cw, ignore, rows = ctx.args
        up = g._array
        ones = xp.ones(w.shape[0], x.dtype) if cw is None else cw
        gx = xp.zeros_like(x)
        gw = xp.zeros_like(w)
        gb = None if b is None else xp.zeros_like(b)
        for s in range(0, x.shape[0], rows):
            sl = slice(s, min(x.shape[0], s + rows))
            cx, cw_, cb = _scaled_chunk(x[sl], w, b, t[sl], ones, ignore, up[sl])
            gx[sl] = cx
            gw += cw_
            if gb is not None:
                gb += cb
        return (_make(gx, False, None, 0, None), _make(gw, False, None, 0, None), None,
                None if gb is None else _make(gb, False, None, 0, None), None, None, None)


def _scaled_chunk(x: Any, w: Any, b: Any, t: Any, cw: Any, ignore: int, up: Any) -> tuple:
    """One chunk's gradients with a per-row upstream gradient ``up``."""
    z = x @ w.T
    if b is not None:
        z = z + b
    valid = t != ignore
    tt = xp.where(valid, t, 0)
    rw = xp.where(valid, cw[tt], 0.0).astype(x.dtype) * up
    m = z.max(1, keepdims=True)
    e = xp.exp(z - m)
    d = e / e.sum(1, keepdims=True)
    r = xp.arange(z.shape[0])
    d[r, tt] -= 1.0
    d *= rw[:, None]
    return d @ w, d.T @ x, None if b is None else d.sum(0)


def _check_shapes(input: Tensor, linear_weight: Tensor, linear_bias: Tensor | None) -> tuple:
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.dim()}")
    num_batches = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions "
                           f"(in_features), got {input.shape[-1]} and "
                           f"{linear_weight.shape[-1]}, respectively")
    num_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if len(out_features) > 0 and len(num_batches) == 0:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape "
                           f"{tuple(linear_weight.shape)} requires batched input, (N, "
                           f"{in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    return num_batches, in_features, num_classes, out_features


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0,
                         options: LinearCrossEntropyOptions | None = None) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``, with a
    K-dimensional loss when ``linear_weight`` is (C, d_1, ..., d_K, in_features).  With
    ``options`` (class-index targets, no label smoothing, K = 0) the batch is processed in
    chunks and the full logits are never held (see ``LinearCrossEntropyOptions``)."""
    from .. import int64
    num_batches, in_features, num_classes, out_features = _check_shapes(
        input, linear_weight, linear_bias)
    logits_shape = (*num_batches, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains "
                           "probabilities")
    ignore_index = ignore_index if ignore_index is not None else -100
    chunked = reduction in {"mean", "sum", "none"} and label_smoothing == 0.0 and \
        target.dtype == int64 and not out_features
    if options is not None and not chunked:
        warnings.warn(
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
            "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, "
            f"out_features == (). Got reduction={reduction!r}, "
            f"label_smoothing={label_smoothing}, target.dtype={target.dtype}, "
            f"out_features={tuple(out_features)}, tracing=False, linear_bias.shape="
            f"{tuple(linear_bias.shape) if linear_bias is not None else None}.", stacklevel=2)
    if options is not None and chunked:
        return _chunked(input, linear_weight, target, linear_bias, weight, reduction,
                        ignore_index, options, in_features, num_classes)
    if out_features:
        n = math.prod(out_features, start=num_classes)
        linear_weight = linear_weight.reshape((n, in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(n)
    from . import functional as F
    logits = F.linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return F.cross_entropy(logits, target, weight=weight, reduction=reduction,
                           ignore_index=ignore_index, label_smoothing=label_smoothing)


def _chunked(input: Tensor, w: Tensor, target: Tensor, b: Tensor | None, cw: Tensor | None,
             reduction: str, ignore_index: int, options: LinearCrossEntropyOptions,
             in_features: int, num_classes: int) -> Tensor:
    batched = input.dim() == 2
    x = input if batched else input.unsqueeze(0)
    t = target if batched else target.unsqueeze(0)
    rows = options._chunk_size(x.shape[0], in_features, num_classes)
    if reduction == "none":
        op = GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_no_reduction_default
        out = op.apply(x, w, t, b, cw, ignore_index, rows)
    else:
        out = GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_default.apply(
            x, w, t, b, cw, reduction, ignore_index, rows, options.allow_retain_graph)
    return out if batched else out.squeeze(0)
