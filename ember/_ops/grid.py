"""Spatial sampling ops: ``grid_sample`` (bilinear/nearest, zeros/border/reflection padding,
4-D and 5-D input) and ``affine_grid`` (torch's GridSampler2D/3DBackward0 and
AffineGridGeneratorBackward0 nodes).

Grid sampling reads each output point from the 2**nd (bilinear) or 1 (nearest) input corners
around its unnormalised coordinate.  For every padding mode that coordinate is an affine
function of the grid value, ``ix = K * g + Q``, with ``K`` and ``Q`` piecewise constant
(``_affine_coords``: border clipping and reflection only change them), so one formula written in
the ns vocabulary gives the forward on arrays, the first-order gradients (a scatter-add into the
input planes, a gather for the grid) and, under ``create_graph``, exact higher-order gradients.
"""
from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from .._backend import nx, xp
from ..autograd.function import Op

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from typing import Any

    from ._types import Array, Ctx, Grads, Namespace, Value

__all__ = ["GridSample", "GridSample3D", "AffineGrid"]


def _reflect(u, twice_low, twice_high):
    """torch's reflect_coordinates_set_grad: (reflected u, d/du as +-1)."""
    if twice_low == twice_high:
        return xp.zeros_like(u), xp.zeros_like(u)
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    v = u - lo
    sgn = xp.where(v < 0, -1.0, 1.0)
    v = xp.abs(v)
    extra = xp.fmod(v, span)
    even = xp.floor(v / span) % 2 == 0
    r = xp.where(even, extra + lo, span - extra + lo)
    return r, xp.where(even, sgn, -sgn)


def _affine_coords(g, size, align, padding):
    """Arrays (K, ix): torch's unnormalised, padded coordinate ``ix`` of grid values ``g`` along
    an input axis of ``size`` (computed in torch's order, so floors agree bit for bit) and its
    derivative K (locally ``ix = K * g + const``)."""
    a = (size - 1) / 2 if align else size / 2
    u = ((g + 1) / 2) * (size - 1) if align else ((g + 1) * size - 1) / 2
    if padding == "zeros":
        return xp.full(g.shape, a, g.dtype), u
    if padding == "border":
        r, sgn = u, xp.ones_like(u)
    elif align:
        r, sgn = _reflect(u, 0, 2 * (size - 1))
    else:
        r, sgn = _reflect(u, -1, 2 * size - 1)
    inside = (r > 0) & (r < size - 1)
    k = xp.where(inside, sgn * a, 0.0).astype(g.dtype)
    return k, xp.clip(r, 0, size - 1).astype(g.dtype)


def _terms(inp_shape, garr, mode, padding, align):
    """The constant part of a grid sample: per spatial axis d (input order) (K_d, grid value,
    fractional part) and per corner its flat plane index (N, 1, P) and validity."""
    nd = len(inp_shape) - 2
    sizes = inp_shape[2:]
    n = garr.shape[0]
    gflat = garr.reshape(n, -1, nd)
    kq, base = [], []
    for d in range(nd):
        g = gflat[..., nd - 1 - d]
        k, ix = _affine_coords(g, sizes[d], align, padding)
        base.append(xp.rint(ix) if mode == "nearest" else xp.floor(ix))
        kq.append((k, g, ix - base[-1]))
    strides = [math.prod(sizes[d + 1:]) for d in range(nd)]
    corners = []
    for bits in itertools.product((0, 1), repeat=nd) if mode == "bilinear" else [(0,) * nd]:
        valid = True
        flat = 0
        for d, bit in enumerate(bits):
            xi = base[d] + bit
            ok = (xi >= 0) & (xi < sizes[d]) & xp.isfinite(xi)
            valid = valid & ok
            flat = flat + xp.where(ok, xi, 0).astype(xp.int64) * strides[d]
        corners.append((bits, xp.where(valid, flat, 0)[:, None, :], valid[:, None, :]))
    return kq, base, corners


def _weights(grid, kq, base, corners, ns):
    """Per corner its interpolation weight (N, P) and d weight / d t_d, in the ns vocabulary
    (differentiable in the grid under create_graph)."""
    nd = len(kq)
    n = grid.shape[0]
    gflat = grid.reshape(n, -1, nd)
    # t_d = K_d (g - g0) + t0: exactly torch's t0 on arrays, with derivative K_d in the grid
    ts = [(gflat[..., nd - 1 - d] - g0) * k + t0 for d, (k, g0, t0) in enumerate(kq)]
    out = []
    for bits, _, _ in corners:
        fac = [t if bit else 1 - t for t, bit in zip(ts, bits)]
        w = fac[0]
        for f in fac[1:]:
            w = w * f
        dws = []
        for d in range(nd):
            dw = 1.0 if bits[d] else -1.0
            for e in range(nd):
                if e != d:
                    dw = fac[e] * dw
            dws.append(dw)
        out.append((w, dws))
    return out


def _gather(inp, flat, valid, ns):
    n, c = inp.shape[:2]
    p = flat.shape[-1]
    v = ns.take_along_axis(inp.reshape(n, c, -1), xp.broadcast_to(flat, (n, c, p)), 2)
    return ns.where(valid, v, 0.0)


def _sample(inp, grid, terms, mode, ns):
    kq, base, corners = terms
    n, c = inp.shape[:2]
    if mode == "nearest":
        _, flat, valid = corners[0]
        return _gather(inp, flat, valid, ns)
    out = None
    for (w, _), (_, flat, valid) in zip(_weights(grid, kq, base, corners, ns), corners):
        t = _gather(inp, flat, valid, ns) * w.reshape(n, 1, -1)
        out = t if out is None else out + t
    return out


class GridSample(Op):
    """out[n, c, p] = input sampled at grid[n, p] (torch's grid_sampler_2d)."""
    node_name = "GridSampler2DBackward0"

    @staticmethod
    def forward(ctx: Ctx, inp: Array, grid: Array, mode: str, padding: str,
                align: bool) -> Array:
        terms = _terms(inp.shape, grid, mode, padding, align)
        out = _sample(inp, grid, terms, mode, nx)
        if ctx.needs_input_grad:
            ctx.args = (terms, mode)
            ctx.save_for_backward(inp, grid)
        return out.reshape(inp.shape[:2] + grid.shape[1:-1])

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        inp, grid = ctx.saved_tensors
        (kq, base, corners), mode = ctx.args
        needs = ctx.needs_input_grad
        n, c = inp.shape[:2]
        g = g.reshape(n, c, -1)
        p = g.shape[-1]
        nd = len(kq)
        gi: Any = None
        gg: Any = None
        ws = _weights(grid, kq, base, corners, ns) if mode == "bilinear" else \
            [(1.0, None)] * len(corners)
        if needs[0]:
            shape = (n, c, math.prod(inp.shape[2:]))
            for (w, _), (_, flat, valid) in zip(ws, corners):
                vals = g * (w.reshape(n, 1, -1) if mode == "bilinear" else 1.0)
                vals = ns.where(xp.broadcast_to(valid, (n, c, p)), vals, 0.0)
                t = ns.scatter_add_along(shape, xp.broadcast_to(flat, (n, c, p)), vals, 2)
                gi = t if gi is None else gi + t
            gi = gi.reshape(inp.shape)
        if needs[1]:
            if mode == "nearest":
                gg = ns.zeros_like(grid)
            else:
                parts: list[Any] = [None] * nd
                for (_, dws), (_, flat, valid) in zip(ws, corners):
                    gv = ns.sum(g * _gather(inp, flat, valid, ns), axis=1)  # (N, P)
                    for d in range(nd):
                        t = gv * dws[d]
                        parts[d] = t if parts[d] is None else parts[d] + t
                comps = [parts[d] * kq[d][0] for d in range(nd)]
                gg = ns.stack(comps[::-1], axis=-1).reshape(grid.shape)
        return gi, gg, None, None, None


class GridSample3D(GridSample):
    """torch's grid_sampler_3d (5-D input, (N, D, H, W, 3) grid)."""
    node_name = "GridSampler3DBackward0"


def _linspace(steps, align, dtype):
    """torch's linspace_from_neg_one, rounding step for step in ``dtype`` (its CPU linspace:
    start + i * step for the first half, end - (steps - 1 - i) * step for the rest; then
    ``* (steps - 1) / steps``), so grid points land on the same floats as torch's."""
    if steps <= 1:
        return xp.zeros(max(steps, 0), dtype)
    one = xp.asarray(1, dtype)
    step = (one + one) / xp.asarray(steps - 1, dtype)
    i = xp.arange(steps)
    r = xp.where(i < steps // 2, -one + step * i.astype(dtype),
                 one - step * (steps - 1 - i).astype(dtype)).astype(dtype)
    if align:
        return r
    return (r * xp.asarray(steps - 1, dtype)) / xp.asarray(steps, dtype)


def base_grid(spatial: tuple[int, ...], align: bool, dtype: Any) -> Array:
    """torch's affine_grid base: (*spatial, nd + 1) with (x, y[, z], 1) per point."""
    nd = len(spatial)
    out = xp.ones(tuple(spatial) + (nd + 1,), dtype)
    for d in range(nd):
        shape = [1] * nd
        shape[d] = spatial[d]
        out[..., nd - 1 - d] = _linspace(spatial[d], align, dtype).reshape(shape)
    return out


class AffineGrid(Op):
    """grid[n, p] = theta[n] @ (x, y[, z], 1)[p] (torch's affine_grid_generator)."""
    node_name = "AffineGridGeneratorBackward0"

    @staticmethod
    def forward(ctx: Ctx, theta: Array, spatial: tuple[int, ...], align: bool) -> Array:
        base = base_grid(spatial, align, theta.dtype).reshape(-1, len(spatial) + 1)
        ctx.base = base
        out = xp.matmul(base, theta.transpose(0, 2, 1))
        return out.reshape((theta.shape[0],) + tuple(spatial) + (len(spatial),))

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        base = ctx.base
        n = g.shape[0]
        g2 = g.reshape(n, -1, base.shape[1] - 1)
        return ns.matmul(ns.swapaxes(g2, 1, 2), ns.asarray(base)), None, None
