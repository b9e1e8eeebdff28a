"""Fused convolution ops: im2col from strided views (one contiguous copy) + one GEMM.

Layouts (2-D; 1-D inputs get a size-1 height inside the op; 3-D inputs use the same im2col /
GEMM / col2im code with one more spatial axis, without the 2-D-only fast path below):
- ``cols``: (N, C, kh, kw, OH, OW), made contiguous once from an ``as_strided`` view of the
  (padded) input, read as (N, G, C/G*kh*kw, OH*OW) -- torch's ``unfold`` layout -- so that the
  convolution is ``W(G, O/G, C/G*kh*kw) @ cols`` and lands directly in NCHW.
- backward: ``gW = sum_n g_n @ cols_n^T``; ``gcols = W^T @ g`` scattered back by ``col2im``, a
  loop over the kh*kw kernel offsets (never over pixels or batch).
Fast path (stride 1, groups 1, the common case): "wide" im2col.  Each (c, n) plane of the
padded input is stored with a row pitch P (``_wide_geo``: the zero gap after a row is the right
padding of that row and the left padding of the next); for stride 1 the window of kernel tap
(i, j) is then ONE contiguous run of OH*P elements per plane (each output row carries P-OW garbage
columns), so ``cols`` is one fast strided copy.  Two layouts (``_is_nc``):
- CN (C*kh*kw > 64): planes ordered (C, N); cols (C*kh*kw, N*OH*P); the convolution is ONE GEMM
  ``W @ cols``, the weight gradient ONE GEMM, the input gradient ONE GEMM ``W^T @ G`` (by L2-sized
  batch chunks) + a col2im of kh*kw contiguous slice-adds; NCHW comes from one transposing copy.
- NC (small C*kh*kw, first layers): planes ordered (N, C); per-sample GEMMs (batched matmul),
  which beat one GEMM with a tiny inner dimension; no transposes.
Scratch arrays (padded input, cols, GEMM results) live in per-thread workspaces reused across
calls (fresh multi-MB arrays cost page faults that rival the arithmetic).  The backward reuses the
forward's ``cols`` workspace when no other conv of the same geometry has overwritten it since (an
owner token), else recomputes it; ``cols`` is never saved.
Under ``create_graph`` the backward is written with differentiable ember ops (``Unfold``/``Fold``
+ matmul), so higher-order gradients are exact.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from .._backend import xp
from .._scratch import owned_workspace, workspace
from ..autograd.function import Op, _apply
from ._utils import quiet

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from .._tensor import Tensor

    from ._types import Array, Ctx, Grads, Namespace, Value

__all__ = ["Conv", "ConvTranspose", "Unfold", "Fold", "im2col", "col2im", "geom2d",
           "ChannelShuffle"]

_as_strided = xp.lib.stride_tricks.as_strided


def _prod(v):
    r = 1
    for a in v:
        r *= a
    return r


def _offsets(kernel):
    """Every kernel tap (i, j[, k]) in C order."""
    return itertools.product(*(range(k) for k in kernel))

def geom2d(kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int],
           dilation: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """Normalise geometry to (kh, kw), (sh, sw), (top, bottom, left, right), (dh, dw)."""
    return tuple(kernel), tuple(stride), tuple(padding), tuple(dilation)


def _pad(x, pads, value=0.0):
    """Pad the last len(pads)//2 axes by (before, after) pairs, in axis order."""
    if not any(pads):
        return x
    d = len(pads) // 2
    lo, hi = pads[0::2], pads[1::2]
    sp = x.shape[-d:]
    out = xp.full(x.shape[:-d] + tuple(s + a + b for s, a, b in zip(sp, lo, hi)), value,
                  x.dtype)
    out[(Ellipsis,) + tuple(slice(a, a + s) for a, s in zip(lo, sp))] = x
    return out


def im2col(x: Array, kernel: Sequence[int], stride: Sequence[int], pads: Sequence[int],
           dil: Sequence[int], out_hw: Sequence[int] | None = None) -> Array:
    """(N, C, *S) -> contiguous (N, C, *kernel, *out) windows (S: 2 or 3 spatial axes; pads are
    (before, after) per spatial axis)."""
    xp_ = _pad(x, pads)
    n, c = xp_.shape[:2]
    sp = xp_.shape[2:]
    if out_hw is None:
        out = tuple((s - d * (k - 1) - 1) // st + 1
                    for s, k, st, d in zip(sp, kernel, stride, dil))
    else:
        out = tuple(out_hw)
    if all(k == 1 for k in kernel) and all(st == 1 for st in stride) and out == tuple(sp):
        return xp_.reshape((n, c) + (1,) * len(sp) + out)
    st_ = xp_.strides
    view = _as_strided(xp_, (n, c) + tuple(kernel) + out,
                       st_[:2] + tuple(a * d for a, d in zip(st_[2:], dil))
                       + tuple(a * s for a, s in zip(st_[2:], stride)), writeable=False)
    return xp.ascontiguousarray(view)


def col2im(cols: Array, hw: Sequence[int], stride: Sequence[int], pads: Sequence[int],
           dil: Sequence[int]) -> Array:
    """Adjoint of im2col: (N, C, *kernel, *out) -> (N, C, *S), summing overlaps.

    One strided slice-add per kernel offset."""
    nd = len(hw)
    n, c = cols.shape[:2]
    kernel = cols.shape[2:2 + nd]
    outs = cols.shape[2 + nd:]
    lo, hi = pads[0::2], pads[1::2]
    out = xp.zeros((n, c) + tuple(s + a + b for s, a, b in zip(hw, lo, hi)), cols.dtype)
    for tap in _offsets(kernel):
        sl = tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                   for i, d, s, o in zip(tap, dil, stride, outs))
        out[(slice(None), slice(None)) + sl] += cols[(slice(None), slice(None)) + tap]
    if any(pads):
        out = out[(slice(None), slice(None)) + tuple(slice(a, a + s) for a, s in zip(lo, hw))]
    return out


# ----------------------------------------------------------------------------- unfold / fold


class Unfold(Op):
    """x (N, C, H, W) -> cols (N, C*kh*kw, L): torch's ``F.unfold`` (im2col)."""
    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx: Ctx, x: Array, kernel: tuple[int, ...], stride: tuple[int, ...],
                pads: tuple[int, ...], dil: tuple[int, ...]) -> Array:
        ctx.geo = (x.shape[2:], kernel, stride, pads, dil)
        cols = im2col(x, kernel, stride, pads, dil)
        n, c = x.shape[:2]
        return cols.reshape(n, c * _prod(kernel), _prod(cols.shape[2 + len(kernel):]))

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        hw, kernel, stride, pads, dil = ctx.geo
        return fold(g, hw, kernel, stride, pads, dil), None, None, None, None


class Fold(Op):
    """cols (N, C*kh*kw, L) -> (N, C, H, W): torch's ``F.fold`` (col2im)."""
    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx: Ctx, cols: Array, hw: tuple[int, ...], kernel: tuple[int, ...],
                stride: tuple[int, ...], pads: tuple[int, ...], dil: tuple[int, ...]) -> Array:
        ctx.geo = (kernel, stride, pads, dil)
        outs = tuple((s + pads[2 * i] + pads[2 * i + 1] - dil[i] * (k - 1) - 1) // stride[i] + 1
                     for i, (s, k) in enumerate(zip(hw, kernel)))
        n = cols.shape[0]
        c = cols.shape[1] // _prod(kernel)
        return col2im(cols.reshape((n, c) + tuple(kernel) + outs), hw, stride, pads, dil)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return unfold(g, *ctx.geo), None, None, None, None, None


def unfold(x: Tensor, kernel: Sequence[int], stride: Sequence[int], pads: Sequence[int],
           dil: Sequence[int]) -> Tensor:
    return _apply(Unfold, (x, tuple(kernel), tuple(stride), tuple(pads), tuple(dil)), {}, None)


def fold(cols: Tensor, hw: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
         pads: Sequence[int], dil: Sequence[int]) -> Tensor:
    return _apply(Fold, (cols, tuple(hw), tuple(kernel), tuple(stride), tuple(pads),
                         tuple(dil)), {}, None)


# ------------------------------------------------------------------------------ convolution


def _to2d(x, w, geo):
    """1-D conv as 2-D with a unit height."""
    if x.ndim == 3:
        x = x[:, :, None, :]
        w = w[:, :, None, :] if w is not None else None
    return x, w


def _conv_fwd(x, w, stride, pads, dil, groups):
    n = x.shape[0]
    o, cg = w.shape[:2]
    kernel = w.shape[2:]
    cols = im2col(x, kernel, stride, pads, dil)
    outs = cols.shape[2 + len(kernel):]
    k = cg * _prod(kernel)
    colsg = cols.reshape(n, groups, k, _prod(outs))
    wg = w.reshape(groups, o // groups, k)
    if groups == 1:
        out = xp.matmul(wg[0], colsg[:, 0])
    else:
        out = xp.matmul(wg, colsg)
    return out.reshape((n, o) + outs), cols


def _wgrad(g, cols, groups, wshape):
    """gW = sum_n g_n (Og, L) @ cols_n^T (L, K) per group."""
    n = g.shape[0]
    o = g.shape[1]
    l_ = _prod(g.shape[2:])
    k = _prod(cols.shape[1:2 + g.ndim - 2]) // groups
    gg = g.reshape(n, groups, o // groups, l_)
    cg = cols.reshape(n, groups, k, l_)
    if n * l_ > 0:
        # per-sample GEMMs (BLAS on contiguous operands, cols read transposed) summed over n
        gw = xp.matmul(gg, cg.swapaxes(-1, -2)).sum(0)
    else:
        gw = xp.zeros((groups, o // groups, k), g.dtype)
    return gw.reshape(wshape)


def _dgrad_cols(g, w, groups):
    """gcols = W^T @ g, as (N, C, *kernel, *out)."""
    n, o = g.shape[:2]
    cg = w.shape[1]
    kernel = w.shape[2:]
    wg = w.reshape(groups, o // groups, cg * _prod(kernel))
    gg = g.reshape(n, groups, o // groups, _prod(g.shape[2:]))
    if groups == 1:
        cols = xp.matmul(wg[0].T, gg[:, 0])
    else:
        cols = xp.matmul(wg.transpose(0, 2, 1), gg)
    return cols.reshape((n, groups * cg) + kernel + g.shape[2:])


def _wide_geo(xshape, kernel, pads, dil):
    """Geometry of the stride-1 'wide' layout: (rows, P, OH, OW, L = OH*P).

    Each (c, n) plane is ``rows`` rows of pitch P = max(W + max(lf, r), OW); pixel (y, x) sits at
    (y + t + 1) * P + x and the P - W slots after each row are zero, so they serve as the right
    padding of that row AND (read at negative x) the left padding of the next one.  Row 0 and the
    rows from t + 1 + H on are zero (top/bottom padding and slack for the garbage columns)."""
    t, b, lf, r = pads
    h, w = xshape[2], xshape[3]
    oh = h + t + b - dil[0] * (kernel[0] - 1)
    ow = w + lf + r - dil[1] * (kernel[1] - 1)
    pitch = max(w + max(lf, r), ow)
    return t + h + b + 3, pitch, oh, ow, oh * pitch


def _wide_off(i, j, pads, dil, pitch):
    """Flat offset of kernel tap (i, j) in a wide plane (see ``_wide_geo``)."""
    return (i * dil[0] + 1) * pitch + j * dil[1] - pads[2]


_NC_MAX_K = 64  # C*kh*kw up to which per-sample GEMMs (NC layout) beat one big GEMM (CN)


def _is_nc(c, kernel):
    """Layout choice: 'NC' (batch outermost, a batched GEMM per sample) for small C*kh*kw
    (first layers: the big GEMM's tiny inner dimension is memory bound), else 'CN'."""
    return c * kernel[0] * kernel[1] <= _NC_MAX_K


def _cols_shape(xshape, kernel, L):
    n, c = xshape[:2]
    kh, kw = kernel
    return (n, c, kh, kw, L) if _is_nc(c, kernel) else (c, kh, kw, n, L)


def _wide_cols(x, kernel, pads, dil, tag, owner=None):
    """x (N, C, H, W) -> workspace cols, (N, C*kh*kw, OH*P) in the NC layout or
    (C*kh*kw, N*OH*P) in the CN one (stride 1; see the module doc and ``_wide_geo``)."""
    n, c, h, w = x.shape
    kh, kw = kernel
    t = pads[0]
    nc = _is_nc(c, kernel)
    rows, pitch, oh, ow, L = _wide_geo(x.shape, kernel, pads, dil)
    xpd = workspace(tag + "pad", ((n, c) if nc else (c, n)) + (rows, pitch), x.dtype)
    # zero only the padding (the interior is overwritten)
    xpd[:, :, :t + 1] = 0
    xpd[:, :, t + 1 + h:] = 0
    xpd[:, :, t + 1:t + 1 + h, w:] = 0
    xpd[:, :, t + 1:t + 1 + h, :w] = x if nc else x.transpose(1, 0, 2, 3)
    s0, s1 = xpd.strides[:2]
    it = xpd.itemsize
    base = xpd.reshape(xpd.shape[:2] + (rows * pitch,))[:, :, _wide_off(0, 0, pads, dil, pitch):]
    if nc:
        shape, strides = (n, c, kh, kw, L), (s0, s1, dil[0] * pitch * it, dil[1] * it, it)
    else:
        shape, strides = (c, kh, kw, n, L), (s0, dil[0] * pitch * it, dil[1] * it, s1, it)
    view = _as_strided(base, shape, strides, writeable=False)
    cols = workspace(tag + "cols", shape, x.dtype, owner)
    xp.copyto(cols, view)
    return cols.reshape((n, c * kh * kw, L) if nc else (c * kh * kw, n * L))


def _fast_ok(x, stride, groups):
    return groups == 1 and stride[0] == 1 and stride[1] == 1 and x.dtype.kind == "f"


def _matmul_into(a, b, out):
    xp.matmul(a, b, out=out)


def _conv_fwd_fast(x, w, b, pads, dil, owner):
    n = x.shape[0]
    o = w.shape[0]
    kernel = w.shape[2:]
    _, pitch, oh, ow, L = _wide_geo(x.shape, kernel, pads, dil)
    cols = _wide_cols(x, kernel, pads, dil, "f", owner)
    if cols.ndim == 3:  # NC
        r = workspace("fr", (n, o, L), x.dtype)
        quiet(_matmul_into, w.reshape(o, -1), cols, r)  # inf * 0: NaN silently, as torch
        view = r.reshape(n, o, oh, pitch)[:, :, :, :ow]
    else:
        r = workspace("fr", (o, n * L), x.dtype)
        quiet(_matmul_into, w.reshape(o, -1), cols, r)
        view = r.reshape(o, n, oh, pitch)[:, :, :, :ow].transpose(1, 0, 2, 3)
    out = xp.empty((n, o, oh, ow), x.dtype)
    if b is None:
        xp.copyto(out, view)
    else:
        xp.add(view, b.reshape(-1, 1, 1), out=out)
    return out


_CHUNK_BYTES = 1 << 20  # dgrad columns per batch chunk: stay in L2 between GEMM and col2im


def _dgrad_fast(G, w, xshape, pads, dil, nc):
    """gx = col2im(W^T @ G), by batch chunks so each chunk's columns stay in cache."""
    o, c, kh, kw = w.shape
    n = xshape[0]
    rows, pitch, oh, ow, L = _wide_geo(xshape, (kh, kw), pads, dil)
    k = c * kh * kw
    nb = max(1, min(n, _CHUNK_BYTES // max(1, k * L * G.itemsize)))
    wt = w.reshape(o, k).T
    gxp = workspace("bgx", ((n, c) if nc else (c, n)) + (rows * pitch,), G.dtype)
    gxp.fill(0)
    gc = workspace("bgc", (nb, k, L) if nc else (k, nb * L), G.dtype)
    offs = [(i, j, _wide_off(i, j, pads, dil, pitch)) for i in range(kh) for j in range(kw)]
    for n0 in range(0, n, nb):
        m = min(nb, n - n0)
        if nc:
            cm = gc[:m]
            xp.matmul(wt, G[n0:n0 + m], out=cm)
            c5 = cm.reshape(m, c, kh, kw, L).transpose(1, 2, 3, 0, 4)
            dst = gxp[n0:n0 + m].transpose(1, 0, 2)
        else:
            cm = gc[:, :m * L]
            xp.matmul(wt, G[:, n0 * L:(n0 + m) * L], out=cm)
            c5 = cm.reshape(c, kh, kw, m, L)
            dst = gxp[:, n0:n0 + m]
        for i, j, off in offs:
            dst[:, :, off:off + L] += c5[:, i, j]
    t, h, w_ = pads[0], xshape[2], xshape[3]
    gx = xp.empty(xshape, G.dtype)
    src = gxp.reshape(gxp.shape[:2] + (rows, pitch))[:, :, t + 1:t + 1 + h, :w_]
    xp.copyto(gx, src if nc else src.transpose(1, 0, 2, 3))
    return gx


def _conv_bwd_fast(g, x, w, pads, dil, needs, xshape, owner):
    n, o, oh, ow = g.shape
    c = w.shape[1]
    kh, kw = kernel = w.shape[2:]
    nc = _is_nc(c, kernel)
    _, pitch, _, _, L = _wide_geo(xshape, kernel, pads, dil)
    gw_ = workspace("bg", ((n, o) if nc else (o, n)) + (oh, pitch), g.dtype)
    gw_[:, :, :, ow:] = 0
    gw_[:, :, :, :ow] = g if nc else g.transpose(1, 0, 2, 3)
    G = gw_.reshape((n, o, L) if nc else (o, n * L))
    gx = gw = gb = None
    if needs[2]:
        gb = G.sum((0, 2)) if nc else G.sum(1)
    if needs[1]:
        # the forward's cols, unless another conv of the same geometry has overwritten them
        c_ = owned_workspace("fcols", _cols_shape(xshape, kernel, L), x.dtype, owner)
        if c_ is None:
            cols = _wide_cols(x, kernel, pads, dil, "f")
        else:
            cols = c_.reshape((n, c * kh * kw, L) if nc else (c * kh * kw, n * L))
        if nc:
            gw = xp.matmul(G, cols.transpose(0, 2, 1)).sum(0).reshape(w.shape)
        else:
            # as (cols @ G^T)^T: OpenBLAS runs this orientation ~15% faster for these shapes
            gw = xp.ascontiguousarray(xp.matmul(cols, G.T).T).reshape(w.shape)
        if not xp.isfinite(gw).all():
            # the wide columns' padding holds input values that meet zeros of G: an inf there
            # gives a spurious nan; redo it on the exact columns (an inf/nan input only)
            gw = _wgrad(g, im2col(x, kernel, (1, 1), pads, dil), 1, w.shape)
    if needs[0]:
        gx = _dgrad_fast(G, w, xshape, pads, dil, nc)
    return gx, gw, gb


class Conv(Op):
    """y = conv(x, W) + b  (torch's ``convolution``), x (N, C, [H,] W)."""
    node_name = "ConvolutionBackward0"
    inputs = (0, 1, 2)  # input, weight, bias: a missing bias is a (None, 0) edge

    @staticmethod
    def forward(ctx: Ctx, x: Array, w: Array, b: Array | None, stride: tuple[int, ...],
                pads: tuple[int, ...], dil: tuple[int, ...], groups: int) -> Array:
        one_d = x.ndim == 3
        x2, w2 = _to2d(x, w, None)
        needs = ctx.needs_input_grad
        if x2.ndim == 4 and _fast_ok(x2, stride, groups):
            owner = object() if needs and needs[1] else None
            out = _conv_fwd_fast(x2, w2, b, pads, dil, owner)
            if needs:
                ctx.owner = owner
                ctx.geo = (stride, pads, dil, groups, one_d, x2.shape)
                ctx.fast = True
                ctx.save_for_backward(x if needs[1] else None, w, None)
            return out[:, :, 0] if one_d else out
        out, cols = _conv_fwd(x2, w2, stride, pads, dil, groups)
        if b is not None:
            out += b.reshape((1, -1) + (1,) * (out.ndim - 2))
        if needs:
            ctx.geo = (stride, pads, dil, groups, one_d, x2.shape)
            ctx.fast = False
            ctx.save_for_backward(x if needs[1] else None, w, cols if needs[1] else None)
        if out.dtype is not x.dtype:  # bfloat16: NumPy's product is float32; rounded once
            out = out.astype(x.dtype)
        return out[:, :, 0] if one_d else out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, w, cols = ctx.saved_tensors
        stride, pads, dil, groups, one_d, xshape = ctx.geo
        needs = ctx.needs_input_grad
        res = _conv_backward_ref(g, x, w, stride, pads, dil, groups, one_d, needs, xshape, ns)
        return _empty_double_backward(res, xshape, x, w, ns)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, w, cols = ctx.saved_tensors
        stride, pads, dil, groups, one_d, xshape = ctx.geo
        needs = ctx.needs_input_grad
        if one_d:
            g = g[:, :, None]
            w = w[:, :, None]
        if ctx.fast:
            if one_d and x is not None:
                x = x[:, :, None]
            gx, gw, gb = _conv_bwd_fast(g, x, w, pads, dil, needs, xshape, ctx.owner)
            if one_d:
                gx = gx[:, :, 0] if gx is not None else None
                gw = gw[:, :, 0] if gw is not None else None
            return gx, gw, gb, None, None, None, None
        gx = gw = gb = None
        if needs[0]:
            gx = col2im(_dgrad_cols(g, w, groups), xshape[2:], stride, pads, dil)
            if one_d:
                gx = gx[:, :, 0]
        if needs[1]:
            gw = _wgrad(g, cols, groups, w.shape)
            if one_d:
                gw = gw[:, :, 0]
        if needs[2]:
            gb = g.sum((0,) + tuple(range(2, g.ndim)))
        return gx, gw, gb, None, None, None, None


def _empty_double_backward(res, xshape, x, w, ns):
    """torch: on an empty input the first-order gradients require grad but their double
    backward is undefined (a None second-order gradient)."""
    if 0 not in xshape:
        return res
    return tuple(r if r is None else ns.cut(r, x, w) for r in res)


def _conv_backward_ref(g, x, w, stride, pads, dil, groups, one_d, needs, xshape, ns):
    """The reference backward, in the ns vocabulary: through differentiable ember ops under
    create_graph (higher-order gradients).  The first-order paths (the wide im2col fast path,
    cols + col2im) are ``Conv.fast_backward``."""
    if one_d:
        g = ns.expand_dims(g, 2)
        x = ns.expand_dims(x, 2) if x is not None else None
        w = ns.expand_dims(w, 2)
    n, o = g.shape[:2]
    cg = w.shape[1]
    kernel = tuple(w.shape[2:])
    k, l_ = cg * _prod(kernel), _prod(g.shape[2:])
    gg = g.reshape(n, groups, o // groups, l_)
    wg = w.reshape(groups, o // groups, k)
    gx = gw = gb = None
    if needs[0]:
        cols = ns.matmul(ns.swapaxes(wg, 1, 2), gg).reshape(n, groups * k, l_)
        gx = ns.apply(Fold, cols, tuple(xshape[2:]), kernel, tuple(stride), tuple(pads),
                      tuple(dil))
        if one_d:
            gx = ns.squeeze(gx, 2)
    if needs[1]:
        cols = ns.apply(Unfold, x, kernel, tuple(stride), tuple(pads), tuple(dil))
        cols = cols.reshape(n, groups, k, l_)
        gw = ns.sum(ns.matmul(gg, ns.swapaxes(cols, -1, -2)), axis=0).reshape(w.shape)
        if one_d:
            gw = ns.squeeze(gw, 2)
    if needs[2]:
        gb = ns.sum(g, axis=(0,) + tuple(range(2, len(g.shape))))
    return gx, gw, gb, None, None, None, None


# ---------------------------------------------------------------------- transposed convolution


def _convT_fwd(x, w, stride, pads, dil, groups, out_hw):
    n, cin = x.shape[:2]
    cog = w.shape[1]
    kernel = w.shape[2:]
    wg = w.reshape(groups, cin // groups, cog * _prod(kernel))
    xg = x.reshape(n, groups, cin // groups, _prod(x.shape[2:]))
    if groups == 1:
        cols = xp.matmul(wg[0].T, xg[:, 0])
    else:
        cols = xp.matmul(wg.transpose(0, 2, 1), xg)
    cols = cols.reshape((n, groups * cog) + kernel + x.shape[2:])
    return col2im(cols, out_hw, stride, pads, dil)


class ConvTranspose(Op):
    """y = conv_transpose(x, W) + b: the adjoint of conv in x; W is (Cin, Cout/G, kh, kw)."""
    node_name = "ConvolutionBackward0"
    inputs = (0, 1, 2)  # input, weight, bias: a missing bias is a (None, 0) edge

    @staticmethod
    def forward(ctx: Ctx, x: Array, w: Array, b: Array | None, stride: tuple[int, ...],
                pads: tuple[int, ...], dil: tuple[int, ...], groups: int,
                out_hw: tuple[int, ...]) -> Array:
        one_d = x.ndim == 3
        x2, w2 = _to2d(x, w, None)
        out = _convT_fwd(x2, w2, stride, pads, dil, groups, out_hw)
        if b is not None:
            out += b.reshape((1, -1) + (1,) * (out.ndim - 2))
        if ctx.needs_input_grad:
            ctx.geo = (stride, pads, dil, groups, one_d)
            ctx.save_for_backward(x, w)
        if out.dtype is not x.dtype:  # bfloat16: NumPy's product is float32; rounded once
            out = out.astype(x.dtype)
        return out[:, :, 0] if one_d else out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, w = ctx.saved_tensors
        stride, pads, dil, groups, one_d = ctx.geo
        needs = ctx.needs_input_grad
        res = _convT_backward_ref(g, x, w, stride, pads, dil, groups, one_d, needs, ns)
        return _empty_double_backward(res, x.shape, x, w, ns)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, w = ctx.saved_tensors
        stride, pads, dil, groups, one_d = ctx.geo
        needs = ctx.needs_input_grad
        if one_d:
            g = g[:, :, None]
            x, w = _to2d(x, w, None)
        gcols = im2col(g, w.shape[2:], stride, pads, dil, out_hw=x.shape[2:])
        gx = gw = gb = None
        if needs[0]:
            gx = _conv_fwd_cols(gcols, w, groups, x.shape)
            if one_d:
                gx = gx[:, :, 0]
        if needs[1]:
            # gW[ci, co k] = sum x[n, ci, l] gcols[n, co k, l]
            gw = _wgrad(x, gcols, groups, w.shape)
            if one_d:
                gw = gw[:, :, 0]
        if needs[2]:
            gb = g.sum((0,) + tuple(range(2, g.ndim)))
        return gx, gw, gb, None, None, None, None, None


def _conv_fwd_cols(cols, w, groups, xshape):
    """W (Cin, Cog, *kernel) applied to ready-made cols (N, G*Cog, *kernel, *S)."""
    n = cols.shape[0]
    cin = w.shape[0]
    k = _prod(w.shape[1:])
    l_ = _prod(xshape[2:])
    wg = w.reshape(groups, cin // groups, k)
    cg = cols.reshape(n, groups, k, l_)
    out = xp.matmul(wg[0], cg[:, 0]) if groups == 1 else xp.matmul(wg, cg)
    return out.reshape(xshape)


def _convT_backward_ref(g, x, w, stride, pads, dil, groups, one_d, needs, ns):
    """The reference backward of ConvTranspose (see _conv_backward_ref)."""
    if one_d:
        g = ns.expand_dims(g, 2)
        x = ns.expand_dims(x, 2)
        w = ns.expand_dims(w, 2)
    n, cin = x.shape[:2]
    sp = tuple(x.shape[2:])
    kernel = tuple(w.shape[2:])
    k = w.shape[1] * _prod(kernel)
    l_ = _prod(sp)
    gcols = ns.apply(Unfold, g, kernel, tuple(stride), tuple(pads), tuple(dil))
    gcols = gcols.reshape(n, groups, k, gcols.shape[-1])
    # the padded g may hold one more window row/col than x (output_padding): keep x's of them
    if gcols.shape[-1] != l_:
        outs = tuple((s + pads[2 * i] + pads[2 * i + 1] - dil[i] * (kk - 1) - 1) // stride[i] + 1
                     for i, (s, kk) in enumerate(zip(g.shape[2:], kernel)))
        crop = (Ellipsis,) + tuple(slice(0, s) for s in sp)
        gcols = gcols.reshape((n, groups, k) + outs)[crop].reshape(n, groups, k, l_)
    wg = w.reshape(groups, cin // groups, k)
    gx = gw = gb = None
    if needs[0]:
        gx = ns.matmul(wg, gcols).reshape(x.shape)
        if one_d:
            gx = ns.squeeze(gx, 2)
    if needs[1]:
        xg = x.reshape(n, groups, cin // groups, l_)
        gw = ns.sum(ns.matmul(xg, ns.swapaxes(gcols, -1, -2)), axis=0).reshape(w.shape)
        if one_d:
            gw = ns.squeeze(gw, 2)
    if needs[2]:
        gb = ns.sum(g, axis=(0,) + tuple(range(2, len(g.shape))))
    return gx, gw, gb, None, None, None, None, None


# ------------------------------------------------------------------------ pixel (un)shuffle


def _shuffle(x, r):
    *lead, c, h, w = x.shape
    nl = len(lead)
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    perm = list(range(nl)) + [nl, nl + 3, nl + 1, nl + 4, nl + 2]
    return xp.ascontiguousarray(y.transpose(perm)).reshape(*lead, c // (r * r), h * r, w * r)


def _unshuffle(x, r):
    *lead, c, h, w = x.shape
    nl = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    perm = list(range(nl)) + [nl, nl + 2, nl + 4, nl + 1, nl + 3]
    return xp.ascontiguousarray(y.transpose(perm)).reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(Op):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r); the backward is pixel_unshuffle."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, r: int) -> Array:
        ctx.r = r
        return _shuffle(x, r)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:  # (on arrays: _unshuffle)
        return ns.apply(PixelUnshuffle, g, ctx.r), None


class PixelUnshuffle(Op):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W); the backward is pixel_shuffle."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, r: int) -> Array:
        ctx.r = r
        return _unshuffle(x, r)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:  # (on arrays: _shuffle)
        return ns.apply(PixelShuffle, g, ctx.r), None


class ChannelShuffle(Op):
    """(N, g*k, *) -> (N, k*g, *): channel c = i*k + j goes to j*g + i (torch's
    channel_shuffle); the backward is the shuffle with k groups."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, groups: int) -> Array:
        n, c = x.shape[:2]
        ctx.back = c // groups if groups else 0
        y = x.reshape((n, groups, c // groups) + x.shape[2:]).swapaxes(1, 2)
        return xp.ascontiguousarray(y).reshape(x.shape)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(ChannelShuffle, g, ctx.back), None
