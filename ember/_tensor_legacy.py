"""PyTorch's legacy tensor API: the typed classes (``torch.FloatTensor`` ...), the legacy
constructor forms (``torch.Tensor(2, 3)``, ``t.new(...)``), ``Tensor.type`` and
``torch.set_default_tensor_type``.

``torch.FloatTensor`` is not a subclass of ``Tensor``: calling it builds a plain ``Tensor`` of
its dtype, and ``isinstance(t, torch.FloatTensor)`` asks whether ``t`` is a CPU float32 tensor
(the metaclass ``tensortype`` answers from the dtype).  ``torch.cuda.FloatTensor`` and friends
exist and raise what a CPU build of torch raises when used.
"""
from __future__ import annotations

import warnings
from typing import Any

from . import _dtype as D
from ._backend import Device, xp
from ._ops.shape import View
from ._tensor import Size, Tensor, _make

__all__ = ["tensortype", "legacy_new", "tensor_type", "set_default_tensor_type", "CPU_TYPES",
           "CUDA_TYPES"]

_NO_CUDA_LIB = (
    "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two "
    "shared libraries: a CPU library and a CUDA library; this error has occurred because you "
    "are trying to use some CUDA functionality, but the CUDA library has not been loaded by the "
    "dynamic linker for some reason.  The CUDA library MUST be loaded, EVEN IF you don't "
    "directly use any symbols from the CUDA library! One common culprit is a lack of "
    "-Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic "
    "library dependencies if you don't depend on any of their symbols.  You can check if this "
    "has occurred by using ldd on your binary to see if there is a dependency on *_cuda.so "
    "library.")


class Alias(View):
    """torch's ``alias``: the legacy constructors' view of a tensor (``torch.Tensor(t)``)."""
    node_name = "AliasBackward0"


class tensortype(type):
    """The metaclass of the legacy typed classes (``torch.tensortype``): ``FloatTensor(...)``
    builds a ``Tensor`` of the class's dtype, ``isinstance`` compares the dtype."""

    dtype: D.dtype
    is_cuda: bool
    is_sparse = False

    def __instancecheck__(cls, obj: Any) -> bool:
        return not cls.is_cuda and isinstance(obj, Tensor) and obj._array.dtype == cls.dtype.np

    def __subclasscheck__(cls, sub: Any) -> bool:
        return type.__subclasscheck__(cls, sub)

    def __call__(cls, *args: Any, **kwargs: Any) -> Tensor:
        if cls.is_cuda:
            raise TypeError(f"type {_full_name(cls)} not available. Torch not compiled with "
                            "CUDA enabled.")
        return legacy_new(cls.dtype, args, kwargs, check_dtype=True)


def _full_name(cls: type) -> str:
    return ("torch.cuda." if getattr(cls, "is_cuda", False) else "torch.") + cls.__name__


def _make_types(cuda: bool, dtypes: tuple | None = None) -> dict[str, tensortype]:
    out = {}
    for d in dtypes or (D.float32, D.float64, D.float16, D.int64, D.int32, D.int16, D.int8,
                        D.uint8, D.bool):
        if d is None:  # bfloat16 without ml_dtypes
            continue
        name = d.scalar_name + "Tensor"
        cls = tensortype(name, (), {
            "__module__": "ember.cuda" if cuda else "ember", "dtype": d, "is_cuda": cuda,
            "__doc__": f"``torch.{'cuda.' if cuda else ''}{name}``: "
                       + ("exists, and raises as a CPU build of torch does when used."
                          if cuda else f"builds {d!r} tensors (legacy constructor forms); "
                          f"``isinstance(t, {name})`` is True for {d!r} tensors.")})
        cls.__qualname__ = name
        out[name] = cls
    return out


CPU_TYPES = _make_types(False)  # BFloat16Tensor joins on first use (bfloat16_type)
CUDA_TYPES = _make_types(True)


def bfloat16_type(cuda: bool = False) -> tensortype | None:
    """``torch.BFloat16Tensor`` (``torch.cuda.`` with ``cuda``), made when first asked for:
    bfloat16 needs ml_dtypes, which ``import ember`` does not import. None without it."""
    table = CUDA_TYPES if cuda else CPU_TYPES
    if "BFloat16Tensor" not in table:
        table.update(_make_types(cuda, (D._load_bfloat16(),)))
    return table.get("BFloat16Tensor")


def _table_has(table: dict, name: str) -> bool:
    if name == "BFloat16Tensor":
        bfloat16_type(table is CUDA_TYPES)
    return name in table


def _type_name(x: Any) -> str:
    if isinstance(x, Tensor):
        return "Tensor"
    if isinstance(x, D.dtype):
        return "torch.dtype"
    if isinstance(x, Device):
        return "torch.device"
    return type(x).__name__


def _invalid(args: tuple, kwargs: dict) -> TypeError:
    got = ", ".join([_type_name(a) for a in args] + [f"{k}={_type_name(v)}"
                                                      for k, v in kwargs.items()])
    bad = [k for k in kwargs if k not in ("device", "size")]
    why = f"\n      didn't match because some of the keywords were incorrect: {', '.join(bad)}"
    first = why if bad and args else ""
    other = why if bad and not args else ""  # keywords alone: storage / other don't match
    if not args and kwargs:
        got += ", "
    return TypeError(
        f"new() received an invalid combination of arguments - got ({got}), but expected one "
        f"of:\n * (*, torch.device device = None){first}\n * (torch.Storage storage){other}\n"
        f" * (Tensor other){other}\n * (tuple of ints size, *, torch.device device = None)\n"
        " * (object data, *, torch.device device = None)\n")


def _options(d: D.dtype) -> str:
    return (f"TensorOptions(dtype={d.cpp_name}, device=cpu, layout=Strided, requires_grad=false "
            "(default), pinned_memory=false (default), memory_format=(nullopt))")


def _is_int(x: Any) -> bool:
    return (isinstance(x, int) and not isinstance(x, bool)) or isinstance(x, xp.integer)


def _empty(d: D.dtype, shape: tuple) -> Tensor:
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(str(int(v)) for v in shape)}]")
    return _make(xp.zeros(tuple(int(s) for s in shape), d.np), False, None, 0, None)


def legacy_new(d: D.dtype, args: tuple, kwargs: dict, check_dtype: bool) -> Tensor:
    """torch's legacy constructor ``new(...)`` of dtype ``d``: no arguments (an empty tensor),
    sizes (``2, 3``, a ``Size``, or ``size=``; uninitialised, zeros here), a tensor (an alias;
    its dtype must be ``d`` when ``check_dtype``) or data (a sequence or array)."""
    if any(k not in ("device", "size") for k in kwargs) or ("size" in kwargs and args):
        raise _invalid(args, kwargs)
    dev = kwargs.get("device")
    if dev is not None and Device(dev).type != "cpu":
        raise RuntimeError("legacy constructor expects device type: cpu but device type: "
                           f"{Device(dev).type} was passed")
    if "size" in kwargs:
        return _empty(d, tuple(kwargs["size"]))
    if not args:
        return _empty(d, (0,))
    a = args[0]
    if len(args) == 1 and isinstance(a, Tensor):
        if check_dtype and a._array.dtype != d.np:
            raise TypeError(f"expected {_options(d)} (got {_options(a.dtype)})")
        from .autograd.function import _apply_view
        return _apply_view(Alias, a, a._array.shape)
    if len(args) == 1 and type(a).__name__ in ("TypedStorage", "UntypedStorage"):
        return _over_storage(d, a)  # issue 13 (h13-storage): a tensor sharing the storage
    if isinstance(a, Size) or _is_int(a):
        shape = tuple(a) if isinstance(a, Size) else args
        for i, s in enumerate(shape):
            if not _is_int(s):
                raise TypeError(f"new(): argument 'size' failed to unpack the object at pos "
                                f"{i + 1} with error \"type must be tuple of ints,but got "
                                f"{type(s).__name__}\"")
        if isinstance(a, Size) and len(args) > 1:
            raise _invalid(args, kwargs)
        return _empty(d, shape)
    if len(args) > 1:
        raise _invalid(args, kwargs)
    if isinstance(a, (bool, int, float, complex)):
        raise TypeError(f"new(): data must be a sequence (got {type(a).__name__})")
    if isinstance(a, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(a).__name__}'")
    from ._creation import tensor
    return tensor(list(a) if isinstance(a, range) else a, dtype=d)


def _over_storage(d: D.dtype, st: Any) -> Tensor:
    """``torch.FloatTensor(storage)``: a 1-D tensor over the whole storage (its memory)."""
    from ._ops.inplace import set_
    from .storage import TypedStorage
    if isinstance(st, TypedStorage) and st.dtype != d:
        raise RuntimeError(f"Expected a Storage of type {d.scalar_name} or an UntypedStorage, "
                           f"but got type {st.dtype.scalar_name} for argument 1 'storage'")
    return set_(_empty(d, (0,)), st)


def tensor_type(t: Tensor, dtype: Any = None, non_blocking: bool = False,
                **kwargs: Any) -> str | Tensor:
    """``Tensor.type``: with no argument the type's name (``'torch.FloatTensor'``), else ``t``
    cast to a dtype, a typed class or a type's name (itself when already of that type)."""
    if dtype is None:
        return "torch." + D.spelling(t._array.dtype) + "Tensor"
    if isinstance(dtype, str):
        name = dtype[6:] if dtype.startswith("torch.") else ""
        cls = CPU_TYPES[name] if _table_has(CPU_TYPES, name) else None
        if cls is None:
            if dtype.startswith("torch.cuda.") and _table_has(CUDA_TYPES, dtype[11:]):
                raise RuntimeError(_NO_CUDA_LIB)
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = cls.dtype
    elif isinstance(dtype, tensortype):
        if dtype.is_cuda:
            raise RuntimeError(_NO_CUDA_LIB)
        dtype = dtype.dtype
    elif not isinstance(dtype, D.dtype) and dtype is not Tensor:
        raise TypeError("dtype must be a type, str, or dtype object")
    if dtype is Tensor or dtype.np == t._array.dtype:
        return t
    from ._ops import pointwise
    return pointwise.to_copy(t, dtype)


_warned = [False]  # torch's deprecation warning is TORCH_WARN_ONCE: once per process


def set_default_tensor_type(t: Any) -> None:
    """Sets the default floating point dtype from a typed class or its name
    (``'torch.DoubleTensor'``); deprecated in torch 2.1 for ``set_default_dtype``."""
    if isinstance(t, str):
        mod, _, name = t.rpartition(".")
        table = CPU_TYPES if mod == "torch" else CUDA_TYPES if mod == "torch.cuda" else None
        if table is None:
            raise ModuleNotFoundError(f"No module named '{mod or t}'")
        if not _table_has(table, name):
            raise AttributeError(f"module '{mod}' has no attribute '{name}'")
        t = table[name]
    if not isinstance(t, tensortype):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    if t.is_cuda:
        raise TypeError(f"type {_full_name(t)} not available. Torch not compiled with CUDA "
                        "enabled.")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    from ._infra import WARN_ALWAYS  # torch.set_warn_always(True): every time
    if not _warned[0] or WARN_ALWAYS[0]:
        _warned[0] = True
        warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please "
                      "use torch.set_default_dtype() and torch.set_default_device() as "
                      "alternatives.", UserWarning, stacklevel=2)
    D.set_default_dtype(t.dtype)


SCALAR_GRAD_WARNING = ("Converting a tensor with requires_grad=True to a scalar may lead to "
                       "unexpected behavior.\nConsider using tensor.detach() first.")
_scalar_warned = [False]


def warn_scalar_once() -> bool:
    """True the first time in the process (torch warns once: TORCH_WARN_ONCE)."""
    if _scalar_warned[0]:
        return False
    _scalar_warned[0] = True
    return True
