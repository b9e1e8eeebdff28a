"""NumPy-style keyword aliases torch's argument parser accepts: ``axis=`` for ``dim=`` and
``keepdims=`` for ``keepdim=`` (``x.sum(axis=1, keepdims=True)``, ``torch.cat(ts, axis=1)``).

torch accepts them on every native function and method whose signature has ``dim`` /
``keepdim`` (not on Python-level ones such as ``torch.norm``); giving both spellings raises
"sum() got an unexpected keyword argument 'axis'".  :func:`install` wraps the ember functions
and Tensor methods named in :data:`ALIASED`: the wrapper passes positional-only calls straight
through (one extra call), and renames the aliases when keywords are given.
"""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["install", "ALIASED"]

# torch's native functions/methods with a ``dim`` (and often ``keepdim``) parameter that real
# programs call with NumPy's spellings (tests/test_statistics_ops.py checks each vs torch)
ALIASED = (
    "sum mean nansum nanmean prod max min amax amin aminmax argmax argmin std var std_mean "
    "var_mean logsumexp softmax log_softmax cumsum cumprod cummax cummin logcumsumexp all any "
    "count_nonzero sort argsort topk median nanmedian mode kthvalue quantile nanquantile "
    "squeeze unsqueeze cat concat concatenate stack chunk unbind narrow select gather "
    "index_select scatter scatter_add scatter_reduce index_add index_fill index_copy diff "
    "repeat_interleave take_along_dim tensor_split renorm").split()

_PAIRS = (("axis", "dim"), ("keepdims", "keepdim"))


_ANYWHERE = 1 << 30  # a keyword-only parameter: no positional argument fills it


def _positions(fn: Callable[..., Any]) -> dict[str, int]:
    """Which of ``dim``/``keepdim`` ``fn`` has and where among its positional parameters
    (``_ANYWHERE`` for a keyword-only one or a ``*args, **kwargs`` signature, which take
    ``dim`` by keyword); a method counts ``self``, as its calls do."""
    target = getattr(fn, "__ember_out__", fn)
    code = getattr(target, "__code__", None)
    if code is None:
        return {}
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    pos = {n: (i if i < code.co_argcount else _ANYWHERE) for i, n in enumerate(names)
           if n in ("dim", "keepdim")}
    if not pos and code.co_flags & 0x08:  # (**kwargs: sort(input, *args, **kwargs))
        pos["dim"] = _ANYWHERE
    return pos


def _wrap(fn: Callable[..., Any], name: str, pos: dict[str, int]) -> Callable[..., Any]:
    def aliased(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            for alias, real in _PAIRS:
                if alias in kwargs and real in pos:
                    if real in kwargs or len(args) > pos[real]:
                        raise TypeError(f"{name}() got an unexpected keyword argument "
                                        f"'{alias}'")
                    kwargs[real] = kwargs.pop(alias)
        return fn(*args, **kwargs)
    aliased.__name__, aliased.__qualname__ = fn.__name__, fn.__qualname__
    aliased.__doc__, aliased.__module__ = fn.__doc__, fn.__module__
    aliased.__annotations__ = dict(getattr(fn, "__annotations__", {}))
    aliased.__wrapped__ = fn  # type: ignore[attr-defined]  # (inspect.signature reads fn's)
    aliased.__ember_aliases__ = fn  # type: ignore[attr-defined]
    if hasattr(fn, "__ember_out__"):  # (the function without out=, as _out.py's wrappers)
        aliased.__ember_out__ = fn.__ember_out__  # type: ignore[attr-defined]
    return aliased


def install(namespace: dict[str, Any], tensor_cls: type) -> None:
    """Wrap ``namespace[name]`` and ``tensor_cls.name`` for each name in :data:`ALIASED`."""
    for name in ALIASED:
        fn = namespace.get(name)
        if fn is not None and not hasattr(fn, "__ember_aliases__"):
            namespace[name] = _wrap(fn, name, _positions(fn))
        meth = tensor_cls.__dict__.get(name)
        if meth is not None and not hasattr(meth, "__ember_aliases__"):
            p = _positions(meth)
            if meth.__code__.co_flags & 0x04 and fn is not None:
                p = _positions(fn)  # a generated method(self, *args, **kwargs): fn's layout
            setattr(tensor_cls, name, _wrap(meth, name, p))
