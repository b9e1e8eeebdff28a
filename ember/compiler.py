"""torch.compiler: the compiler's user-facing switches, in ember's eager world.

ember has no graph compiler: ``ember.compile`` returns the model unchanged, so code always runs
eagerly. The functions here are what torch's do for code that is *not* being compiled:
``is_compiling`` / ``is_dynamo_compiling`` / ``is_exporting`` are False, ``disable`` wraps
the function (it runs as before), ``allow_in_graph`` / ``assume_constant_result`` return the
function, ``nested_compile_region`` wraps it, ``reset`` has no cache to clear, ``wrap_numpy``
really converts tensors to NumPy arrays and back. Backend registries, stances, polyfill
registration (``substitute_in_graph``), cache artifacts and guard settings have no eager
meaning and are absent.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["compile", "assume_constant_result", "reset", "allow_in_graph",
           "disable", "wrap_numpy", "is_compiling",
           "is_dynamo_compiling", "is_exporting", "nested_compile_region"]


def compile(*args: Any, **kwargs: Any) -> Any:  # noqa: A001 - torch.compiler.compile
    """``torch.compile``: returns the model unchanged (ember runs eagerly)."""
    import ember
    return ember.compile(*args, **kwargs)


def reset() -> None:
    """Clears the compiler's caches: ember compiles nothing, so there are none."""


def allow_in_graph(fn: Any) -> Any:
    """Tells the compiler to put ``fn`` in the graph as is; returns ``fn`` (as torch's)."""
    if isinstance(fn, (list, tuple)):
        return [allow_in_graph(x) for x in fn]
    return fn


def assume_constant_result(fn: Any) -> Any:
    """Marks ``fn``'s result as a compile-time constant; returns ``fn`` (as torch's)."""
    return fn


def disable(fn: Any = None, recursive: bool = True, *, reason: str | None = None) -> Any:
    """Keeps ``fn`` out of compilation: a wrapper that calls ``fn`` (without ``fn``, a
    decorator doing the same)."""
    if fn is None:
        return functools.partial(disable, recursive=recursive, reason=reason)

    @functools.wraps(fn)
    def _fn(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)
    _fn._torchdynamo_disable = True  # type: ignore[attr-defined]
    return _fn


def is_compiling() -> bool:
    """True while the compiler traces the code: never in ember (``compile`` is the identity)."""
    return False


def is_dynamo_compiling() -> bool:
    """True while Dynamo traces the code: never in ember."""
    return False


def is_exporting() -> bool:
    """True while ``torch.export`` traces the code: never in ember."""
    return False


def wrap_numpy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turns a function on NumPy arrays into one on tensors: tensor arguments (also inside
    lists, tuples, dicts) become arrays (``Tensor.numpy()``), array results become tensors."""
    import numpy as np

    import ember
    from .utils import _pytree

    @functools.wraps(fn)
    def wrap(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = _pytree.tree_map_only(ember.Tensor, lambda x: x.numpy(), (args, kwargs))
        out = fn(*args, **kwargs)
        return _pytree.tree_map_only(np.ndarray, ember.as_tensor, out)
    return wrap


def nested_compile_region(fn: Any = None, *, options: Any = None, max_reuse_entries: int = 8,
                          reuse_hash_fn: Any = None) -> Any:
    """Marks a region the compiler may compile once and reuse; eagerly ``fn`` runs as is."""
    if fn is None:
        return functools.partial(nested_compile_region, options=options,
                                 max_reuse_entries=max_reuse_entries,
                                 reuse_hash_fn=reuse_hash_fn)

    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)
    return inner
