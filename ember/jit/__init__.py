"""``ember.jit``: ``torch.jit`` as PyTorch runs it with the JIT disabled (``PYTORCH_JIT=0``).

ember has no TorchScript compiler: ``script`` and ``trace`` return the function or module they
are given, which then runs eagerly with the same results (and the same parameters and
``state_dict``); the decorators (``ignore``, ``unused``, ``export``, ``_overload``...) mark the
function and return it; ``fork`` runs the call at once and returns a finished ``Future``.
Like torch 2.13, ``script``, ``trace``, ``trace_module``, ``script_method``, ``interface``,
``fork``, ``wait``, ``save`` and ``load`` emit a ``DeprecationWarning``.  ``save`` and ``load``
raise: there is no TorchScript serialization (save a ``state_dict`` with ``torch.save``).
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
import textwrap
import warnings
from typing import Any, Callable, Final, Iterator, TypeVar

from .. import futures as _futures
from ..nn.modules.module import Module as _Module

__all__ = ["Attribute", "Final", "Future", "RecursiveScriptModule", "ScriptFunction",
           "ScriptModule", "annotate", "export", "fork", "freeze", "fuser", "ignore",
           "interface", "is_scripting", "is_tracing", "load", "optimized_execution", "save",
           "script", "script_method", "trace", "trace_module", "unused", "wait"]

_T = TypeVar("_T")
_builtin_isinstance = builtins.isinstance  # ``isinstance`` here is torch.jit.isinstance


def _deprecated(name: str, instead: str = "switch to `torch.compile` or `torch.export`") -> None:
    """torch 2.13's DeprecationWarning for the TorchScript entry point ``name`` (attributed to
    ember, as torch's to torch: hidden under Python's default warning filters)."""
    warnings.warn(f"`torch.jit.{name}` is deprecated. Please {instead}.", DeprecationWarning)


def script(obj: Any, optimize: Any = None, _frames_up: int = 0, _rcb: Any = None,
           example_inputs: Any = None) -> Any:
    """Returns ``obj`` (a function, module or class) unchanged: with no TorchScript compiler it
    runs eagerly, as torch does with ``PYTORCH_JIT=0``."""
    _deprecated("script")
    return obj


def script_method(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Returns ``fn`` unchanged (a ``ScriptModule`` method runs eagerly)."""
    _deprecated("script_method")
    return fn


def trace(func: Any, example_inputs: Any = None, optimize: Any = None, check_trace: bool = True,
          check_inputs: Any = None, check_tolerance: float = 1e-5, strict: bool = True,
          _force_outplace: bool = False, _module_class: Any = None,
          _compilation_unit: Any = None, example_kwarg_inputs: Any = None,
          _store_inputs: bool = True) -> Any:
    """Returns ``func`` (a function or module) unchanged: it runs eagerly on any input, with its
    own parameters, as torch's ``trace`` does with the JIT disabled."""
    _deprecated("trace")
    return func


def trace_module(mod: Any, inputs: Any, optimize: Any = None, check_trace: bool = True,
                 check_inputs: Any = None, check_tolerance: float = 1e-5, strict: bool = True,
                 _force_outplace: bool = False, _module_class: Any = None,
                 _compilation_unit: Any = None, example_inputs_is_kwarg: bool = False,
                 _store_inputs: bool = True) -> Any:
    """Returns the module ``mod`` unchanged (its methods run eagerly)."""
    _deprecated("trace_method")
    return mod


def is_scripting() -> bool:
    """False: ember code always runs in Python, never inside a TorchScript compilation."""
    return False


def is_tracing() -> bool:
    """False: ember never records a trace."""
    return False


def Attribute(value: _T, type: Any) -> _T:  # noqa: N802, A002 - torch's names
    """Returns ``value`` (the type annotation is for the TorchScript compiler only)."""
    return value


def annotate(the_type: Any, the_value: _T) -> _T:
    """Returns ``the_value`` (the type is for the TorchScript compiler only)."""
    return the_value


class FunctionModifiers:
    """What the ``ignore``/``unused``/``export`` decorators record on a function (torch's
    ``_torchscript_modifier`` values)."""

    UNUSED = "unused (ignored and replaced with raising of an exception)"
    IGNORE = "ignore (leave as a call to Python, cannot be torch.jit.save'd)"
    EXPORT = "export (compile this function even if nothing calls it)"
    DEFAULT = "default (compile if called from an exported function / forward)"
    COPY_TO_SCRIPT_WRAPPER = ("if this method is not scripted, copy the python method onto the "
                              "scripted model")
    _DROP = "_drop (function is fully ignored, declaration can be unscriptable)"


def export(fn: _T) -> _T:
    """Marks a module method as a TorchScript entry point; returns ``fn``."""
    fn._torchscript_modifier = FunctionModifiers.EXPORT  # type: ignore[attr-defined]
    return fn


def unused(fn: _T) -> _T:
    """Marks a function, method or property as left out of TorchScript; returns it."""
    if _builtin_isinstance(fn, property):
        fn.fget._torchscript_modifier = FunctionModifiers.UNUSED  # type: ignore[union-attr]
        if fn.fset:
            fn.fset._torchscript_modifier = FunctionModifiers.UNUSED  # type: ignore[attr-defined]
        return fn
    fn._torchscript_modifier = FunctionModifiers.UNUSED  # type: ignore[attr-defined]
    return fn


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """Marks a function as left to Python by TorchScript: ``@ignore`` returns the function,
    ``@ignore(drop=...)`` a decorator that does."""
    if callable(drop):
        drop._torchscript_modifier = FunctionModifiers.IGNORE
        return drop
    if not _builtin_isinstance(drop, bool):
        raise RuntimeError("Argument to @torch.jit.ignore must be a bool or a function but got "
                           f"{drop}")
    drop_on_export = kwargs.pop("drop_on_export", None)
    if drop_on_export or drop:
        what = "drop_on_export=True" if drop_on_export else "True"
        warnings.warn(f"ignore({what}) has been deprecated. TorchScript will now drop the "
                      "function call on compilation. Use torch.jit.unused now. {}",
                      stacklevel=2, category=FutureWarning)
        drop = drop or drop_on_export

    def decorator(fn):
        fn._torchscript_modifier = (FunctionModifiers.UNUSED if drop
                                    else FunctionModifiers.IGNORE)
        return fn
    return decorator


_overloaded_fns: dict[str, list[Callable[..., Any]]] = {}
_overloaded_methods: dict[str, dict[str, list[Callable[..., Any]]]] = {}


def _check_overload_body(func: Callable[..., Any]) -> None:
    """torch's rule: an overload declaration's body is ``pass`` or ``...``."""
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        warnings.warn(f"Unable to retrieve source for @torch.jit._overload function: {func}.",
                      stacklevel=3)
        return
    body = ast.parse(source).body[0].body  # type: ignore[attr-defined]
    ok = len(body) == 1 and (_builtin_isinstance(body[0], ast.Pass) or (
        _builtin_isinstance(body[0], ast.Expr) and _builtin_isinstance(body[0].value, ast.Constant)
        and body[0].value.value is Ellipsis))
    if not ok:
        raise RuntimeError("Only `pass` statement or `...` can be the body of overload "
                           "declaration:\n" + "\n".join(source.split("\n")[:3])
                           + " <- Expecting `pass` or `...` here!\n")


def _qualified_name(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _overload(func: _T) -> _T:
    """Records ``func`` as a TorchScript overload declaration and returns it (in Python the
    last, undecorated definition is the one that runs)."""
    _check_overload_body(func)  # type: ignore[arg-type]
    _overloaded_fns.setdefault(_qualified_name(func), []).append(func)  # type: ignore[arg-type]
    return func


def _overload_method(func: _T) -> _T:
    """``_overload`` for a method inside a class body."""
    _check_overload_body(func)  # type: ignore[arg-type]
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    cls_name = caller.f_code.co_name if caller is not None else ""
    by_class = _overloaded_methods.setdefault(_qualified_name(func), {})  # type: ignore[arg-type]
    by_class.setdefault(cls_name, []).append(func)  # type: ignore[arg-type]
    return func


def interface(obj: _T) -> _T:
    """Marks a class (or ``nn.Module`` subclass) as a TorchScript interface type; returns it."""
    _deprecated("interface", "use `torch.compile` instead")
    if not inspect.isclass(obj):
        raise RuntimeError("interface must be applied to a class")
    is_module_interface = issubclass(obj, _Module) and len(obj.mro()) == 3
    if not is_module_interface and len(obj.mro()) > 2:
        raise RuntimeError("TorchScript interface does not support inheritance yet. Please "
                           "directly inherit from 'object' or 'nn.Module'.")
    obj.__torch_script_interface__ = f"__torch__.{obj.__module__}.{obj.__qualname__}"
    return obj


Future = _futures.Future  # torch.jit.Future is torch.futures.Future


def fork(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """Runs ``func(*args, **kwargs)`` now (ember runs one op at a time) and returns a finished
    ``Future`` holding its result; an exception from ``func`` propagates at once."""
    _deprecated("fork", "use `torch.compile` instead")
    return _futures.fork(func, *args, **kwargs)


def wait(future: Future) -> Any:
    """Returns the result of a ``Future`` made by ``fork``."""
    _deprecated("wait", "use `torch.compile` instead")
    return _futures.wait(future)


class ScriptModule(_Module):
    """A TorchScript module class as torch defines it with the JIT disabled: an ordinary
    ``nn.Module`` whose ``script_method`` methods run eagerly."""

    def __init__(self, arg: Any = None) -> None:
        super().__init__()


class RecursiveScriptModule(ScriptModule):
    """What ``script(module)`` returns with the JIT on; never built by ember (``script``
    returns the module itself)."""


class ScriptFunction:
    """The class of compiled TorchScript functions; ember compiles none, so nothing is an
    instance of it (``isinstance(f, ScriptFunction)`` is False, as with ``PYTORCH_JIT=0``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("torch._C.ScriptFunction: No constructor defined!")


def _no_torchscript(m: Any, what: str) -> str:
    return (f"ember has no TorchScript serialization: torch.jit.{what} cannot handle "
            f"'{type(m).__name__}'. Save the weights with torch.save(model.state_dict(), f) and "
            f"load them with model.load_state_dict(torch.load(f)).")


def save(m: Any, f: Any, _extra_files: Any = None) -> None:
    """Raises ``AttributeError`` (as torch does for a module that ``script`` did not compile):
    ember has no TorchScript archives; save ``m.state_dict()`` with ``torch.save`` instead."""
    _deprecated("save", "switch to `torch.export`")
    attr = "save" if _builtin_isinstance(f, str) or hasattr(f, "__fspath__") else "save_to_buffer"
    raise AttributeError(f"'{type(m).__name__}' object has no attribute '{attr}' ("
                         + _no_torchscript(m, "save") + ")")


def load(f: Any, map_location: Any = None, _extra_files: Any = None,
         _restore_shapes: bool = False) -> Any:
    """Raises ``RuntimeError``: ember cannot read TorchScript archives; load a ``state_dict``
    saved with ``torch.save`` into the model instead."""
    _deprecated("load", "switch to `torch.export`")
    raise RuntimeError("ember has no TorchScript runtime: torch.jit.load cannot read a "
                       "TorchScript archive. Build the model in Python and load a state_dict "
                       "saved with torch.save (model.load_state_dict(torch.load(f))).")


def freeze(mod: Any, preserved_attrs: Any = None, optimize_numerics: bool = True) -> Any:
    """Raises ``RuntimeError`` as torch does for a module ``script`` did not compile."""
    _deprecated("freeze", "use `torch.compile` instead")
    raise RuntimeError("Freezing expects a ScriptModule as input. Please use torch.jit.script "
                       "or torch.jit.trace to script your 'nn.Module'.")


@contextlib.contextmanager
def optimized_execution(should_optimize: bool) -> Iterator[None]:
    """Context manager for the TorchScript executor's optimizations: eager code is unchanged."""
    yield


_FUSERS = ("fuser0", "fuser1", "fuser2", "fuser3", "none")


@contextlib.contextmanager
def fuser(name: str) -> Iterator[None]:
    """Context manager choosing TorchScript's fuser (``fuser0``...``fuser3``, ``none``): eager
    code is unchanged; an unknown name raises as in torch."""
    if name not in _FUSERS:
        raise Exception(f"unrecognized fuser option (name: {name})")
    yield


# issue 13 (h13-utils): isinstance, script_if_tracing, Error, fuser switches
from ._h13 import (Error, enable_onednn_fusion, export_opnames,  # noqa: E402,F401
                   isinstance, onednn_fusion_enabled, optimize_for_inference,
                   script_if_tracing, set_fusion_strategy, strict_fusion)
from . import _h13 as _h13_names  # noqa: E402
__all__ += _h13_names.__all__

