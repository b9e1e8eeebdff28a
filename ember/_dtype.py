"""dtypes, the default dtype and PyTorch's type-promotion rules.

A ``dtype`` wraps a NumPy dtype.  Its repr is PyTorch's (``torch.float32``) so that programs
written for PyTorch print the same text under ember.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "dtype", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
    "uint8", "bool", "half", "float", "double", "short", "int", "long", "get_default_dtype",
    "set_default_dtype", "promote_types", "result_type", "can_cast",
]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


_SPELLINGS = {
    "float16": ("Half", "c10::Half", "c10::Half"), "float32": ("Float", "float", "float"),
    "float64": ("Double", "double", "double"), "bfloat16": ("BFloat16", "c10::BFloat16",
                                                          "c10::BFloat16"),
    "int8": ("Char", "signed char", "int8_t"), "int16": ("Short", "short int", "int16_t"),
    "int32": ("Int", "int", "int"), "int64": ("Long", "long int", "int64_t"),
    "uint8": ("Byte", "unsigned char", "uint8_t"), "bool": ("Bool", "bool", "bool"),
    "complex64": ("ComplexFloat", "c10::complex<float>", "c10::complex<float>"),
    "complex128": ("ComplexDouble", "c10::complex<double>", "c10::complex<double>"),
}


def spelling(np_dtype, kind: str = "scalar_name") -> str:
    """How torch's messages name the dtype of NumPy dtype ``np_dtype``: ``kind`` is
    ``scalar_name`` (Float), ``cpp_name`` (long int) or ``c_type`` (int64_t); the NumPy name
    for a dtype torch does not have."""
    d = _FROM_NP.get(np_dtype)
    if d is None:
        try:
            np_dtype = np.dtype(np_dtype)
        except TypeError:
            return str(np_dtype)
        d = _FROM_NP.get(np_dtype)
    return getattr(d, kind) if d is not None else np_dtype.name


class dtype:
    """A tensor element type (``ember.float32`` ...)."""

    __slots__ = ("name", "np", "category", "itemsize", "is_floating_point", "is_signed",
                 "is_complex", "scalar_name", "cpp_name", "c_type")
    category: int  # (declared for type checkers: _FLOAT, _COMPLEX, ... order the categories)

    def __init__(self, name: str, np_dtype, category: int):
        self.name = name
        # the spellings torch's messages use: ScalarType ("Float"), typeid ("long int"), C++
        # ("int64_t"); "torch.FloatTensor" is "torch." + scalar_name + "Tensor"
        self.scalar_name, self.cpp_name, self.c_type = _SPELLINGS[name]
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = name != "uint8" and name != "bool"

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self) -> "dtype":
        return self


float16 = half = dtype("float16", np.float16, _FLOAT)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = double = dtype("float64", np.float64, _FLOAT)
int8 = dtype("int8", np.int8, _INT)
int16 = short = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = long = dtype("int64", np.int64, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
bool = dtype("bool", np.bool_, _BOOL)  # noqa: A001  (torch.bool)
complex64 = cfloat = dtype("complex64", np.complex64, _COMPLEX)
complex128 = cdouble = dtype("complex128", np.complex128, _COMPLEX)
float = float32  # noqa: A001  (torch.float)
int = int32  # noqa: A001  (torch.int)

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, bool, complex64, complex128]
_FROM_NP = {d.np: d for d in _ALL}
_NAMES = {d.name: d for d in _ALL}
_NAMES.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64,
              cfloat=complex64, cdouble=complex128)
_BF16: list = []  # [dtype or None] once looked up


def _load_bfloat16():
    """``torch.bfloat16``: NumPy has none, so it exists where ml_dtypes is installed (None
    otherwise). Imported on first use, not by ``import ember`` (ml_dtypes takes ~0.1-2 s)."""
    if not _BF16:
        try:
            import ml_dtypes as _mld  # type: ignore
        except Exception:  # pragma: no cover - optional
            _BF16.append(None)
        else:
            d = dtype("bfloat16", _mld.bfloat16, _FLOAT)
            _ALL.append(d)
            _FROM_NP[d.np] = d
            _NAMES["bfloat16"] = d
            _BF16.append(d)
        globals()["bfloat16"] = _BF16[0]
    return _BF16[0]


def __getattr__(name: str):
    if name == "bfloat16":
        return _load_bfloat16()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _by_name(name: str) -> dtype:
    return _NAMES[name]


def from_numpy_dtype(npd) -> dtype:
    """The ember dtype of a NumPy dtype; raises TypeError for unsupported ones."""
    try:
        return _FROM_NP[npd]
    except KeyError:
        pass
    if getattr(npd, "name", None) == "bfloat16" or getattr(npd, "__name__", None) == "bfloat16":
        _load_bfloat16()
    try:
        return _FROM_NP[np.dtype(npd)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(npd)}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool.") from None


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype/type, a Python type or a name."""
    if d.__class__ is dtype:
        return d
    if d is None:
        return _default[0]
    if d is builtins_float:
        return float64
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool
    if isinstance(d, str):
        name = d[6:] if d.startswith("torch.") else d
        if name == "bfloat16":
            _load_bfloat16()
        if name in _NAMES:
            return _NAMES[name]
    return from_numpy_dtype(d)


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool

_default = [float32]


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d) -> None:
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the higher category wins; within a category NumPy's rule."""
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.is_complex and lo.is_floating_point and lo.itemsize > hi.itemsize // 2:
            return complex128  # complex64 with float64: torch keeps the float's precision
        return hi
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _scalar_category(x) -> int:
    t = type(x)
    if t is builtins_bool:
        return _BOOL
    if t is builtins_int:
        return _INT
    if t is builtins_float:
        return _FLOAT
    if t is complex:
        return _COMPLEX
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype).category
    raise TypeError(f"unsupported scalar type {t.__name__}")


def _scalar_dtype(cat: int) -> dtype:
    return (bool, int64, _default[0], complex64)[cat]


def result_type(*operands) -> dtype:
    """torch.result_type over Tensors and Python scalars.

    Three tiers, in priority: tensors with dimensions, zero-dim tensors, Python scalars.  A lower
    tier only matters when its category (bool < int < float < complex) is higher than that of
    every tier above it; Python scalars contribute the default dtype of their category.
    """
    dim_t = zero_t = None
    scal_cat = -1
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is not None and hasattr(x, "_array"):
            if x._array.ndim:
                dim_t = d if dim_t is None else promote_types(dim_t, d)
            else:
                zero_t = d if zero_t is None else promote_types(zero_t, d)
        else:
            c = _scalar_category(x)
            if c > scal_cat:
                scal_cat = c
    res = dim_t
    if zero_t is not None:
        if res is None or zero_t.category > res.category:
            # a complex zero-dim tensor over float64 ones: complex128 (torch keeps the width)
            res = complex128 if zero_t is complex64 and res is float64 else zero_t
    if scal_cat >= 0 and (res is None or scal_cat > res.category):
        wide = res is float64
        res = _scalar_dtype(scal_cat)
        if scal_cat == _COMPLEX and (_default[0] is float64 or wide):
            res = complex128
    return res


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: no casting to a lower category."""
    return from_.category <= to.category
