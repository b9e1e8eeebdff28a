"""Graph nodes: the objects behind ``tensor.grad_fn``.

A Node is created by an op when its result needs a gradient.  It holds what backward needs (saved
arrays, with the version of the tensor each came from), ``next_functions`` (one edge per input:
``(node, output_nr)`` or ``(None, 0)``) and the input shapes/dtypes that the engine uses to reduce
broadcast gradients and cast them back.  Nodes never hold their output tensors (that would be a
reference cycle): a saved output is kept as its array plus its position.
"""
from __future__ import annotations

import itertools
import re
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING

from .._backend import ndarray
from .._dtype import spelling

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .._tensor import Tensor
    from ..utils.hooks import RemovableHandle

__all__ = ["Node", "AccumulateGrad", "SAVED_FREED_MSG"]

_seq = itertools.count()
next_seq = _seq.__next__  # creation order: the engine runs later-created nodes first

SAVED_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.")

# kinds of saved entries
_RAW, _IN, _OUT = 0, 1, 2


class _Freed:
    __slots__ = ()


FREED = _Freed()


def _version_error(tensor_desc, version, expected, where):
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{tensor_desc}]{where}, is at version {version};"
        f" expected version {expected} instead. Hint: enable anomaly detection to find the "
        "operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")


class Node:
    """Base of every grad_fn.  Subclass names are PyTorch's (``MulBackward0``)."""

    # Class-level defaults keep node creation cheap: an op only sets what it uses.
    next_functions = ()
    _in_meta = ()
    _tpos = None  # argument position of each edge, when some arguments are not Tensors
    _pre_hooks = None
    _hooks: OrderedDict[int, Callable[..., Any]] | None = None
    _retained: dict[int, Any] | None = None
    metadata_: dict  # created on first access of ``metadata``
    _saved = None
    _saved_info = None
    needs_input_grad = ()
    _n_out = 1
    _multi = False  # backward takes a tuple of output gradients (even when there is one)
    _vver = None  # a view op's node: the version of its output's storage when it was made
    _out_meta = None
    _trace = None
    _graph = False
    _bw = None  # an op's backward as a static function (engine fast path)

    def __init__(self) -> None:
        # Op nodes skip this (their creators set _seq directly: no Python frame per op)
        self._seq = next(_seq)

    # -- user-visible API -------------------------------------------------------------------
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        try:
            return self.metadata_
        except AttributeError:
            self.metadata_ = {}
            return self.metadata_

    def register_hook(self, fn: Callable[..., Any]) -> RemovableHandle:
        """fn(grad_inputs, grad_outputs) after the node runs; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = OrderedDict()
        return add_hook(self._hooks, fn)

    def register_prehook(self, fn: Callable[..., Any]) -> RemovableHandle:
        """fn(grad_outputs) before the node runs; may return new grad_outputs."""
        return self._add_pre_hook(-1, fn)

    def _add_pre_hook(self, output_nr, fn):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return add_hook(self._pre_hooks.setdefault(output_nr, OrderedDict()), fn)

    # -- saved tensors ---------------------------------------------------------------------
    def save_for_backward(self, *arrays: Any) -> None:
        self._saved = arrays

    def _unpack_saved(self):
        """Saved arrays (first order) or graph-connected Tensors (create_graph)."""
        saved = self._saved
        if saved is FREED:
            raise RuntimeError(SAVED_FREED_MSG)
        info = self._saved_info
        if info is None:
            return saved
        for k, item in enumerate(info):
            if item is not None and item[2][0] != item[3]:
                self._raise_version(item, saved[k])
        if not self._graph:
            return saved
        from .._tensor import _graph_tensor
        out = []
        for arr, item in zip(saved, info):
            out.append(None if arr is None else _graph_tensor(self, arr, item))
        if "_fw_out" in self.__dict__:  # forward AD: saved outputs keep their tangents
            from .forward_ad import _saved_outputs
            _saved_outputs(self, out, info)
        return tuple(out)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        return self._unpack_saved()

    def _raise_version(self, item, arr):
        kind, ref, vc, ver = item
        shape = list(arr.shape)
        tname = spelling(arr.dtype) + "Tensor"
        producer = ref.grad_fn if kind == _IN else self
        pname = type(producer).__name__ if producer is not None else None
        if pname:
            pname = re.sub(r"Backward\d*$", "", pname)
        where = f", which is output {ref._output_nr if kind == _IN else ref} of {pname}" if \
            pname else ""
        raise _version_error(f"torch.{tname} [{', '.join(map(str, shape))}]", vc[0], ver, where)

    def _release(self):
        self._saved = FREED
        self._saved_info = None

    def apply(self, *grads: Any) -> Any:
        raise NotImplementedError


def add_hook(table: OrderedDict[int, Callable[..., Any]],
             fn: Callable[..., Any]) -> RemovableHandle:
    """Register ``fn`` in the hook table ``table`` (an OrderedDict: id -> hook, run in
    registration order); the handle removes it (``torch.utils.hooks.RemovableHandle``)."""
    from ..utils.hooks import RemovableHandle  # hooks are rare: not at import time

    handle = RemovableHandle(table)
    table[handle.id] = fn
    return handle


class AccumulateGrad(Node):
    """Leaf sink: runs the leaf's hooks, then adds the gradient into ``variable.grad``."""

    # torch gives every AccumulateGrad the largest sequence number: it runs as soon as it is
    # ready, and among several ready at once the engine's heap decides (the engine's heapq
    # sifts as libstdc++'s priority_queue does, so equal keys come out in torch's order)
    _seq = 1 << 62

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def __lt__(self, other: object) -> bool:
        return False  # heap entries (-_seq, node) that tie compare the nodes: never less


def get_accumulator(t: Tensor) -> AccumulateGrad | None:
    """The AccumulateGrad of leaf ``t``, shared while alive (the leaf holds it weakly)."""
    ref = t._acc
    if ref is not None:
        node = ref()
        if node is not None:
            return node
    if t._base is not None and t.__dict__.get("_no_grad_view"):
        return None  # torch: a view made in no_grad mode has no gradient edge
    node = AccumulateGrad(t)
    t._acc = weakref.ref(node)
    return node


def is_array(x: object) -> bool:
    return x.__class__ is ndarray
