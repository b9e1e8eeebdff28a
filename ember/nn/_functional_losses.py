"""torch.nn.functional's losses, each with torch's graph: the ones torch runs as one kernel
(mse, smooth_l1, huber, nll_loss, binary cross entropy with and without logits, soft margin,
multi margin, multilabel margin) are fused Ops named as torch's nodes; the others are composed
the way torch composes them (cross_entropy = log_softmax + nll_loss_nd, label smoothing and
probability targets, kl_div, poisson/gaussian nll, the embedding and ranking losses).  Backward
formulas work on arrays (first order) and on Tensors (``create_graph=True``).
"""
from __future__ import annotations

import math
import warnings

from .. import _dtype as D
from .._backend import _take_along, max_last, sum_last, xp
from .._tensor import Tensor, _make
from .._ops import _utils as _ops_utils
from .._ops import pointwise as _pw
from .._ops import reduction as _red
from .._ops import shape as _sh
from ..autograd.function import Op, _apply
from .._ops.activation import _graph, _sig, _softplus_of
from .._ops.loss import _AddScalar, _DivScalar, _FillNan, _MulScalar
from ._functional_core import _SCALAR_NAMES, _scalar_op, logsigmoid, pairwise_distance

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss",
]


# ============================================================================ losses: helpers

_REDUCTIONS = ("none", "mean", "sum")
_EPSILON = float(xp.float32(1e-12))  # torch's loss kernels' EPSILON (a C++ float constant)


def legacy_get_string(size_average, reduce, emit_warning=True):
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    ret = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    if emit_warning:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _red_arg(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _arr_or_none(t, dtype):
    if t is None:
        return None
    a = t._array if isinstance(t, Tensor) else xp.asarray(t)
    return a.astype(dtype, copy=False)


def _finish(loss, reduction, n_or_denom):
    if reduction == "none":
        return loss
    s = loss.sum()
    if reduction == "sum":
        return xp.asarray(s, dtype=loss.dtype)
    with xp.errstate(invalid="ignore", divide="ignore"):  # (an empty mean: nan, silently)
        return xp.asarray(s / n_or_denom, dtype=loss.dtype)


def _grad_scale(g, ctx):
    """Upstream grad, shaped against the per-element loss."""
    if ctx.red == "mean":
        return g / ctx.denom if ctx.denom else g * xp.nan
    return g


# ============================================================================ pointwise losses


class _PointwiseLoss(Op):
    """torch's fused elementwise losses (mse, smooth_l1, huber): loss(d = input - target) on
    inputs of one shape (the caller broadcasts), then reduced; one node, edges to input and
    target."""

    @staticmethod
    def _loss(d, p):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _dloss(d, p, ns):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, x, t, reduction, p):
        d = x - t
        loss = cls._loss(d, p).astype(d.dtype, copy=False)
        ctx.save_for_backward(x, t)
        ctx.red, ctx.p, ctx.denom = reduction, p, loss.size
        return _finish(loss, reduction, loss.size)

    @classmethod
    def backward(cls, ctx, g, ns):
        x, t = ctx.saved_tensors
        gx = _grad_scale(g, ctx) * cls._dloss(x - t, ctx.p, ns)
        return gx, -gx, None, None


class MseLoss(_PointwiseLoss):
    _loss = staticmethod(lambda d, p: d * d)
    _dloss = staticmethod(lambda d, p, ns: 2 * d)


class SmoothL1Loss(_PointwiseLoss):
    _loss = staticmethod(lambda d, beta: xp.where(xp.abs(d) < beta, 0.5 * d * d / beta,
                                                  xp.abs(d) - 0.5 * beta))
    _dloss = staticmethod(lambda d, beta, ns: ns.where(ns.abs(d) < beta, d / beta, ns.sign(d)))


class HuberLoss(_PointwiseLoss):
    _loss = staticmethod(lambda d, k: xp.where(xp.abs(d) < k, 0.5 * d * d,
                                               k * (xp.abs(d) - 0.5 * k)))
    _dloss = staticmethod(lambda d, k, ns: ns.where(ns.abs(d) < k, d, k * ns.sign(d)))


class _HuberLossMixed(HuberLoss):
    """huber_loss of input and target of two float dtypes: torch computes the forward in the
    promoted dtype into a result of the input's dtype, and its backward kernel requires one
    dtype and raises."""
    node_name = "HuberLossBackward0"

    @classmethod
    def forward(cls, ctx, x, t, reduction, p):
        delta, ctx.names, dt = p
        return super().forward(ctx, x, t, reduction, delta).astype(dt)

    @classmethod
    def backward(cls, ctx, g, ns):
        a, b = ctx.names if ctx.needs_input_grad[0] else ctx.names[::-1]
        raise RuntimeError(f"Found dtype {b} but expected {a}")


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _fused_pointwise(cls, kernel, input, target, reduction, p=None):
    """One of torch's fused kernels on the broadcast pair (its dtype rules: integer inputs
    alone are not implemented)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    a, b = input._array.dtype, target._array.dtype
    if a.kind not in "fc" and b.kind not in "fc":
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_SCALAR_NAMES.get(a.name, a.name)}'")
    dt = D.result_type(input, target)
    return _apply(cls, (input, target, reduction, p), {}, dt.np)


def _weighted(loss, weight, reduction, by_weight):
    """torch's Python weighted forms: loss * weight, then a sum, or for 'mean' the sum over
    sum(weight) (mse, l1) or the plain mean (huber)."""
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def _check_weight_size(weight, input):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def _l1(input, target, reduction):
    """torch's l1_loss kernel: composed, |input - target| then mean/sum."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _reduce((input - target).abs(), reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    ei, et = _sh.broadcast_tensors(input, target)
    if weight is not None:
        _check_weight_size(weight, input)
        return _weighted((ei - et) ** 2, weight, reduction, True)
    return _fused_pointwise(MseLoss, "mse_cpu", ei, et, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    ei, et = _sh.broadcast_tensors(input, target)
    if weight is not None:
        _check_weight_size(weight, input)
        return _weighted((ei - et).abs(), weight, reduction, True)
    return _l1(ei, et, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    input, target = _sh.broadcast_tensors(input, target)
    if beta == 0.0:
        return _l1(input, target, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _fused_pointwise(SmoothL1Loss, "smooth_l1_cpu", input, target, reduction, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _size_warning(input, target)
    ei, et = _sh.broadcast_tensors(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    cls, p = HuberLoss, float(delta)
    da, db = input._array.dtype, target._array.dtype
    if da != db and da.kind in "fc":
        cls, p = _HuberLossMixed, (p, (_SCALAR_NAMES[da.name], _SCALAR_NAMES[db.name]), da)
    elif da.kind not in "fc" and db.kind in "fc":
        raise RuntimeError(f"result type {_SCALAR_NAMES[db.name]} can't be cast to the desired "
                           f"output type {_SCALAR_NAMES[da.name]}")
    if weight is None:
        return _fused_pointwise(cls, "huber_cpu", ei, et, reduction, p)
    _check_weight_size(weight, input)
    loss = _fused_pointwise(cls, "huber_cpu", ei, et, "none", p)
    return _weighted(loss, weight, reduction, False)


# ============================================================================ nll / cross entropy


class _LogSoftmaxCE(Op):
    """log_softmax over the class axis of cross_entropy's logits (node LogSoftmaxBackward0,
    as torch's).  Unlike the general op it keeps the softmax, a by-product of its forward, for
    the first-order backward dx = g - softmax * sum(g): the backward needs no second exp
    (an exp of float32 costs ~3 ns an element here, most of a loss step over many classes)."""
    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, axis):
        if not a.size:
            out = a.copy()
            if ctx.needs_input_grad:
                ctx.save_for_backward(out)
                ctx.p, ctx.axis, ctx.last = a, axis, False
            return out
        dt = a.dtype
        if dt.itemsize < 4:  # float16/bfloat16: computed in float32 (torch's opmath), as torch
            a = a.astype(xp.float32)
        last = axis == a.ndim - 1
        s = a - (max_last(a) if last else xp.amax(a, axis=axis, keepdims=True))
        e = xp.exp(s)
        se = sum_last(e) if last else xp.sum(e, axis=axis, keepdims=True)
        s -= xp.log(se)
        if ctx.needs_input_grad:
            e /= se
            ctx.save_for_backward(s)
            ctx.p, ctx.axis, ctx.last = e, axis, last
        return s if s.dtype == dt else s.astype(dt)

    @staticmethod
    def backward(ctx, g, ns):
        if _graph(ns):
            (y,) = ctx.saved_tensors
            return g - ns.exp(y) * ns.sum(g, axis=ctx.axis, keepdims=True)
        t = ctx.p * (sum_last(g) if ctx.last else xp.sum(g, axis=ctx.axis, keepdims=True))
        return xp.subtract(g, t, out=t).astype(g.dtype, copy=False)


class NllLoss(Op):
    """Negative log likelihood over class indices (class axis 1; a 1-D input is one sample).

    loss_i = -w[t_i] x[i, t_i], exactly 0 where t_i == ignore_index; 'mean' divides the sum by
    the summed weights of the kept targets (0/0 = nan when every target is ignored, as torch).
    The backward writes -w[t_i] g_i at each kept target into a zero gradient, so ignored
    samples get 0 even when the mean's divisor is 0.  Target, weight and options are keyword
    arguments: the node has one edge, as torch's."""

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, reduction):
        xa = x.reshape((1,) + x.shape) if x.ndim == 1 else x
        t = t.reshape(xa.shape[:1] + xa.shape[2:])
        if t.dtype != xp.int64:
            t = t.astype(xp.int64)
        C = xa.shape[1]
        in_range = not (t.view(xp.uint64) >= C).any()  # (negative targets wrap to huge values)
        if in_range and not 0 <= ignore_index < C:
            keep, every, tc = None, True, t  # the common case: nothing to ignore
        else:
            keep = t != ignore_index
            every = bool(keep.all())
            tc = t if every else xp.where(keep, t, 0)
            if not in_range:
                bad = (t.view(xp.uint64) >= C) & keep
                if bad.any():
                    raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
        rows = None
        if not C:  # (no class at all: every target was ignored)
            picked = xp.zeros(t.shape, x.dtype)
        elif xa.ndim == 2:
            rows = xp.arange(xa.shape[0])
            picked = xa[rows, tc]
        else:
            picked = _take_along(xa, tc.reshape(tc.shape[:1] + (1,) + tc.shape[1:]), 1,
                                 nonneg=True)[:, 0]
        wt = None if w is None else w[tc]
        if wt is not None:
            picked = picked * wt
        if not every:
            picked = xp.where(keep, picked, 0)
            if wt is not None:
                wt = xp.where(keep, wt, 0)
        if ctx.needs_input_grad:
            ctx.tc, ctx.rows, ctx.keep, ctx.wt = tc, rows, None if every else keep, wt
            ctx.red, ctx.xshape = reduction, x.shape
            if not x.size:  # (torch's gradient depends on the input: graph-connected)
                ctx.save_for_backward(x)
        if reduction == "none":
            loss = -picked
            return loss.reshape(()) if x.ndim == 1 else loss
        total = -picked.sum()
        if reduction == "sum":
            return xp.asarray(total, x.dtype)
        if wt is not None:
            tw = wt.sum()
        else:
            tw = t.size if every else int(keep.sum())
        ctx.tw = tw
        if tw == 0:  # every target ignored (or an empty batch): nan, as torch
            with xp.errstate(invalid="ignore", divide="ignore"):
                return xp.asarray(total / x.dtype.type(tw), x.dtype)
        return xp.asarray(total / tw, x.dtype)

    @staticmethod
    def backward(ctx, g, ns):
        if ctx.red == "mean" and ctx.tw == 0:  # every target ignored (or zero weights)
            with xp.errstate(divide="ignore", invalid="ignore"):
                return NllLoss._grad(ctx, g / ctx.tw, ns)
        return NllLoss._grad(ctx, g / ctx.tw if ctx.red == "mean" else g, ns)

    @staticmethod
    def _grad(ctx, g, ns):
        tc = ctx.tc
        if ctx.red == "none":
            g = g.reshape(tc.shape)
        v = -g if ctx.wt is None else g * -ctx.wt
        if ctx.keep is not None:
            v = ns.where(ctx.keep, v, 0)  # (ignored targets get 0, even from 0/0)
        if ctx.rows is not None and not _graph(ns):
            gx = xp.zeros((len(ctx.rows), ctx.xshape[-1]), v.dtype)
            gx[ctx.rows, tc] = v
            return gx.reshape(ctx.xshape) if len(ctx.xshape) == 1 else gx
        if not xp.prod(ctx.xshape):
            z = ns.zeros_like(xp.zeros(ctx.xshape, getattr(v, "_array", v).dtype))
            return ns.connect(z, ctx.saved_tensors[0], "NllLossBackwardBackward0")
        if v.shape != tc.shape:
            v = ns.broadcast_to(v, tc.shape)
        lead = tc.shape[:1] + (1,) + tc.shape[1:]
        xshape = ctx.xshape if len(ctx.xshape) > 1 else (1,) + ctx.xshape
        gx = ns.scatter_add_along(xshape, tc.reshape(lead), v.reshape(lead), 1)
        return gx.reshape(ctx.xshape) if len(ctx.xshape) == 1 else gx


class NllLoss2d(NllLoss):
    node_name = "NllLoss2DBackward0"


def _dtype_name(a):
    return _SCALAR_NAMES.get(a.dtype.name, a.dtype.name)


def _check_weight(weight, x, C, cross_entropy_prob=False):
    if weight is None:
        return None
    w = weight._array
    if w.ndim != 1 or w.size != C:
        raise RuntimeError(f"{'cross_entropy: ' if cross_entropy_prob else ''}weight tensor "
                           f"should be defined either for all {C} classes or no classes but got "
                           f"weight tensor of shape: {list(w.shape)}")
    if not cross_entropy_prob and w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_dtype_name(x)} but found {_dtype_name(w)}")
    return w


def _nll_nd(input, target, weight, reduction, ignore_index, fn="nll_loss"):
    """torch's nll_loss_nd: 1-D/2-D input -> nll_loss, 4-D -> nll_loss2d, 3-D or 5+-D viewed as
    (N, C, 1, -1) for nll_loss2d (its 'none' result viewed back), with torch's checks."""
    x, t = input._array, target._array
    nd = x.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and x.shape[0] != (t.shape[0] if t.ndim else 0):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if t.dtype != xp.int64 and t.dtype != xp.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype_name(t)}")
    if x.dtype.kind != "f":
        frame = "nll_loss_out_frame" if nd <= 2 else "nll_loss2d_forward_out_frame"
        raise NotImplementedError(f"\"{frame}\" not implemented for '{_dtype_name(x)}'")
    C = x.shape[1] if nd > 1 else x.shape[0]
    kw = {"t": t, "ignore_index": ignore_index, "reduction": reduction}
    if nd <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd == 1 and t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{t.shape[0]}")
        kw["w"] = _check_weight(weight, x, C)
        return _apply(NllLoss, (input,), kw, None)
    out_size = None
    if nd != 4:
        out_size = [x.shape[0]] + list(x.shape[2:])
        if list(t.shape) != out_size:
            raise RuntimeError(f"Expected target size {out_size}, got {list(t.shape)}")
        n = x.shape[0]
        input = input.contiguous()
        input = input.view(n, C, 1, -1) if x.size else input.view(n, C, 0, 0)
        x, t = input._array, t.reshape((n, 1, -1) if t.size else (n, 0, 0))
        kw["t"] = t
    if t.ndim != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {t.ndim}")
    if t.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: "
                           f"{list(t.shape)}")
    if t.dtype != xp.int64:
        raise RuntimeError(f"expected scalar type Long but found {_dtype_name(t)}")
    if weight is not None and (weight._array.ndim != 1 or weight._array.size != C):
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    kw["w"] = _check_weight(weight, x, C)
    out = _apply(NllLoss2d, (input,), kw, None)
    if out_size is not None and reduction == "none":
        out = out.view(*out_size)
    return out


def _check_ignore_index(ignore_index, fn):
    if not isinstance(ignore_index, int):
        raise TypeError(f"{fn}(): argument 'ignore_index' (position 5) must be int, not "
                        f"{type(ignore_index).__name__}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    _check_ignore_index(ignore_index, "nll_loss_nd")
    return _nll_nd(input, target, weight, reduction, ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """torch's cross_entropy_loss: probabilities (target shaped as input), label smoothing, or
    nll_loss_nd(log_softmax(input)), composed as torch composes them (the same graph)."""
    reduction = _red_arg(size_average, reduce, reduction)
    _check_ignore_index(ignore_index, "cross_entropy_loss")
    x, t = input._array, target._array
    if x.shape == t.shape:
        if t.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_dtype_name(t)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _prob_cross_entropy(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    cdim = 0 if x.ndim == 1 else 1
    if x.dtype.kind != "f" and x.ndim:
        kern = "log_softmax_lastdim_kernel_impl" if cdim == x.ndim - 1 else \
            "log_softmax_kernel_impl"
        raise NotImplementedError(f"\"{kern}\" not implemented for '{_dtype_name(x)}'")
    if not x.ndim:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    logp = _apply(_LogSoftmaxCE, (input,), {"axis": cdim}, None)
    nll = _nll_nd(logp, target, weight, reduction, ignore_index)
    if label_smoothing <= 0.0:
        return nll
    ls = float(label_smoothing)
    C = x.shape[cdim]
    if weight is not None:
        wshape = [1] * x.ndim
        wshape[cdim] = C
        smooth = -(logp * weight.view(*wshape)).sum(cdim)
    else:
        smooth = -logp.sum(cdim)
    ignored = target == ignore_index
    smooth.masked_fill_(ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            if t.dtype != xp.int64 and (t != ignore_index).any():  # (torch: empty is fine)
                raise RuntimeError("gather(): Expected dtype int32/int64 for index")
            kept = target.masked_select(~ignored).flatten().long()
            ret = smooth.sum() / weight.gather(0, kept).sum()
        else:
            ret = smooth.sum() / (~ignored).sum()
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return _scalar_op(_MulScalar, nll, 1 - ls) + _scalar_op(_MulScalar, ret, ls / C)


def _prob_cross_entropy(input, target, weight, reduction, ls):
    x = input._array
    if x.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    cdim = 0 if x.ndim == 1 else 1
    C = x.shape[cdim]
    w = _check_weight(weight, x, C, cross_entropy_prob=True)
    logp = _red.log_softmax(input, cdim)
    if ls > 0.0:
        if ls > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {ls}")
        target = _scalar_op(_AddScalar, _scalar_op(_MulScalar, target, 1 - ls), ls / C)
    prod = logp * target
    if w is not None:
        prod = prod * (weight.view(*([1, C] + [1] * (x.ndim - 2))) if x.ndim > 1 else weight)
    if reduction == "none":
        return -prod.sum(cdim)
    if reduction == "mean" and x.size == 0:
        return -_apply(_FillNan, (prod.sum(),), {}, None)
    loss = -prod.sum()
    return _scalar_op(_DivScalar, loss, x.size // C) if reduction == "mean" else loss


# ============================================================================ binary


class BinaryCrossEntropy(Op):
    """-w (t log x + (1 - t) log(1 - x)), logs clamped at -100."""

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        if ((x < 0) | (x > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        with xp.errstate(divide="ignore"):
            loss = -(t * xp.maximum(xp.log(x), -100) + (1 - t) * xp.maximum(xp.log1p(-x), -100))
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, t)
        ctx.w, ctx.red, ctx.denom = w, reduction, loss.size
        return _finish(loss.astype(x.dtype, copy=False), reduction, loss.size)

    @staticmethod
    def backward(ctx, g, ns):
        x, t = ctx.saved_tensors
        gs = _grad_scale(g, ctx)
        if ctx.w is not None:
            gs = gs * ctx.w
        need = ctx.needs_input_grad
        gx = gs * (x - t) / ns.maximum((1 - x) * x, _EPSILON) if need[0] else None
        gt = None
        if len(need) > 1 and need[1]:  # torch: -logit(x), unclamped (+-inf at 0 and 1)
            with xp.errstate(divide="ignore"):
                gt = gs * -ns.log(x / (1 - x))
        return gx, gt, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        try:
            xp.broadcast_shapes(target._array.shape, weight._array.shape)
        except ValueError:
            raise _broadcast_shapes_error(weight._array.shape, target._array.shape) from None
    dt = input._array.dtype
    if target._array.dtype != dt:
        raise RuntimeError(f"Found dtype {_SCALAR_NAMES[target._array.dtype.name]} but expected "
                           f"{_SCALAR_NAMES[dt.name]}")
    if dt.kind not in "fc":
        raise _ops_utils.not_implemented("binary_cross_entropy", dt)
    return _apply(BinaryCrossEntropy, (input, target, _arr_or_none(weight, dt), reduction), {},
                  dt)


def _broadcast_shapes_error(shape, to):
    """torch.broadcast_shapes' text: ``shape`` (argument 1) does not broadcast to ``to``."""
    from .._tensor import Size
    for i in range(1, len(shape) + 1):
        n = to[-i] if i <= len(to) else 1
        if shape[-i] != n and shape[-i] != 1 and n != 1:
            return RuntimeError(f"Attempting to broadcast a dimension of length {shape[-i]} at "
                                f"{-i}! Mismatching argument at index 1 had {Size(shape)}; but "
                                f"expected shape should be broadcastable to {list(to)}")
    return RuntimeError(f"shapes {list(shape)} and {list(to)} cannot be broadcast")


class BinaryCrossEntropyWithLogits(Op):
    """w [(1 - t) x + (1 + (pw - 1) t) softplus(-x)]: stable for any logit."""

    @staticmethod
    def forward(ctx, x, t, w, pw, reduction):
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        lw = 1 if pw is None else 1 + (pw - 1) * t
        loss = (1 - t) * x + lw * sp
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, t)
        ctx.w, ctx.pw, ctx.red, ctx.denom = w, pw, reduction, loss.size
        return _finish(loss.astype(x.dtype, copy=False), reduction, loss.size)

    @staticmethod
    def backward(ctx, g, ns):
        x, t = ctx.saved_tensors
        gs = _grad_scale(g, ctx)
        if ctx.w is not None:
            gs = gs * ctx.w
        pw = ctx.pw
        need = ctx.needs_input_grad
        gx = gt = None
        if need[0]:
            s = _sig(x, ns)
            gx = gs * (s - t) if pw is None else gs * ((1 + (pw - 1) * t) * s - pw * t)
        if len(need) > 1 and need[1]:
            gt = -x if pw is None else (pw - 1) * _softplus_of(-x, ns) - x
            gt = gs * gt
        return gx, gt, None, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    reduction = _red_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    from ..autograd.grad_mode import _state
    if _state.enabled:
        for nm, w in (("weight", weight), ("pos_weight", pos_weight)):
            if w is not None and w._req:
                raise RuntimeError("The function 'binary_cross_entropy_with_logits' is not "
                                   f"differentiable with respect to argument '{nm}'. This input "
                                   "cannot have requires_grad True.")
    shape = input._array.shape
    for w, pw_first in ((pos_weight, True), (weight, False)):
        if w is not None:
            try:
                xp.broadcast_shapes(shape, w._array.shape)
            except ValueError:
                a, b = (w._array.shape, shape) if pw_first else (shape, w._array.shape)
                raise _ops_utils.broadcast_error(a, b) from None
    dt = input._array.dtype if input._array.dtype.kind == "f" else D.get_default_dtype().np
    return _apply(BinaryCrossEntropyWithLogits,
                  (input, target, _arr_or_none(weight, dt), _arr_or_none(pos_weight, dt),
                   reduction), {}, dt)


# ============================================================================ composed losses
#
# Composed as torch composes them (its C++ composites and Python functions), so the graph is
# torch's node for node: a Python number in C++ arithmetic is a Scalar (AddBackward1 /
# MulBackward1 / SubBackward1, one edge; ``s - t`` is a sub of a filled constant,
# SubBackward0 with a None edge); zeros_like constants carry no gradient.


def _const(t, value):
    """A gradient-free tensor shaped and typed like ``t`` (torch's zeros_like / filled ones)."""
    return _make(xp.full(t._array.shape, value, t._array.dtype), False, None, 0, None)


def _rsub_scalar(s, t):
    """C++ ``s - t``: a filled constant minus t (SubBackward0 with a None edge)."""
    return _const(t, s) - t


class _SubScalar(Op):
    """``tensor - number`` in C++ (SubBackward1, one edge)."""
    node_name = "SubBackward1"

    @staticmethod
    def forward(ctx, a, s):
        return a - s

    @staticmethod
    def backward(ctx, g, ns):
        return g


class _Xlogy(Op):
    """xlogy(a, b) = a log b, 0 where a == 0 (unless b is nan); d/da = xlogy(a != 0, b),
    d/db = a / b."""
    node_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.where((a == 0) & ~xp.isnan(b), 0, a * xp.log(b)).astype(a.dtype)

    @staticmethod
    def backward(ctx, g, ns):
        a, b = ctx.saved_tensors
        with xp.errstate(divide="ignore", invalid="ignore"):
            ga = g * ns.where(a != 0, ns.log(b), 0) if ctx.needs_input_grad[0] else None
            gb = g * a / b if ctx.needs_input_grad[1] else None
        return ga, gb


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        red = legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        red = "sum" if reduction == "batchmean" else reduction
    if red not in _REDUCTIONS:
        raise ValueError(f"{red} is not a valid value for reduction")
    if log_target:  # torch's _kl_div_log_target / _kl_div_non_log_target
        loss = target.exp() * (target - input)
    else:
        loss = _apply(_Xlogy, (target, target), {}, None) - target * input
    out = _reduce(loss, red)
    if reduction == "batchmean" and input._array.ndim != 0:
        with xp.errstate(divide="ignore", invalid="ignore"):
            out = out / input.shape[0]
    return out


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * _scalar_op(_AddScalar, input, eps).log()
    if full:  # Stirling's term where target > 1 (masked after the fact, as torch)
        with xp.errstate(divide="ignore", invalid="ignore"):
            stirling = target * target.log() - target + _scalar_op(
                _MulScalar, _scalar_op(_MulScalar, target, 2 * math.pi).log(), 0.5)
            loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _const(input, var)
    elif not isinstance(var, Tensor):
        raise TypeError("any() received an invalid combination of arguments - got (bool), but "
                        "expected one of:\n * (Tensor input, *, Tensor out = None)")
    elif bool((var._array < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:  # homoscedastic: one variance per row
            var = var.unsqueeze(-1)
        elif not (input._array.ndim == var._array.ndim and sum(
                v for n, v in zip(input.shape, var.shape) if n != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    from ..autograd.grad_mode import no_grad
    with no_grad():  # clamped for the value, the gradient as if unclamped (torch)
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _check_cosine_dims(input1, input2, target):
    td = target._array.ndim
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if td == 1 else 1
    if input1._array.ndim != want:
        raise RuntimeError(f"{td}D target tensor expects {want}D input tensors, but found inputs "
                           f"with sizes {list(input1.shape)} and {list(input2.shape)}.")
    return td


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    td = _check_cosine_dims(input1, input2, target)
    prod = (input1 * input2).sum(td)
    m1 = _scalar_op(_AddScalar, (input1 * input1).sum(td), _EPSILON)
    m2 = _scalar_op(_AddScalar, (input2 * input2).sum(td), _EPSILON)
    cos = prod / (m1 * m2).sqrt()
    zeros = _const(cos, 0)
    pos = _rsub_scalar(1, cos)
    neg = _pw.clamp_min(_scalar_op(_SubScalar, cos, margin), 0)
    out = _pw.where(target == 1, pos, zeros) + _pw.where(target == -1, neg, zeros)
    return _reduce(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    if not (input1._array.ndim == input2._array.ndim == target._array.ndim):
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    out = _scalar_op(_AddScalar, (-target) * (input1 - input2), margin)
    return _reduce(_pw.clamp_min(out, 0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    zeros = _const(input, 0)
    margin_clamp = _pw.clamp_min(_rsub_scalar(margin, input), 0)
    out = _pw.where(target != 1, margin_clamp, zeros) + _pw.where(target != -1, input, zeros)
    return _reduce(out, reduction)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor._array.ndim, positive._array.ndim, negative._array.ndim
    if not a == p == n:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs")


def _check_margin(margin):
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    _check_margin(margin)
    _check_triplet_dims(anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _pw.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    out = _pw.clamp_min(_scalar_op(_AddScalar, d_pos, margin) - d_neg, 0)
    return _reduce(out, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_margin(margin)
    _check_triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _pw.minimum(d_neg, dist(positive, negative))
    return _reduce(_pw.clamp_min(margin + d_pos - d_neg, 0), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cdim = input._array.ndim - 1
    loss = loss.sum(cdim) / input.shape[cdim]
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


# ============================================================================ margin kernels


def _not_differentiable(name, arg, t):
    if isinstance(t, Tensor) and t.requires_grad and _grad_enabled():
        raise RuntimeError(f"The function '{name}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")


def _grad_enabled():
    from ..autograd.grad_mode import is_grad_enabled
    return is_grad_enabled()


class SoftMarginLoss(Op):
    """log(1 + exp(-t x)) (torch's formula, overflow and all); d/dx = -t z / (1 + z),
    z = exp(-t x).  The target is not differentiable (no edge)."""
    inputs = (0,)

    @staticmethod
    def forward(ctx, x, t, reduction):
        with xp.errstate(over="ignore"):
            loss = xp.log1p(xp.exp(-x * t)).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, t)
        ctx.red, ctx.denom = reduction, loss.size
        return _finish(loss, reduction, loss.size)

    @staticmethod
    def backward(ctx, g, ns):
        x, t = ctx.saved_tensors
        with xp.errstate(over="ignore", invalid="ignore"):
            z = ns.exp(-t * x)
            return _grad_scale(g, ctx) * (-t * z / (1 + z)), None, None


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    _not_differentiable("soft_margin_loss", "target", target)
    xs, ts = input._array.shape, target._array.shape
    try:
        shape = xp.broadcast_shapes(xs, ts)
    except ValueError:
        raise _ops_utils.broadcast_error(xs, ts) from None
    if shape != xs:
        raise RuntimeError(f"output with shape {list(xs)} doesn't match the broadcast shape "
                           f"{list(shape)}")
    dt = input._array.dtype
    if dt.kind not in "fc":
        rt = str(D.result_type(input, target).np)
        raise RuntimeError(f"result type {_SCALAR_NAMES.get(rt, rt)} can't be cast to the desired "
                           f"output type {_SCALAR_NAMES.get(dt.name, dt.name)}")
    return _apply(SoftMarginLoss, (input, target, reduction), {}, dt)


def _check_margin_input(x, name, empty_ok=False):
    """torch's checks: the shape, then the kernel's dtypes (float and double; ``empty_ok``: an
    empty batch never reaches the kernel)."""
    nd = x.ndim
    if nd > 2 or nd == 0 or x.shape[-1] == 0 or (nd == 1 and x.size == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(x.shape)}")
    if x.dtype != xp.float32 and x.dtype != xp.float64 and not (empty_ok and x.size == 0):
        raise NotImplementedError(f"\"{name}\" not implemented for "
                                  f"'{_SCALAR_NAMES.get(x.dtype.name, x.dtype.name)}'")


def _check_long(t):
    if t.dtype != xp.int64:
        raise RuntimeError(f"expected scalar type Long but found {_dtype_name(t)}")


def _margin_reduce(loss, reduction, out_shape):
    if reduction == "none":
        return loss.reshape(out_shape)
    s = loss.sum()
    if reduction == "sum":
        return xp.asarray(s, loss.dtype)
    with xp.errstate(invalid="ignore", divide="ignore"):
        return xp.asarray(s / loss.size, loss.dtype)


def _margin_grad(g, ctx):
    """Upstream gradient per sample (N, 1)."""
    if ctx.red == "none":
        return g.reshape(-1, 1)
    return g / ctx.n if ctx.red == "mean" else g


class MultiMarginLoss(Op):
    """torch's multi_margin_loss: loss_i = sum_{d != y_i} max(0, margin - x[y_i] + x[d])^p
    w[y_i] / C.  The backward's coefficients are those of torch's kernel (p = 2: 2 z)."""
    inputs = (0,)

    @staticmethod
    def forward(ctx, x, t, p, margin, w, reduction):
        C = x.shape[-1]
        x2, t1 = x.reshape(-1, C), t.reshape(-1)
        rows = xp.arange(x2.shape[0])
        z = margin - x2[rows, t1][:, None] + x2
        act = z > 0
        act[rows, t1] = False
        h = xp.where(act, z if p == 1 else z * z, 0)
        wt = None if w is None else w[t1][:, None]
        if wt is not None:
            h = h * wt
        loss = (h.sum(1) / C).astype(x.dtype, copy=False)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x)
            coef = (act if p == 1 else xp.where(act, 2 * z, 0)).astype(x.dtype)
            ctx.coef = coef if wt is None else coef * wt
            ctx.t1, ctx.p, ctx.margin, ctx.act, ctx.wt = t1, p, margin, act, wt
            ctx.red, ctx.n = reduction, x2.shape[0]
        return _margin_reduce(loss, reduction, t.shape)

    @staticmethod
    def backward(ctx, g, ns):
        (x,) = ctx.saved_tensors
        C = x.shape[-1]
        x2 = x.reshape(-1, C)
        idx = ctx.t1[:, None]
        coef = ctx.coef
        if ctx.p == 2 and _graph(ns):  # (2 z depends on x: differentiable under create_graph)
            coef = ns.where(ctx.act, 2 * (ctx.margin - ns.take_along_axis(x2, idx, 1) + x2), 0)
            if ctx.wt is not None:
                coef = coef * ctx.wt
        gz = coef * (_margin_grad(g, ctx) / C)
        gx = gz + ns.scatter_add_along(x2.shape, idx, -ns.sum(gz, axis=1, keepdims=True), 1)
        return gx.reshape(x.shape), None, None, None, None, None


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight._array.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x, t = input._array, target._array
    _check_margin_input(x, "multi_margin_loss_cpu_kernel", True)
    n = x.shape[0] if x.ndim == 2 else 1
    if t.ndim > 1 or t.size != n:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size [{n}], "
                           f"but got {list(t.shape)}. Input has shape {list(x.shape)}.")
    C = x.shape[-1]
    if weight is not None:
        if weight._array.size != C:
            raise RuntimeError(f"inconsistent weight size, expected {C} but got "
                               f"{list(weight.shape)}")
        if weight._array.dtype != x.dtype:
            raise RuntimeError(f"expected scalar type {_dtype_name(x)} but found "
                               f"{_dtype_name(weight._array)}")
    _check_long(t)
    if t.size and (t.min() < 0 or t.max() >= C):
        raise RuntimeError("target out of range")
    w = None if weight is None else weight._array
    if x.dtype.kind != "f":  # an empty batch of integers: torch's result without the kernel
        return _make(xp.zeros((0,) if reduction == "none" else (), x.dtype), False, None, 0,
                     None)
    return _apply(MultiMarginLoss, (input, t, int(p), float(margin), w, reduction), {}, None)


class MultilabelMarginLoss(Op):
    """torch's multilabel_margin_loss: each sample's targets are the leading non-negative entries
    of its row (up to the first -1, repeats counted); loss_i = sum over targets j and
    non-targets d of max(0, 1 - x[j] + x[d]) / C.  First-order coefficients are constants
    (the loss is piecewise linear)."""
    inputs = (0,)

    @staticmethod
    def forward(ctx, x, t, reduction):
        C = x.shape[-1]
        x2, t2 = x.reshape(-1, C), t.reshape(-1, C)
        N = x2.shape[0]
        valid = xp.cumprod(t2 >= 0, axis=1).astype(bool)  # before the first -1
        count = xp.zeros((N, C), x.dtype)
        rows = xp.broadcast_to(xp.arange(N)[:, None], t2.shape)
        xp.add.at(count, (rows[valid], t2[valid]), 1)
        other = (count == 0).astype(x.dtype)
        loss = xp.empty(N, x.dtype)
        coef = xp.empty((N, C), x.dtype)
        step = max(1, (1 << 22) // max(C * C, 1))  # samples per (n, C, C) block
        for a in range(0, N, step):
            xb = x2[a:a + step]
            z = 1 - xb[:, :, None] + xb[:, None, :]  # [n, target j, other d]
            act = (z > 0) * count[a:a + step, :, None] * other[a:a + step, None, :]
            loss[a:a + step] = (z * act).sum((1, 2))
            coef[a:a + step] = act.sum(1) - act.sum(2)
        loss /= C
        ctx.coef, ctx.red, ctx.n, ctx.xshape = coef / C, reduction, N, x.shape
        return _margin_reduce(loss, reduction, x.shape[:-1])

    @staticmethod
    def backward(ctx, g, ns):
        return (ctx.coef * _margin_grad(g, ctx)).reshape(ctx.xshape), None, None


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    x, t = input._array, target._array
    _check_margin_input(x, "multilabel_margin_loss_forward_out_frame")
    if t.shape != x.shape:
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: "
                           f"{list(x.shape)}")
    _check_long(t)
    if t.size and (t.min() < -1 or t.max() >= x.shape[-1]):
        raise RuntimeError("argument #2 'target' is out of range")
    return _apply(MultilabelMarginLoss, (input, t, reduction), {}, None)
