"""Fused pooling ops on strided windows: 2-D or 3-D, on batched (N, C, *S) or unbatched (C, *S)
input (the latter gets its batch axis inside the op, so the graph has one node, as torch's).
1-D pooling is the 2-D op between an unsqueeze and a squeeze, as torch composes it; the 3-D ops
are the same classes under torch's 3-D node names (``MaxPool3D`` ...).

Max pooling runs one ``maximum`` per kernel offset over output-sized strided views of the input
and keeps the winning flat input index (torch's ``indices``); its backward scatters the gradient
to those indices in one pass. Non-overlapping max pooling (stride == kernel, no padding or
dilation, the common case; see ``MaxPoolTiled``) reads the windows of a (N, C, OH, kh, OW, kw)
strided view, keeps each window's winning offset as uint8 and scatters the backward by one
masked multiply per kernel offset. Average pooling is a sum of kh*kw strided views; its backward
adds ``g / divisor`` into the same views. Under ``create_graph`` the backward calls ops whose
own backward is the forward again (scatter <-> gather, avg-pool <-> its adjoint), so higher-
order gradients work.
"""
from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from .._backend import xp
from .._scratch import workspace
from ..autograd.function import Op, _apply

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from typing import Any

    from ._types import Array, Ctx, Grads, Namespace, Operand, OutGrads, Size, Value

__all__ = ["MaxPool", "MaxPool3D", "MaxPoolTiled", "AvgPool", "AvgPool3D", "PlaneScatter",
           "PlaneGather", "MaxUnpool2D", "MaxUnpool3D", "AdaptiveMaxPool", "AdaptiveMaxPool3D",
           "AdaptiveAvgPoolDivisible",
           "pool_out_size"]


def pool_out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    num = n + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        o = -(-num // s) + 1
        if (o - 1) * s >= n + p:
            o -= 1
    else:
        o = num // s + 1
    return o


def _windows(hw, out_hw, kernel, stride, dil):
    """The (flat tap number, slices) views of a padded array that make up the pooling windows,
    one per kernel offset in C order."""
    for t, tap in enumerate(itertools.product(*(range(k) for k in kernel))):
        yield t, (slice(None), slice(None)) + tuple(
            slice(i * d, i * d + s * (o - 1) + 1, s)
            for i, d, s, o in zip(tap, dil, stride, out_hw))


def _padded(x, pads, extra, value):
    """Pad the spatial axes by ``pads`` before plus ``extra`` after so that every window is in
    range."""
    if not (any(pads) or any(extra)):
        return x
    sp = x.shape[2:]
    out = xp.full(x.shape[:2] + tuple(n + a + b for n, a, b in zip(sp, pads, extra)), value,
                  x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(a, a + n) for a, n in zip(pads, sp))] = x
    return out


def _plane_strides(sp):
    """Element strides of a C-contiguous plane of shape ``sp`` (torch's flat pool indices)."""
    return tuple(math.prod(sp[i + 1:]) for i in range(len(sp)))


def _grid(vectors, strides):
    """sum_d vectors[d] * strides[d], broadcast to the outer product over d."""
    nd = len(vectors)
    out = 0
    for d, (v, st) in enumerate(zip(vectors, strides)):
        out = out + (v * st).reshape((-1,) + (1,) * (nd - 1 - d))
    return out


def _extra(hw, out_hw, kernel, stride, pads, dil):
    return tuple(max(0, (o - 1) * s + d * (k - 1) + 1 - (n + p)) for n, o, k, s, p, d in
                 zip(hw, out_hw, kernel, stride, pads, dil))


def _unb(a, unb):
    """Drop the batch axis an unbatched (C, H, W) input got inside the op."""
    return a[0] if unb else a


class MaxPool(Op):
    """Max over windows; output 1 = flat index into each (H*W, or D*H*W) input plane."""
    node_name = "MaxPool2DWithIndicesBackward0"
    multi_output = True
    nondiff_outputs = (1,)
    _nd = 2

    @staticmethod
    def forward(ctx: Ctx, x: Array, kernel: tuple[int, ...], stride: tuple[int, ...],
                pads: tuple[int, ...], dil: tuple[int, ...],
                out_hw: tuple[int, ...]) -> tuple[Array, ...]:
        x0 = x
        unb = x.ndim == len(kernel) + 1
        if unb:
            x = x[None]
        sp = x.shape[2:]
        xpd = _padded(x, pads, _extra(sp, out_hw, kernel, stride, pads, dil), -xp.inf)
        out: Any = None  # (out and arg: arrays from the first window offset on)
        arg: Any = None
        for t, sl in _windows(None, out_hw, kernel, stride, dil):
            v = xpd[sl]
            if out is None:
                out = v.copy()
                arg = xp.zeros(out.shape, xp.int64)
                continue
            m = v > out
            if out.dtype.kind == "f":
                m |= v != v  # a NaN wins (the last one), like torch
            # branch-free updates (masked copies are slow on random masks)
            arg += m * (t - arg)
            if out.dtype.kind in "fiu":
                xp.maximum(out, v, out=out)
            else:
                xp.copyto(out, v, where=m)
        pst = _plane_strides(sp)
        idx = _grid([xp.arange(o) * s - p for o, s, p in zip(out_hw, stride, pads)], pst)
        for k, d, st in zip(xp.unravel_index(arg, kernel), dil, pst):
            idx = idx + k * (d * st)
        oob = False
        if xpd is not x and out.dtype.kind == "f":
            idx, oob = _all_minus_inf(out, idx, sp, kernel, stride, pads, dil, out_hw)
        if ctx.needs_input_grad:
            ctx.shape = x.shape
            ctx.unb = unb
            ctx.unique = not oob and all(s >= d * (k - 1) + 1
                                         for k, s, d in zip(kernel, stride, dil))
            ctx.oob = oob
            ctx.save_for_backward(idx, x0)
        return _unb(out, unb), _unb(idx, unb)

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        g = grads[0]
        idx, x = ctx.saved_tensors
        if ctx.unb:
            g = g[None]
            idx = idx[None]
        if ctx.oob:  # torch drops the gradient of an index outside the plane
            idx = getattr(idx, "_array", idx)
            bad = (idx < 0) | (idx >= math.prod(ctx.shape[2:]))
            g = ns.where(bad, 0, g)
            idx = idx * ~bad
        gx = plane_scatter(g, idx, ctx.shape, ctx.unique, ns)
        # (torch's max_pool2d_with_indices_backward takes the input: under create_graph the
        # gradient depends on it, with derivative 0)
        name = ctx._op.node_name.replace("Backward0", "BackwardBackward0")
        return (ns.connect(_unb(gx, ctx.unb), x, name),) + (None,) * 5


class MaxPool3D(MaxPool):
    """3-D max pooling (torch's max_pool3d_with_indices)."""
    node_name = "MaxPool3DWithIndicesBackward0"


def _all_minus_inf(out, idx, hw, kernel, stride, pads, dil, out_hw):
    """Where a window's max is -inf (all of it padding, or -inf values) torch's index is its
    first tap at or after the plane's start (hstart + a multiple of the dilation, which can lie
    outside the plane); returns the indices and whether any lies outside."""
    neg = out == -xp.inf
    if not neg.any():
        return idx, False
    starts = []
    for o, s, p, d in zip(out_hw, stride, pads, dil):
        st = xp.arange(o) * s - p
        starts.append(st + xp.maximum(0, (-st + d - 1) // d) * d)
    first = _grid(starts, _plane_strides(hw))
    idx = xp.where(neg, first, idx)
    return idx, any(bool((st >= n).any()) for st, n in zip(starts, hw))


# ------------------------------------------------------------- non-overlapping max pooling


def tiled_ok(x: Array, kernel: Sequence[int], stride: Sequence[int], pads: Sequence[int],
             dil: Sequence[int], out_hw: Sequence[int]) -> bool:
    """MaxPoolTiled applies: stride == kernel, no padding/dilation, windows inside the input
    (no ceil_mode overhang), a float input."""
    return (tuple(kernel) == tuple(stride) and not any(pads) and dil[0] == 1 and dil[1] == 1
            and kernel[0] * kernel[1] <= 255 and x.dtype.kind == "f"
            and out_hw[0] * kernel[0] <= x.shape[-2] and out_hw[1] * kernel[1] <= x.shape[-1])


def _tiles(x, kernel, out_hw):
    """(N, C, OH, kh, OW, kw) view of the windows (rows/cols beyond OH*kh, OW*kw dropped)."""
    s0, s1, s2, s3 = x.strides
    kh, kw = kernel
    return xp.lib.stride_tricks.as_strided(
        x, x.shape[:2] + (out_hw[0], kh, out_hw[1], kw), (s0, s1, s2 * kh, s2, s3 * kw, s3),
        writeable=False)


def _tiled_max(t, kernel, need_arg):
    """Max over each tile and the first winning offset (uint8; NaN wins, the last NaN).

    The tiles are first de-interleaved by ONE copy into a (kh, kw, N, C, OH, OW) workspace, so
    every later pass runs on contiguous arrays (SIMD) instead of stride-kw views."""
    kh, kw = kernel
    shape = t.shape[:3] + t.shape[4:5]
    d = workspace("mpd", (kh, kw) + shape, t.dtype)
    xp.copyto(d, t.transpose(3, 5, 0, 1, 2, 4))
    views = [d[i, j] for i in range(kh) for j in range(kw)]
    if len(views) == 4:
        m01 = xp.maximum(views[0], views[1], out=workspace("mp01", shape, t.dtype))
        m23 = xp.maximum(views[2], views[3], out=workspace("mp23", shape, t.dtype))
        out = xp.maximum(m01, m23)
        if not need_arg:
            return out, None
        if xp.isfinite(out.sum()):  # no NaN anywhere: strict '>' keeps the first maximum
            # arg = a01 + sel * (2 + a23 - a01), branch-free (masked copies are slow on
            # random masks)
            arg = xp.greater(views[1], views[0]).view(xp.uint8)
            t = xp.greater(views[3], views[2], out=workspace("mpa23", shape, bool))
            t = t.view(xp.uint8)
            t += 2
            t -= arg
            t *= xp.greater(m23, m01, out=workspace("mpm", shape, bool))
            arg += t
            return out, arg
    out = views[0].copy()
    arg = xp.zeros(shape, xp.uint8) if need_arg else None
    m = workspace("mpm", shape, bool)
    t = workspace("mpt", shape, xp.uint8)
    for k, v in enumerate(views[1:], 1):
        if need_arg:
            xp.greater(v, out, out=m)
            m |= v != v  # a NaN wins (the last one), like torch
            xp.subtract(k, arg, out=t)  # arg < k: no wrap-around
            t *= m
            arg += t
        xp.maximum(out, v, out=out)  # NaN-propagating
    return out, arg


def _tiled_index(arg, shape, kernel, out_hw):
    """uint8 window offsets -> torch's flat per-plane input indices (int64)."""
    kh, kw = kernel
    ki, kj = xp.divmod(arg.astype(xp.int64), kw)
    base = ((xp.arange(out_hw[0]) * kh)[:, None] * shape[3]
            + (xp.arange(out_hw[1]) * kw)[None, :])
    return base + ki * shape[3] + kj


class MaxPoolTiled(Op):
    """Non-overlapping max pooling (stride == kernel); the winning offsets stay uint8."""
    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx: Ctx, x: Array, kernel: tuple[int, ...], out_hw: tuple[int, ...]) -> Array:
        need = bool(ctx.needs_input_grad)
        unb = x.ndim == 3
        if unb:
            x = x[None]
        out, arg = _tiled_max(_tiles(x, kernel, out_hw), kernel, need)
        if need:
            ctx.geo = (x.shape, kernel, out_hw, unb)
            ctx.save_for_backward(arg, x[0] if unb else x)
        return _unb(out, unb)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        arg, x = ctx.saved_tensors
        shape, kernel, out_hw, unb = ctx.geo
        if unb:
            g = g[None]
        gx = plane_scatter(g, _tiled_index(arg, shape, kernel, out_hw), shape, True, ns)
        return ns.connect(_unb(gx, unb), x, "MaxPool2DWithIndicesBackwardBackward0"), None, None

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (one masked multiply per kernel offset, no index)
        arg, x = ctx.saved_tensors
        shape, kernel, out_hw, unb = ctx.geo
        kh, kw = kernel
        if unb:
            g = g[None]
        full = shape[2] == out_hw[0] * kh and shape[3] == out_hw[1] * kw
        gx = ns.empty(shape, g.dtype) if full else ns.zeros(shape, g.dtype)
        s0, s1, s2, s3 = gx.strides
        t = ns.lib.stride_tricks.as_strided(gx, shape[:2] + (out_hw[0], kh, out_hw[1], kw),
                                            (s0, s1, s2 * kh, s2, s3 * kw, s3))
        mask = workspace("mpbm", arg.shape, bool)
        for i in range(kh):
            for j in range(kw):
                ns.multiply(g, ns.equal(arg, i * kw + j, out=mask), out=t[:, :, :, i, :, j])
        return _unb(gx, unb), None, None


def _scatter(g, idx, shape, unique):
    n, c = shape[:2]
    hw = math.prod(shape[2:])
    gf = g.reshape(n * c, -1)
    ix = idx.reshape(n * c, -1)
    if unique:
        out = xp.zeros((n * c, hw), g.dtype)
        xp.put_along_axis(out, ix, gf, axis=1)
    else:
        flat = ix + (xp.arange(n * c) * hw)[:, None]
        out = xp.bincount(flat.ravel(), weights=gf.ravel(), minlength=n * c * hw)
        out = out.astype(g.dtype, copy=False)
    return out.reshape(shape)


class PlaneScatter(Op):
    """zeros(shape) with g added at flat per-plane indices (max-pool backward)."""
    node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx: Ctx, g: Array, idx: Array, shape: tuple[int, ...], unique: bool) -> Array:
        ctx.save_for_backward(idx)
        return _scatter(g, idx, shape, unique)

    @staticmethod
    def backward(ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        (idx,) = ctx.saved_tensors
        return plane_gather(gg, idx, ns), None, None, None


class PlaneGather(Op):
    """x[n, c].flat[idx[n, c]] (the adjoint of PlaneScatter)."""
    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx: Ctx, x: Array, idx: Array) -> Array:
        ctx.shape = x.shape
        ctx.save_for_backward(idx)
        n, c = x.shape[:2]
        out = xp.take_along_axis(x.reshape(n, c, -1), idx.reshape(n, c, -1), axis=2)
        return out.reshape(idx.shape)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (idx,) = ctx.saved_tensors
        return plane_scatter(g, idx, ctx.shape, False, ns), None


class MaxUnpool2D(PlaneScatter):
    """torch's max_unpool2d: zeros of the output size with the input written at its indices
    (the last write wins where indices repeat, as torch's CPU kernel)."""
    node_name = "MaxUnpool2DBackward0"


class MaxUnpool3D(PlaneScatter):
    """torch's max_unpool3d (see MaxUnpool2D)."""
    node_name = "MaxUnpool3DBackward0"


def plane_scatter(g: Value, idx: Array, shape: Size, unique: bool, ns: Namespace) -> Value:
    return ns.apply(PlaneScatter, g, idx, tuple(shape), unique)


def plane_gather(x: Value, idx: Array, ns: Namespace) -> Value:
    return ns.apply(PlaneGather, x, idx)


# -------------------------------------------------------------------------------- avg pooling


def _avg_divisor(hw, out_hw, kernel, stride, pads, count_include_pad, divisor_override):
    """torch's divisor per output position, as an (OH, OW[, ...]) array."""
    if divisor_override:
        return float(divisor_override)
    sizes = []
    for n, o, k, s, p in zip(hw, out_hw, kernel, stride, pads):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        full = end - start
        clipped = xp.minimum(end, n) - xp.maximum(start, 0)
        sizes.append(full if count_include_pad else clipped)
    div = 1
    for d, sz in enumerate(sizes):
        div = div * sz.reshape((-1,) + (1,) * (len(sizes) - 1 - d))
    if (div == math.prod(kernel)).all():
        return float(math.prod(kernel))
    return div


def _avg_fwd(x, kernel, stride, pads, out_hw, div):
    sp = x.shape[2:]
    ones = (1,) * len(sp)
    xpd = _padded(x, pads, _extra(sp, out_hw, kernel, stride, pads, ones), 0.0)
    out = None
    for _, sl in _windows(None, out_hw, kernel, stride, ones):
        out = xpd[sl].copy() if out is None else out.__iadd__(xpd[sl])
    if out.dtype.kind in "iu":  # int64 (torch): the sum divided, truncated toward zero
        q = xp.abs(out) // xp.asarray(div).astype(out.dtype)
        return xp.where(out < 0, -q, q)
    if isinstance(div, float):
        out *= 1.0 / div
    else:
        out /= div.astype(out.dtype)
    return out


def _avg_bwd(g, shape, kernel, stride, pads, out_hw, div):
    sp = shape[2:]
    ones = (1,) * len(sp)
    ex = _extra(sp, out_hw, kernel, stride, pads, ones)
    gpd = xp.zeros(shape[:2] + tuple(n + p + e for n, p, e in zip(sp, pads, ex)), g.dtype)
    gd = g * (1.0 / div) if isinstance(div, float) else g / div.astype(g.dtype)
    for _, sl in _windows(None, out_hw, kernel, stride, ones):
        gpd[sl] += gd
    return gpd[(slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(pads, sp))]


class AvgPool(Op):
    node_name = "AvgPool2DBackward0"
    adjoint: type[Op]  # set below: the op of its backward (under create_graph)

    @staticmethod
    def forward(ctx: Ctx, x: Array, kernel: tuple[int, ...], stride: tuple[int, ...],
                pads: tuple[int, ...], out_hw: tuple[int, ...], div: Operand) -> Array:
        unb = x.ndim == len(kernel) + 1
        if unb:
            x = x[None]
        ctx.geo = (x.shape, kernel, stride, pads, out_hw, div, unb)
        return _unb(_avg_fwd(x, kernel, stride, pads, out_hw, div), unb)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (on arrays: the adjoint's forward, _avg_bwd)
        return ns.apply(ctx._op.adjoint, g, ctx.geo), None, None, None, None, None


class AvgPoolAdjoint(Op):
    node_name = "AvgPool2DBackwardBackward0"
    primal: type[Op]  # set below: the op whose backward this is

    @staticmethod
    def forward(ctx: Ctx, g: Array, geo: tuple[Any, ...]) -> Array:
        shape, kernel, stride, pads, out_hw, div, unb = geo
        ctx.geo = geo
        if unb:
            g = g[None]
        return _unb(_avg_bwd(g, shape, kernel, stride, pads, out_hw, div), unb)

    @staticmethod
    def backward(ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        shape, kernel, stride, pads, out_hw, div, unb = ctx.geo
        return _apply(ctx._op.primal, (gg, kernel, stride, pads, out_hw, div), {}, None), None


AvgPool.adjoint, AvgPoolAdjoint.primal = AvgPoolAdjoint, AvgPool


class AvgPool3D(AvgPool):
    """3-D average pooling (torch's avg_pool3d)."""
    node_name = "AvgPool3DBackward0"


class AvgPool3DAdjoint(AvgPoolAdjoint):
    node_name = "AvgPool3DBackwardBackward0"


AvgPool3D.adjoint, AvgPool3DAdjoint.primal = AvgPool3DAdjoint, AvgPool3D


class AvgPoolDepth(Op):
    """avg_pool3d of (N, C, D, H, W) ``x`` with a (k, 1, 1) kernel, stride 1, no padding (what
    local_response_norm pools): the 2-D pool of its (N, C, D, H*W) view."""
    node_name = "AvgPool3DBackward0"

    @staticmethod
    def forward(ctx: Ctx, x: Array, kernel: tuple[int, ...], stride: tuple[int, ...],
                pads: tuple[int, ...], out_hw: tuple[int, ...], div: float) -> Array:
        shape = x.shape
        x4 = x.reshape(shape[:3] + (-1,))
        ctx.geo = (x4.shape, kernel, stride, pads, out_hw, div, False)
        ctx.shape = shape
        y = _avg_fwd(x4, kernel, stride, pads, out_hw, div)
        return y.reshape(y.shape[:3] + shape[3:])

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        geo, shape = ctx.geo, ctx.shape
        g4 = g.reshape(tuple(g.shape[:3]) + (-1,))
        gx = ns.apply(AvgPoolAdjoint, g4, geo)  # (on arrays: _avg_bwd)
        return gx.reshape(shape), None, None, None, None, None


# --------------------------------------------------------------------------- adaptive pooling


def adaptive_ranges(n: int, o: int) -> tuple[Array, Array]:
    """torch's adaptive windows: start = floor(i*n/o), end = ceil((i+1)*n/o)."""
    i = xp.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    return start, end


def _window_index(n, o):
    start, end = adaptive_ranges(n, o)
    k = int((end - start).max()) if o else 1
    idx = xp.minimum(start[:, None] + xp.arange(k)[None, :], (end - 1)[:, None])
    return idx


class AdaptiveMaxPool(Op):
    node_name = "AdaptiveMaxPool2DBackward0"
    multi_output = True
    nondiff_outputs = (1,)

    @staticmethod
    def forward(ctx: Ctx, x: Array, out_hw: tuple[int, ...]) -> tuple[Array, ...]:
        nd = len(out_hw)
        unb = x.ndim == nd + 1
        if unb:
            x = x[None]
        n, c = x.shape[:2]
        sp = x.shape[2:]
        iws = [_window_index(s, o) for s, o in zip(sp, out_hw)]  # (O_d, K_d) each
        # windows as (N, C, O_1, K_1, ..., O_nd, K_nd) by broadcast fancy indexing
        ix = tuple(w.reshape((1,) * (2 * d) + w.shape + (1,) * (2 * (nd - d - 1)))
                   for d, w in enumerate(iws))
        win = x[(slice(None), slice(None)) + ix]
        perm = (0, 1) + tuple(range(2, 2 + 2 * nd, 2)) + tuple(range(3, 3 + 2 * nd, 2))
        ks = tuple(w.shape[1] for w in iws)
        win = win.transpose(perm).reshape((n, c) + tuple(out_hw) + (math.prod(ks),))
        arg = win.argmax(-1)
        if x.dtype.kind == "f":
            nanarg = xp.isnan(win).argmax(-1)
            arg = xp.where(xp.isnan(win).any(-1), nanarg, arg)
        out = xp.take_along_axis(win, arg[..., None], -1)[..., 0]
        idx: Any = 0
        for d, (k, w, st) in enumerate(zip(xp.unravel_index(arg, ks), iws, _plane_strides(sp))):
            o = xp.arange(out_hw[d]).reshape((-1,) + (1,) * (nd - 1 - d))
            idx = idx + w[o, k] * st
        if ctx.needs_input_grad:
            ctx.shape, ctx.unb = x.shape, unb
            ctx.save_for_backward(idx, x[0] if unb else x)
        return _unb(out, unb), _unb(idx, unb)

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        g = grads[0]
        idx, x = ctx.saved_tensors
        if ctx.unb:
            g, idx = g[None], idx[None]
        gx = plane_scatter(g, idx, ctx.shape, False, ns)
        name = ctx._op.node_name.replace("Backward0", "BackwardBackward0")
        return ns.connect(_unb(gx, ctx.unb), x, name), None


class AdaptiveMaxPool3D(AdaptiveMaxPool):
    """3-D adaptive max pooling (torch's adaptive_max_pool3d)."""
    node_name = "AdaptiveMaxPool3DBackward0"


class AdaptiveAvgPoolDivisible(AvgPool):
    """Adaptive average pooling where the windows tile the input (size a multiple of the
    output's): the strided average pool."""
    node_name = "AdaptiveAvgPool2DBackward0"


class AdaptiveAvgPoolAdjoint(AvgPoolAdjoint):
    node_name = "AdaptiveAvgPool2DBackwardBackward0"


AdaptiveAvgPoolDivisible.adjoint = AdaptiveAvgPoolAdjoint
AdaptiveAvgPoolAdjoint.primal = AdaptiveAvgPoolDivisible


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)

