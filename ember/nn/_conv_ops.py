"""Fused convolution ops: im2col from strided views (one contiguous copy) + one GEMM.

Layouts (2-D; 1-D inputs get a size-1 height inside the op):
- ``cols``: (N, C, kh, kw, OH, OW), made contiguous once from an ``as_strided`` view of the
  (padded) input, read as (N, G, C/G*kh*kw, OH*OW) -- torch's ``unfold`` layout -- so that the
  convolution is ``W(G, O/G, C/G*kh*kw) @ cols`` and lands directly in NCHW.
- backward: ``gW = sum_n g_n @ cols_n^T``; ``gcols = W^T @ g`` scattered back by ``col2im``, a
  loop over the kh*kw kernel offsets (never over pixels or batch).
Under ``create_graph`` the backward is written with differentiable ember ops (``Unfold``/``Fold``
+ matmul), so higher-order gradients are exact.
"""
from __future__ import annotations

from .._backend import xp
from ..autograd.function import Op, _apply

__all__ = ["Conv", "ConvTranspose", "Unfold", "Fold", "im2col", "col2im", "geom2d"]

_as_strided = xp.lib.stride_tricks.as_strided


def geom2d(kernel, stride, padding, dilation):
    """Normalise geometry to (kh, kw), (sh, sw), (top, bottom, left, right), (dh, dw)."""
    return tuple(kernel), tuple(stride), tuple(padding), tuple(dilation)


def _pad(x, pads, value=0.0):
    t, b, l, r = pads
    if t == 0 and b == 0 and l == 0 and r == 0:
        return x
    out = xp.full(x.shape[:-2] + (x.shape[-2] + t + b, x.shape[-1] + l + r), value, x.dtype)
    out[..., t:t + x.shape[-2], l:l + x.shape[-1]] = x
    return out


def im2col(x, kernel, stride, pads, dil, out_hw=None):
    """(N, C, H, W) -> contiguous (N, C, kh, kw, OH, OW) windows."""
    kh, kw = kernel
    sh, sw = stride
    dh, dw = dil
    xp_ = _pad(x, pads)
    n, c, h, w = xp_.shape
    if out_hw is None:
        oh, ow = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
    else:
        oh, ow = out_hw
    if kh == 1 and kw == 1 and sh == 1 and sw == 1 and (oh, ow) == (h, w):
        return xp_.reshape(n, c, 1, 1, oh, ow)
    s0, s1, s2, s3 = xp_.strides
    view = _as_strided(xp_, (n, c, kh, kw, oh, ow),
                       (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False)
    return xp.ascontiguousarray(view)


def col2im(cols, hw, stride, pads, dil):
    """Adjoint of im2col: (N, C, kh, kw, OH, OW) -> (N, C, H, W), summing overlaps.

    One strided slice-add per kernel offset."""
    n, c, kh, kw, oh, ow = cols.shape
    sh, sw = stride
    dh, dw = dil
    t, b, l, r = pads
    hp, wp = hw[0] + t + b, hw[1] + l + r
    out = xp.zeros((n, c, hp, wp), cols.dtype)
    for i in range(kh):
        hs = i * dh
        he = hs + sh * (oh - 1) + 1
        for j in range(kw):
            ws = j * dw
            out[:, :, hs:he:sh, ws:ws + sw * (ow - 1) + 1:sw] += cols[:, :, i, j]
    if t or b or l or r:
        out = out[:, :, t:t + hw[0], l:l + hw[1]]
    return out


# ----------------------------------------------------------------------------- unfold / fold


class Unfold(Op):
    """x (N, C, H, W) -> cols (N, C*kh*kw, L): torch's ``F.unfold`` (im2col)."""
    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dil):
        ctx.geo = (x.shape[-2:], kernel, stride, pads, dil)
        cols = im2col(x, kernel, stride, pads, dil)
        n, c = x.shape[:2]
        return cols.reshape(n, c * kernel[0] * kernel[1], -1)

    @staticmethod
    def backward(ctx, g, xp):
        hw, kernel, stride, pads, dil = ctx.geo
        return fold(g, hw, kernel, stride, pads, dil), None, None, None, None


class Fold(Op):
    """cols (N, C*kh*kw, L) -> (N, C, H, W): torch's ``F.fold`` (col2im)."""
    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, hw, kernel, stride, pads, dil):
        ctx.geo = (kernel, stride, pads, dil)
        kh, kw = kernel
        hp, wp = hw[0] + pads[0] + pads[1], hw[1] + pads[2] + pads[3]
        oh = (hp - dil[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (wp - dil[1] * (kw - 1) - 1) // stride[1] + 1
        n = cols.shape[0]
        c = cols.shape[1] // (kh * kw)
        return col2im(cols.reshape(n, c, kh, kw, oh, ow), hw, stride, pads, dil)

    @staticmethod
    def backward(ctx, g, xp):
        return unfold(g, *ctx.geo), None, None, None, None, None


def unfold(x, kernel, stride, pads, dil):
    return _apply(Unfold, (x, tuple(kernel), tuple(stride), tuple(pads), tuple(dil)), {}, None)


def fold(cols, hw, kernel, stride, pads, dil):
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
    n, c = x.shape[:2]
    o, cg, kh, kw = w.shape
    cols = im2col(x, (kh, kw), stride, pads, dil)
    oh, ow = cols.shape[-2:]
    colsg = cols.reshape(n, groups, cg * kh * kw, oh * ow)
    wg = w.reshape(groups, o // groups, cg * kh * kw)
    if groups == 1:
        out = xp.matmul(wg[0], colsg[:, 0])
    else:
        out = xp.matmul(wg, colsg)
    return out.reshape(n, o, oh, ow), cols


def _wgrad(g, cols, groups, wshape):
    """gW = sum_n g_n (Og, L) @ cols_n^T (L, K) per group."""
    n = g.shape[0]
    o = g.shape[1]
    l_ = g.shape[-2] * g.shape[-1]
    k = cols.shape[1] * cols.shape[2] * cols.shape[3] // groups
    gg = g.reshape(n, groups, o // groups, l_)
    cg = cols.reshape(n, groups, k, l_)
    if n * l_ > 0:
        # per-sample GEMMs (BLAS on contiguous operands, cols read transposed) summed over n
        gw = xp.matmul(gg, cg.swapaxes(-1, -2)).sum(0)
    else:
        gw = xp.zeros((groups, o // groups, k), g.dtype)
    return gw.reshape(wshape)


def _dgrad_cols(g, w, groups):
    """gcols = W^T @ g, as (N, C, kh, kw, OH, OW)."""
    n, o, oh, ow = g.shape
    _, cg, kh, kw = w.shape
    wg = w.reshape(groups, o // groups, cg * kh * kw)
    gg = g.reshape(n, groups, o // groups, oh * ow)
    if groups == 1:
        cols = xp.matmul(wg[0].T, gg[:, 0])
    else:
        cols = xp.matmul(wg.transpose(0, 2, 1), gg)
    return cols.reshape(n, groups * cg, kh, kw, oh, ow)


class Conv(Op):
    """y = conv(x, W) + b  (torch's ``convolution``), x (N, C, [H,] W)."""
    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dil, groups):
        one_d = x.ndim == 3
        x2, w2 = _to2d(x, w, None)
        out, cols = _conv_fwd(x2, w2, stride, pads, dil, groups)
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        needs = ctx.needs_input_grad
        if needs:
            ctx.geo = (stride, pads, dil, groups, one_d, x2.shape)
            ctx.save_for_backward(x if needs[1] else None, w, cols if needs[1] else None)
        return out[:, :, 0] if one_d else out

    @staticmethod
    def backward(ctx, g, xp):
        x, w, cols = ctx.saved_tensors
        stride, pads, dil, groups, one_d, xshape = ctx.geo
        needs = ctx.needs_input_grad
        if xp.graph:
            return _conv_backward_graph(g, x, w, stride, pads, dil, groups, one_d, needs, xshape)
        if one_d:
            g = g[:, :, None]
            w = w[:, :, None]
        gx = gw = gb = None
        if needs[0]:
            gx = col2im(_dgrad_cols(g, w, groups), xshape[-2:], stride, pads, dil)
            if one_d:
                gx = gx[:, :, 0]
        if needs[1]:
            gw = _wgrad(g, cols, groups, w.shape)
            if one_d:
                gw = gw[:, :, 0]
        if needs[2]:
            gb = g.sum((0, 2, 3))
        return gx, gw, gb, None, None, None, None


def _conv_backward_graph(g, x, w, stride, pads, dil, groups, one_d, needs, xshape):
    """The same backward through differentiable ember ops (higher-order gradients)."""
    if one_d:
        g = g.unsqueeze(2)
        x = x.unsqueeze(2) if x is not None else None
        w = w.unsqueeze(2)
    n, o, oh, ow = g.shape
    _, cg, kh, kw = w.shape
    gg = g.reshape(n, groups, o // groups, oh * ow)
    wg = w.reshape(groups, o // groups, cg * kh * kw)
    gx = gw = gb = None
    if needs[0]:
        cols = wg.transpose(1, 2).matmul(gg).reshape(n, groups * cg * kh * kw, oh * ow)
        gx = fold(cols, xshape[-2:], (kh, kw), stride, pads, dil)
        if one_d:
            gx = gx.squeeze(2)
    if needs[1]:
        cols = unfold(x, (kh, kw), stride, pads, dil).reshape(n, groups, cg * kh * kw, oh * ow)
        gw = gg.matmul(cols.transpose(-1, -2)).sum(0).reshape(w.shape)
        if one_d:
            gw = gw.squeeze(2)
    if needs[2]:
        gb = g.sum((0, 2, 3))
    return gx, gw, gb, None, None, None, None


# ---------------------------------------------------------------------- transposed convolution


def _convT_fwd(x, w, stride, pads, dil, groups, out_hw):
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    wg = w.reshape(groups, cin // groups, cog * kh * kw)
    xg = x.reshape(n, groups, cin // groups, h * wd)
    if groups == 1:
        cols = xp.matmul(wg[0].T, xg[:, 0])
    else:
        cols = xp.matmul(wg.transpose(0, 2, 1), xg)
    cols = cols.reshape(n, groups * cog, kh, kw, h, wd)
    return col2im(cols, out_hw, stride, pads, dil)


class ConvTranspose(Op):
    """y = conv_transpose(x, W) + b: the adjoint of conv in x; W is (Cin, Cout/G, kh, kw)."""
    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dil, groups, out_hw):
        one_d = x.ndim == 3
        x2, w2 = _to2d(x, w, None)
        out = _convT_fwd(x2, w2, stride, pads, dil, groups, out_hw)
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        if ctx.needs_input_grad:
            ctx.geo = (stride, pads, dil, groups, one_d)
            ctx.save_for_backward(x, w)
        return out[:, :, 0] if one_d else out

    @staticmethod
    def backward(ctx, g, xp):
        x, w = ctx.saved_tensors
        stride, pads, dil, groups, one_d = ctx.geo
        needs = ctx.needs_input_grad
        if xp.graph:
            return _convT_backward_graph(g, x, w, stride, pads, dil, groups, one_d, needs)
        if one_d:
            g = g[:, :, None]
            x, w = _to2d(x, w, None)
        n, cin, h, wd = x.shape
        _, cog, kh, kw = w.shape
        gcols = im2col(g, (kh, kw), stride, pads, dil, out_hw=(h, wd))
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
            gb = g.sum((0, 2, 3))
        return gx, gw, gb, None, None, None, None, None


def _conv_fwd_cols(cols, w, groups, xshape):
    """W (Cin, Cog, kh, kw) applied to ready-made cols (N, G*Cog, kh, kw, H, W)."""
    n = cols.shape[0]
    cin = w.shape[0]
    k = w.shape[1] * w.shape[2] * w.shape[3]
    l_ = cols.shape[-2] * cols.shape[-1]
    wg = w.reshape(groups, cin // groups, k)
    cg = cols.reshape(n, groups, k, l_)
    out = xp.matmul(wg[0], cg[:, 0]) if groups == 1 else xp.matmul(wg, cg)
    return out.reshape(xshape)


def _convT_backward_graph(g, x, w, stride, pads, dil, groups, one_d, needs):
    if one_d:
        g = g.unsqueeze(2)
        x = x.unsqueeze(2)
        w = w.unsqueeze(2)
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    k = cog * kh * kw
    gcols = unfold(g, (kh, kw), stride, pads, dil)
    gcols = gcols.reshape(n, groups, k, gcols.shape[-1])
    # the padded g may hold one more window row/col than x (output_padding): keep h*w of them
    if gcols.shape[-1] != h * wd:
        oh = (g.shape[-2] + pads[0] + pads[1] - dil[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (g.shape[-1] + pads[2] + pads[3] - dil[1] * (kw - 1) - 1) // stride[1] + 1
        gcols = gcols.reshape(n, groups, k, oh, ow)[..., :h, :wd].reshape(n, groups, k, h * wd)
    wg = w.reshape(groups, cin // groups, k)
    gx = gw = gb = None
    if needs[0]:
        gx = wg.matmul(gcols).reshape(x.shape)
        if one_d:
            gx = gx.squeeze(2)
    if needs[1]:
        xg = x.reshape(n, groups, cin // groups, h * wd)
        gw = xg.matmul(gcols.transpose(-1, -2)).sum(0).reshape(w.shape)
        if one_d:
            gw = gw.squeeze(2)
    if needs[2]:
        gb = g.sum((0, 2, 3))
    return gx, gw, gb, None, None, None, None, None
