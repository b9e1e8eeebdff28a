"""Shared op machinery: dims, scalars, promotion and torch-style error texts."""
from __future__ import annotations

from typing import Any, Callable, TYPE_CHECKING

from .. import _dtype as D
from .._backend import FP_QUIET, fp_reset, fp_set, ndarray, xp
from .._tensor import Tensor, _make
from ..autograd import function as _function
from ..autograd.function import _apply, _apply2

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from ..autograd.function import Op

    from ._types import Dims, NPDType, Number

_SCALARS = (int, float, bool)

def quiet(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` without NumPy's floating-point warnings (torch gives inf/NaN silently),
    for NumPy work outside an op's ``forward`` (which the entry points already quiet)."""
    token = fp_set(FP_QUIET)
    try:
        return fn(*args)
    finally:
        fp_reset(token)


def wrap_dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dim (0-d tensors accept -1 and 0)."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def wrap_dims(dim: Dims, ndim: int) -> tuple[int, ...]:
    """None/()/[] -> all axes; int or sequence -> sorted tuple of axes.

    A 0-d tensor accepts dims 0 and -1 (as torch) but has no axis to reduce: ``()``."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = tuple(sorted(wrap_dim(d, ndim) for d in dim))
        for i in range(1, len(axes)):
            if axes[i] == axes[i - 1]:
                raise RuntimeError(f"dim {axes[i]} appears multiple times in the list of dims")
        return axes if ndim else ()
    d = wrap_dim(dim, ndim)  # type: ignore[arg-type]  # (several dims come as a list or tuple)
    return (d,) if ndim else ()


def as_tensor_arg(x: Any, like: Tensor | None = None) -> Tensor | Number:
    """Python scalars stay scalars; NumPy scalars become Python scalars; arrays/lists -> Tensor."""
    if isinstance(x, Tensor) or x.__class__ in _SCALARS:
        return x
    if isinstance(x, xp.generic):
        return x.item()
    if isinstance(x, ndarray):
        return _make(x, False, None, 0, None)
    if isinstance(x, complex):
        return x
    from .._creation import tensor
    return tensor(x)


def cpp_dtype_name(np_dtype: NPDType) -> str:
    """The C++ scalar type name torch prints in some messages (float, double, long int)."""
    return D.spelling(np_dtype, "cpp_name")


def scalar_type_name(np_dtype: NPDType) -> str:
    """torch's ScalarType name (Float, Double, Long, ...) that most dtype messages print."""
    return D.spelling(np_dtype)


def not_implemented(kernel: str, np_dtype: NPDType) -> NotImplementedError:
    """torch's error for a kernel without an implementation for a dtype."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(np_dtype)}\'')


def invalid_args(fn: str, *args: Any) -> TypeError:
    """torch's TypeError for arguments no overload of ``fn`` takes (its first line: the
    argument types; torch then lists its overloads)."""
    got = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in args)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                     "expected one of:")


def must_be_tensor(fn: str, x: object, pos: int = 2, arg: str = 'other') -> TypeError:
    """torch's TypeError for a non-Tensor where a Tensor is required (maximum(t, 2))."""
    return TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                     f"{type(x).__name__}")


_INT_BOUNDS = {xp.dtype(n): (int(xp.iinfo(n).min), int(xp.iinfo(n).max))
               for n in ("uint8", "int8", "int16", "int32", "int64")}


def fit_int(s: int, np_dtype: NPDType) -> int:
    """A Python int as torch casts it to an integer dtype: wrapped around (``u8 + -3`` adds 253;
    NumPy would raise OverflowError)."""
    lo, hi = _INT_BOUNDS[np_dtype]
    if lo <= s <= hi:
        return s
    return xp.asarray(s).astype(np_dtype).item()


def checked_int(s: int, np_dtype: NPDType) -> int:
    """A Python int converted with torch's overflow check (clamp/where scalars): negative values
    wrap into unsigned types (-3 -> 253 in uint8), anything else out of range raises."""
    lo, hi = _INT_BOUNDS[np_dtype]
    if lo <= s <= hi:
        return s
    if lo == 0 and -hi <= s < 0:
        return s + hi + 1
    c = D.spelling(np_dtype, "c_type")
    raise RuntimeError(f"value cannot be converted to type {c} without overflow")


def checked_number(s: Number, np_dtype: NPDType) -> Number:
    """A Python number argument (clamp bound, exponent) converted to the op's dtype with torch's
    overflow check: integers must fit an integer dtype, finite values a floating one."""
    k = np_dtype.kind
    if k in "iu":
        return checked_int(s, np_dtype) if s.__class__ is int else s
    if k == "f" and (s.__class__ is float or s.__class__ is int and -2**63 <= s < 2**63):
        if abs(s) > float(xp.finfo(np_dtype).max) and abs(s) != float("inf"):
            raise RuntimeError(f"value cannot be converted to type "
                               f"{D.spelling(np_dtype, 'c_type')} without overflow")
    return s


def shape_str(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def broadcast_error(a_shape: Sequence[int], b_shape: Sequence[int]) -> RuntimeError:
    """torch's text for shapes that do not broadcast."""
    na, nb = len(a_shape), len(b_shape)
    n = max(na, nb)
    for i in range(1, n + 1):
        sa = a_shape[-i] if i <= na else 1
        sb = b_shape[-i] if i <= nb else 1
        if sa != sb and sa != 1 and sb != 1:
            return RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b "
                                f"({sb}) at non-singleton dimension {n - i}")
    return RuntimeError(f"shapes {shape_str(a_shape)} and {shape_str(b_shape)} cannot be "
                        "broadcast")


_EMPTY: dict[str, object] = {}


def binary(cls: type[Op], a: Tensor | Number, b: Tensor | Number,
           kwargs: dict[str, Any] | None = None, float_only: bool = False) -> Tensor:
    """Apply a binary op with PyTorch's type promotion and broadcast errors.

    The fast path (two tensors of one float dtype, or a float tensor and a Python number) goes
    straight to the op; everything else (mixed dtypes, integer/bool tensors with a number,
    non-Tensor first operands) takes ``_binary_slow``, which promotes, wraps integer scalars
    into the computation dtype and runs the op's ``check(a, b, dtype)`` hook (torch's errors
    for unsupported dtype combinations) where the op has one."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._array.dtype != b._array.dtype or (float_only and
                                                     a._array.dtype.kind not in "fc"):
                return _binary_slow(cls, a, b, kwargs, float_only)
        elif b.__class__ is float:
            if a._array.dtype.kind not in "fc":
                return _binary_slow(cls, a, b, kwargs, float_only)
        elif b.__class__ is int:
            if a._array.dtype.kind not in "fc":  # an integer tensor keeps its dtype with an int
                bounds = _INT_BOUNDS.get(a._array.dtype)  # that fits it (bool: promoted)
                if float_only or bounds is None or not bounds[0] <= b <= bounds[1]:
                    return _binary_slow(cls, a, b, kwargs, float_only)
        else:
            return _binary_slow(cls, a, b, kwargs, float_only)
    else:
        return _binary_slow(cls, a, b, kwargs, float_only)
    try:
        if not kwargs:
            return _apply2(cls, a, b)
        return _apply(cls, (a, b), kwargs, None)
    except ValueError as e:
        raise _maybe_broadcast_error(e, a, b) from None


def _maybe_broadcast_error(e, a, b):
    if "broadcast" in str(e):
        sa = a._array.shape if isinstance(a, Tensor) else ()
        sb = b._array.shape if isinstance(b, Tensor) else ()
        return broadcast_error(sa, sb)
    return e


def _binary_slow(cls, a, b, kwargs, float_only):
    if not isinstance(a, Tensor):
        a = as_tensor_arg(a)
    if not isinstance(b, Tensor):
        b = as_tensor_arg(b)
    dt = D.result_type(a, b)
    check = getattr(cls, "check", None)
    if check is not None:
        check(a, b, dt)
    if float_only and not dt.is_floating_point and not dt.is_complex:
        dt = D.get_default_dtype()
    npd = dt.np
    if dt.category == 1:  # integer result: Python ints wrap into it as in torch
        if a.__class__ is int:
            a = fit_int(a, npd)
        if b.__class__ is int:
            b = fit_int(b, npd)
    try:
        return _apply(cls, (a, b), kwargs or _EMPTY, npd)
    except ValueError as e:
        raise _maybe_broadcast_error(e, a, b) from None


def float_cast(t: Tensor) -> NPDType | None:
    """For ops that need floating input (exp of an int tensor -> float32)."""
    if t._array.dtype.kind in "fc":
        return None
    return D.get_default_dtype().np


def unary(cls: type[Op], t: Tensor, **kwargs: Any) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{cls.__name__.lower()}(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(t).__name__}")
    return _apply(cls, (t,), kwargs, float_cast(t))


def wrap(arr: Any) -> Tensor:
    """A constant (non-differentiable) tensor around an array."""
    if arr.__class__ is not ndarray:
        if _function._VMAP:  # inside vmap: a batched tensor's data stays that batched
            r = _function._VMAP_HOOK(("check", None), (arr,), {}, None)  # tensor (values
            if r is not NotImplemented:  # computed from one sample raise)
                return r
        arr = xp.asarray(arr)
    return _make(arr, False, None, 0, None)


def vmap_call(kind: str, fn: Callable[..., Any], args: tuple[Any, ...],
              kwargs: dict[str, Any] | None = None) -> Any:
    """Inside ``vmap`` (``ember.func``): a public function that computes on arrays without an
    Op (comparisons, ``isnan``, ``argmax``, torch.special's Bessel functions ...) hands its call
    to the batching rule ``kind`` ("elementwise", "argreduce"), which runs ``fn`` once over the
    batch; NotImplemented when no argument is batched.  Call it only when
    ``autograd.function._VMAP`` is set."""
    return _function._VMAP_HOOK((kind, fn), args, kwargs or {}, None)


def unwrap(x: Any) -> Any:
    return x._array if isinstance(x, Tensor) else x


def install_methods(module: Any) -> None:
    """Give Tensor a method ``t.name(*args)`` = ``module.name(t, *args)`` and its in-place form
    ``t.name_(*args)`` for each name in ``module.TENSOR_METHODS`` that Tensor does not define
    itself (an op module's export list: see the end of ``ember/_ops/pointwise.py``).  Optional
    ``module.METHOD_IMPLS`` (name -> function of self, for methods whose arguments differ from
    the function's), ``module.NO_INPLACE`` (names torch has no ``name_`` for: ``t.mode_``) and
    ``module.TENSOR_PROPERTIES`` (name -> getter, read-only properties)."""
    from .inplace import inplace  # (inplace.py imports this module)
    impls = getattr(module, "METHOD_IMPLS", {})
    no_inplace = getattr(module, "NO_INPLACE", ())
    for name in module.TENSOR_METHODS:
        fn = impls.get(name) or getattr(module, name)
        if name not in Tensor.__dict__:
            setattr(Tensor, name, _method(fn, name))
        if name + "_" in impls:
            setattr(Tensor, name + "_", _method(impls[name + "_"], name + "_"))
        elif name not in no_inplace and name + "_" not in Tensor.__dict__:
            setattr(Tensor, name + "_", _inplace_method(fn, name, inplace))
    for name, getter in getattr(module, "TENSOR_PROPERTIES", {}).items():
        if name not in Tensor.__dict__:
            setattr(Tensor, name, property(getter, doc=getter.__doc__))


def _method(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)
    method.__name__, method.__qualname__ = name, f"Tensor.{name}"
    method.__doc__ = f"See :func:`ember.{fn.__name__}`."
    return method


def _inplace_method(fn: Callable[..., Any], name: str,
                    inplace: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return inplace(self, fn, *args, **kwargs)
    method.__name__, method.__qualname__ = name + "_", f"Tensor.{name}_"
    method.__doc__ = f"In-place version of :meth:`Tensor.{name}`."
    return method


def check_grad_dtype(t: Tensor, value: Tensor) -> None:
    """``t.grad = value`` of another dtype: allowed only by ``t.grad_dtype`` (tensor_extras)."""
    from .tensor_extras import check_grad_dtype as check
    check(t, value)


def check_requires_grad(t: Tensor) -> None:
    """torch's refusals of ``t.requires_grad = True``: a non-float dtype, or an inference
    tensor outside inference mode."""
    if t._array.dtype.kind not in "fc":
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    if t._version_counter.__class__ is not list and not _function._state.inference:
        raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode "
                           "is not allowed.")

