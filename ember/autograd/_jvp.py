"""Tangent propagation of forward-mode AD (see ``forward_ad``'s docstring).

``dispatch`` runs one op call whose inputs may be dual tensors (only while a dual level is
active: ``function._FW_ON``).  The primal runs through the op's usual entry; the output's tangent
comes from the op's explicit JVP rule (``_RULES``, built once on first use) or, for every other
op, from its backward formula (``_derived``).  Rules run with forward AD switched off (tangents
are plain tensors; only one level exists) and with grad mode as the caller has it, so a tangent
records a reverse-mode graph when its inputs require grad.
"""
from __future__ import annotations

import re
from typing import Any

from .._backend import xp
from .._tensor import Tensor, _make
from . import function as _fn
from .forward_ad import _GEN, _get, _set
from .grad_mode import _state


def dispatch(entry: Any, call_args: tuple[Any, ...], cls: Any, args: tuple[Any, ...],
             kwargs: dict[str, Any], cast: Any) -> Any:
    """Run ``entry(*call_args)`` (op ``cls`` on ``args``) and attach output tangents."""
    tans: list[Any] | None = None
    for k, a in enumerate(args):
        if isinstance(a, Tensor):
            t = _get(a)
            if t is not None:
                if tans is None:
                    tans = [None] * len(args)
                tans[k] = t
    prev = _fn._FW_ON
    _fn._FW_ON = False
    try:
        if tans is None:
            return entry(*call_args)
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = _dual_call(entry, call_args, cls, args, kwargs, cast, tans)
    finally:
        _fn._FW_ON = prev
    return out


def _dual_call(entry, call_args, cls, args, kwargs, cast, tans):
    """The primal output with its tangent attached (forward AD is off in here)."""
    rule = _rule(cls, args, tans)
    if rule is None:
        if getattr(cls, "no_forward_ad", None):  # (torch's op is a Python Function: its text)
            raise NotImplementedError(cls.no_forward_ad)
        name = _NO_FORWARD_AD.get(cls.__name__)
        if name is not None:
            raise NotImplementedError(
                f"Trying to use forward AD with {name} that does not support it because "
                "it has not been implemented yet.")
        try:
            out, tout = _derived(cls, args, kwargs, cast, tans, _is_diagonal(cls, args, tans))
        except RuntimeError as e:  # an op without a derivative (torch's NotImplemented)
            m = _NO_DERIVATIVE.match(str(e))
            if m is None:
                raise
            raise NotImplementedError(f"Trying to use forward AD with {m.group(1)} that "
                                      "does not support it.") from None
    else:
        out = entry(*call_args)
        tout = rule(cls, args, kwargs, out, tans)
    _attach(out, tout)
    return out


# Ops torch has no forward-AD formula for (ember class name -> torch's op name): the same
# NotImplementedError as torch.
_NO_FORWARD_AD = {
    "MultiMarginLoss": "multi_margin_loss",
    "MultilabelMarginLoss": "multilabel_margin_loss_forward",
    "GridSample": "grid_sampler_2d", "GridSample3D": "grid_sampler_3d",
    "SpecialZeta": "special_zeta", "SpecialZetaScalarSelf": "special_zeta",
    "CtcLoss": "_ctc_loss", "Igamma": "igamma", "Igammac": "igammac",
    "Cdist": "_cdist_forward", "Pdist": "_pdist_forward", "IndexReduce": "index_reduce",
    "CholeskyLegacy": "cholesky", "StandardGamma": "_standard_gamma",
    "FlashAttention": "_scaled_dot_product_flash_attention_for_cpu",
    "ConvTbc": "conv_tbc",  # issue 13 (h13-linalg)
}
# View ops whose other arguments are taken from the primal (its storage): derived instead.
_VIEW_DERIVED = {"AsStridedView", "AsStridedInplace"}  # (+ issue 13: as_strided_)
_NO_DERIVATIVE = re.compile(r"derivative for (aten::\w+) is not implemented")


def _attach(out, tout):
    if isinstance(out, tuple):
        if tout is None:
            return
        for o, t in zip(out, tout):
            _attach1(o, t)
    else:
        _attach1(out, tout)


def _attach1(o, t):
    if t is None or not isinstance(o, Tensor) or o._array.dtype.kind not in "fc":
        return
    if not isinstance(t, Tensor):
        t = _make(xp.asarray(t), False, None, 0, None)
    odt, tdt = o._array.dtype, t._array.dtype
    if tdt != odt:
        if tdt.kind == "c" and odt.kind != "c":
            t = t.real
        t = t.to(o.dtype)
    if t._array.shape != o._array.shape:
        t = t.expand(o._array.shape).contiguous()
    _set(o, t)
    fn = o.grad_fn
    if fn is not None:  # for a backward inside the level that rebuilds a saved output
        fw = fn.__dict__.get("_fw_out")
        if fw is None:
            fw = fn._fw_out = {}
        fw[o._output_nr] = (_GEN[0], t)


# ------------------------------------------------------------------------------ derived JVP


def _is_diagonal(cls, args, tans):
    """An elementwise op of its first argument (the others constants) on real values: its
    Jacobian is diagonal, so the backward applied to the tangent is the JVP."""
    return cls.__name__ in _DIAGONAL and args[0]._array.dtype.kind == "f" and \
        not any(t is not None for t in tans[1:])


# Elementwise ops of their first argument not built by _unary_op/_act (those have _jvp_unary)
_DIAGONAL = {"Pow", "RPow", "Softplus", "Logit", "Gelu", "NanToNum", "Clamp", "ClampMin",
             "ClampMax", "Hardtanh", "DropoutOp", "Round", "RoundDecimals", "Remainder", "Fmod"}


def _diagonal(cls, args, kwargs, cast, tans, node, outs, keep):
    """``J t`` of a diagonal-Jacobian op: one backward call with the tangent as cotangent."""
    from .._backend import nx
    from .._ops import gx
    from .engine import _call_backward, _fix_grad
    t = tans[0]
    if t._array.dtype != outs[0]._array.dtype:
        t = t.to(outs[0].dtype)
    if keep:
        res = _call_backward(node, [t], gx, True, False)
    else:
        res = _call_backward(node, [t._array.copy()], nx, False, False)  # (may be reused)
    pos = node._tpos if node._tpos is not None else range(len(args))
    for e, k in enumerate(pos):
        if k == 0 and res[e] is not None:
            g = _fix_grad(node, e, res[e], node._in_meta[e], gx if keep else nx, keep)
            return [g if keep else _make(g, False, None, 0, None)]
    return [_zeros(outs[0])]


def _derived(cls, args, kwargs, cast, tans, diagonal=False):
    """Run ``cls`` once with a graph and derive the JVP from its backward: the backward is
    linear in the cotangent ``u`` (``g(u) = J^T u``), so ``J t = d/du <g(u), t>`` (the real
    inner product ``Re(sum(conj(g) t))`` for complex values, torch's convention)."""
    from .. import autograd
    from .._ops import gx
    from .engine import _call_backward, _fix_grad
    outer = _state.enabled
    natural = outer and any(isinstance(a, Tensor) and a._requires_grad for a in args)
    args2 = list(args)
    swapped = False
    for k, t in enumerate(tans):
        a = args[k]
        if t is not None and not a._requires_grad:  # a stand-in that requires grad
            args2[k] = _make(a._array, True, None, 0, a._version_counter)
            swapped = True
    keep = outer and (natural or any(t is not None and t._requires_grad for t in tans))
    _state.enabled = True
    try:
        out = _fn._apply(cls, tuple(args2), kwargs, cast)
        outs = list(out) if isinstance(out, tuple) else [out]
        node = None
        for o in outs:
            if o._requires_grad and o.grad_fn is not None:
                node = o.grad_fn
                break
        tout: list[Any] = [None] * len(outs)
        if node is not None and diagonal and len(outs) == 1:
            tout = _diagonal(cls, args, kwargs, cast, tans, node, outs, keep)
        elif node is not None:
            # (the backward is linear in u: any value serves; ones keep formulas that take
            # the log of the gradient, as logcumsumexp's, finite)
            us = [_make(xp.ones(o._array.shape, o._array.dtype), True, None, 0, None)
                  if (o.grad_fn is node and o._array.dtype.kind in "fc") else None
                  for o in outs]
            res = _call_backward(node, us, gx, True, False)
            pos = node._tpos if node._tpos is not None else range(len(args))
            s = None
            for e, k in enumerate(pos):
                t, gk = tans[k], res[e]
                if t is None or gk is None or not isinstance(gk, Tensor):
                    continue
                gk = _fix_grad(node, e, gk, node._in_meta[e], gx, True)
                term = (gk.conj() * t).real.sum() if (gk.is_complex() or t.is_complex()) \
                    else (gk * t).sum()
                s = term if s is None else s + term
            live = [u for u in us if u is not None]
            if s is not None and s._requires_grad and live:
                jt = autograd.grad(s, live, retain_graph=True, create_graph=keep,
                                   allow_unused=True)
                it = iter(jt)
                for i, u in enumerate(us):
                    if u is not None:
                        j = next(it)
                        tout[i] = j if j is not None else _zeros(outs[i])
            else:
                for i, u in enumerate(us):
                    if u is not None:
                        tout[i] = _zeros(outs[i])
            if not keep:
                tout = [None if t is None else t.detach() for t in tout]
    finally:
        _state.enabled = outer
    if natural:
        if swapped and node is not None:  # the graph edges the op would have made itself
            (node.next_functions, node._in_meta, node._tpos,
             node.needs_input_grad) = _fn._edges(args, cls.inputs)
            stand_in = args2[0]
            for o in outs:  # a view of a stand-in is a view of the argument itself
                if o._base is not None and o._base is stand_in:
                    o._base = args[0] if args[0]._base is None else args[0]._base
    else:
        outs = [_fresh(cls, args, o) for o in outs]
    if isinstance(out, tuple):
        return tuple(outs), tout
    return outs[0], tout[0]


def _fresh(cls, args, o):
    """The output as the op makes it when no gradient is recorded."""
    if cls.is_view and isinstance(args[0], Tensor):
        return _fn._view_of(args[0], o._array, False, None, 0)
    return _make(o._array, False, None, 0, None)


def _zeros(o):
    return _make(xp.zeros(o._array.shape, o._array.dtype), False, None, 0, None)


# ------------------------------------------------------------------------------ explicit rules


_RULES: dict[Any, Any] | None = None


def _rule(cls, args, tans):
    rules = _RULES if _RULES is not None else _build()
    r = rules.get(cls)
    if r is not None:
        if r is _linear0 and any(t is not None for t in tans[1:]):
            return None
        return r
    u = cls.__dict__.get("_jvp_unary")
    if u is not None and tans[0] is not None and args[0]._array.dtype.kind == "f":
        return _unary
    if cls.is_view and tans[0] is not None and cls.__name__ not in _VIEW_DERIVED and not any(
            isinstance(a, Tensor) for a in args[1:]):
        return _linear0
    return None


def _unary(cls, args, kwargs, out, tans):
    """Elementwise real op: the derivative is diagonal, so J t is the backward applied to t."""
    from .._ops import gx
    bwd, save, params = cls.__dict__["_jvp_unary"]
    x = args[0] if save == "in" else out if save == "out" else None
    if params:
        return bwd(tans[0], x, gx, *args[1:])
    return bwd(tans[0], x, gx)


def _linear0(cls, args, kwargs, out, tans):
    """An op linear in its first argument (the rest constant): the op on the tangent (for a
    view op, a view of the tangent)."""
    if any(t is not None for t in tans[1:]):
        return None
    if cls.__name__ in _RESHAPES:  # the primal views; a tangent of another layout may not
        from .._ops.shape import reshape
        return reshape(tans[0], args[1])
    return _fn._apply(cls, (tans[0],) + tuple(args[1:]), kwargs, None)


_RESHAPES = ("View", "ReshapeAlias")


def _tangent_or_zero(a, t):
    if t is not None:
        return t
    if isinstance(a, Tensor):
        return _make(xp.zeros(a._array.shape, a._array.dtype), False, None, 0, None)
    return 0


def _joint(first, last=None):
    """An op linear in its arguments ``first:last`` together (numbers there are additive
    constants, tangent 0): the op on the tangents (zero where none)."""
    def rule(cls, args, kwargs, out, tans):
        stop = len(args) if last is None else last
        new = list(args)
        for k in range(first, stop):
            new[k] = _tangent_or_zero(args[k], tans[k])
        return _fn._apply(cls, tuple(new), kwargs, None)
    return rule


def _multilinear(positions, affine=()):
    """An op linear in each argument of ``positions`` separately (products): the sum over
    the dual ones of the op with that argument replaced by its tangent; ``affine``: positions
    of additive arguments (a bias, or None) whose tangent enters once."""
    def rule(cls, args, kwargs, out, tans):
        total = None
        bias_done = False
        for p in positions:
            if tans[p] is None:
                continue
            new = list(args)
            new[p] = tans[p]
            for q in affine:
                new[q] = None if bias_done else tans[q]
            bias_done = True
            r = _fn._apply(cls, tuple(new), kwargs, None)
            total = r if total is None else total + r
        if not bias_done and any(tans[q] is not None for q in affine):
            new = list(args)
            new[positions[0]] = _tangent_or_zero(args[positions[0]], None)
            for q in affine:
                new[q] = tans[q]
            total = _fn._apply(cls, tuple(new), kwargs, None)
        return total
    return rule


def _addmm(cls, args, kwargs, out, tans):
    """beta*C + alpha*(A @ B)."""
    c, a, b, beta, alpha = args
    r = None
    if tans[1] is not None:
        r = tans[1] @ b
    if tans[2] is not None:
        q = a @ tans[2]
        r = q if r is None else r + q
    if r is not None and alpha != 1:
        r = r * alpha
    if tans[0] is not None:
        q = tans[0] * beta if beta != 1 else tans[0]
        r = q if r is None else r + q
    return r


def _div(cls, args, kwargs, out, tans):
    b = args[1]
    ta, tb = tans[0], (tans[1] if len(tans) > 1 else None)
    r = None
    if ta is not None:
        r = ta / b
    if tb is not None:
        q = tb * out / b
        r = -q if r is None else r - q
    return r


def _softmax(cls, args, kwargs, out, tans):
    t = tans[0]
    axis = args[1]
    if not out._array.size:
        return t
    yt = out * t
    return yt - out * (yt.sum() if axis is None else yt.sum(axis, keepdim=True))


def _log_softmax(cls, args, kwargs, out, tans):
    t = tans[0]
    axis = args[1]
    if not out._array.size:
        return t
    st = out.exp() * t
    return t - (st.sum() if axis is None else st.sum(axis, keepdim=True))


def _build():
    global _RULES
    from .._ops import conv, indexing, linalg, pointwise as pw, reduction as red, shape as sh
    rules: dict[Any, Any] = {}
    for c in (red.Sum, red.SumAll, red.Mean, red.MeanAll, red.Cumsum, sh.Flip, sh.Roll,
              sh.Tril, sh.Triu, sh.Diag, sh.DiagEmbed, sh.Trace, sh.Repeat, indexing.Gather,
              indexing.IndexSelect, indexing.Take, indexing.Index, conv.PixelShuffle,
              conv.PixelUnshuffle, conv.ChannelShuffle, conv.Unfold, conv.Fold, pw.Neg,
              pw.Clone, pw.ToCopy):
        rules[c] = _linear0
    for c in (pw.Add, pw.Sub, pw.AddAlpha, pw.SubAlpha, pw.Rsub, pw.RsubAlpha, pw.RsubTensor):
        rules[c] = _joint(0, 2)
    rules[sh.Cat] = rules[sh.Stack] = _joint(1)
    for c in (pw.Mul, linalg.Matmul, linalg.Mm, linalg.Bmm, linalg.Mv, linalg.Dot,
              linalg.Vdot):
        rules[c] = _multilinear((0, 1))
    rules[conv.Conv] = rules[conv.ConvTranspose] = _multilinear((0, 1), (2,))
    rules[pw.Div] = _div
    rules[linalg.Addmm] = _addmm
    rules[red.Softmax] = _softmax
    rules[red.LogSoftmax] = _log_softmax
    _RULES = rules
    return rules


# ------------------------------------------------------------------------------ in-place ops


def inplace_tangent(t: Tensor, res: Tensor) -> None:
    """``t`` was just overwritten in place with ``res``'s values: its tangent becomes ``res``'s
    (zero when ``res`` has none), written into ``t``'s tangent when it has one (so views of it
    see the change); a view with no tangent of its own writes into its base's tangent."""
    rt = _get(res)
    tt = _get(t)
    base = t._base
    if rt is None and tt is None and (base is None or _get(base) is None):
        return
    prev = _fn._FW_ON
    _fn._FW_ON = False
    try:
        if rt is None:
            rt = _zeros(t)
        elif rt._array.dtype != t._array.dtype:
            if rt.is_complex() and not t.is_complex():
                rt = getattr(rt, "real")  # (a Tensor method from the op tables)
            rt = rt.to(t.dtype)
        if tt is None and base is not None and _fn._shares(t._array, base._array):
            bt = _get(base)
            if bt is None:
                bt = _zeros(base)
                _set(base, bt)
            ba, bta = base._array, bt._array
            if not (bt._requires_grad or rt._requires_grad) and bta.flags.c_contiguous and \
                    bta.strides == ba.strides and bta.dtype == ba.dtype:
                off = t._array.__array_interface__["data"][0] - ba.__array_interface__["data"][0]
                arr = xp.ndarray(t._array.shape, bta.dtype, buffer=bta, offset=off,
                                 strides=t._array.strides)
                tt = _make(arr, False, None, 0, bt._version_counter)
                tt._base = bt
        if tt is not None and not (tt._requires_grad or rt._requires_grad) and \
                tt._array.flags.writeable and tt._array.shape == t._array.shape:
            if tt._array is not rt._array:
                xp.copyto(tt._array, xp.broadcast_to(rt._array, tt._array.shape),
                          casting="unsafe")
            _set(t, tt)
        else:
            _set(t, rt.expand(t._array.shape) if rt._array.shape != t._array.shape else rt)
    finally:
        _fn._FW_ON = prev


def view_inplace_tangent(t: Tensor, r: Tensor) -> None:
    """``t`` became its view ``r`` in place (``t_``, ``squeeze_`` ...): so does its tangent."""
    rt = _get(r)
    if rt is not None:
        _set(t, rt)


# ------------------------------------------------------------------------------ custom Function


def function_apply(cls: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Function.apply`` inside a level: the forward sees plain tensors; when an input is
    dual the outputs' tangents are the Function's ``jvp(ctx, *input_tangents)`` (torch's error
    when it has none)."""
    from .function import Function
    tans = [_get(a) if isinstance(a, Tensor) else None for a in args]
    prev = _fn._FW_ON
    _fn._FW_ON = False
    try:
        if all(t is None for t in tans):
            return cls._apply_ctx(args, kwargs)[0]
        if cls.jvp is Function.jvp:
            raise NotImplementedError("You must implement the jvp function for custom "
                                      "autograd.Function to use it with forward mode AD.")
        out, ctx = cls._apply_ctx(args, kwargs)
        tin = [t if t is not None else _zeros(a) if isinstance(a, Tensor) else None
               for a, t in zip(args, tans)]
        fw_saved = ctx.__dict__.get("_fw_saved")
        old = ctx._saved
        if fw_saved is not None or old is None:
            keep = fw_saved if fw_saved is not None else ctx._to_save
            ctx._saved = [None if t is None else (t, t._version_counter[0], False)
                          for t in keep]
        try:
            tout = cls.jvp(ctx, *tin)
        finally:
            ctx._saved = old
        if isinstance(out, tuple):
            tout = tout if isinstance(tout, tuple) else (tout,)
        _attach(out, tout)
        return out
    finally:
        _fn._FW_ON = prev
