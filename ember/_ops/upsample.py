"""Resampling ops: interpolate's modes (nearest, nearest-exact, linear, bilinear, bicubic,
trilinear) and adaptive average pooling, as separable "tap" filters.

Along each spatial axis an output position reads a few input positions (its *taps*): one for
nearest, two for linear, four for cubic, a window for adaptive averaging.  Each tap is an index
array (one input position per output position, non-decreasing along the axis) and a weight array
(None for nearest).  The forward gathers and sums the taps axis by axis; the backward is the
adjoint: each tap's weighted gradient summed back onto its input positions (a segment sum, as the
indices are sorted), axis by axis in reverse.  Both are linear, so under ``create_graph`` the
backward is the adjoint op, whose own backward is the forward op again.

The indices and weights follow PyTorch's CPU kernels (aten/src/ATen/native/UpSample.h):
coordinates in the kernels' arithmetic precision (float32 for float32/float16 input, float64 for
float64), ``nearest`` from ``floorf(dst * scale)`` with its copy (same size) and halving (twice
the size) shortcuts, ``nearest-exact`` from ``floorf((dst + 0.5) * scale)``, the linear modes
clamping negative source coordinates to 0 and copying when the size is unchanged, bicubic with
A = -0.75 and the taps clamped to the border.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ..autograd.function import Op, _apply

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence

    from ._types import Array, Ctx, Grads, NPDType, Namespace, Taps, Value

_F32 = xp.dtype(xp.float32)
_F64 = xp.dtype(xp.float64)


def opmath(dtype: NPDType) -> NPDType:
    """The dtype PyTorch's CPU kernels compute coordinates and weights in."""
    return _F64 if dtype == _F64 else _F32


def _scale(n, o, align_corners, scale, ot):
    """area_pixel_compute_scale: source step per output step."""
    if align_corners:
        return ot.type(n - 1) / ot.type(o - 1) if o > 1 else ot.type(0)
    if scale is not None and scale > 0:
        return ot.type(1.0 / scale)
    return ot.type(n) / ot.type(o)


def _source(n, o, align_corners, scale, ot, cubic):
    """area_pixel_compute_source_index for every output position, in ``ot``."""
    s = _scale(n, o, align_corners, scale, ot)
    d = xp.arange(o, dtype=ot)
    if align_corners:
        return s * d
    src = s * (d + ot.type(0.5)) - ot.type(0.5)
    return src if cubic else xp.maximum(src, ot.type(0))


def _guard(src, n):
    """guard_index_and_lambda: (min(floor(src), n - 1), clamp(src - index, 0, 1))."""
    i = xp.minimum(xp.floor(src).astype(xp.int64), n - 1)
    lam = xp.clip(src - i.astype(src.dtype), 0, 1).astype(src.dtype)
    return i, lam


def nearest_taps(n: int, o: int, scale: float | None, exact: bool, shortcuts: bool) -> Taps:
    """Source index per output position (None: the identity).  ``shortcuts``: the 2-d kernel's
    copy (same size) and halving (twice the size) cases, whatever the scale factor."""
    d = xp.arange(o)
    if shortcuts and not exact:
        if o == n:
            return None
        if o == 2 * n:
            return [(d >> 1, None)]
    s = xp.float32(1.0 / scale) if scale is not None and scale > 0 else \
        xp.float32(n) / xp.float32(o)
    if exact:  # floorf((dst + 0.5) * scale): the product in double, rounded to float
        src = ((d + 0.5) * xp.float64(s)).astype(xp.float32)
    else:
        src = d.astype(xp.float32) * s
    return [(xp.minimum(xp.floor(src).astype(xp.int64), n - 1), None)]


def linear_taps(n: int, o: int, scale: float | None, align_corners: bool, ot: NPDType) -> Taps:
    if o == n:
        return None
    i0, l1 = _guard(_source(n, o, align_corners, scale, ot, False), n)
    i1 = i0 + (i0 < n - 1)
    return [(i0, ot.type(1) - l1), (i1, l1)]


def cubic_taps(n: int, o: int, scale: float | None, align_corners: bool, ot: NPDType) -> Taps:
    i, t = _guard(_source(n, o, align_corners, scale, ot, True), n)
    A = ot.type(-0.75)
    one = ot.type(1)

    def cc1(x):
        return ((A + 2) * x - (A + 3)) * x * x + one

    def cc2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    w = (cc2(t + one), cc1(t), cc1(one - t), cc2((one - t) + one))
    return [(xp.clip(i - 1 + j, 0, n - 1), w[j].astype(ot)) for j in range(4)]


def adaptive_avg_taps(n: int, o: int, ot: NPDType) -> Taps:
    """torch's adaptive windows [floor(i n / o), ceil((i + 1) n / o)) as taps of weight 1/len
    (taps past a shorter window's end repeat its last index with weight 0)."""
    i = xp.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    length = end - start
    k = int(length.max()) if o else 0
    inv = (ot.type(1) / length.astype(ot)).astype(ot) if o else xp.zeros(0, ot)
    taps = []
    for j in range(k):
        inside = j < length
        taps.append((xp.minimum(start + j, end - 1), xp.where(inside, inv, ot.type(0))))
    return taps


def _bshape(nd, axis, m):
    shape = [1] * nd
    shape[axis] = m
    return shape


def _runs(tgt, pos):
    """Split matched index arrays into pieces where both advance by constant positive steps:
    [(slice, slice)], or [(tgt, pos)] when that takes more than a few pieces (irregular
    patterns: one gather beats many small strided copies)."""
    m = len(tgt)
    if m == 0:
        return []
    if m == 1:
        return [(slice(int(tgt[0]), int(tgt[0]) + 1), slice(int(pos[0]), int(pos[0]) + 1))]
    dt, dp = xp.diff(tgt), xp.diff(pos)
    brk = xp.flatnonzero((dt[1:] != dt[:-1]) | (dp[1:] != dp[:-1])) + 1  # step changes
    if len(brk) > 6 or (dt <= 0).any() or (dp <= 0).any():
        return [(tgt, pos)]
    out, lo = [], 0
    for hi in list(brk + 1) + [m]:
        if hi - lo == 1 or hi == lo:  # (a lone element left by a step change)
            pieces = [(lo, lo + 1)] if hi > lo else []
        else:
            pieces = [(lo, hi)]
        for a, b in pieces:
            st, sp = (int(tgt[a + 1] - tgt[a]), int(pos[a + 1] - pos[a])) if b - a > 1 \
                else (1, 1)
            out.append((slice(int(tgt[a]), int(tgt[b - 1]) + 1, st),
                        slice(int(pos[a]), int(pos[b - 1]) + 1, sp)))
        lo = hi
    return out


def _groups(idx):
    """(targets, positions) pieces covering a non-decreasing index array (targets: input
    positions, positions: output positions): group r holds the r-th output position of every
    run of equal indices, so within a piece the targets are distinct; pieces are strided slices
    where the pattern is regular (integer scale factors, borders aside)."""
    first = xp.flatnonzero(xp.r_[True, idx[1:] != idx[:-1]])
    length = xp.diff(xp.r_[first, len(idx)])
    uniq = idx[first]
    out = []
    for r in range(int(length.max())):
        m = length > r
        tgt, pos = (uniq, first + r) if m.all() else (uniq[m], first[m] + r)
        out.extend(_runs(tgt, pos))
    return out


def _gather_axis(x, axis, taps):
    pre = (slice(None),) * axis
    shape = list(x.shape)
    shape[axis] = len(taps[0][0]) if taps else 0
    out = None
    for idx, w in taps:
        v = xp.empty(shape, x.dtype)
        for tgt, pos in _groups(idx) if len(idx) else ():
            v[pre + (pos,)] = x[pre + (tgt,)]
        if w is not None:
            v *= w.reshape(_bshape(x.ndim, axis, len(w)))
            zero = w == 0
            if zero.any():  # a padding tap adds nothing (not inf * 0 = nan)
                v[pre + (zero,)] = 0
        if out is None:
            out = v
        else:
            out += v
    return xp.zeros(shape, x.dtype) if out is None else out


def _scatter_axis(g, axis, taps, n):
    """Adjoint of _gather_axis: out[..., j, ...] = sum over taps and outputs reading j."""
    shape = list(g.shape)
    shape[axis] = n
    out = xp.zeros(shape, g.dtype)
    pre = (slice(None),) * axis
    for idx, w in taps:
        if not len(idx):
            continue
        v = g if w is None else g * w.reshape(_bshape(g.ndim, axis, len(w)))
        for tgt, pos in _groups(idx):
            out[pre + (tgt,)] += v[pre + (pos,)]
    return out


def _matrix_axis(x, axis, m):
    """m (o, n) applied along ``axis``: one (broadcast) GEMM, for the many-tap windows of
    adaptive pooling, where a gather per tap would pass over the data once per tap."""
    n = x.shape[axis]
    lead, trail = x.shape[:axis], x.shape[axis + 1:]
    if not trail:
        y = xp.matmul(x.reshape(-1, n), m.T)
    else:
        y = xp.matmul(m, x.reshape((-1, n, int(xp.prod(trail)))))
    return y.reshape(lead + (m.shape[0],) + trail)


def _dense(taps, n, dtype):
    """The (o, n) matrix of an axis' taps."""
    m = xp.zeros((len(taps[0][0]), n), dtype)
    rows = xp.arange(m.shape[0])
    for idx, w in taps:
        xp.add.at(m, (rows, idx), 1 if w is None else w)
    return m


_MANY = 4  # taps beyond which an axis is one GEMM with its dense matrix


def resample(x: Array, plan: Sequence[Taps]) -> Array:
    """Apply ``plan`` (per trailing spatial axis: None or taps) to the array ``x``."""
    nd = len(plan)
    y = x
    for k, taps in enumerate(plan):
        if taps is None:
            continue
        axis = x.ndim - nd + k
        if len(taps) > _MANY:
            y = _matrix_axis(y, axis, _dense(taps, y.shape[axis], y.dtype))
        else:
            y = _gather_axis(y, axis, taps)
    return y.copy() if y is x else y


def resample_adjoint(g: Array, plan: Sequence[Taps], in_spatial: Sequence[int]) -> Array:
    nd = len(plan)
    for k in range(nd - 1, -1, -1):
        taps = plan[k]
        if taps is None:
            continue
        axis = g.ndim - nd + k
        if len(taps) > _MANY:
            g = _matrix_axis(g, axis, _dense(taps, in_spatial[k], g.dtype).T)
        else:
            g = _scatter_axis(g, axis, taps, in_spatial[k])
    return g


def _to(a, dtype):
    return a if a.dtype == dtype else a.astype(dtype)


class Resample(Op):
    """y = resample(x, plan) (subclasses set PyTorch's node name); the work dtype ``ot`` is the
    kernels' (float16 computed in float32).  ``bplan``: the plan whose adjoint the backward
    applies when it is not ``plan``'s (torch's bicubic backward copies the gradient when the
    size is unchanged, whereas its forward interpolates with the given scale)."""

    _adjoint: type[ResampleAdjoint]  # set per generated pair by ``_pair``

    @classmethod
    def forward(cls, ctx: Ctx, x: Array, plan: tuple[Taps, ...], ot: NPDType,
                bplan: tuple[Taps, ...] | None = None) -> Array:
        ctx.plan, ctx.bplan, ctx.ot = plan, plan if bplan is None else bplan, ot
        ctx.spatial = x.shape[x.ndim - len(plan):]
        return _to(resample(_to(x, ot), plan), x.dtype)

    @classmethod
    def backward(cls, ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (on arrays: the adjoint's forward, resample_adjoint)
        return ns.apply(cls._adjoint, g, plan=ctx.plan, bplan=ctx.bplan, spatial=ctx.spatial,
                        ot=ctx.ot)


class ResampleAdjoint(Op):
    """The backward of a Resample as an op of its own (double backward = the forward again)."""

    _forward: type[Resample]  # set per generated pair by ``_pair``

    @classmethod
    def forward(cls, ctx: Ctx, g: Array, plan: tuple[Taps, ...], bplan: tuple[Taps, ...],
                spatial: tuple[int, ...], ot: NPDType) -> Array:
        ctx.plan, ctx.bplan, ctx.ot = plan, bplan, ot
        return _to(resample_adjoint(_to(g, ot), bplan, spatial), g.dtype)

    @classmethod
    def backward(cls, ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        return _apply(cls._forward, (gg,), {"plan": ctx.plan, "ot": ctx.ot, "bplan": ctx.bplan},
                      None)


def _pair(name):
    fwd = type(name, (Resample,), {"node_name": name + "Backward0"})
    adj = type(name + "Backward", (ResampleAdjoint,), {"node_name": name + "BackwardBackward0"})
    fwd._adjoint, adj._forward = adj, fwd
    return fwd


OPS = {}
for _k, _names in ((1, ("UpsampleNearest1D", "UpsampleNearestExact1D", "UpsampleLinear1D")),
                   (2, ("UpsampleNearest2D", "UpsampleNearestExact2D", "UpsampleBilinear2D",
                        "UpsampleBicubic2D", "AdaptiveAvgPool2D")),
                   (3, ("UpsampleNearest3D", "UpsampleNearestExact3D", "UpsampleTrilinear3D",
                        "AdaptiveAvgPool3D"))):
    for _name in _names:
        OPS[_name] = _pair(_name)


def _empty_output_backward(cls, ctx, g, ns):
    shape = list(g.shape)
    nd = len(ctx.plan)
    start = 1 if len(shape) > nd + 1 else 0
    dim = next(i for i in range(start, len(shape)) if shape[i] == 0)
    raise RuntimeError(f"adaptive_avg_pool{max(nd, 2)}d_backward(): Expected grad_output to have "
                       f"non-zero size for non-batch dimensions, but grad_output has sizes "
                       f"{shape} with dimension {dim} being empty")


# torch's adaptive average pooling to an empty output: its backward raises
for _nd in (2, 3):
    _name = f"AdaptiveAvgPool{_nd}D"
    OPS[_name + "Empty"] = type(_name + "Empty", (OPS[_name],), {
        "node_name": _name + "Backward0", "backward": classmethod(_empty_output_backward)})
