"""torch.nn.functional's losses, each with torch's graph: the ones torch runs as one kernel
(mse, smooth_l1, huber, nll_loss, binary cross entropy with and without logits, soft margin,
multi margin, multilabel margin) are fused Ops named as torch's nodes (in
``ember/_ops/loss.py``; this file keeps the argument handling); the others are composed
the way torch composes them (cross_entropy = log_softmax + nll_loss_nd, label smoothing and
probability targets, kl_div, poisson/gaussian nll, the embedding and ranking losses).  Backward
formulas work on arrays (first order) and on Tensors (``create_graph=True``).
"""
from __future__ import annotations

import functools
import math
import warnings

from .. import _autocast as _ac
from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor, _make
from .._ops import _utils as _ops_utils
from .._ops import pointwise as _pw
from .._ops import reduction as _red
from .._ops import shape as _sh
from .._ops.loss import (_EPSILON, BinaryCrossEntropy, BinaryCrossEntropyWithLogits, HuberLoss,
                         MseLoss, MultilabelMarginLoss, MultiMarginLoss, NllLoss, NllLoss2d,
                         SmoothL1Loss, SoftMarginLoss, _AddScalar, _DivScalar, _FillNan,
                         _HuberLossMixed, _LogSoftmaxCE, _MulScalar, _SubScalar, _Xlogy)
from ..autograd.function import _apply
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


# ============================================================================ pointwise losses


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


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    reduction = _red_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    from ..autograd.grad_mode import _state
    if _state.enabled:
        for nm, w in (("weight", weight), ("pos_weight", pos_weight)):
            if w is not None and w._requires_grad:
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


# autocast (issue 13): the losses on torch's CPU autocast float32 list cast float16/bfloat16
# tensor arguments to float32 first (one flag read when autocast is off)
def _autocast_fp32(fn):
    @functools.wraps(fn)
    def autocast_fp32(*args, **kwargs):
        if _ac.on:
            args = _ac.fp32(*args)
            kwargs = {k: _ac.fp32(v)[0] for k, v in kwargs.items()}
        return fn(*args, **kwargs)
    return autocast_fp32


for _name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
              "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
              "poisson_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
              "hinge_embedding_loss", "triplet_margin_loss", "soft_margin_loss",
              "multi_margin_loss", "multilabel_margin_loss"):
    globals()[_name] = _autocast_fp32(globals()[_name])
