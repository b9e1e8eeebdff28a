"""Loss ops of torch.nn.functional: the losses torch runs as one kernel (mse, smooth_l1, huber,
log_softmax of cross_entropy, nll_loss, binary cross entropy with and without logits, soft
margin, multi margin, multilabel margin) as fused Ops named as torch's nodes, and the nodes of a
Python number that the composed losses record.  The public loss functions (argument checks,
dtype rules, the composed losses) are in ``ember/nn/_functional_losses.py``.

Backward formulas work on arrays (first order) and on Tensors (``create_graph=True``); an op
with a cheaper array-only first-order formula declares it as ``fast_backward``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import _take_along, max_last, sum_last, xp
from ..autograd.function import Op
from . import pointwise as _pw
from .activation import _sig, _softplus_array, _softplus_of

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from typing import Any

    from ._types import Array, Ctx, Grads, Namespace, Value

_EPSILON = float(xp.float32(1e-12))  # torch's loss kernels' EPSILON (a C++ float constant)


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
    def backward(cls, ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, t = ctx.saved_tensors
        gx = _grad_scale(g, ctx) * cls._dloss(x - t, ctx.p, ns)
        return gx, -gx, None, None


class MseLoss(_PointwiseLoss):
    _loss = staticmethod(lambda d, p: d * d)
    _dloss = staticmethod(lambda d, p, ns: 2 * d)



def _sign_nan(d, ns):
    """sign(d) with NaN kept (a constant: no second derivative), as torch's smooth-L1/Huber
    gradients are NaN at a NaN difference while their second derivatives are 0 there."""
    return ns.where(d == d, ns.sign(d), ns.detach(d))


class SmoothL1Loss(_PointwiseLoss):
    _loss = staticmethod(lambda d, beta: xp.where(xp.abs(d) < beta, 0.5 * d * d / beta,
                                                  xp.abs(d) - 0.5 * beta))
    _dloss = staticmethod(lambda d, beta, ns: ns.where(ns.abs(d) < beta, d / beta,
                                                       _sign_nan(d, ns)))


class HuberLoss(_PointwiseLoss):
    _loss = staticmethod(lambda d, k: xp.where(xp.abs(d) < k, 0.5 * d * d,
                                               k * (xp.abs(d) - 0.5 * k)))
    _dloss = staticmethod(lambda d, k, ns: ns.where(ns.abs(d) < k, d, k * _sign_nan(d, ns)))


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
    def backward(cls, ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.names if ctx.needs_input_grad[0] else ctx.names[::-1]
        raise RuntimeError(f"Found dtype {b} but expected {a}")


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
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (y,) = ctx.saved_tensors
        return g - ns.exp(y) * ns.sum(g, axis=ctx.axis, keepdims=True)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (the forward's softmax for exp(y))
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
    def forward(ctx: Ctx, x: Array, t: Array, w: Array | None, ignore_index: int,
                reduction: str) -> Array:
        xa = x.reshape((1,) + x.shape) if x.ndim == 1 else x
        t = t.reshape(xa.shape[:1] + xa.shape[2:])
        if t.dtype != xp.int64:
            t = t.astype(xp.int64)
        C = xa.shape[1]
        in_range = not (t.view(xp.uint64) >= C).any()  # (negative targets wrap to huge values)
        if in_range and not 0 <= ignore_index < C:
            keep: Any = None  # the common case: nothing to ignore
            every, tc = True, t
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
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return NllLoss._scaled_grad(ctx, g, ns, False)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (2-D input: one fancy-index write, not a scatter-add)
        return NllLoss._scaled_grad(ctx, g, ns, True)

    @staticmethod
    def _scaled_grad(ctx, g, ns, row_write):
        if ctx.red == "mean" and ctx.tw == 0:  # every target ignored (or zero weights)
            with xp.errstate(divide="ignore", invalid="ignore"):
                return NllLoss._grad(ctx, g / ctx.tw, ns, row_write)
        return NllLoss._grad(ctx, g / ctx.tw if ctx.red == "mean" else g, ns, row_write)

    @staticmethod
    def _grad(ctx, g, ns, row_write):
        """``row_write``: on arrays, write a 2-D input's gradient by one fancy index."""
        tc = ctx.tc
        if ctx.red == "none":
            g = g.reshape(tc.shape)
        v = -g if ctx.wt is None else g * -ctx.wt
        if ctx.keep is not None:
            v = ns.where(ctx.keep, v, 0)  # (ignored targets get 0, even from 0/0)
        if row_write and ctx.rows is not None:
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


# ============================================================================ binary


class BinaryCrossEntropy(Op):
    """-w (t log x + (1 - t) log(1 - x)), logs clamped at -100."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, t: Array, w: Array | None, reduction: str) -> Array:
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
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
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


class BinaryCrossEntropyWithLogits(Op):
    """w [(1 - t) x + (1 + (pw - 1) t) softplus(-x)]: stable for any logit."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, t: Array, w: Array | None, pw: Array | None,
                reduction: str) -> Array:
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        lw = 1 if pw is None else 1 + (pw - 1) * t
        loss = (1 - t) * x + lw * sp
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, t)
        ctx.w, ctx.pw, ctx.red, ctx.denom = w, pw, reduction, loss.size
        return _finish(loss.astype(x.dtype, copy=False), reduction, loss.size)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return _bce_logits_grads(ctx, g, ns, lambda v: _sig(v, ns),
                                 lambda v: _softplus_of(v, ns))

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # the overflow-free array sigmoid, and softplus without its threshold (which differs
        # from the reference's by at most exp(-20) ~ 2e-9, for x < -20)
        return _bce_logits_grads(ctx, g, ns, _pw._sigmoid, _softplus_array)


def _bce_logits_grads(ctx, g, ns, sigmoid, softplus):
    x, t = ctx.saved_tensors
    gs = _grad_scale(g, ctx)
    if ctx.w is not None:
        gs = gs * ctx.w
    pw = ctx.pw
    need = ctx.needs_input_grad
    gx = gt = None
    if need[0]:
        s = sigmoid(x)
        gx = gs * (s - t) if pw is None else gs * ((1 + (pw - 1) * t) * s - pw * t)
    if len(need) > 1 and need[1]:
        gt = -x if pw is None else (pw - 1) * softplus(-x) - x
        gt = gs * gt
    return gx, gt, None, None, None


# ================================================================= nodes of a Python number


class _MulScalar(Op):
    """``tensor * number`` inside a composed loss: torch's C++ ``mul(Tensor, Scalar)``
    (MulBackward1, one edge), where Python's ``*`` would record MulBackward0."""
    node_name = "MulBackward1"

    @staticmethod
    def forward(ctx, a, s):
        ctx.s = s
        return a * s

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * ctx.s


class _DivScalar(Op):
    """``tensor / number`` inside a composed loss (DivBackward1, one edge)."""
    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, s):
        ctx.s = s
        return a / s

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g / ctx.s


class _AddScalar(Op):
    """``tensor + number`` inside a composed loss (AddBackward1, one edge)."""
    node_name = "AddBackward1"

    @staticmethod
    def forward(ctx, a, s):
        return a + s

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g


class _FillNan(Op):
    """``t.fill_(nan)`` on a fresh result (an empty batch's mean): FillBackward2, zero grad."""
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, a):
        return xp.full(a.shape, xp.nan, a.dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * 0


class _SubScalar(Op):
    """``tensor - number`` in C++ (SubBackward1, one edge)."""
    node_name = "SubBackward1"

    @staticmethod
    def forward(ctx, a, s):
        return a - s

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
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
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        with xp.errstate(divide="ignore", invalid="ignore"):
            ga = g * ns.where(a != 0, ns.log(b), 0) if ctx.needs_input_grad[0] else None
            gb = g * a / b if ctx.needs_input_grad[1] else None
        return ga, gb


# ============================================================================ margin kernels


class SoftMarginLoss(Op):
    """log(1 + exp(-t x)) (torch's formula, overflow and all); d/dx = -t z / (1 + z),
    z = exp(-t x).  The target is not differentiable (no edge)."""
    inputs = (0,)

    @staticmethod
    def forward(ctx: Ctx, x: Array, t: Array, reduction: str) -> Array:
        with xp.errstate(over="ignore"):
            loss = xp.log1p(xp.exp(-x * t)).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, t)
        ctx.red, ctx.denom = reduction, loss.size
        return _finish(loss, reduction, loss.size)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, t = ctx.saved_tensors
        with xp.errstate(over="ignore", invalid="ignore"):
            z = ns.exp(-t * x)
            return _grad_scale(g, ctx) * (-t * z / (1 + z)), None, None


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
    def forward(ctx: Ctx, x: Array, t: Array, p: int, margin: float, w: Array | None,
                reduction: str) -> Array:
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
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (x,) = ctx.saved_tensors
        x2 = x.reshape(-1, x.shape[-1])
        idx = ctx.t1[:, None]
        coef = ctx.coef
        if ctx.p == 2:  # (2 z depends on x: differentiable under create_graph)
            coef = ns.where(ctx.act, 2 * (ctx.margin - ns.take_along_axis(x2, idx, 1) + x2), 0)
            if ctx.wt is not None:
                coef = coef * ctx.wt
        return _multi_margin_grad(ctx, g, x, x2, idx, coef, ns)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:  # (the forward's coefficients)
        (x,) = ctx.saved_tensors
        x2 = x.reshape(-1, x.shape[-1])
        return _multi_margin_grad(ctx, g, x, x2, ctx.t1[:, None], ctx.coef, ns)


def _multi_margin_grad(ctx, g, x, x2, idx, coef, ns):
    gz = coef * (_margin_grad(g, ctx) / x.shape[-1])
    gx = gz + ns.scatter_add_along(x2.shape, idx, -ns.sum(gz, axis=1, keepdims=True), 1)
    return gx.reshape(x.shape), None, None, None, None, None


class MultilabelMarginLoss(Op):
    """torch's multilabel_margin_loss: each sample's targets are the leading non-negative entries
    of its row (up to the first -1, repeats counted); loss_i = sum over targets j and
    non-targets d of max(0, 1 - x[j] + x[d]) / C.  First-order coefficients are constants
    (the loss is piecewise linear)."""
    inputs = (0,)

    @staticmethod
    def forward(ctx: Ctx, x: Array, t: Array, reduction: str) -> Array:
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
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return (ctx.coef * _margin_grad(g, ctx)).reshape(ctx.xshape), None, None
