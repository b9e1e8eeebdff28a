"""torch.utils.checkpoint: activation checkpointing.

``checkpoint(fn, *args)`` runs ``fn`` without keeping its intermediate results for backward;
the backward pass runs ``fn`` again (with the CPU RNG state of the forward restored, so dropout
draws the same mask) and backpropagates through that recomputation.

- ``use_reentrant=True`` (PyTorch's default, with its warning when the argument is not passed):
  the forward runs under ``no_grad`` inside a custom Function (``CheckpointFunctionBackward``);
  gradients reach the explicit tensor arguments and, through a nested backward, the parameters
  the function uses, only when some argument requires grad (else PyTorch's warning "None of the
  inputs have requires_grad=True").
- ``use_reentrant=False``: the forward records its graph as usual (same ``grad_fn`` nodes as
  without checkpoint), then the values those nodes saved for backward are dropped; the first
  node of the segment that backward reaches recomputes the segment once (grad enabled, RNG
  restored, ``context_fn``'s recompute context) and fills every node back from the
  recomputed graph, node for node in creation order.  Works with ``autograd.grad`` and when no
  argument requires grad; ``determinism_check="default"`` compares the saved values' shapes
  and dtypes (``CheckpointError`` otherwise).
- Selective activation checkpointing (``context_fn=partial(create_selective_checkpoint_contexts,
  policy)``): the policy sees each op of the forward as ember's ``Op`` class (``Mm`` for
  mm/matmul/@, ``Sigmoid``, ...; the grad_fn class is ``op._node_cls``) and says save or
  recompute; a saved op's output is kept and the recomputation returns it instead of running
  the op (its node keeps what it saved for backward: ember's ops compute and save in one
  ``forward``); a saved op that drew random numbers has the generator moved past its draws.
  View ops (``SAC_IGNORED_OPS``) always rerun; an op whose output aliases its input is never
  cached. A cached output changed in place before backward raises torch's RuntimeError
  (detected by comparing with a copy) unless ``allow_cache_entry_mutation``.
"""
from __future__ import annotations

import contextlib
import enum
import threading
import warnings
import weakref
from typing import Any

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.graph import FREED, AccumulateGrad, next_seq
from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "get_device_states",
           "noop_context_fn", "set_checkpoint_debug_enabled",
           # issue 13 (h13-utils): selective activation checkpointing and the rest
           "CheckpointPolicy", "SelectiveCheckpointContext", "create_selective_checkpoint_contexts",
           "SAC_IGNORED_OPS", "set_checkpoint_early_stop", "set_device_states", "GraphExecGroup"]

_DEFAULT_DETERMINISM_MODE = "default"
_DETERMINISM_MODES = [_DEFAULT_DETERMINISM_MODE, "none"]
_checkpoint_debug_enabled: bool | None = None


class CheckpointError(RuntimeError):
    """A recomputation that does not match the original forward."""


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled: bool | None):
    """Context manager that overrides ``debug=`` of every checkpoint call inside it."""
    global _checkpoint_debug_enabled
    prev = _checkpoint_debug_enabled
    _checkpoint_debug_enabled = enabled
    try:
        yield
    finally:
        _checkpoint_debug_enabled = prev


def noop_context_fn():
    """The default ``context_fn``: two null contexts (forward, recomputation)."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """Detached copies of the tensors in ``inputs`` keeping their ``requires_grad``."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


def check_backward_validity(inputs) -> None:
    """PyTorch's warning when no tensor input requires grad."""
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


def get_device_states(*args) -> tuple[list[int], list[Any]]:
    """The accelerator devices of the tensors in ``args`` and their RNG states: ember tensors
    live on the CPU, so both lists are empty (as PyTorch's for CPU tensors)."""
    return [], []


@contextlib.contextmanager
def _rng_restored(state, enabled: bool):
    """Run with the CPU RNG set to ``state``, then put back the state from before."""
    if not enabled:
        yield
        return
    import ember
    before = ember.get_rng_state()
    ember.set_rng_state(state)
    try:
        yield
    finally:
        ember.set_rng_state(before)


class CheckpointFunction(Function):
    """The reentrant checkpoint: forward under no_grad, recompute and backpropagate in backward."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        """Run ``run_function(*args)`` without recording, keeping the inputs and RNG state."""
        import ember
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_cpu_state = ember.get_rng_state()
        ctx.inputs = []
        ctx.tensor_indices = []
        tensor_inputs = []
        for i, arg in enumerate(args):
            if isinstance(arg, Tensor):
                tensor_inputs.append(arg)
                ctx.tensor_indices.append(i)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(arg)
        ctx.save_for_backward(*tensor_inputs)
        with no_grad():
            outputs = run_function(*args)
        return outputs

    @staticmethod
    def backward(ctx, *args):
        """Recompute the forward with grad enabled and backpropagate ``args`` through it."""
        from .. import autograd
        if not autograd.Variable._execution_engine.is_checkpoint_valid():
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
                "passing an `inputs` parameter to .backward(). To resolve this error, you can "
                "either set use_reentrant=False, or call .backward() without passing the "
                "`inputs` argument.")
        inputs = list(ctx.inputs)
        for i, idx in enumerate(ctx.tensor_indices):
            inputs[idx] = ctx.saved_tensors[i]
        with _rng_restored(getattr(ctx, "fwd_cpu_state", None), ctx.preserve_rng_state):
            detached_inputs = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached_inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outputs_with_grad, args_with_grad = [], []
        for i in range(len(outputs)):
            if isinstance(outputs[i], Tensor) and outputs[i].requires_grad:
                outputs_with_grad.append(outputs[i])
                args_with_grad.append(args[i])
        if len(outputs_with_grad) == 0:
            raise RuntimeError("none of output has requires_grad=True, "
                               "this checkpoint() is not necessary")
        with enable_grad():
            autograd.backward(outputs_with_grad, args_with_grad)
        grads = tuple(inp.grad if isinstance(inp, Tensor) else None for inp in detached_inputs)
        return (None, None) + grads


_PENDING = object()  # a checkpointed node's saved values, dropped until recomputed
# what a node keeps of its own when its saved values are filled from the recomputation
_STRUCTURE = frozenset({"next_functions", "_in_meta", "_tpos", "needs_input_grad", "_seq",
                        "_pre_hooks", "_hooks", "_retained", "metadata_", "_trace", "_n_out",
                        "_out_meta", "__weakref__"})

_DEBUG_TIP = """
Tip: To see a more detailed error message, either pass `debug=True` to
`torch.utils.checkpoint.checkpoint(...)` or wrap the code block
with `with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to
enable checkpoint-debug mode globally.
"""


def _out_tensors(out):
    """The tensors among a segment's outputs (a Tensor, or a tuple/list/dict of values)."""
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _out_tensors(o)]
    return []


def _segment_nodes(outs, start, end):
    """The graph nodes recorded between creation numbers ``start`` and ``end`` that the
    outputs reach, in creation order."""
    found = {}
    stack = [o.grad_fn for o in outs if o.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in found or isinstance(node, AccumulateGrad):
            continue
        seq = getattr(node, "_seq", -1)
        if not start < seq < end:
            continue
        found[id(node)] = node
        stack.extend(n for n, _ in node.next_functions if n is not None)
    return sorted(found.values(), key=lambda n: n._seq)


def _saved_meta(node):
    saved = node._saved
    if saved is None or saved is FREED:
        return []
    return [(tuple(a.shape), a.dtype) if hasattr(a, "shape") else None for a in saved]


class _Recomputation:
    """The saved values of a non-reentrant checkpoint: dropped after the forward, filled back
    from one recomputation of the segment when backward first reaches one of its nodes."""

    def __init__(self, function, args, kwargs, rng_state, preserve, recompute_context, nodes,
                 check, kept=frozenset()):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng_state, self.preserve = rng_state, preserve
        self.recompute_context = recompute_context
        self.nodes = [weakref.ref(n) for n in nodes]
        self.types = [type(n) for n in nodes]
        self.metas = [_saved_meta(n) for n in nodes] if check else None
        self.kept = [id(n) in kept for n in nodes]  # selective checkpointing: saved ops

    def drop(self) -> None:
        for ref, kept in zip(self.nodes, self.kept):
            n = ref()
            if n is not None and n._saved is not None and not kept:
                n._saved = _PENDING
                n._saved_info = None

    def pre_hook(self, node):
        def hook(grad_outputs):
            if node._saved is _PENDING:
                self.fill()
        return hook

    def fill(self) -> None:
        with _rng_restored(self.rng_state, self.preserve), enable_grad(), \
                self.recompute_context:
            start = next_seq()
            out = self.function(*self.args, **self.kwargs)
            end = next_seq()
        nodes = _segment_nodes(_out_tensors(out), start, end)
        if len(nodes) != len(self.nodes):
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                "original forward and recomputation.\n"
                f"Number of tensors saved during forward: {len(self.nodes)}\n"
                f"Number of tensors saved during recomputation: {len(nodes)}.\n{_DEBUG_TIP}")
        bad = [i for i, n in enumerate(nodes) if type(n) is not self.types[i]
               or (self.metas is not None and not self.kept[i]
                   and _saved_meta(n) != self.metas[i])]
        if bad:
            lines = "".join(f"node {i}: {self.types[i].__name__}, recomputed "
                            f"{type(nodes[i]).__name__}\n"
                            f"saved metadata: {self.metas[i] if self.metas else None}\n"
                            f"recomputed metadata: {_saved_meta(nodes[i])}\n" for i in bad)
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                f"different metadata than during the forward pass.\n{lines}.\n{_DEBUG_TIP}")
        for ref, rec in zip(self.nodes, nodes):
            orig = ref()
            if orig is None or orig._saved is not _PENDING:
                continue
            for k, v in rec.__dict__.items():
                if k not in _STRUCTURE:
                    orig.__dict__[k] = v


def _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, debug,
                                  args, kwargs):
    import ember
    if determinism_check not in _DETERMINISM_MODES:
        raise ValueError(f"determinism_check should be one of {_DETERMINISM_MODES}, "
                         f"but got {determinism_check}")
    if (_checkpoint_debug_enabled if _checkpoint_debug_enabled is not None else debug):
        if context_fn is not noop_context_fn:
            raise ValueError("debug=True is incompatible with non-default context_fn")
    forward_context, recompute_context = context_fn()
    if not is_grad_enabled():
        with forward_context:
            return function(*args, **kwargs)
    rng_state = ember.get_rng_state() if preserve else None
    start = next_seq()
    with forward_context:
        out = function(*args, **kwargs)
    end = next_seq()
    nodes = _segment_nodes(_out_tensors(out), start, end)
    if nodes:
        rec = _Recomputation(function, args, kwargs, rng_state, preserve, recompute_context,
                             nodes, determinism_check == _DEFAULT_DETERMINISM_MODE,
                             getattr(forward_context, "kept_nodes", frozenset()))
        for n in nodes:
            n.register_prehook(rec.pre_hook(n))
        rec.drop()
    return out


def checkpoint(function, *args, use_reentrant: bool | None = None,
               context_fn=noop_context_fn, determinism_check: str = _DEFAULT_DETERMINISM_MODE,
               debug: bool = False, early_stop: bool = True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its activations; backward recomputes
    them (``use_reentrant``, ``preserve_rng_state``, ``context_fn``, ``determinism_check`` as in
    PyTorch; see the module docstring)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check,
                                         debug, args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a sequential model in ``segments`` chunks, checkpointing all but the last."""
    from ..nn.modules.container import Sequential
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)


# ------------------------------------------------------------------ selective checkpointing
# torch decides per aten op, in a dispatch mode below autograd. ember's ops are ``Op``
# subclasses (ember/autograd/function.py) whose ``forward`` computes on arrays and saves for
# backward in one call; SAC hooks that ``forward`` while a selective context is active in
# the thread: the policy gets the Op class (``ember._ops.linalg.Mm`` for mm/matmul/@, the
# grad_fn is ``<Op>._node_cls``: MmBackward0), the forward's arrays and keyword arguments.
# A saved op's output array is kept and its graph node keeps what it saved; the
# recomputation returns the kept array instead of running the op again.

class SelectiveCheckpointContext:
    """What a selective-checkpoint policy function is given (``is_recompute``, always False
    since the policy runs in the forward only, and ``op_output``: the op's output array)."""

    def __init__(self, *, is_recompute, op_output=None) -> None:
        self.is_recompute = is_recompute
        self.op_output = op_output


class CheckpointPolicy(enum.Enum):
    """Whether a checkpointed op's output is saved in the forward (``*_SAVE``) or recomputed
    in backward (``*_RECOMPUTE``); ``*_CPU_OFFLOAD`` saves too (ember's arrays are on the CPU
    already)."""
    MUST_SAVE = 0
    PREFER_SAVE = 1
    MUST_RECOMPUTE = 2
    PREFER_RECOMPUTE = 3
    MUST_CPU_OFFLOAD = 4
    PREFER_CPU_OFFLOAD = 5


_SAVE_POLICIES = frozenset({CheckpointPolicy.MUST_SAVE, CheckpointPolicy.PREFER_SAVE,
                            CheckpointPolicy.MUST_CPU_OFFLOAD,
                            CheckpointPolicy.PREFER_CPU_OFFLOAD})


def _policy_from_bool(b):
    return CheckpointPolicy.MUST_SAVE if b else CheckpointPolicy.PREFER_RECOMPUTE


def _all_ops():
    from ..autograd.function import Op
    seen: dict[type, None] = {}
    stack = [Op]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen[sub] = None
                stack.append(sub)
    return list(seen)


# the view ops: their outputs alias their input, there is nothing to save (always re-run)
SAC_IGNORED_OPS = {op for op in _all_ops() if op.is_view}

_SAC_MISMATCH_MSG = ("This can happen if the operations in the checkpointed region are "
                     "nondeterministic or depend on global state that changed between "
                     "forward and backward.")
_RECOMPUTE = object()
_CONSUMED = object()
_sac_local = threading.local()
_sac_lock = threading.Lock()
_sac_patched: dict[type, Any] = {}  # Op class -> its own ``forward`` entry (or _NO_OWN)
_sac_users = [0]
_NO_OWN = object()


def _sac_mode():
    stack = getattr(_sac_local, "stack", None)
    return stack[-1] if stack else None


def _sac_hooked(cls, orig):
    def forward(ctx, *arrays, **kwargs):
        stack = getattr(_sac_local, "stack", None)
        if not stack:
            return orig(ctx, *arrays, **kwargs)
        return stack[-1].run(cls, orig, ctx, arrays, kwargs)
    return staticmethod(forward)


def _sac_install() -> None:
    with _sac_lock:
        _sac_users[0] += 1
        if _sac_users[0] > 1:
            return
        ops = _all_ops()
        originals = [(op, op.forward) for op in ops]  # resolved before any is replaced
        for op, orig in originals:
            _sac_patched[op] = op.__dict__.get("forward", _NO_OWN)
            op.forward = _sac_hooked(op, orig)


def _sac_uninstall() -> None:
    with _sac_lock:
        _sac_users[0] -= 1
        if _sac_users[0]:
            return
        for op, own in _sac_patched.items():
            if own is _NO_OWN:
                del op.forward
            else:
                op.forward = own
        _sac_patched.clear()


def _rng_key():
    from .._random import default_generator as g
    st = g._bg.state["state"]
    return st["pos"], st["key"], g._normal, g._normal_float, g._fresh


def _same_rng(a, b) -> bool:
    return a[0] == b[0] and a[2:] == b[2:] and bool((a[1] == b[1]).all())


class _SACMode:
    def __init__(self, storage):
        self.storage = storage
        self.counter: dict[type, int] = {}

    def __enter__(self):
        _sac_install()
        if not hasattr(_sac_local, "stack"):
            _sac_local.stack = []
        _sac_local.stack.append(self)
        return self

    def __exit__(self, *exc):
        _sac_local.stack.remove(self)
        _sac_uninstall()
        return False

    def _index(self, cls) -> int:
        idx = self.counter.get(cls, 0)
        self.counter[cls] = idx + 1
        return idx


class _SACEntry:
    __slots__ = ("val", "copy", "rng")

    def __init__(self, val, copy, rng):
        self.val, self.copy, self.rng = val, copy, rng


def _aliases_input(out, arrays) -> bool:
    import numpy as np
    outs = out if isinstance(out, tuple) else (out,)
    return any(isinstance(o, np.ndarray) and isinstance(a, np.ndarray)
               and np.may_share_memory(o, a) for o in outs for a in arrays)


class _CachingMode(_SACMode):
    """The forward context: runs each op, asks the policy, keeps the outputs to save."""

    def __init__(self, policy_fn, storage, check):
        super().__init__(storage)
        self.policy_fn = policy_fn
        self.check = check
        self.kept_nodes: set[int] = set()

    def run(self, cls, orig, ctx, arrays, kwargs):
        if cls in SAC_IGNORED_OPS or cls.is_view:
            return orig(ctx, *arrays, **kwargs)
        rng = _rng_key()
        out = orig(ctx, *arrays, **kwargs)
        idx = self._index(cls)
        stack = _sac_local.stack
        stack.pop()  # the policy's own ops are not the region's
        try:
            policy = self.policy_fn(SelectiveCheckpointContext(is_recompute=False,
                                                               op_output=out),
                                    cls, *arrays, **kwargs)
        finally:
            stack.append(self)
        if isinstance(policy, bool):
            policy = _policy_from_bool(policy)
        if policy in _SAVE_POLICIES and not _aliases_input(out, arrays):
            after = _rng_key()
            state = None if _same_rng(rng, after) else _get_rng_state()
            copy = None
            if self.check:
                copy = tuple(o.copy() for o in out) if isinstance(out, tuple) else out.copy()
            self.storage.setdefault(cls, {})[idx] = _SACEntry(out, copy, state)
            self.kept_nodes.add(id(ctx))
        else:
            self.storage.setdefault(cls, {})[idx] = _RECOMPUTE
        return out


def _get_rng_state():
    import ember
    return ember.get_rng_state()


class _CachedMode(_SACMode):
    """The recomputation context: a saved op returns its kept output instead of running."""

    def __enter__(self):
        self.counter.clear()
        return super().__enter__()

    def run(self, cls, orig, ctx, arrays, kwargs):
        if cls in SAC_IGNORED_OPS or cls.is_view:
            return orig(ctx, *arrays, **kwargs)
        idx = self._index(cls)
        func_storage = self.storage.get(cls)
        if func_storage is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__qualname__} encountered during "
                               f"backward but not found in storage. {_SAC_MISMATCH_MSG}")
        entry = func_storage.get(idx)
        if entry is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__qualname__} invocation index {idx} "
                               "encountered during backward but not found in storage. "
                               f"{_SAC_MISMATCH_MSG}")
        if entry is _CONSUMED:
            raise RuntimeError("Trying to backward an extra time. You are only allowed to "
                               "backward once on any region computed under selective "
                               "activation checkpoint.")
        if entry is _RECOMPUTE:
            return orig(ctx, *arrays, **kwargs)
        func_storage[idx] = _CONSUMED
        if entry.copy is not None:
            import numpy as np
            vals = entry.val if isinstance(entry.val, tuple) else (entry.val,)
            copies = entry.copy if isinstance(entry.copy, tuple) else (entry.copy,)
            if not all(np.array_equal(v, c, equal_nan=True) for v, c in zip(vals, copies)):
                raise RuntimeError("Tensor cached during selective activation checkpoint "
                                   "has been mutated")
        if entry.rng is not None:  # the op drew random numbers: skip past them as it did
            import ember
            ember.set_rng_state(entry.rng)
        return entry.val


def create_selective_checkpoint_contexts(policy_fn_or_list, allow_cache_entry_mutation=False):
    """The ``(forward, recomputation)`` contexts of selective activation checkpointing, for
    ``checkpoint(..., use_reentrant=False, context_fn=functools.partial(
    create_selective_checkpoint_contexts, policy))``. ``policy_fn_or_list`` is a function
    ``policy(ctx, op, *arrays, **kwargs) -> CheckpointPolicy`` (or bool) called after each op
    of the forward, ``op`` being ember's Op class (``ember._ops.linalg.Mm``, ...), or a list of
    Op classes to save (the rest recomputed). A saved op is not run again in backward; its
    kept output must not change in between (RuntimeError) unless
    ``allow_cache_entry_mutation``."""
    from ..autograd.function import Op
    if isinstance(policy_fn_or_list, list):
        for op in policy_fn_or_list:
            if not (isinstance(op, type) and issubclass(op, Op)):
                raise ValueError(f"Expected op in `op_list` to be an OpOverload but got: {op} "
                                 f"of type {type(op)}. ")
        ops = list(policy_fn_or_list)

        def policy_fn(ctx, op, *args, **kwargs):
            if op in ops:
                return CheckpointPolicy.MUST_SAVE
            return CheckpointPolicy.PREFER_RECOMPUTE
    elif callable(policy_fn_or_list):
        policy_fn = policy_fn_or_list
    else:
        raise TypeError("policy_fn_or_list must be either a function or a list of ops.")
    storage: dict[Any, dict[int, Any]] = {}
    return (_CachingMode(policy_fn, storage, not allow_cache_entry_mutation),
            _CachedMode(storage))


_enable_checkpoint_early_stop: bool | None = None


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """Context manager setting ``early_stop`` for the checkpoints run inside it. (torch stops
    a recomputation once it has every value backward needs; ember always reruns the whole
    segment, which gives the same values.)"""
    global _enable_checkpoint_early_stop
    prev = _enable_checkpoint_early_stop
    _enable_checkpoint_early_stop = enable
    try:
        yield
    finally:
        _enable_checkpoint_early_stop = prev


def set_device_states(devices, states, *, device_type=None) -> None:
    """Sets the RNG states of accelerator ``devices`` through the device module of
    ``device_type`` (default: the accelerator, "cpu" without one), as torch; the cpu module
    has no ``device``, so any device given raises torch's AttributeError."""
    import ember
    if device_type is None:
        device_type = "cpu"  # torch's default without an accelerator
    if device_type == "meta":
        return
    device_module = ember.get_device_module(device_type)
    for device, state in zip(devices, states):
        with device_module.device(device):
            device_module.set_rng_state(state)


_graph_exec_group: list[Any] = [None]


class GraphExecGroup:
    """Backward calls inside one group recompute each checkpointed region at most once
    (ember's non-reentrant checkpoint keeps what it recomputed for the graph's lifetime, so
    this holds with or without a group); groups cannot be nested."""

    def __enter__(self):
        if _graph_exec_group[0] is not None:
            raise RuntimeError("GraphExecGroup contexts cannot be nested. "
                               f"Already inside group {_graph_exec_group[0]}")
        _graph_exec_group[0] = self
        return self

    def __exit__(self, *args: object) -> None:
        _graph_exec_group[0] = None

    @classmethod
    def _get_current_group(cls):
        return _graph_exec_group[0]
