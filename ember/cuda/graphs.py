"""torch.cuda.graphs on a CPU build: capturing needs CUDA, so ``graph`` fails making its
capture stream, ``CUDAGraph`` and ``graph_pool_handle`` are dummies that raise, and
``make_graphed_callables`` checks its arguments as torch does, then fails making a graph."""
from __future__ import annotations

from typing import Any

from . import CUDAGraph, graph_pool_handle

__all__ = ["CUDAGraph", "graph", "graph_pool_handle", "is_current_stream_capturing",
           "make_graphed_callables"]


def is_current_stream_capturing() -> bool:
    """Whether the current CUDA stream is capturing: needs CUDA (RuntimeError, as torch)."""
    raise RuntimeError("Tried to instantiate dummy base class _cuda_isCurrentStreamCapturing")


class graph:
    """Context manager capturing CUDA work into a ``CUDAGraph``: its capture stream needs
    CUDA (RuntimeError, as torch's)."""

    default_capture_stream: Any = None

    def __init__(self, cuda_graph: Any, pool: Any = None, stream: Any = None,
                 capture_error_mode: str = "global", enable_annotations: bool = False,
                 check_input_liveness: bool = False) -> None:
        from . import Stream
        if self.__class__.default_capture_stream is None:
            self.__class__.default_capture_stream = Stream()


def make_graphed_callables(callables: Any, sample_args: Any, num_warmup_iters: int = 3,
                           allow_unused_input: bool = False, pool: Any = None) -> Any:
    """Graph-captured versions of modules or functions: the arguments are checked as torch
    checks them, then making the CUDA graphs fails (RuntimeError, as CPU torch)."""
    import ember
    from ..utils import _pytree
    if ember.is_autocast_enabled() and ember.is_autocast_cache_enabled():
        raise RuntimeError("make_graphed_callables does not support the autocast caching. "
                           "Please set `cache_enabled=False`.")
    if not isinstance(callables, tuple):
        callables, sample_args = (callables,), (sample_args,)
    for c, args in zip(callables, sample_args):
        if isinstance(c, ember.nn.Module):
            if c._backward_hooks or c._forward_hooks or c._forward_pre_hooks:
                raise AssertionError(
                    "Modules must not have hooks registered at the time they are passed. "
                    "However, registering hooks on modules after passing them through "
                    "make_graphed_callables is allowed.")
            if not all(b.requires_grad is False for b in c.buffers()):
                raise AssertionError(
                    "In any :class:`~torch.nn.Module` passed to :func:`~make_graphed_callables`"
                    ", only parameters may be trainable. All buffers must have "
                    "``requires_grad=False``.")
        if not all(isinstance(a, ember.Tensor) for a in _pytree.tree_leaves(args)):
            raise AssertionError("In the beta API, sample_args for each callable must contain "
                                 "only Tensors. Other types are not allowed.")
    return [CUDAGraph() for _ in callables]
