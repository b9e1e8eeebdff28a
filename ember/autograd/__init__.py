"""ember.autograd: backward, grad, Function, grad modes, functional transforms, gradcheck."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._backend import xp as _xp
from .._tensor import Tensor
from . import graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled
from .engine import run_backward as _run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from . import variable
from .variable import Variable
from . import forward_ad  # issue 15: forward-mode AD

__all__ = ["backward", "grad", "Variable", "Function", "FunctionCtx", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "detect_anomaly", "set_detect_anomaly",
           "gradcheck", "gradgradcheck", "functional", "once_differentiable", "graph",
           "explain", "is_anomaly_enabled", "is_grad_enabled", "variable",
           "forward_ad"]
from ._h13 import set_multithreading_enabled  # noqa: E402 - issue 13 (h13-utils)
__all__ += ["set_multithreading_enabled"]

if TYPE_CHECKING:
    from collections.abc import Sequence

    _TensorOrTensors = Tensor | Sequence[Tensor]  # torch.types._TensorOrTensors


def run_backward(*args: Any, **kwargs: Any) -> Any:
    """The engine's backward pass with NumPy's floating-point warnings off: torch's backward
    gives inf/NaN gradients silently (x / 0, log(0), inf * 0 in a formula).  One errstate for
    the whole pass, not one per node; the caller's NumPy state is restored on return."""
    with _xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _run_backward(*args, **kwargs)


def _as_tuple(x):
    if x is None:
        return (None,)
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def backward(tensors: _TensorOrTensors, grad_tensors: _TensorOrTensors | None = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             grad_variables: _TensorOrTensors | None = None,
             inputs: _TensorOrTensors | None = None) -> None:
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad`` (torch.autograd.backward)."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"grad_tensors and tensors must have the same length, got "
                           f"{len(grads)} and {len(tensors)}")
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        for t in inputs:  # torch: a non-leaf input's gradient is retained from now on
            if t.grad_fn is not None:
                t.retain_grad()
        run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs,
                     allow_unused=True, accumulate=True)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs: _TensorOrTensors, inputs: _TensorOrTensors,
         grad_outputs: _TensorOrTensors | None = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` w.r.t. ``inputs`` without touching ``.grad``."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output, got {len(grads)} and "
                           f"{len(outputs)}")
    if allow_unused is None:
        allow_unused = materialize_grads
    if forward_ad._TANGENTS and not create_graph:  # forward-over-reverse (see forward_ad)
        res = forward_ad._grad_with_tangents(outputs, grads, retain_graph, inputs, allow_unused)
    else:
        res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                           allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from .._creation import zeros_like
        res = [r if r is not None else zeros_like(i) for r, i in zip(res, inputs)]
    return tuple(res)


# gradcheck is imported eagerly (a small module): imported lazily, a later
# `import ember.autograd.gradcheck` rebound the name to the module, as in
# `from torch.autograd.gradcheck import gradcheck` followed by `autograd.gradcheck(fn, ...)`
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402

# names imported on first use (keeps `import ember` fast); each must resolve (tests check)
_LAZY_MODULES = ("functional", "profiler")  # profiler: issue 13 (infra)
_LAZY_NAMES = ("explain",)


def __getattr__(name):
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "explain":
        fn = importlib.import_module("._explain", __name__).explain
        globals()["explain"] = fn
        return fn
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NAMES))
