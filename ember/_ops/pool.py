"""Fused pooling ops on strided windows: 2-D, on batched (N, C, H, W) or unbatched (C, H, W)
input (the latter gets its batch axis inside the op, so the graph has one node, as torch's).
1-D pooling is the 2-D op between an unsqueeze and a squeeze, as torch composes it.

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

from typing import TYPE_CHECKING

from .._backend import xp
from .._scratch import workspace
from ..autograd.function import Op, _apply

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from typing import Any

    from ._types import Array, Ctx, Grads, Namespace, Operand, OutGrads, Size, Value

__all__ = ["MaxPool", "MaxPoolTiled", "AvgPool", "PlaneScatter", "PlaneGather", "AdaptiveMaxPool",
           "AdaptiveAvgPoolDivisible", "pool_out_size"]


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
    """The kh*kw (i, j, slice) views of a padded array that make up the pooling windows."""
    (oh, ow), (sh, sw), (dh, dw) = out_hw, stride, dil
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            yield i, j, (slice(None), slice(None), slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                         slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def _padded(x, pads, extra, value):
    """Pad H/W by ``pads`` (top, left) plus bottom/right so that every window is in range."""
    t, lf = pads
    b, r = extra
    if not (t or lf or b or r):
        return x
    n, c, h, w = x.shape
    out = xp.full((n, c, h + t + b, w + lf + r), value, x.dtype)
    out[:, :, t:t + h, lf:lf + w] = x
    return out


def _extra(hw, out_hw, kernel, stride, pads, dil):
    return tuple(max(0, (o - 1) * s + d * (k - 1) + 1 - (n + p)) for n, o, k, s, p, d in
                 zip(hw, out_hw, kernel, stride, pads, dil))


def _unb(a, unb):
    """Drop the batch axis an unbatched (C, H, W) input got inside the op."""
    return a[0] if unb else a


class MaxPool(Op):
    """Max over windows; output 1 = flat index into each (H*W) input plane."""
    node_name = "MaxPool2DWithIndicesBackward0"
    multi_output = True
    nondiff_outputs = (1,)

    @staticmethod
    def forward(ctx: Ctx, x: Array, kernel: tuple[int, ...], stride: tuple[int, ...],
                pads: tuple[int, ...], dil: tuple[int, ...],
                out_hw: tuple[int, ...]) -> tuple[Array, ...]:
        x0 = x
        unb = x.ndim == 3
        if unb:
            x = x[None]
        h, w = x.shape[-2:]
        xpd = _padded(x, pads, _extra((h, w), out_hw, kernel, stride, pads, dil), -xp.inf)
        out: Any = None  # (out and arg: arrays from the first window offset on)
        arg: Any = None
        kw = kernel[1]
        for i, j, sl in _windows(None, out_hw, kernel, stride, dil):
            v = xpd[sl]
            if out is None:
                out = v.copy()
                arg = xp.zeros(out.shape, xp.int64)
                continue
            m = v > out
            if out.dtype.kind == "f":
                m |= v != v  # a NaN wins (the last one), like torch
            # branch-free updates (masked copies are slow on random masks)
            arg += m * (i * kw + j - arg)
            if out.dtype.kind in "fiu":
                xp.maximum(out, v, out=out)
            else:
                xp.copyto(out, v, where=m)
        oh, ow = out_hw
        base = ((xp.arange(oh) * stride[0] - pads[0])[:, None] * w
                + (xp.arange(ow) * stride[1] - pads[1])[None, :])
        ki, kj = xp.divmod(arg, kw)
        idx = base + ki * (dil[0] * w) + kj * dil[1]
        oob = False
        if xpd is not x and out.dtype.kind == "f":
            idx, oob = _all_minus_inf(out, idx, (h, w), kernel, stride, pads, dil, out_hw)
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
            bad = (idx < 0) | (idx >= ctx.shape[2] * ctx.shape[3])
            g = ns.where(bad, 0, g)
            idx = idx * ~bad
        gx = plane_scatter(g, idx, ctx.shape, ctx.unique, ns)
        # (torch's max_pool2d_with_indices_backward takes the input: under create_graph the
        # gradient depends on it, with derivative 0)
        return (ns.connect(_unb(gx, ctx.unb), x, "MaxPool2DWithIndicesBackwardBackward0"),) + \
            (None,) * 5


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
    first = starts[0][:, None] * hw[1] + starts[1][None, :]
    idx = xp.where(neg, first, idx)
    return idx, bool(((starts[0] >= hw[0]).any() or (starts[1] >= hw[1]).any()))


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
    n, c, h, w = shape
    hw = h * w
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


def plane_scatter(g: Value, idx: Array, shape: Size, unique: bool, ns: Namespace) -> Value:
    return ns.apply(PlaneScatter, g, idx, tuple(shape), unique)


def plane_gather(x: Value, idx: Array, ns: Namespace) -> Value:
    return ns.apply(PlaneGather, x, idx)


# -------------------------------------------------------------------------------- avg pooling


def _avg_divisor(hw, out_hw, kernel, stride, pads, count_include_pad, divisor_override):
    """torch's divisor per output position, as an (OH, OW) array."""
    if divisor_override:
        return float(divisor_override)
    sizes = []
    for n, o, k, s, p in zip(hw, out_hw, kernel, stride, pads):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        full = end - start
        clipped = xp.minimum(end, n) - xp.maximum(start, 0)
        sizes.append(full if count_include_pad else clipped)
    div = sizes[0][:, None] * sizes[1][None, :]
    if (div == kernel[0] * kernel[1]).all():
        return float(kernel[0] * kernel[1])
    return div


def _avg_fwd(x, kernel, stride, pads, out_hw, div):
    h, w = x.shape[-2:]
    xpd = _padded(x, pads, _extra((h, w), out_hw, kernel, stride, pads, (1, 1)), 0.0)
    out = None
    for _, _, sl in _windows(None, out_hw, kernel, stride, (1, 1)):
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
    h, w = shape[-2:]
    ex = _extra((h, w), out_hw, kernel, stride, pads, (1, 1))
    gpd = xp.zeros(shape[:2] + (h + pads[0] + ex[0], w + pads[1] + ex[1]), g.dtype)
    gd = g * (1.0 / div) if isinstance(div, float) else g / div.astype(g.dtype)
    for _, _, sl in _windows(None, out_hw, kernel, stride, (1, 1)):
        gpd[sl] += gd
    return gpd[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + w]


class AvgPool(Op):
    node_name = "AvgPool2DBackward0"
    adjoint: type[Op]  # set below: the op of its backward (under create_graph)

    @staticmethod
    def forward(ctx: Ctx, x: Array, kernel: tuple[int, ...], stride: tuple[int, ...],
                pads: tuple[int, ...], out_hw: tuple[int, ...], div: Operand) -> Array:
        unb = x.ndim == 3
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
        unb = x.ndim == 3
        if unb:
            x = x[None]
        n, c, h, w = x.shape
        ih, iw = _window_index(h, out_hw[0]), _window_index(w, out_hw[1])
        win = x[:, :, ih[:, :, None, None], iw[None, None, :, :]]  # N C OH kh OW kw
        oh, kh, ow, kw = win.shape[2:]
        win = win.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, kh * kw)
        arg = win.argmax(-1)
        if x.dtype.kind == "f":
            nanarg = xp.isnan(win).argmax(-1)
            arg = xp.where(xp.isnan(win).any(-1), nanarg, arg)
        out = xp.take_along_axis(win, arg[..., None], -1)[..., 0]
        ki, kj = xp.divmod(arg, kw)
        idx = ih[xp.arange(oh)[:, None], ki] * w + iw[xp.arange(ow)[None, :], kj]
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
        return ns.connect(_unb(gx, ctx.unb), x, "AdaptiveMaxPool2DBackwardBackward0"), None


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

