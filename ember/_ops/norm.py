"""Fused normalisation ops (batch/layer/group/instance norm), embedding and dropout.

One ``Normalize`` op covers every norm: reduce over ``axes`` of (a view of) the input, then an
optional affine ``w``/``b`` broadcast as ``aff_shape``.  Closed-form backward

    xhat = (x - mean) * invstd,   gxh = g * w
    gx = invstd * (gxh - mean(gxh) - xhat * mean(gxh * xhat))

with the means over the normalised axes.  The reference ``backward`` recomputes the statistics
from the saved input (through differentiable ops under ``create_graph``, so higher-order
gradients are exact); ``fast_backward`` reuses the forward's and works in place.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import sum_last, xp
from ..autograd.function import Op

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, Value

__all__ = ["Normalize", "BatchNormOp", "LayerNormOp", "GroupNormOp", "EmbeddingOp",
           "DropoutOp"]


def _stats(x, axes, eps, ns):
    mean = ns.mean(x, axis=axes, keepdims=True)
    xc = x - mean
    var = ns.mean(xc * xc, axis=axes, keepdims=True)
    return mean, 1.0 / ns.sqrt(var + eps), var


def _count(x, axes):
    n = 1
    for a in axes:
        n *= x.shape[a]
    return n


def _rsum(a, axes):
    """``add.reduce(a, axes, keepdims=True)``; over the trailing axes (layer norm, group norm)
    as rows of a 2-D view, which ``sum_last`` sums by BLAS where rows are short enough."""
    nd = a.ndim
    if axes == tuple(range(nd - len(axes), nd)) and a.flags.c_contiguous:
        lead = a.shape[:nd - len(axes)]
        return sum_last(a.reshape(-1, _count(a, axes))).reshape(lead + (1,) * len(axes))
    return xp.add.reduce(a, axis=axes, keepdims=True)


class Normalize(Op):
    """y = (x - mean) / sqrt(var + eps) * w + b over ``axes`` of ``x.reshape(view_shape)``."""
    inputs = (0, 1, 2)  # input, weight, bias (torch's native norms): a missing affine is (None, 0)

    @staticmethod
    def forward(ctx: Ctx, x: Array, w: Array | None, b: Array | None, axes: tuple[int, ...],
                aff_shape: tuple[int, ...], view_shape: tuple[int, ...] | None, eps: float,
                stats: tuple[Array, ...] | None = None,
                update: tuple[float | Array, ...] | None = None) -> Array:
        shape = x.shape
        xv = x.reshape(view_shape) if view_shape is not None else x
        if stats is not None:
            mean, invstd = stats
            y = xv - mean
        else:  # _stats, with one pass fewer: x - mean becomes the output
            n = _count(xv, axes)
            mean = _rsum(xv, axes)
            mean /= n
            y = xv - mean
            var = _rsum(xp.square(y), axes)
            var /= n
            invstd = 1.0 / xp.sqrt(var + eps)
            if update is not None:
                _update_running(update, mean, var, xv, axes)
        y *= invstd
        if w is not None:
            y *= w.reshape(aff_shape)
        if b is not None:
            y += b.reshape(aff_shape)
        if ctx.needs_input_grad:
            ctx.geo = (axes, aff_shape, view_shape, eps, stats is not None, shape)
            ctx.wshape = w.shape if w is not None else (b.shape if b is not None else None)
            ctx.save_for_backward(x, w, mean, invstd)
        return y.reshape(shape) if view_shape is not None else y

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        g, x, w, mean, invstd = _saved(ctx, g)
        axes, _, _, eps, given, _ = ctx.geo
        if not given:
            mean, invstd, _ = _stats(x, axes, eps, ns)
        xhat = (x - mean) * invstd
        gx = None
        gxh, gw, gb = _affine_grads(ctx, g, w, xhat, ns)
        if gxh is not None:
            if given:
                gx = gxh * invstd
            else:
                gx = invstd * (gxh - ns.mean(gxh, axis=axes, keepdims=True)
                               - xhat * ns.mean(gxh * xhat, axis=axes, keepdims=True))
        return _grads(ctx, gx, gw, gb)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (the forward's statistics; in place on one temporary)
        g, x, w, mean, invstd = _saved(ctx, g)
        axes, _, _, eps, given, _ = ctx.geo
        xhat = x - mean
        xhat *= invstd
        gx = None
        gxh, gw, gb = _affine_grads(ctx, g, w, xhat, ns)
        if gxh is not None:
            if given:
                gx = gxh * invstd
            else:
                n = _count(x, axes)
                m1 = _rsum(gxh, axes)
                m1 /= n
                t = gxh * xhat
                m2 = _rsum(t, axes)
                m2 /= n
                ns.multiply(xhat, m2, out=t)
                ns.subtract(gxh, t, out=t)
                t -= m1
                t *= invstd
                gx = t
        return _grads(ctx, gx, gw, gb)


def _saved(ctx, g):
    """The incoming gradient and the saved (x, w, mean, invstd), x and g in the statistics'
    view (both backwards start here)."""
    x, w, mean, invstd = ctx.saved_tensors
    view_shape = ctx.geo[2]
    if view_shape is not None:
        g = g.reshape(view_shape)
        x = x.reshape(view_shape)
    return g, x, w, mean, invstd


def _grads(ctx, gx, gw, gb):
    """One gradient per forward argument, the input's back in its own shape."""
    if gx is not None and ctx.geo[2] is not None:
        gx = gx.reshape(ctx.geo[5])
    return (gx, gw, gb) + (None,) * (len(ctx.needs_input_grad) - 3)


def _affine_grads(ctx, g, w, xhat, ns):
    """(g * w, gw, gb): the gradient of xhat (None when the input needs none) and the affine
    parameters' gradients."""
    needs = ctx.needs_input_grad
    aff_shape = ctx.geo[1]
    gxh = gw = gb = None
    if needs[0]:
        gxh = g * w.reshape(aff_shape) if w is not None else g
    waxes = tuple(i for i, s in enumerate(aff_shape) if s == 1)
    if len(needs) > 1 and needs[1]:
        gw = ns.sum(g * xhat, axis=waxes).reshape(ctx.wshape)
    if len(needs) > 2 and needs[2]:
        gb = ns.sum(g, axis=waxes).reshape(ctx.wshape)
    return gxh, gw, gb


def _update_running(update, mean, var, xv, axes):
    """running = (1 - m) * running + m * batch (unbiased variance), in place."""
    rm, rv, momentum = update
    m = _count(xv, axes)
    bm = mean.reshape(-1)
    bv = var.reshape(-1) * (m / max(m - 1, 1))
    if rm is not None:
        rm *= 1 - momentum
        rm += (momentum * bm).astype(rm.dtype, copy=False)
    if rv is not None:
        rv *= 1 - momentum
        rv += (momentum * bv).astype(rv.dtype, copy=False)


class BatchNormOp(Normalize):
    node_name = "NativeBatchNormBackward0"


class LayerNormOp(Normalize):
    node_name = "NativeLayerNormBackward0"


class GroupNormOp(Normalize):
    node_name = "NativeGroupNormBackward0"


class EmbeddingOp(Op):
    """out = W[idx]; gW = zeros with g rows added at idx (padding row excluded; with
    ``freq`` (scale_grad_by_freq) each row's gradient divided by how often its index occurs)."""
    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx: Ctx, w: Array, idx: Array, padding_idx: int | None,
                freq: bool = False) -> Array:
        if ctx.needs_input_grad:
            ctx.geo = (w.shape, padding_idx, freq)
            ctx.save_for_backward(idx)
        return w[idx]

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (idx,) = ctx.saved_tensors
        shape, padding_idx, freq = ctx.geo
        flat = idx.reshape(-1)
        g2 = g.reshape(-1, shape[1])
        scale = None
        if freq:  # (torch's double backward ignores the rescaling: a constant correction)
            dt = getattr(g2, "_array", g2).dtype  # (g2 is a Tensor under create_graph)
            scale = 1.0 / xp.bincount(flat, minlength=shape[0])[flat].astype(dt)[:, None] - 1
        if padding_idx is not None:
            keep = (flat != padding_idx)
            flat = flat[keep]
            g2 = g2[keep]
            scale = None if scale is None else scale[keep]
        out = ns.add_at(shape, flat, g2)
        if scale is not None:
            out = out + ns.detach(ns.add_at(shape, flat, g2 * scale))
        return out, None, None, None


class DropoutOp(Op):
    """y = x * mask, mask = keep / (1 - p) (a constant).  torch's CPU dropout is this product
    (``input * noise``): a MulBackward0 node whose second input, the noise, needs no grad."""
    node_name = "MulBackward0"
    inputs = (0, 1)

    @staticmethod
    def forward(ctx: Ctx, x: Array, mask: Array) -> Array:
        if ctx.needs_input_grad:
            ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (mask,) = ctx.saved_tensors
        return g * mask, None
