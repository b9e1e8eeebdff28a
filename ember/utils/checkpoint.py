"""torch.utils.checkpoint: activation checkpointing.

``checkpoint(fn, *args)`` runs ``fn`` without keeping its intermediate results for backward;
the backward pass runs ``fn`` again (with the CPU RNG state of the forward restored, so dropout
draws the same mask) and backpropagates through that recomputation.

- ``use_reentrant=True`` (PyTorch's default, with its warning when the argument is not passed):
  the forward runs under ``no_grad`` inside a custom Function (``CheckpointFunctionBackward``);
  gradients reach the explicit tensor arguments and, through a nested backward, the parameters
  the function uses, only when some argument requires grad (else PyTorch's warning "None of the
  inputs have requires_grad=True").
- ``use_reentrant=False``: the forward runs once with grad enabled to find where the segment
  meets the rest of the graph (the explicit arguments and every leaf it used, parameters
  included), then its graph is dropped and the outputs hang from one node whose backward
  recomputes the segment and differentiates it with respect to those tensors (so it works with
  ``autograd.grad`` and when no argument requires grad).  ``context_fn`` and
  ``determinism_check`` (shape/dtype of the outputs) as PyTorch.  A segment that reads a
  non-leaf tensor requiring grad that is not one of its arguments keeps its ordinary graph.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.graph import AccumulateGrad, next_seq
from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "noop_context_fn",
           "set_checkpoint_debug_enabled"]

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


class _Segment:
    """What the non-reentrant node needs to recompute: the function, its arguments, where the
    boundary tensors sit among them, the RNG state and the outputs' metadata."""

    def __init__(self, function, args, kwargs, rng_state, preserve, recompute_context,
                 boundary, out_meta, meta_check):
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.rng_state = rng_state
        self.preserve = preserve
        self.recompute_context = recompute_context
        self.boundary = boundary
        self.out_meta = out_meta
        self.meta_check = meta_check


def _out_tensors(out):
    """The output tensors of a segment (a Tensor, or a tuple/list of values), or None when the
    output has another structure."""
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [o for o in out if isinstance(o, Tensor)]
    return None


def _meta(t):
    return {"shape": t.shape, "dtype": t.dtype, "device": t.device}


class _CheckpointNonReentrant(Function):
    """Node of a non-reentrant checkpoint: inputs are the segment's boundary tensors."""

    @staticmethod
    def forward(ctx, seg, *boundary):
        """The outputs computed before (detached), now hung from this node."""
        ctx.seg = seg
        new = tuple(o.detach() for o in seg.outputs)
        ctx.mark_non_differentiable(*[n for n, o in zip(new, seg.outputs) if not o.requires_grad])
        return new

    @staticmethod
    def backward(ctx, *grads):
        """Recompute the segment with grad enabled; differentiate it w.r.t. the boundary."""
        from .. import autograd
        seg = ctx.seg
        # arguments that are boundary tensors are replaced by detached copies (non-leaves) or
        # used as they are (leaves: autograd.grad can target them)
        subst = {}
        for t in seg.boundary:
            if t.grad_fn is not None:
                d = t.detach()
                d.requires_grad_(True)
                subst[id(t)] = d
        args = tuple(subst.get(id(a), a) if isinstance(a, Tensor) else a for a in seg.args)
        kwargs = {k: subst.get(id(v), v) if isinstance(v, Tensor) else v
                  for k, v in seg.kwargs.items()}
        with _rng_restored(seg.rng_state, seg.preserve), enable_grad(), seg.recompute_context:
            out = seg.function(*args, **kwargs)
        outs = _out_tensors(out) or []
        if seg.meta_check:
            got = [_meta(o) for o in outs]
            if got != seg.out_meta:
                raise CheckpointError(
                    "torch.utils.checkpoint: Recomputed values for the following tensors have "
                    "different metadata than during the forward pass.\n"
                    f"original: {seg.out_meta}\nrecomputed: {got}\n")
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if g is not None and o.requires_grad]
        targets = [subst.get(id(t), t) for t in seg.boundary]
        if not pairs:
            return (None,) + (None,) * len(targets)
        gi = autograd.grad([o for o, _ in pairs], targets, [g for _, g in pairs],
                           allow_unused=True)
        return (None,) + tuple(gi)


def _boundary(outs, start, args, kwargs):
    """The tensors where the graph recorded since creation number ``start`` meets the rest:
    leaves (through their AccumulateGrad) and argument tensors.  None if some edge leads to a
    tensor that is neither (a captured non-leaf)."""
    by_edge = {}
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, Tensor) and a.grad_fn is not None:
            by_edge[(id(a.grad_fn), a._output_nr)] = a
    found: dict[int, Tensor] = {}
    seen = set()
    stack = [o.grad_fn for o in outs if o.grad_fn is not None]
    for o in outs:
        if o.requires_grad and o.grad_fn is None:
            found[id(o)] = o  # an output that is a leaf (the function returned an input)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for nxt, nr in node.next_functions:
            if nxt is None:
                continue
            if isinstance(nxt, AccumulateGrad):
                found.setdefault(id(nxt.variable), nxt.variable)
            elif nxt._seq > start:
                stack.append(nxt)
            else:
                t = by_edge.get((id(nxt), nr))
                if t is None:
                    return None
                found.setdefault(id(t), t)
    return list(found.values())


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
    outs = _out_tensors(out)
    if outs is None or not any(o.requires_grad for o in outs):
        return out
    boundary = _boundary(outs, start, args, kwargs)
    if boundary is None or not boundary:
        return out  # keeps its ordinary graph (see the module docstring)
    seg = _Segment(function, args, kwargs, rng_state, preserve, recompute_context, boundary,
                   [_meta(o) for o in outs], determinism_check == _DEFAULT_DETERMINISM_MODE)
    seg.outputs = outs  # type: ignore[attr-defined]
    new = _CheckpointNonReentrant.apply(seg, *boundary)
    seg.outputs = None  # type: ignore[attr-defined]  # the node holds no outputs
    if isinstance(out, Tensor):
        return new[0]
    it = iter(new)
    res = [next(it) if isinstance(o, Tensor) else o for o in out]
    return type(out)(res)


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
