"""The backward scheduler: iterative, dependency-counted, each node run once per pass.

1. validate the roots and seed their gradients;
2. count, with an explicit stack, how many edges reach each node from the roots;
3. pop ready nodes from a heap ordered by decreasing creation number (PyTorch's order): run
   pre-hooks, the node's backward (first order on arrays; under create_graph on Tensors, which
   records a graph), reduce/cast each gradient to its input's shape and dtype, release saved
   arrays unless retain_graph;
4. route gradients: always decrement the successor's count, sum into its buffer, push it when
   its count reaches zero; AccumulateGrad nodes write into ``.grad``.
No recursion anywhere, so a 100 000-op chain is fine.
"""
from __future__ import annotations

import heapq
import sys
import threading
from typing import Any, Callable, Sequence

from .._backend import FP_QUIET, fp_reset, fp_set, ndarray, nx, xp
from .._tensor import Tensor, _make
from . import anomaly_mode as _anomaly
from .function import grad_fn_of
from .grad_mode import _state
from .graph import FREED, AccumulateGrad, get_accumulator
from .._tensor import bump_version

__all__ = ["run_backward"]

_getrefcount = sys.getrefcount


def _size_str(shape):
    return "torch.Size([" + ", ".join(str(s) for s in shape) + "])"


def _roots(tensors, grad_tensors, create_graph):
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None:
            if t._array.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t.dtype.is_floating_point:
                raise RuntimeError("grad can be implicitly created only for real scalar outputs")
            g = xp.ones(t._array.shape, t._array.dtype)
        elif isinstance(g, Tensor):
            if g._array.shape != t._array.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{_size_str(g._array.shape)} and output[{i}] has a shape of "
                    f"{_size_str(t._array.shape)}.")
            if not create_graph:
                g = g._array
        else:
            g = xp.asarray(g, dtype=t._array.dtype)
        if create_graph and not isinstance(g, Tensor):
            g = _make(g, False, None, 0, None)
        if t._array.dtype.kind not in "fcV":  # an integer tensor that requires grad (fill_)
            raise RuntimeError("isDifferentiableType(grad.scalar_type()) INTERNAL ASSERT FAILED: "
                               f"a gradient of dtype {t.dtype} cannot flow into "
                               f"{type(t.grad_fn).__name__}")
        node = grad_fn_of(t)
        nr = t._output_nr
        if node is None:
            node, nr = get_accumulator(t), 0
        roots.append((node, nr, g))
    return roots


class _Callbacks(threading.local):
    """Final callbacks of the backward passes running on this thread (innermost last), and
    whether each pass allows a reentrant checkpoint (torch's ``checkpoint_valid``)."""

    def __init__(self):
        self.stack = []
        self.valid = []


_callbacks = _Callbacks()


def queue_callback(callback: Callable[[], Any]) -> None:
    """Run ``callback()`` once when the current backward pass has finished (torch's
    ``Variable._execution_engine.queue_callback``)."""
    if not _callbacks.stack:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _callbacks.stack[-1].append(callback)


def is_checkpoint_valid() -> bool:
    """False while an ``autograd.grad`` or ``backward(inputs=...)`` pass runs (here or in a
    pass that encloses this one): a reentrant checkpoint cannot backpropagate inside it."""
    valid = _callbacks.valid
    return valid[-1] if valid else True


def run_backward(tensors: Tensor | Sequence[Tensor], grad_tensors: Any,
                 retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: Tensor | Sequence[Tensor] | None = None, allow_unused: bool = False,
                 accumulate: bool = True) -> Any:
    """Run a backward pass.  With ``inputs``, only the nodes on a path to one of them run (as in
    torch): ``accumulate=False`` (autograd.grad) returns the gradients reaching them instead of
    writing ``.grad``; ``accumulate=True`` (backward(inputs=...)) accumulates only into them."""
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(tensors, grad_tensors, create_graph)

    # capture points for autograd.grad / backward(inputs=...)
    capture: dict[Any, Any] | None = None
    needed: Any = None  # the nodes on a path to an input (a set), or None: all
    if inputs is not None:
        capture = {}
        for idx, t in enumerate(inputs):
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            fn = grad_fn_of(t)
            key = (get_accumulator(t), 0) if fn is None else (fn, t._output_nr)
            capture.setdefault(key[0], []).append((key[1], idx))
        results = [None] * len(inputs)
        needed = _needed_nodes(roots, capture)

    # 2. dependency counts (roots start at 0 so they are never pushed twice)
    deps = {}
    stack = []
    for node, _, _ in roots:
        if node not in deps and (needed is None or node in needed):
            deps[node] = 0
            stack.append(node)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None and (needed is None or nxt in needed):
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    stack.append(nxt)

    buffers: dict[Any, list[Any]] = {}
    for node, nr, g in roots:
        if needed is not None and node not in needed:
            continue
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_out
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    heap: list[Any] = []
    for n in buffers:  # pushed one by one, in root order, as torch's GraphRoot pushes them
        if deps[n] == 0:
            heapq.heappush(heap, (-n._seq, n))

    ns = nx
    prev_mode = _state.enabled
    if create_graph:
        from .._ops import gx as ns
    _state.enabled = bool(create_graph)
    anomaly = _anomaly._enabled[0]
    slow = create_graph or anomaly
    heappop, heappush = heapq.heappop, heapq.heappush
    ready = None  # the one node made ready while the heap was empty: skips a push and a pop
    owned: set[Any] = set()  # buffer slots holding a sum this pass allocated (safe to add into)
    callbacks: list[Callable[[], Any]] = []
    _callbacks.stack.append(callbacks)
    _callbacks.valid.append(inputs is None and is_checkpoint_valid())
    fp_token = fp_set(FP_QUIET)  # gradients reach inf/NaN silently, as torch's
    try:
        while ready is not None or heap:
            if ready is not None:
                node, ready = ready, None
            else:
                node = heappop(heap)[1]
            grads: Any = buffers.pop(node)
            is_acc = node.__class__ is AccumulateGrad
            # torch's order: tensor hooks (and retain_grad), capture, node pre-hooks, the node,
            # its post hooks, then the gradients move on
            if is_acc:
                if node.variable._hooks:
                    grads = _leaf_hooks(node.variable, grads, create_graph)
            elif node._pre_hooks is not None or node._retained is not None:
                grads = _tensor_pre_hooks(node, grads, create_graph)
            if capture is not None:
                caps = capture.get(node)
                if caps is not None:
                    for nr, idx in caps:
                        g = grads[nr]
                        if g is not None and not create_graph and not isinstance(g, Tensor):
                            g = _make(g, False, None, 0, None)
                        results[idx] = g
                # a node runs only on the way to an input (a leaf's accumulator: only when
                # backward(inputs=...) accumulates into it)
                if not (accumulate if is_acc else
                        any(n is not None and n in needed for n, _ in node.next_functions)):
                    continue
            if node._pre_hooks is not None and -1 in node._pre_hooks:
                grads = _node_pre_hooks(node, grads, create_graph)
            if is_acc:
                if accumulate:
                    var = node.variable
                    if grads[0] is not None:
                        _accumulate(var, grads[0], create_graph)
                    if var._post_acc_hooks:  # torch runs them even when no gradient came
                        _post_acc_hooks(var)
                if node._hooks is not None:
                    _post_hooks(node, [], grads, create_graph)
                continue
            next_fns = node.next_functions
            bw = node._bw
            res: Any
            if node._n_out == 1 and bw is not None and not slow:
                g = grads[0]
                if g is None:
                    res = (None,) * len(next_fns)
                else:  # the fast path: one static call, no wrapping
                    res = bw(node, g, ns)
                    if res.__class__ is not tuple:
                        res = (res,)
                    tp = node._tpos
                    if tp is not None:  # one gradient per argument -> one per edge
                        if len(res) != len(node.needs_input_grad):
                            _count_error(node, res)
                        res = tuple([res[k] for k in tp])
                    elif len(res) != len(next_fns):
                        _count_error(node, res)
                    if node._saved is not None and not retain_graph:
                        node._saved = FREED
                        node._saved_info = None
            elif all(g is None for g in grads):
                res = (None,) * len(next_fns)
            else:
                res = _call_backward(node, grads, ns, create_graph, anomaly)
                if not retain_graph:
                    node._release()
            meta = node._in_meta
            if needed is not None:  # torch computes no gradient for an edge it does not need
                res = [r if n is not None and n in needed else None
                       for r, (n, _) in zip(res, next_fns)]
            if node._hooks is not None:
                res = _post_hooks(node, _fixed(node, res, ns, create_graph), grads, create_graph)
            for i, (nxt, nr) in enumerate(next_fns):
                if nxt is None or (needed is not None and nxt not in needed):
                    continue
                g = res[i]
                if g is not None:
                    m = meta[i]
                    if g.__class__ is not ndarray or g.shape != m[0] or (
                            g.dtype is not m[1] and g.dtype != m[1]):
                        g = _fix_grad(node, i, g, m, ns, create_graph)
                    buf = buffers.get(nxt)
                    if buf is None:
                        buffers[nxt] = [g] if nxt._n_out == 1 else \
                            [g if k == nr else None for k in range(nxt._n_out)]
                    else:
                        old = buf[nr]
                        if old is None:
                            buf[nr] = g
                        elif (nxt, nr) in owned:  # a sum we allocated: add in place
                            if old.__class__ is ndarray and old.shape == g.shape and \
                                    not create_graph:
                                old += g  # (0-d sums are NumPy scalars: those take the else)
                            else:
                                buf[nr] = old + g
                        else:
                            buf[nr] = old + g
                            owned.add((nxt, nr))
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0:
                    if nxt not in buffers:  # nothing reached it: its successors still count down
                        buffers[nxt] = [None] * nxt._n_out
                    if ready is None and not heap:
                        ready = nxt
                    else:  # torch's push order (its heap is heapq's algorithm: same ties)
                        if ready is not None:
                            heappush(heap, (-ready._seq, ready))
                            ready = None
                        heappush(heap, (-nxt._seq, nxt))
            # drop this frame's references so _accumulate can tell a gradient nobody else holds
            res = g = grads = None
        k = 0
        while k < len(callbacks):  # callbacks may queue more
            callbacks[k]()
            k += 1
    finally:
        fp_reset(fp_token)
        _callbacks.stack.pop()
        _callbacks.valid.pop()
        _state.enabled = prev_mode

    if inputs is not None:
        for idx, r in enumerate(results):
            if r is None and not allow_unused and not accumulate:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
        return results
    return None


def _needed_nodes(roots, capture):
    """The nodes from which a capture point can be reached (torch's ``exec_info``): a
    post-order walk, iterative."""
    needed = set()
    seen = set()
    for root, _, _ in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, it = stack[-1]
            for nxt, _ in it:
                if nxt is not None and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(nxt.next_functions)))
                    break
            else:
                stack.pop()
                if node in capture or any(n is not None and n in needed
                                          for n, _ in node.next_functions):
                    needed.add(node)
    return needed


def _count_error(node, res):
    n = len(node.needs_input_grad) if node._tpos is not None else len(node.next_functions)
    raise RuntimeError(f"Function {type(node).__name__} returned an incorrect number of "
                       f"gradients (expected {n}, got {len(res)})")


def _call_backward(node, grads, ns, create_graph, anomaly):
    multi = node._n_out > 1 or node._multi
    g = grads if multi else grads[0]
    if multi and node._out_meta is not None:
        g = list(grads)
        for k, gk in enumerate(g):
            if gk is None:
                shape, dt = node._out_meta[k]
                z = xp.zeros(shape, dt)
                if create_graph:
                    z = _make(z, False, None, 0, None)
                g[k] = z
        g = tuple(g)
    node._graph = create_graph
    try:
        res = node.apply_backward(g, ns)
    except Exception as e:
        if anomaly and node._trace:
            print(f"Error detected in {type(node).__name__}. Traceback of forward call that "
                  f"caused the error:\n{node._trace}", file=sys.stderr)
        raise e
    finally:
        node._graph = False
    if res.__class__ is not tuple:
        res = (res,)
    tp = node._tpos
    if tp is not None:  # one gradient per argument -> one per edge
        if len(res) != len(node.needs_input_grad):
            _count_error(node, res)
        res = tuple([res[k] for k in tp])
    elif len(res) != len(node.next_functions):
        _count_error(node, res)
    if anomaly:
        for k, r in enumerate(res):
            if r is not None:
                arr = r if r.__class__ is ndarray else getattr(r, "_array", r)
                if xp.isnan(arr).any():
                    if node._trace:
                        print(f"Traceback of forward call that induced the previous error:\n"
                              f"{node._trace}", file=sys.stderr)
                    raise RuntimeError(f"Function '{type(node).__name__}' returned nan values "
                                       f"in its {k}th output.")
    return res


def _fix_grad(node, i, g, meta, ns, create_graph):
    """Reduce a broadcast gradient to the input's shape and cast it to the input's dtype."""
    shape, dt = meta
    if not create_graph and g.__class__ is not ndarray:
        g = xp.asarray(g)
        if g.__class__ is not ndarray:  # a Tensor returned by a custom Function
            g = g._array
    gshape = tuple(g.shape)
    if gshape != shape:
        if len(gshape) >= len(shape) and _broadcastable(shape, gshape):
            g = nx.sum_to(g, shape) if not create_graph else ns.sum_to(g, shape)
        else:
            raise RuntimeError(
                f"Function {type(node).__name__} returned an invalid gradient at index {i} - got "
                f"[{', '.join(map(str, gshape))}] but expected shape compatible with "
                f"[{', '.join(map(str, shape))}]")
    gdt = g.dtype if not create_graph else g._array.dtype
    if gdt != dt:
        var = getattr(node.next_functions[i][0], "variable", None)  # a leaf's grad_dtype
        if var is not None and "_grad_dtype" in var.__dict__:
            dt = var.__dict__["_grad_dtype"]
            if dt is None:
                return g
            dt = dt.np
            if gdt == dt:
                return g
        if gdt.kind == "c" and dt.kind != "c":  # a real input takes the real part, as torch
            g = g.real  # (ndarray.real, or Tensor.real under create_graph)
        g = g.astype(dt) if not create_graph else ns.astype(g, dt)
    return g


def _broadcastable(shape, gshape):
    lead = len(gshape) - len(shape)
    for s, gs in zip(shape, gshape[lead:]):
        if s != gs and s != 1:
            return False
    return True


def _as_tensor(g):
    return g if g is None or isinstance(g, Tensor) else _make(g, False, None, 0, None)


def _hook_name(fn):
    return getattr(fn, "__name__", "<unknown>")


def _check_result(orig, r, fn, create_graph):
    """torch's ``check_single_result``: a hook's replacement for gradient ``orig`` (an array,
    a Tensor or None); returns what the engine carries on (an array unless create_graph)."""
    if orig is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(r, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
    o = orig._array if isinstance(orig, Tensor) else xp.asarray(orig)
    if r._array.dtype != o.dtype:
        was = _make(xp.empty(0, o.dtype), False, None, 0, None).type()
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the type of value (was {was} "
                           f"got {r.type()})")
    if r._array.shape != o.shape:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the size of value")
    return r if create_graph else r._array


def _check_tuple(prev, r, fn, create_graph):
    """torch's ``check_result`` for node hooks: a tuple, one entry per gradient."""
    if not isinstance(r, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(r).__name__}'")
    if len(r) != len(prev):
        raise RuntimeError(f"hook '{_hook_name(fn)}' has returned an incorrect number of values "
                           f"(got {len(r)}, but expected {len(prev)})")
    return [None if rk is None else _check_result(pk, rk, fn, create_graph)
            for pk, rk in zip(prev, r)]


def _tensor_pre_hooks(node, grads, create_graph):
    """A non-leaf's tensor hooks (``t.register_hook``), per output, then ``retain_grad``.
    As in torch, a hook is called even when its gradient is None."""
    grads = list(grads)
    hooks = node._pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            if nr == -1:
                continue
            for fn in list(fns.values()):
                g = grads[nr]
                r = fn(_as_tensor(g))
                if r is not None:
                    grads[nr] = _check_result(g, r, fn, create_graph)
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                _retain(t, grads[nr], create_graph)
    return grads


def _retain(t, g, create_graph):
    """torch's retain_grad hook: ``.grad`` is a clone of the first gradient, then
    ``grad + g`` (a new tensor each time, never added in place)."""
    old = t._grad
    if create_graph:
        g = _as_tensor(g)
        t._grad = g.clone() if old is None else old + g
    else:
        t._grad = _make(g.copy() if old is None else old._array + g, False, None, 0, None)


def _node_pre_hooks(node, grads, create_graph):
    """``node.register_prehook`` hooks: ``fn(grad_outputs)`` may return new grad_outputs."""
    for fn in list(node._pre_hooks[-1].values()):
        r = fn(tuple(_as_tensor(g) for g in grads))
        if r is not None:
            grads = _check_tuple(grads, r, fn, create_graph)
    return grads


def _leaf_hooks(var, grads, create_graph):
    """A leaf's tensor hooks, before its gradient is captured or accumulated (called with None
    too, as torch calls them)."""
    g = grads[0]
    for fn in list(var._hooks.values()):
        r = fn(_as_tensor(g))
        if r is not None:
            g = _check_result(g, r, fn, create_graph)
    return [g]


def _post_acc_hooks(var):
    """``register_post_accumulate_grad_hook`` hooks: ``fn(leaf)`` after ``.grad`` is updated."""
    for fn in tuple(var._post_acc_hooks.values()):
        if fn(var) is not None:
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _fixed(node, res, ns, create_graph):
    """The node's gradients reduced and cast to its inputs (what post hooks see in torch)."""
    meta = node._in_meta
    out = list(res)
    for i, g in enumerate(out):
        if g is not None and meta[i] is not None:
            out[i] = _fix_grad(node, i, g, meta[i], ns, create_graph)
    return out


def _post_hooks(node, res, grads, create_graph):
    """``node.register_hook`` hooks: ``fn(grad_inputs, grad_outputs)`` may return new
    grad_inputs (a tuple, one per ``next_functions`` edge)."""
    for fn in list(node._hooks.values()):
        r = fn(tuple(_as_tensor(g) for g in res), tuple(_as_tensor(g) for g in grads))
        if r is not None:
            res = _check_tuple(res, r, fn, create_graph)
    return res


def _sole_view(g):
    """``g`` is a C-contiguous view of all of an array that nothing else holds (a transposed
    product transposed back, as ``TBackward0`` over ``addmm`` leaves the weight's gradient):
    it can become ``.grad`` without a copy."""
    base = g.base
    # refs to base: g's own, this frame's name, getrefcount's argument
    return g.flags.c_contiguous and base.__class__ is ndarray and base.size == g.size and \
        _getrefcount(base) <= 3


def _accumulate(var, g, create_graph):
    """``var.grad += g``: in place when possible; steals ``g`` when nothing else holds it."""
    old = var._grad
    if var.__dict__ and var.__dict__.get("_grad_dtype") is not None:  # Tensor.grad_dtype
        g = _to_grad_dtype(g, var.__dict__["_grad_dtype"], create_graph)
    if create_graph:  # torch: a copy (new_empty_strided().copy_(g): CopyBackwards), or old + g
        if not isinstance(g, Tensor):
            g = _make(g, False, None, 0, None)
        if old is None:
            from .._ops.inplace import copy_
            var._grad = copy_(_make(xp.empty(g._array.shape, g._array.dtype), False, None, 0,
                                    None), g)
        else:
            var._grad = old + g
        return
    if old is None:
        # refs when nothing else holds g: the engine's buffer list, this frame, getrefcount's
        # argument; anything more (another leaf's buffer, the caller's tensor) means copy
        if not g.flags.writeable or _getrefcount(g) > 3 or (
                g.base is not None and not _sole_view(g)):
            g = g.copy()
        var._grad = _make(g, False, None, 0, None)
    else:  # in place, as torch (also into a .grad that has a history: it keeps it)
        a = old._array
        if a.shape == g.shape:
            a += g
        else:
            old._array = a + g
        bump_version(old)


def _to_grad_dtype(g, dt, create_graph):
    """A gradient cast to the leaf's ``grad_dtype`` (set unlike its dtype)."""
    if not create_graph:
        return g if g.dtype == dt.np else g.astype(dt.np)
    if not isinstance(g, Tensor):
        g = _make(g, False, None, 0, None)
    return g if g._array.dtype == dt.np else g.to(dt)

