"""How an op is defined once: ``Op`` (forward and backward on arrays) and the public ``Function``.

An ``Op`` subclass writes ``forward(ctx, *arrays, **kw)`` on raw arrays and
``backward(ctx, grad, ns)`` in a vocabulary that works on arrays (``ns`` = NumPy plus helpers) and
on Tensors (``ns`` = ember's NumPy-named namespace, under ``create_graph=True``).  ``Op.apply``
is the single entry for every op: it unwraps tensors, casts to the promoted dtype, runs forward,
and only when a gradient is needed builds the node (edges, input shapes/dtypes, saved-tensor
versions).  Backward formulas may only use saved inputs/outputs and non-differentiable data
(masks, indices), so the same formula is correct for higher-order gradients.
"""
from __future__ import annotations

import traceback
from typing import Any, Callable

from .._backend import FP_QUIET as _FPQ, fp_reset as _fp_reset, fp_set as _fp_set, ndarray, xp
from .._tensor import Tensor, _make
from . import anomaly_mode as _anomaly
from .grad_mode import _state, no_grad, enable_grad
from .graph import _IN, _OUT, Node, get_accumulator, next_seq

__all__ = ["Op", "Function", "FunctionCtx", "once_differentiable"]


class OpNode(Node):
    """Node of a built-in op; ``_op`` is the Op class (set per generated subclass).
    Created without a Python ``__init__`` call; the creator sets ``_seq``."""

    __init__ = object.__init__

    _op: Any = None  # the Op class
    _bw: Any = None

    def apply_backward(self, grads: Any, ns: Any) -> Any:
        op = self._op
        if op.fast_backward is not None and not ns.graph:
            return op.fast_backward(self, grads, ns)
        return op.backward(self, grads, ns)


class _NoGradCtx:
    """Stand-in ctx when no gradient is needed: saving is a no-op, attributes are dropped."""

    needs_input_grad = ()

    def save_for_backward(self, *a):
        pass

    def __setattr__(self, k, v):
        pass


_NOGRAD = _NoGradCtx()


class Op:
    """Base of built-in ops (see module doc).

    Class attributes: ``node_name`` (grad_fn class name, default ``<Name>Backward0``),
    ``is_view`` (output shares input 0's storage and version counter), ``multi_output``
    (forward returns a tuple), ``nondiff_outputs`` (indices of integer outputs),
    ``int_grad`` (an integer output is recorded too: torch's fill_ of an integer tensor with a
    tensor that requires grad) and ``inputs``:
    the argument positions that are inputs of the graph (one ``next_functions`` edge each, as
    torch's derivative declarations have them: a Python number there is a wrapped scalar input,
    a ``(None, 0)`` edge); None means every Tensor argument and nothing else.

    ``backward(ctx, grad, ns)`` is the op's one reference formula: it runs at every order.  An
    op may declare ``fast_backward`` beside it, with the same signature and result, written for
    arrays only: the engine calls it instead at first order (``ns.graph`` false).
    ``tests/test_fast_backward.py`` proves every declared fast path equal to its reference
    formula on the op table.
    """

    node_name: str | None = None
    is_view: bool = False
    multi_output: bool = False
    nondiff_outputs: tuple[int, ...] = ()
    int_grad: bool = False
    inputs: tuple[int, ...] | None = None
    # optional first-order, array-only twin of ``backward`` (see above)
    fast_backward: Callable[..., Any] | None = None

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        name = cls.__dict__.get("node_name") or cls.__name__ + "Backward0"
        multi = cls.multi_output  # the engine's single-gradient fast path is for the others
        first_order = cls.fast_backward if cls.fast_backward is not None else cls.backward
        cls._node_cls = type(name, (OpNode,), {
            "_op": cls, "_bw": None if multi else staticmethod(first_order), "_multi": multi,
            "__module__": "ember.autograd"})

    @staticmethod
    def forward(ctx: Any, *arrays: Any, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, grad: Any, ns: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return _apply(cls, args, kwargs, None)


# vmap (ember.func): while a vmap is running, ``_VMAP`` is true and each entry below hands an
# op with a batched argument to ``_VMAP_HOOK`` (the batching rules); one global test per op
# otherwise.
_VMAP = False
_VMAP_HOOK: Any = None
# Forward-mode AD is on (a dual level is active: ``forward_ad``).  The op entries below test
# this one flag and hand the call to ``_jvp.dispatch`` when it is set; nothing else is paid
# on the hot path.
_FW_ON = False


def _fw(entry, call_args, cls, args, kwargs, cast):
    from ._jvp import dispatch
    return dispatch(entry, call_args, cls, args, kwargs, cast)


def _dtype_refusal(cls, err, *arrays, **_):
    """A NumPy TypeError from an op's forward, as torch reports it: an op with no kernel for
    complex inputs raises NotImplementedError (``cls.complex_msg``, or torch's generic
    '"<op>_cpu" not implemented for 'ComplexFloat''); anything else is raised unchanged."""
    cplx = [a for a in arrays if getattr(getattr(a, "dtype", None), "kind", "") == "c"]
    if not cplx or not str(err).startswith(("ufunc ", "Cannot cast ufunc")):
        return err
    from .._dtype import spelling
    name = spelling(max((a.dtype for a in cplx), key=lambda d: d.itemsize))
    msg = getattr(cls, "complex_msg", None)
    return NotImplementedError(msg.format(T=name) if msg else
                               f'"{cls.__name__.lower()}_cpu" not implemented for \'{name}\'')


def _apply(cls, args, kwargs, cast):
    """Run op ``cls`` on ``args`` (Tensors or constants); ``cast``: NumPy dtype for tensors.

    This is the hot path of every op: keep it free of work the common case doesn't need.
    """
    if _VMAP:
        r = _VMAP_HOOK(cls, args, kwargs, cast)
        if r is not NotImplemented:
            return r
    if _FW_ON:
        return _fw(_apply, (cls, args, kwargs, cast), cls, args, kwargs, cast)
    req = False
    if cast is None:
        arrays = [a._array if isinstance(a, Tensor) else a for a in args]
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                req = True
                break
    else:
        arrays = []
        for a in args:
            if isinstance(a, Tensor):
                arr = a._array
                if arr.dtype != cast:
                    arr = arr.astype(cast)
                arrays.append(arr)
                if a._requires_grad:
                    req = True
            else:
                arrays.append(a)
    if not req or not _state.enabled:
        tok = _fp_set(_FPQ)  # inf/NaN silently, as torch
        try:
            out = cls.forward(_NOGRAD, *arrays, **kwargs)
        except TypeError as e:  # NumPy refusing a dtype: torch's NotImplementedError
            raise _dtype_refusal(cls, e, *arrays, **kwargs) from None
        finally:
            _fp_reset(tok)
        if cls.multi_output:
            return tuple(_wrap_out(cls, o, args, False, None, i) for i, o in enumerate(out))
        if out.__class__ is not ndarray:
            out = xp.asarray(out)
        if cls.is_view:
            return _wrap_out(cls, out, args, False, None, 0)
        return _make(out, False, None, 0, None)

    node = cls._node_cls()
    node._seq = next_seq()
    node.next_functions, node._in_meta, node._tpos, node.needs_input_grad = _edges(
        args, cls.inputs)
    tok = _fp_set(_FPQ)  # inf/NaN silently, as torch
    try:
        out = cls.forward(node, *arrays, **kwargs)
    except TypeError as e:  # NumPy refusing a dtype: torch's NotImplementedError
        raise _dtype_refusal(cls, e, *arrays, **kwargs) from None
    finally:
        _fp_reset(tok)
    if _anomaly._enabled[0]:
        node._trace = "".join(traceback.format_stack()[:-3])
    if cls.multi_output:
        nd = cls.nondiff_outputs  # integer outputs (indices) have no grad_fn, as in torch
        if cls.is_view and not nd:  # split/chunk/unbind: views of input 0
            src = args[0]
            outs = tuple([_view_of(src, o, True, node, i) for i, o in enumerate(out)])
        else:
            outs = tuple(_wrap_out(cls, o, args, i not in nd, node if i not in nd else None, i)
                         for i, o in enumerate(out))
        node._n_out = len(outs)
        node._out_meta = [(o._array.shape, o._array.dtype) for o in outs]
        if node._saved is not None:
            _record_saved(node, arrays, args, outs)
        return outs
    if out.__class__ is not ndarray:
        out = xp.asarray(out)
    if out.dtype.kind not in "fcV" and not cls.int_grad:
        return _wrap_out(cls, out, args, False, None, 0)  # integer/bool results carry no grad
    if cls.is_view:
        res = _wrap_out(cls, out, args, True, node, 0)
    else:
        res = _make(out, True, node, 0, None)
    if node._saved is not None:
        _record_saved(node, arrays, args, (res,))
    return res


_NO_EDGE = (None, 0)


def _edges(args, inputs=None):
    """A node's ``next_functions`` (one edge per graph input: the Tensor arguments, or the
    positions ``inputs`` names; ``(None, 0)`` for one that needs no gradient), the input
    (shape, dtype) the engine reduces and casts gradients back to (None where no gradient
    flows), the argument position of each edge (None when they are all the arguments) and
    ``needs_input_grad`` (one flag per argument)."""
    edges = []
    meta = []
    pos = []
    need = []
    for k, a in enumerate(args):
        is_t = isinstance(a, Tensor)
        if (is_t if inputs is None else k in inputs):
            pos.append(k)
            if is_t and a._requires_grad:
                edges.append(_edge(a))
                arr = a._array
                key = (arr.shape, arr.dtype)
                meta.append(_META.get(key) or _intern_meta(key))
                need.append(True)
                continue
            edges.append(_NO_EDGE)
            meta.append(None)
        need.append(False)
    tpos = None if len(pos) == len(args) else _intern_pos(tuple(pos))
    return tuple(edges), tuple(meta), tpos, tuple(need)


_POS: dict[tuple[int, ...], tuple[int, ...]] = {}


def _intern_pos(pos):
    p = _POS.get(pos)
    if p is None:
        if len(_POS) >= 4096:
            _POS.clear()
        p = _POS[pos] = pos
    return p


# Input (shape, dtype) pairs are interned: graph nodes share one tuple per distinct pair
# instead of each keeping two fresh tuples alive.  A long forward pass builds thousands of
# nodes; every container object they keep alive counts towards (and is scanned by) Python's
# cyclic GC, which took ~6% of a Python-loop LSTM step before.
_META: dict[tuple, tuple] = {}


def _intern_meta(key):
    if len(_META) >= 4096:
        _META.clear()
    _META[key] = key
    return key


_META1: dict[tuple, tuple] = {}  # the same, as the one-input ``_in_meta`` tuple ((shape, dtype),)


def _intern_meta1(key):
    if len(_META1) >= 4096:
        _META1.clear()
    m = _META1[key] = (_META.get(key) or _intern_meta(key),)
    return m


def _edge(t):
    """The one definition of a graph edge: to tensor ``t`` (which requires grad), the node that
    made it and which of that node's outputs it is, or its leaf accumulator."""
    fn = t.grad_fn
    if fn is not None and fn._vver is not None and t._base is not None and \
            fn._vver != t._version_counter[0]:
        fn = _regen_view(t)  # a stale view (see ``_view_of``)
    return (fn, t._output_nr) if fn is not None else (get_accumulator(t), 0)


# The fast entry points.  ``_apply`` above is the reference path: it serves every op, and
# ``_edge``/``_record_saved`` are the one definition of a graph edge and of a saved-array record.
# The three entries below do the same for the commonest shapes of call with less Python: they
# inline ``_edge``'s non-view case and the usual saves (the output, or inputs in order), and hand
# anything else (a view input, an unusual save, integer output, anomaly mode) to the reference
# helpers.  ``tests/test_apply_paths.py`` runs the op table through each entry and through
# ``_apply`` and requires identical tensors, graphs, saved records and gradients.


def _apply1(cls, a):
    """``_apply`` for one-input, one-output, non-view ops without casting (unary math)."""
    if _VMAP:
        r = _VMAP_HOOK(cls, (a,), {}, None)
        if r is not NotImplemented:
            return r
    if _FW_ON:
        return _fw(_apply1, (cls, a), cls, (a,), {}, None)
    aa = a._array
    if not (a._requires_grad and _state.enabled):
        tok = _fp_set(_FPQ)  # inf/NaN silently, as torch
        try:
            out = cls.forward(_NOGRAD, aa)
        except TypeError as e:  # NumPy refusing a dtype: torch's NotImplementedError
            raise _dtype_refusal(cls, e, aa) from None
        finally:
            _fp_reset(tok)
        return _make(out if out.__class__ is ndarray else xp.asarray(out), False, None, 0, None)
    node = cls._node_cls()
    node._seq = next_seq()
    if a._base is None:  # ``_edge`` inline for a tensor that is not a view
        fn = a.grad_fn
        node.next_functions = ((fn, a._output_nr) if fn is not None else
                               (get_accumulator(a), 0),)
    else:
        node.next_functions = (_edge(a),)
    key = (aa.shape, aa.dtype)
    node._in_meta = _META1.get(key) or _intern_meta1(key)
    node.needs_input_grad = _NEEDS_1
    tok = _fp_set(_FPQ)  # inf/NaN silently, as torch
    try:
        out = cls.forward(node, aa)
    except TypeError as e:  # NumPy refusing a dtype: torch's NotImplementedError
        raise _dtype_refusal(cls, e, aa) from None
    finally:
        _fp_reset(tok)
    if out.__class__ is not ndarray or _anomaly._enabled[0] or out.dtype.kind not in "fcV":
        return _finish_single(cls, node, out, (aa,), (a,))
    res = _make(out, True, node, 0, None)
    saved = node._saved
    if saved is not None:  # the usual saves, inline: the input, or the output
        if len(saved) == 1 and saved[0] is out:
            node._saved_info = ((_OUT, 0, res._version_counter, 0),)
        elif len(saved) == 1 and saved[0] is aa:
            vc = a._version_counter
            node._saved_info = ((_IN, a, vc, vc[0]),)
        else:
            _record_saved(node, (aa,), (a,), (res,))
    return res


def _apply2(cls, a, b):
    """``_apply`` for two-input, one-output, non-view ops without casting (binary math);
    ``a`` is a Tensor, ``b`` a Tensor or a Python number."""
    if _VMAP:
        r = _VMAP_HOOK(cls, (a, b), {}, None)
        if r is not NotImplemented:
            return r
    if _FW_ON:
        return _fw(_apply2, (cls, a, b), cls, (a, b), {}, None)
    aa = a._array
    bt = isinstance(b, Tensor)
    ba = b._array if bt else b
    breq = bt and b._requires_grad
    if not ((a._requires_grad or breq) and _state.enabled):
        tok = _fp_set(_FPQ)  # inf/NaN silently, as torch
        try:
            out = cls.forward(_NOGRAD, aa, ba)
        except TypeError as e:  # NumPy refusing a dtype: torch's NotImplementedError
            raise _dtype_refusal(cls, e, aa, ba) from None
        finally:
            _fp_reset(tok)
        return _make(out if out.__class__ is ndarray else xp.asarray(out), False, None, 0, None)
    node = cls._node_cls()
    node._seq = next_seq()
    if a._requires_grad:
        if a._base is None:  # ``_edge`` inline for a tensor that is not a view
            fn = a.grad_fn
            ea = (fn, a._output_nr) if fn is not None else (get_accumulator(a), 0)
        else:
            ea = _edge(a)
        key = (aa.shape, aa.dtype)
        ma = _META.get(key) or _intern_meta(key)
    else:
        ea, ma = _NO_EDGE, None
    if breq:
        if b._base is None:
            fn = b.grad_fn
            eb = (fn, b._output_nr) if fn is not None else (get_accumulator(b), 0)
        else:
            eb = _edge(b)
        key = (ba.shape, ba.dtype)
        mb = _META.get(key) or _intern_meta(key)
    elif bt or cls.inputs is not None:
        eb, mb = _NO_EDGE, None
    else:  # a Python number that is not a graph input (torch's Scalar overloads)
        eb = mb = None
    if eb is not None:
        node.next_functions = (ea, eb)
        node._in_meta = (ma, mb)
        node.needs_input_grad = (_NEEDS_TT if breq else _NEEDS_TF) if a._requires_grad else \
            _NEEDS_FT
    else:
        node.next_functions = (ea,)
        node._in_meta = (ma,)
        node._tpos = _TPOS0
        node.needs_input_grad = _NEEDS_TF
    tok = _fp_set(_FPQ)  # inf/NaN silently, as torch
    try:
        out = cls.forward(node, aa, ba)
    except TypeError as e:  # NumPy refusing a dtype: torch's NotImplementedError
        raise _dtype_refusal(cls, e, aa, ba) from None
    finally:
        _fp_reset(tok)
    if out.__class__ is not ndarray or _anomaly._enabled[0] or out.dtype.kind not in "fcV":
        return _finish_single(cls, node, out, (aa, ba), (a, b))
    res = _make(out, True, node, 0, None)
    saved = node._saved
    if saved is not None:  # the usual saves, inline: inputs in order (or None), or the output
        info = []
        for s in saved:
            if s is None or s.__class__ is not ndarray:
                info.append(None)
            elif s is aa:
                vc = a._version_counter
                info.append((_IN, a, vc, vc[0]))
            elif s is ba:
                vc = b._version_counter
                info.append((_IN, b, vc, vc[0]))
            elif s is out:
                info.append((_OUT, 0, res._version_counter, 0))
            else:
                info.append(None)
        node._saved_info = info
    return res


_NEEDS_1 = (True,)
_TPOS0 = (0,)
_NEEDS_TT, _NEEDS_TF, _NEEDS_FT = (True, True), (True, False), (False, True)


def _apply_view(cls, a, *extra):
    """``_apply`` for one-tensor view ops (t, transpose, permute, select, slice, view, ...):
    ``cls.forward(ctx, a_array, *extra)``; the output shares ``a``'s version counter (and
    ``_base``) when it aliases ``a``'s memory."""
    if _VMAP:
        r = _VMAP_HOOK(cls, (a,) + extra, {}, None)
        if r is not NotImplemented:
            return r
    if _FW_ON:
        return _fw(_apply_view, (cls, a) + extra, cls, (a,) + extra, {}, None)
    aa = a._array
    node = None
    req = a._requires_grad and _state.enabled
    if not req:
        out = cls.forward(_NOGRAD, aa, *extra)
    else:
        node = cls._node_cls()
        node._seq = next_seq()
        if a._base is None:  # ``_edge`` inline for a tensor that is not a view
            fn = a.grad_fn
            node.next_functions = ((fn, a._output_nr) if fn is not None else
                                   (get_accumulator(a), 0),)
        else:
            node.next_functions = (_edge(a),)
        key = (aa.shape, aa.dtype)
        node._in_meta = _META1.get(key) or _intern_meta1(key)
        if extra:  # non-tensor arguments (sizes, dims, indices) are not graph inputs
            node._tpos = _TPOS0
            node.needs_input_grad = (True,) + (False,) * len(extra)
        else:
            node.needs_input_grad = _NEEDS_1
        out = cls.forward(node, aa, *extra)
        if _anomaly._enabled[0]:
            node._trace = "".join(traceback.format_stack()[:-2])
    if out.__class__ is not ndarray:
        out = xp.asarray(out)
    res = _view_of(a, out, req, node, 0)
    if req and node._saved is not None:
        _record_saved(node, (aa,) + extra, (a,) + extra, (res,))
    return res


def _finish_single(cls, node, out, arrays, args):
    if _anomaly._enabled[0]:
        node._trace = "".join(traceback.format_stack()[:-3])
    if out.__class__ is not ndarray:
        out = xp.asarray(out)
    if out.dtype.kind not in "fcV" and not cls.int_grad:
        return _make(out, False, None, 0, None)
    res = _make(out, True, node, 0, None)
    if node._saved is not None:
        _record_saved(node, arrays, args, (res,))
    return res


def _wrap_out(cls, out, args, req, node, nr):
    if out.__class__ is not ndarray:
        out = xp.asarray(out)
    if cls.is_view:
        return _view_of(args[0], out, req, node, nr)
    return _make(out, req, node, nr, None)


def _view_of(src, out, req, node, nr):
    """Wrap view-op output ``out``: when it aliases tensor ``src``'s memory it shares src's
    version counter and records src's base; otherwise (the op had to copy) it is new data.

    A view node remembers the version it was made at (``_vver``): once the base or another
    view of it changes in place, the view's history is regenerated (``_regen_view``).  A view
    of a tensor that requires grad made in no_grad mode requires grad too, as in torch, but
    has no gradient edge and may not be modified in place with grad mode on."""
    if _shares(out, src._array):
        vc = src._version_counter
        b = src._base
        if node is not None:
            node._vver = vc[0]
            t = _make(out, req, node, nr, vc)
            t._base = src if b is None else b
            if b is not None and src.__dict__.get("_no_grad_view"):
                t._no_grad_view = "parent"
            return t
        if src._requires_grad and not _state.enabled:
            t = _make(out, True, None, 0, vc)
            t._no_grad_view = "self"
        else:
            t = _make(out, req, node, nr, vc)
        t._base = src if b is None else b
        return t
    return _make(out, req, node, nr, None)


def _regen_view(t):
    """A view whose base (or another view of it) changed in place since the view was made:
    its history becomes an as_strided of the base's current history, as torch regenerates a
    view's grad_fn.  Returns the new grad_fn."""
    from .._ops.inplace import AsStrided, _view_positions
    base = t._base
    with enable_grad():
        node = _apply(AsStrided, (base, _view_positions(base._array, t._array)), {},
                      None).grad_fn
    node._vver = t._version_counter[0]
    t.grad_fn, t._output_nr = node, 0
    return node


def grad_fn_of(t: Tensor) -> Node | None:
    """``t.grad_fn``, regenerated first when ``t`` is a stale view (see ``_view_of``)."""
    return _edge(t)[0] if t.grad_fn is not None else None


def _shares(out, src):
    """Whether view-op output ``out`` aliases ``src`` (NumPy collapses ``base`` to the owner, so
    a view of ``src`` has base ``src`` or ``src.base``; anything else asks NumPy)."""
    if out is src:
        return True
    ob = out.base
    if ob is None:
        return False
    if ob is src or ob is src.base:
        return True
    return xp.may_share_memory(out, src)


def _record_saved(node, arrays, args, outs):
    """The one record of what a node saved: for each saved array, which input or output tensor
    it is and that tensor's version now (``_IN``/``_OUT`` items; None for anything else), so
    that unpacking can refuse a tensor modified in place since."""
    info = []
    any_ref = False
    for s in node._saved:
        item = None
        if s.__class__ is ndarray:
            k = 0
            for a in arrays:
                if s is a:
                    t = args[k]
                    if t.__class__ is Tensor or isinstance(t, Tensor):
                        vc = t._version_counter
                        item = (_IN, t, vc, vc[0])
                        break
                k += 1
            else:
                k = 0
                for o in outs:
                    if s is o._array:
                        vc = o._version_counter
                        item = (_OUT, k, vc, vc[0])
                        break
                    k += 1
            if item is not None:
                any_ref = True
        info.append(item)
    if any_ref:
        node._saved_info = info


# --------------------------------------------------------------------------------------------
# The public, PyTorch-style custom Function (forward/backward on Tensors).
# --------------------------------------------------------------------------------------------


class FunctionCtx:
    """The ``ctx`` of a custom Function.  Holds saved tensors with their versions."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        self._to_save = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        self._non_diff = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)

    def save_for_forward(self, *tensors: Tensor | None) -> None:
        self._fw_saved = tensors


class BackwardCFunction(Node, FunctionCtx):
    """Node of a custom Function; it is also the ``ctx`` (as in PyTorch)."""

    _fn_cls: Any = None  # the Function class
    _materialize = True
    _to_save = ()
    _dirty = ()
    _non_diff = ()
    save_for_backward = FunctionCtx.save_for_backward

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        from .graph import FREED, SAVED_FREED_MSG
        if self._saved is FREED:
            raise RuntimeError(SAVED_FREED_MSG)
        out: list[Tensor | None] = []
        for item in self._saved or ():
            if item is None:
                out.append(None)
                continue
            t, ver, is_out = item
            if t._version_counter[0] != ver:
                self._raise_version((_IN, t, t._version_counter, ver), t._array)
            out.append(t)
        return tuple(out)

    saved_variables = saved_tensors

    def apply_backward(self, grads: Any, ns: Any) -> tuple[Any, ...]:
        if not isinstance(grads, (list, tuple)):
            grads = (grads,)
        wrap = _make if not self._graph else None
        gs: list[Any] = []
        for i, g in enumerate(grads):
            if g is None:
                if self._materialize and self._out_meta is not None:
                    shape, dt = self._out_meta[i]
                    g = xp.zeros(shape, dt)
                else:
                    gs.append(None)
                    continue
            gs.append(g if wrap is None or isinstance(g, Tensor) else wrap(g, False, None, 0, None))
        if self._graph:
            with enable_grad():
                res = self._fn_cls.backward(self, *gs)
        else:
            with no_grad():
                res = self._fn_cls.backward(self, *gs)
        if not isinstance(res, tuple):
            res = (res,)
        n_expected = len(self.needs_input_grad)  # one per forward argument
        if len(res) != n_expected:
            if len(res) > n_expected and all(r is None for r in res[n_expected:]):
                res = res[:n_expected]
            else:
                raise RuntimeError(
                    f"function {type(self).__name__} returned an incorrect number of gradients "
                    f"(expected {n_expected}, got {len(res)})")
        out: list[Any] = []
        for r in res:
            if r is None:
                out.append(None)
            elif isinstance(r, Tensor):
                out.append(r if self._graph else r._array)
            else:
                out.append(r)
        return tuple(out)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_fn_cls": cls, "__module__": cls.__module__})


class Function(metaclass=_FunctionMeta):
    """Custom differentiable function, as ``torch.autograd.Function``::

        class Exp(Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp(); ctx.save_for_backward(y); return y
            @staticmethod
            def backward(ctx, grad):
                y, = ctx.saved_tensors; return grad * y
    """

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        if _FW_ON:  # forward AD: the tangents come from the Function's jvp
            from ._jvp import function_apply
            return function_apply(cls, args, kwargs)
        return cls._apply_ctx(args, kwargs)[0]

    @classmethod
    def _apply_ctx(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
        """``apply``'s work: the outputs and the ctx (the node when a graph is recorded)."""
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        req = _state.enabled and any(a._requires_grad for a in tensor_args)
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        uses_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            if uses_setup:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if not req:
            return out, ctx
        ctx.next_functions, ctx._in_meta, ctx._tpos, _ = _edges(args)
        non_diff = {id(t) for t in ctx._non_diff}
        dirty = {id(t) for t in ctx._dirty}
        input_ids = {id(a) for a in tensor_args}
        new_outs = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                new_outs.append(o)
                continue
            if id(o) in input_ids and id(o) not in dirty:
                o = o.view_as(o) if o._array.ndim else o.detach()  # fresh output tensor
                o = _make(o._array, False, None, 0, o._version_counter)
            if id(o) in non_diff or not (o.dtype.is_floating_point or o.dtype.is_complex):
                o._requires_grad = False
            else:
                o._requires_grad = True
                o.grad_fn = ctx
                o._output_nr = i
            new_outs.append(o)
        ctx._n_out = len(outs)
        ctx._out_meta = [(o._array.shape, o._array.dtype) if isinstance(o, Tensor) else ((), None)
                         for o in outs]
        saved = []
        for t in ctx._to_save:
            saved.append(None if t is None else (t, t._version_counter[0], False))
        ctx._saved = saved
        return (new_outs[0] if single else tuple(new_outs)), ctx


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator kept for compatibility: the backward runs without building a graph."""
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]  # as functools.wraps sets it
    return wrapper
