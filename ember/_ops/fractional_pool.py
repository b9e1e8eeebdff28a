"""Fractional max pooling (Graham, 2014): ``fractional_max_pool2d``/``3d`` as torch's CPU
kernels compute them.  Each plane's pooling regions start at torch's pseudo-random sequence
``int((i + u) * alpha) - int(u * alpha)`` (``alpha = (in - k) / (out - 1)``, computed in the
input's dtype; the last region ends at the input's edge) from one sample ``u`` in [0, 1) per
plane and dimension (``_random_samples``, shape (N, C, 2|3); 2-D takes W from sample 0 and H
from sample 1, 3-D takes T, H, W from 0, 1, 2).  The maximum (the first, or the last NaN) and
its flat index in the plane are the outputs; the backward scatters the gradient there.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._backend import xp
from ..autograd.function import Op

if TYPE_CHECKING:
    from ._types import Array, Ctx, Grads, Namespace


def _intervals(u: Array, size: int, out: int, k: int, dt: Any) -> Array:
    """torch's ``generate_intervals`` for a vector of samples ``u`` -> (planes, out) starts."""
    seq = xp.empty((u.shape[0], out), xp.int64)
    if out > 1:
        alpha = dt.type(size - k) / dt.type(out - 1)
        i = xp.arange(out - 1, dtype=dt)
        a = ((i[None, :] + u[:, None]) * alpha).astype(xp.int64)
        seq[:, :-1] = a - (u * alpha).astype(xp.int64)[:, None]
    if out > 0:
        seq[:, -1] = size - k
    return seq


def _pool(x: Array, kernel: tuple[int, ...], out: tuple[int, ...], samples: Array) -> tuple:
    """x: (P, *spatial); samples (P, nd) -> (values, flat indices), both (P, *out)."""
    nd = len(kernel)
    P = x.shape[0]
    spatial = x.shape[1:]
    dt = x.dtype if x.dtype.kind == "f" else xp.dtype(xp.float32)
    # 2-D: sample 0 is W, 1 is H; 3-D: samples 0, 1, 2 are T, H, W
    order = [1, 0] if nd == 2 else [0, 1, 2]
    idx = []
    for d in range(nd):
        st = _intervals(samples[:, order[d]].astype(dt), spatial[d], out[d], kernel[d], dt)
        full = st[:, :, None] + xp.arange(kernel[d])[None, None, :]  # (P, out_d, k_d)
        shape = [P] + [1] * (2 * nd)
        shape[1 + d] = out[d]
        shape[1 + nd + d] = kernel[d]
        idx.append(full.reshape(shape))
    flat = idx[0]
    for d in range(1, nd):
        flat = flat * spatial[d] + idx[d]
    win = x.reshape(P, -1)[xp.arange(P).reshape([P] + [1] * (2 * nd)), flat]
    flat = xp.broadcast_to(flat, win.shape)
    K = 1
    for k in kernel:
        K *= k
    win = win.reshape(P, *out, K)
    flat = flat.reshape(P, *out, K)
    nan = xp.isnan(win)
    pick = xp.argmax(win, axis=-1)
    if nan.any():  # torch keeps the last NaN of the window
        last_nan = K - 1 - xp.argmax(nan[..., ::-1], axis=-1)
        pick = xp.where(nan.any(-1), last_nan, pick)
    vals = xp.take_along_axis(win, pick[..., None], -1)[..., 0]
    inds = xp.take_along_axis(flat, pick[..., None], -1)[..., 0]
    return vals, inds


class FractionalMaxPool2D(Op):
    """Fractional max pooling over the last 2 (or 3, ``FractionalMaxPool3D``) dims; outputs
    (values, int64 indices), the gradient goes to each window's maximum."""
    node_name = "FractionalMaxPool2DBackward0"
    inputs = (0,)
    multi_output = True
    nondiff_outputs = (1,)

    @staticmethod
    def forward(ctx: Ctx, x: Array, kernel: tuple[int, ...], out: tuple[int, ...],
                samples: Array) -> tuple[Array, Array]:
        nd = len(kernel)
        lead = x.shape[:-nd]
        P = 1
        for s in lead:
            P *= s
        planes = x.reshape((P,) + x.shape[-nd:])
        vals, inds = _pool(planes, kernel, out, samples.reshape(P, nd))
        ctx.shape, ctx.nd, ctx.inds = x.shape, nd, inds.reshape(P, -1)
        return vals.reshape(lead + tuple(out)), inds.reshape(lead + tuple(out))

    @staticmethod
    def backward(ctx: Ctx, grads: Any, ns: Namespace) -> Grads:
        g = grads[0]
        inds = ctx.inds
        P = inds.shape[0]
        plane = 1
        for s in ctx.shape[-ctx.nd:]:
            plane *= s
        rows = xp.broadcast_to(xp.arange(P)[:, None], inds.shape)
        gi = ns.add_at((P, plane), (rows, inds), ns.reshape(g, (P, -1)))
        return ns.reshape(gi, ctx.shape), None, None, None


class FractionalMaxPool3D(FractionalMaxPool2D):
    """``FractionalMaxPool2D`` over the last 3 dims."""
    node_name = "FractionalMaxPool3DBackward0"
