"""More of torch.jit as it runs with ``PYTORCH_JIT=0`` (issue 13, h13-utils): the eager
``isinstance`` with container refinement, ``script_if_tracing``, ``Error``, the fuser
switches (state kept, as torch keeps it while no TorchScript runs), ``strict_fusion``,
``optimize_for_inference`` and ``export_opnames`` failing as torch's do on a module that was
not compiled (ember's ``script`` returns the module itself)."""
from __future__ import annotations

import collections.abc
import functools
import types
import typing
import warnings
from typing import Any, Union, get_args, get_origin

__all__ = ["Error", "enable_onednn_fusion", "export_opnames", "isinstance",
           "onednn_fusion_enabled", "optimize_for_inference", "script_if_tracing",
           "set_fusion_strategy", "strict_fusion"]

_builtin_isinstance = isinstance


def _deprecated(name: str) -> None:
    from . import _deprecated as warn
    warn(name, "use `torch.compile` instead")


class Error(Exception):
    """The exception TorchScript code raises (``torch.jit.Error``)."""


_RAW_TYPE_NAME_MAPPING = {dict: "dict", list: "list", tuple: "tuple", typing.Dict: "Dict",
                          typing.List: "List", typing.Optional: "Optional",
                          typing.Tuple: "Tuple"}


def _check_args_exist(target_type: Any) -> None:
    try:
        name = _RAW_TYPE_NAME_MAPPING.get(target_type)
    except TypeError:  # unhashable
        name = None
    if name is None:
        return
    if name.endswith("ict"):
        raise RuntimeError(f"Attempted to use {name} without contained types. Please add "
                           f"contained type, e.g. {name}[int, int]")
    raise RuntimeError(f"Attempted to use {name} without a contained type. Please add a "
                       f"contained type, e.g. {name}[int]")


def _check_empty_containers(obj: Any) -> None:
    if obj == [] or obj == {} or obj == ():
        warnings.warn("The inner type of a container is lost when calling torch.jit.isinstance "
                      "in eager mode. For example, List[int] would become list and therefore "
                      "falsely return True for List[float] or List[str].", stacklevel=3)


def _element_ok(el: Any, el_type: Any) -> bool:
    if get_origin(el_type):
        return _container_checker(el, el_type)
    return _builtin_isinstance(el, el_type)


def _container_checker(obj: Any, target_type: Any) -> bool:
    origin = get_origin(target_type)
    _check_args_exist(target_type)
    if origin is None:
        return False
    if origin is list:
        _check_empty_containers(obj)
        if not _builtin_isinstance(obj, list):
            return False
        arg = get_args(target_type)[0]
        return all(_element_ok(el, arg) for el in obj)
    if origin is dict:
        _check_empty_containers(obj)
        if not _builtin_isinstance(obj, dict):
            return False
        kt, vt = get_args(target_type)
        return all(_builtin_isinstance(k, kt) and _element_ok(v, vt) for k, v in obj.items())
    if origin is tuple:
        _check_empty_containers(obj)
        if not _builtin_isinstance(obj, tuple):
            return False
        args = get_args(target_type)
        return len(obj) == len(args) and all(_element_ok(e, t) for e, t in zip(obj, args))
    if origin is Union or issubclass(origin, types.UnionType):  # also Optional
        if obj is None:
            return True
        for t in get_args(target_type):
            if get_origin(t):
                return _container_checker(obj, t)
            if _builtin_isinstance(obj, t):
                return True
    return False


def isinstance(obj: Any, target_type: Any) -> bool:  # noqa: A001 - torch.jit.isinstance
    """``isinstance`` that also refines containers: ``List[int]``, ``Dict[str, Tensor]``,
    ``Tuple[int, str]``, ``Optional[...]`` check their elements (an empty container fits any
    element type, with torch's warning); a tuple of types means any of them."""
    if _builtin_isinstance(target_type, collections.abc.Container):
        if not _builtin_isinstance(target_type, tuple):
            raise RuntimeError("The second argument to `torch.jit.isinstance` must be a type "
                               "or a tuple of types")
        return any(isinstance(obj, t) for t in target_type)
    if get_origin(target_type):
        return _container_checker(obj, target_type)
    _check_args_exist(target_type)
    return _builtin_isinstance(obj, target_type)


def script_if_tracing(fn: Any) -> Any:
    """Compile ``fn`` only when called under tracing: ember never traces, so the wrapper
    calls ``fn`` (``__original_fn`` holds it, as torch's)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)
    setattr(wrapper, "__original_fn", fn)
    setattr(wrapper, "__script_if_tracing_wrapper", True)
    return wrapper


_fusion_strategy: list[tuple[str, int]] = [("STATIC", 2), ("DYNAMIC", 10)]


def set_fusion_strategy(strategy: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Set the TorchScript fuser's specialization strategy (``[("STATIC", n), ("DYNAMIC",
    m)]``); returns the previous one. Kept as state: ember runs no fuser."""
    global _fusion_strategy
    _deprecated("set_fusion_strategy")
    for kind, _ in strategy:
        if kind not in ("STATIC", "DYNAMIC"):
            raise ValueError(f"FusionBehavior only supported 'STATIC' or 'DYNAMIC', got: {kind}")
    prev, _fusion_strategy = _fusion_strategy, [tuple(s) for s in strategy]  # type: ignore[misc]
    return prev


_onednn_fusion = [False]


def enable_onednn_fusion(enabled: bool) -> None:
    """Switch TorchScript's oneDNN graph fuser (kept as state: ember runs no fuser)."""
    _onednn_fusion[0] = bool(enabled)


def onednn_fusion_enabled() -> bool:
    """Whether TorchScript's oneDNN graph fuser is switched on."""
    return _onednn_fusion[0]


class strict_fusion:
    """Context manager that, in TorchScript, errors if its nodes are not all fused; outside
    script mode (always, in ember) it warns "Only works in script mode" and checks nothing."""

    def __init__(self) -> None:
        warnings.warn("Only works in script mode", stacklevel=2)

    def __enter__(self) -> None:
        pass

    def __exit__(self, type: Any, value: Any, tb: Any) -> None:  # noqa: A002
        pass


def optimize_for_inference(mod: Any, other_methods: list[str] | None = None) -> Any:
    """Freeze and optimise a ScriptModule: ember has none (``script`` returns the module), so
    it raises torch's RuntimeError for a module that was not compiled."""
    from . import ScriptModule
    _deprecated("optimize_for_inference")
    if not _builtin_isinstance(mod, ScriptModule):
        raise RuntimeError("optimize_for_inference expects a ScriptModule as input. Please use "
                           "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    raise RuntimeError("optimize_for_inference needs TorchScript, which ember does not have")


def export_opnames(m: Any) -> list[str]:
    """The operator names a compiled module uses; reads ``m._c``, the compiled module, which
    only TorchScript makes (so AttributeError, as torch's for a module not compiled)."""
    c = m._c
    raise RuntimeError(f"ember has no TorchScript module to list the operators of: {c!r}")
