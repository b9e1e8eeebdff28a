"""CTC loss (torch's ``_ctc_loss``, node ``CtcLossBackward0``).

Forward: the alpha recursion in log space over the blank-extended targets, one time step at a
time, vectorised over the batch and the extended-target positions.  Backward: the beta
recursion the same way, then torch's gradient with respect to the log-probabilities,
``exp(lp) - occupancy`` (the occupancy of class c at time t is the probability mass of the
paths through c there), zero past each input length and, with ``zero_infinity``, for infinite
losses.  Like torch, that gradient assumes ``log_probs`` come from a log_softmax (it is the
gradient through it); torch has no double backward (nor does this)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ..autograd.function import Op
from ._utils import quiet

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, Value

__all__ = ["CtcLoss"]

_NEG = -xp.inf


def _lse(*xs):
    m = xs[0]
    for x in xs[1:]:
        m = xp.maximum(m, x)
    ms = xp.where(xp.isfinite(m), m, 0.0)
    s = 0.0
    for x in xs:
        s = s + xp.exp(x - ms)
    return xp.log(s) + ms


def _shift(a, k):
    """a shifted right along the last axis by k (k < 0: left), -inf filled."""
    out = xp.full(a.shape, _NEG, a.dtype)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


def _setup(lp, tg, tl, blank):
    """Extended targets (N, L), their log-probs (T, N, L), the skip mask and valid positions."""
    n = lp.shape[1]
    s = tg.shape[1]
    ext = xp.full((n, 2 * s + 1), blank, xp.int64)
    ext[:, 1::2] = tg
    lpe = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (lp.shape[0],) + ext.shape), 2)
    skip = xp.zeros(ext.shape, bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    valid = xp.arange(ext.shape[1])[None, :] < (2 * tl + 1)[:, None]
    return ext, lpe, skip, valid


def _alpha(lpe, skip, valid, tl):
    t_, n, l_ = lpe.shape
    alpha = xp.full((t_, n, l_), _NEG, lpe.dtype)
    alpha[0, :, 0] = lpe[0, :, 0]
    if l_ > 1:
        alpha[0, :, 1] = xp.where(tl > 0, lpe[0, :, 1], _NEG)
    for t in range(1, t_):
        a = alpha[t - 1]
        r = _lse(a, _shift(a, 1), xp.where(skip, _shift(a, 2), _NEG)) + lpe[t]
        alpha[t] = xp.where(valid, r, _NEG)
    return alpha


def _ends(arr, il, tl):
    """logsumexp of arr[il - 1, n, 2 tl] and arr[il - 1, n, 2 tl - 1] per sample."""
    n = arr.shape[1]
    rows = arr[xp.maximum(il - 1, 0), xp.arange(n)]
    last = xp.take_along_axis(rows, (2 * tl)[:, None], 1)[:, 0]
    prev = xp.where(tl > 0, xp.take_along_axis(rows, xp.maximum(2 * tl - 1, 0)[:, None], 1)[:, 0],
                    _NEG)
    out = _lse(last, prev)
    return xp.where(il > 0, out, xp.where(tl == 0, 0.0, _NEG))


def _beta(lpe, skip, valid, il, tl):
    t_, n, l_ = lpe.shape
    beta = xp.full((t_, n, l_), _NEG, lpe.dtype)
    skip_next = _shift(skip.astype(xp.int8), -2).astype(bool)
    s_idx = xp.arange(l_)[None, :]
    ends = (s_idx == (2 * tl)[:, None]) | ((s_idx == (2 * tl - 1)[:, None]) & (tl > 0)[:, None])
    for t in range(t_ - 1, -1, -1):
        init = xp.where(ends, lpe[t], _NEG)
        if t < t_ - 1:
            b = beta[t + 1]
            rec = _lse(b, _shift(b, -1), xp.where(skip_next, _shift(b, -2), _NEG)) + lpe[t]
        else:
            rec = xp.full((n, l_), _NEG, lpe.dtype)
        r = xp.where((t == il - 1)[:, None], init, xp.where((t < il - 1)[:, None], rec, _NEG))
        beta[t] = xp.where(valid, r, _NEG)
    return beta


def _grad(lp, ext, lpe, alpha, beta, nll, il, zero_inf):
    t_, n, c = lp.shape
    occ = xp.exp(alpha + beta - lpe + nll[None, :, None])  # (T, N, L)
    occ = xp.where(xp.isfinite(alpha) & xp.isfinite(beta), occ, 0.0)
    flat = ((xp.arange(t_)[:, None, None] * n + xp.arange(n)[None, :, None]) * c
            + ext[None, :, :])
    occ_c = xp.bincount(flat.ravel(), weights=occ.ravel(), minlength=t_ * n * c)
    g = xp.exp(lp) - occ_c.reshape(t_, n, c).astype(lp.dtype)
    live = xp.arange(t_)[:, None] < il[None, :]
    if zero_inf:
        live = live & xp.isfinite(nll)[None, :]
    return xp.where(live[:, :, None], g, 0.0)


class CtcLoss(Op):
    """Per-sample negative log-likelihood (N,) of ``targets`` under ``log_probs`` (T, N, C)."""
    node_name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx: Ctx, lp: Array, tg: Array, il: Array, tl: Array, blank: int,
                zero_inf: bool) -> Array:
        ext, lpe, skip, valid = _setup(lp, tg, tl, blank)
        alpha = quiet(_alpha, lpe, skip, valid, tl)
        nll = (-quiet(_ends, alpha, il, tl)).astype(lp.dtype)
        if ctx.needs_input_grad:
            ctx.args = (ext, lpe, skip, valid, alpha, nll, il, tl, zero_inf)
            ctx.save_for_backward(lp)
        return nll

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (lp,) = ctx.saved_tensors
        ext, lpe, skip, valid, alpha, nll, il, tl, zero_inf = ctx.args
        beta = quiet(_beta, lpe, skip, valid, il, tl)
        lpa = getattr(lp, "_array", lp)
        gr = quiet(_grad, lpa, ext, lpe, alpha, beta, nll, il, zero_inf)
        out = ns.no_double_backward(gr, lp, "_ctc_loss_backward") * g[None, :, None]
        return out, None, None, None, None, None
