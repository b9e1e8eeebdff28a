"""Special functions and the rarer elementwise ops (issue 13): the gamma family (lgamma,
digamma, polygamma, mvlgamma), Bessel functions, sinc, xlogy, copysign, heaviside, nextafter,
ldexp, frexp, logaddexp, gcd/lcm, bit shifts, and the ops behind ``ember.special``.

Ops follow ARCHITECTURE.md section 7 (an Op class per derivative as torch declares it, then the
public function); their numerics live in ``_specfun.py`` (float64 kernels ported from torch's
``ATen/native/Math.h``): a float32 input is computed in float64 and rounded.  ``__all__`` names
the ``ember.*`` functions, ``TENSOR_METHODS`` the Tensor methods (with an in-place form unless
listed in ``NO_INPLACE``), ``METHOD_IMPLS`` the methods whose argument order differs from the
function's (``t.polygamma(n)``).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd import function as _function
from ..autograd.function import Op, _apply
from ._utils import (binary, vmap_call, invalid_args, must_be_tensor, not_implemented,
                     quiet, scalar_type_name)
from .pointwise import (Exp2, _no_derivative, _no_derivative_ops, _unary,
                        _unary_op)

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, Number, OutGrads, Value

_SQRT_2PI = math.sqrt(2 * math.pi)
_LN2 = math.log(2.0)


class _Kernels:
    """``_specfun``'s kernels, imported on first use (keeps ``import ember`` light)."""

    def __getattr__(self, name: str) -> Any:
        from . import _specfun
        return getattr(_specfun, name)


F = _Kernels()


def _in_dtype(kernel):
    """A float64 kernel (``F.<name>``, or its name) run on ``a`` and rounded back to a's
    (floating) dtype."""
    def fwd(a):
        out = (getattr(F, kernel) if kernel.__class__ is str else kernel)(a)
        if out.dtype == a.dtype:
            return out
        with xp.errstate(over="ignore"):  # beyond float32's range: inf, silently as torch
            return out.astype(a.dtype)
    return fwd


# ------------------------------------------------------------------------------ gamma family

class Polygamma(Op):
    """The n-th derivative of the digamma function; d/dx = polygamma(n + 1, x)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, n: int) -> Array:
        ctx.save_for_backward(a)
        ctx.n = n
        return _in_dtype(lambda v: F.polygamma(n, v))(a)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        return g * ns.apply(Polygamma, a, ctx.n + 1), None


Digamma: type[Op] = _unary_op(
    "Digamma", _in_dtype("digamma"), lambda g, x, ns: g * ns.apply(Polygamma, x, 1),
    doc="the digamma function (the logarithmic derivative of gamma) of ``input``.",
    grad="d/dx digamma(x) = polygamma(1, x)")
Lgamma = _unary_op(
    "Lgamma", _in_dtype("lgamma"), lambda g, x, ns: g * ns.apply(Digamma, x),
    doc="the natural logarithm of the absolute value of the gamma function of ``input``.",
    grad="d/dx lgamma(x) = digamma(x)")


def _mvlgamma_fwd(a: Array, p: int) -> Array:
    offs = xp.arange(-p / 2 + 0.5, 0.5, 0.5)  # torch's (1 - p) / 2, ..., -1/2, 0
    return F.lgamma(a[..., None] + offs).sum(-1) + p * (p - 1) * math.log(math.pi) / 4


class Mvlgamma(Op):
    """log of the multivariate gamma function of dimension p; d/dx = sum_i digamma(x - i/2)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, p: int) -> Array:
        ctx.save_for_backward(a)
        ctx.p = p
        return _in_dtype(lambda v: _mvlgamma_fwd(v, p))(a)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        p = ctx.p
        s = None
        for k in range(p):  # torch's order: offsets (1 - p) / 2 ... 0
            d = ns.apply(Digamma, a + (-p / 2 + 0.5 + 0.5 * k))
            s = d if s is None else s + d
        return g * s, None


lgamma, digamma = _unary(Lgamma), _unary(Digamma)


def polygamma(n: int, input: Tensor) -> Tensor:
    """Returns the n-th derivative of the digamma function of ``input`` (n >= 0; n = 0 is
    digamma).  Derivative: d/dx polygamma(n, x) = polygamma(n + 1, x)."""
    if n.__class__ is not int:
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if not isinstance(input, Tensor):
        raise must_be_tensor("polygamma", input, 2, "input")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _apply(Polygamma, (input, n), {}, _float_cast(input))


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """Returns the log of the multivariate gamma function of dimension ``p`` of each element:
    sum_{i<p} lgamma(x - i/2) + p (p - 1) / 4 log(pi).  Derivative: the sum of the digammas."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return _apply(Mvlgamma, (input, p), {}, _float_cast(input))


def _float_cast(t):
    """The compute dtype of a float-only unary op: the default float for integer/bool input."""
    return None if t._array.dtype.kind == "f" else D.get_default_dtype().np


# ------------------------------------------------------------------------------ Bessel I

I0 = _unary_op("I0", _in_dtype("i0"), lambda g, x, ns: g * ns.apply(SpecialI1, x),
               doc="the modified Bessel function of the first kind of order 0 of ``input``.",
               grad="d/dx i0(x) = i1(x)")


class _KernelOp(Op):
    """An op whose forward is the float64 kernel ``kernel`` (rounded back), saving input and
    output for its backward."""
    kernel = ""

    @classmethod
    def forward(cls, ctx: Ctx, a: Array) -> Array:  # type: ignore[override]
        out = _in_dtype(cls.kernel)(a)
        ctx.save_for_backward(a, out)
        return out


class SpecialI0e(_KernelOp):
    """exp(-|x|) i0(x); d/dx = i1e(x) - sgn(x) i0e(x)."""
    node_name = "SpecialI0EBackward0"

    kernel = "i0e"

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, y = ctx.saved_tensors
        return g * (ns.apply(SpecialI1e, a) - ns.sign(a) * y)


class SpecialI1(_KernelOp):
    """The modified Bessel function I1; d/dx = i0(x) - i1(x) / x (1/2 at 0)."""

    kernel = "i1"

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, y = ctx.saved_tensors
        return ns.where(a == 0, 0.5, ns.apply(I0, a) - y / a) * g


class SpecialI1e(_KernelOp):
    """exp(-|x|) i1(x); d/dx = i0e(x) - i1e(x) (sgn(x) + 1/x) (1/2 at 0)."""
    node_name = "SpecialI1EBackward0"

    kernel = "i1e"

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, y = ctx.saved_tensors
        return ns.where(a == 0, 0.5, ns.apply(SpecialI0e, a) - y * (ns.sign(a) + 1 / a)) * g


i0 = _unary(I0)
i0e, i1, i1e = _unary(SpecialI0e), _unary(SpecialI1), _unary(SpecialI1e)
i0e.__name__, i1e.__name__ = "i0e", "i1e"

# ------------------------------------------------------------------------------ normal law


class SpecialNdtri(Op):
    """The inverse of the standard normal CDF; d/dx = sqrt(2 pi) exp(ndtri(x)**2 / 2)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        out = _in_dtype("ndtri")(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (y,) = ctx.saved_tensors
        return g * _SQRT_2PI * ns.exp(y * y / 2)


class SpecialLogNdtr(_KernelOp):
    """log of the standard normal CDF; d/dx = exp(-(log_ndtr(x) + x**2 / 2)) / sqrt(2 pi)."""

    kernel = "log_ndtr"

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, y = ctx.saved_tensors
        return g / _SQRT_2PI * ns.exp(-(y + a * a / 2))


class SpecialErfcx(_KernelOp):
    """exp(x**2) erfc(x); d/dx = 2 x erfcx(x) - 2 / sqrt(pi)."""

    kernel = "erfcx"

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, y = ctx.saved_tensors
        return (2.0 * a * y - 2.0 / math.sqrt(math.pi)) * g


def _entr(a):
    with xp.errstate(all="ignore"):
        out = -a * xp.log(a)
    out = xp.where(a == 0, 0.0, out)
    return xp.where(a < 0, -xp.inf, out).astype(a.dtype, copy=False)


SpecialEntr = _unary_op("SpecialEntr", _entr, lambda g, x, ns: g * -(1 + ns.log(x)),
                        doc="the entropy term -x log(x) of each element (0 at 0, -inf below).",
                        grad="d/dx (-x ln x) = -(1 + ln x)", fp_quiet=True)
ndtri, log_ndtr, erfcx = _unary(SpecialNdtri), _unary(SpecialLogNdtr), _unary(SpecialErfcx)
entr = _unary(SpecialEntr)
ndtri.__name__, log_ndtr.__name__, erfcx.__name__, entr.__name__ = (
    "ndtri", "log_ndtr", "erfcx", "entr")


def ndtr(input: Tensor) -> Tensor:
    """Returns the standard normal CDF of each element: (1 + erf(x / sqrt(2))) / 2 (composed
    as torch composes it, so its graph is torch's)."""
    from .loss import _AddScalar, _MulScalar
    from .pointwise import erf
    if not isinstance(input, Tensor):
        raise must_be_tensor("special_ndtr", input, 1, "input")
    if input._array.dtype.kind != "f":
        input = input.to(D.get_default_dtype())
    e = erf(_apply(_MulScalar, (input,), {"s": 0.7071067811865476}, None))
    return _apply(_MulScalar, (_apply(_AddScalar, (e,), {"s": 1}, None),), {"s": 0.5}, None)


# ------------------------------------------------------------------------------ elementwise


def _sinc(a):
    p = a * math.pi
    with xp.errstate(all="ignore"):
        out = xp.sin(p) / p
    return xp.where(a == 0, 1.0, out).astype(a.dtype, copy=False)


def _sinc_bwd(g, x, ns):
    xp_ = x * math.pi
    sq = x * x * math.pi
    out = g * (xp_ * ns.cos(xp_) - ns.sin(xp_)) / sq
    return ns.where(sq == 0, 0.0, out)


Sinc = _unary_op("Sinc", _sinc, _sinc_bwd,
                 doc="the normalized sinc function sin(pi x) / (pi x) (1 at 0) of ``input``.",
                 grad="d/dx sinc(x) = (pi x cos(pi x) - sin(pi x)) / (pi x**2) (0 at 0)",
                 fp_quiet=True)
_R2D, _D2R = 180.0 / math.pi, math.pi / 180.0
Rad2Deg = _unary_op("Rad2Deg", lambda a: a * _R2D, lambda g, x, ns: g * _R2D, None,
                    doc="each element of ``input`` converted from radians to degrees.",
                    grad="d/dx (180 x / pi) = 180 / pi")
Deg2Rad = _unary_op("Deg2Rad", lambda a: a * _D2R, lambda g, x, ns: g * _D2R, None,
                    doc="each element of ``input`` converted from degrees to radians.",
                    grad="d/dx (pi x / 180) = pi / 180")
sinc, rad2deg, deg2rad = _unary(Sinc), _unary(Rad2Deg), _unary(Deg2Rad)


def positive(input: Tensor) -> Tensor:
    """Returns ``input`` itself (unary plus); a bool tensor raises torch's error."""
    if not isinstance(input, Tensor):
        raise must_be_tensor("positive", input, 1, "input")
    if input._array.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _xlogy_fwd(x, y, log):
    if y.__class__ is not xp.ndarray:  # a Python number: log of it in x's dtype
        y = xp.asarray(y, x.dtype)
    out = quiet(lambda: x * log(y))
    out = xp.where(x == 0, xp.zeros((), out.dtype), out)
    return xp.where(xp.isnan(y), xp.asarray(xp.nan, out.dtype), out)


class Xlogy(Op):
    """x log(y) (0 where x == 0, NaN where y is): d/dx = log(y) (0 where x == 0 and y <= 0),
    d/dy = x / y."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return _xlogy_fwd(a, b, xp.log)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            ga = ns.where((a == 0) & (b <= 0), 0.0, ns.apply(Xlogy, g, b))
        if len(need) > 1 and need[1]:
            gb = g * a / b
        return ga, gb


class XlogyScalarSelf(Xlogy):
    node_name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    node_name = "XlogyBackward2"


class SpecialXlog1py(Op):
    """x log1p(y): d/dx = log1p(y) (0 where x == 0 and y <= -1), d/dy = x / (y + 1)."""
    node_name = "SpecialXlog1PyBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return _xlogy_fwd(a, b, xp.log1p)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            ga = ns.where((a == 0) & (b <= -1), 0.0, ns.apply(SpecialXlog1py, g, b))
        if len(need) > 1 and need[1]:
            gb = g * a / (b + 1)
        return ga, gb


class SpecialXlog1pyScalarSelf(SpecialXlog1py):
    node_name = "SpecialXlog1PyBackward1"


class SpecialXlog1pyScalarOther(SpecialXlog1py):
    node_name = "SpecialXlog1PyBackward2"


def _scalar_variants(name, both, self_scalar, other_scalar, input, other, fn=None):
    """Pick the Op of torch's Tensor-Tensor / Scalar-Tensor / Tensor-Scalar overloads (each its
    own node name) and run it with floating promotion."""
    if isinstance(input, Tensor):
        cls = both if isinstance(other, Tensor) else other_scalar
    elif isinstance(other, Tensor):
        cls = self_scalar
    else:
        raise invalid_args(fn or name, input, other)
    return binary(cls, input, other, float_only=True)


def _no_complex(kernel, *xs):
    """torch's NotImplementedError for a kernel without complex support (NumPy computes)."""
    if any(isinstance(x, complex) or isinstance(x, Tensor) and x._array.dtype.kind == "c"
           for x in xs):
        raise not_implemented(kernel, D.result_type(*xs).np)


def xlogy(input: Tensor | Number, other: Tensor | Number) -> Tensor:
    """Returns input * log(other), 0 where input is 0 (unless other is NaN).  Derivative:
    d/dinput = log(other), d/dother = input / other."""
    _no_complex("xlogy_cpu", input, other)
    return _scalar_variants("xlogy", Xlogy, XlogyScalarSelf, XlogyScalarOther, input, other)


def xlog1py(input: Tensor | Number, other: Tensor | Number) -> Tensor:
    """Returns input * log1p(other), 0 where input is 0 (unless other is NaN).  Derivative:
    d/dinput = log1p(other), d/dother = input / (1 + other)."""
    _no_complex("xlog1py_cpu", input, other)
    return _scalar_variants("xlog1py", SpecialXlog1py, SpecialXlog1pyScalarSelf,
                            SpecialXlog1pyScalarOther, input, other, "special_xlog1py")


class Copysign(Op):
    """|a| with b's sign: d/da = copysign(1, b) sign(a) (0 where a == 0), d/db = 0."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        out = xp.copysign(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, y = ctx.saved_tensors
        ga = g * ns.where(a == 0, 0.0, y / ns.where(a == 0, 1.0, a))
        need = ctx.needs_input_grad
        return ga, (g * 0 if len(need) > 1 and need[1] else None)


class CopysignScalar(Copysign):
    node_name = "CopysignBackward1"


def copysign(input: Tensor, other: Tensor | Number) -> Tensor:
    """Returns the magnitude of ``input`` with the sign of ``other`` (a float result).
    Derivative: d/dinput = sign of the result over sign of input (0 where input is 0)."""
    if not isinstance(input, Tensor):
        raise invalid_args("copysign", input, other)
    cls = Copysign if isinstance(other, Tensor) else CopysignScalar
    return binary(cls, input, other, float_only=True)


def _heaviside_fwd(ctx, a, b):
    return xp.where(a == 0, b, (a > 0).astype(a.dtype)).astype(a.dtype, copy=False)


_HEAVISIDE = _no_derivative_ops("heaviside", _heaviside_fwd)


def heaviside(input: Tensor, values: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Returns the Heaviside step of ``input``: 0 below 0, 1 above, ``values`` at 0 (both
    tensors of one dtype, and ``out`` too).  No derivative (torch's NotImplemented node)."""
    if out is not None:
        if isinstance(input, Tensor) and out._array.dtype != input._array.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        from ..autograd.grad_mode import no_grad
        with no_grad():
            return _out(heaviside(input, values), out)
    if not isinstance(input, Tensor):
        raise must_be_tensor("heaviside", input, 1, "input")
    if not isinstance(values, Tensor):
        raise must_be_tensor("heaviside", values, 2, "values")
    if input._array.dtype != values._array.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input._array.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    return _no_derivative(_HEAVISIDE, input, values)


def _checked(cls: type[Op], a: Any, b: Any, kind: str) -> Tensor:
    """``binary`` with the op's dtype ``check`` also on the fast path's same-dtype operands
    (``kind``: the array kinds the kernel takes)."""
    from ._utils import _binary_slow
    for t in (a, b):
        if isinstance(t, Tensor) and t._array.dtype.kind not in kind:
            return _binary_slow(cls, a, b, None, False)
    return binary(cls, a, b)


def _float_kernel(kernel):
    """An Op ``check`` hook: torch's NotImplementedError for non-floating result dtypes."""
    def check(a, b, dtype):
        if not dtype.is_floating_point:
            raise not_implemented(kernel, dtype.np)
    return staticmethod(check)


class Nextafter(Op):
    """The next representable value after a toward b: d/da = 1, d/db = 0."""
    check = _float_kernel("nextafter_cpu")

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        return xp.nextafter(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g, g * 0


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """Returns the next floating-point value after ``input`` toward ``other``, elementwise."""
    if not isinstance(input, Tensor):
        raise must_be_tensor("nextafter", input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor("nextafter", other)
    return _checked(Nextafter, input, other, "f")


class Ldexp(Op):
    """a * 2**b: d/da = 2**b, d/db = a 2**b ln 2."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        p = quiet(xp.exp2, b)
        out = quiet(lambda: a * p)
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        p = ns.apply(Exp2, b)
        need = ctx.needs_input_grad
        return g * p, (g * a * p * _LN2 if len(need) > 1 and need[1] else None)


class LdexpIntExponent(Op):
    """input * 2**other for an integer ``other``: torch's derivative there takes 2**other in
    integer arithmetic (0 for a negative exponent)."""
    node_name = "LdexpBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        ctx.save_for_backward(b)
        return quiet(lambda: a * xp.exp2(b).astype(a.dtype))

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (b,) = ctx.saved_tensors
        b = b._array if isinstance(b, Tensor) else b  # an integer: a constant of the formula
        return g * xp.where(b < 0, 0, xp.left_shift(1, xp.clip(b, 0, 62))), None


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """Returns input * 2**other (a floating result)."""
    if not isinstance(input, Tensor):
        raise must_be_tensor("ldexp", input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor("ldexp", other)
    if other._array.dtype.kind in "iub" and input._array.dtype.kind == "f" and \
            input._requires_grad:
        return _apply(LdexpIntExponent, (input, other), {}, None)
    return binary(Ldexp, input, other, float_only=True)


class Frexp(Op):
    """(mantissa, exponent) with input = mantissa * 2**exponent: d/dinput = 2**-exponent."""
    multi_output = True
    nondiff_outputs = (1,)

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> tuple[Array, ...]:
        m, e = xp.frexp(a)
        e = e.astype(xp.int32)
        ctx.save_for_backward(e)
        return m, e

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        (e,) = ctx.saved_tensors
        e = e._array if isinstance(e, Tensor) else e  # an integer output: a constant
        return grads[0] * xp.ldexp(1.0, -e)


_FrexpResult = None


def frexp(input: Tensor) -> Any:
    """Returns (mantissa, exponent): mantissa in (-1, -0.5] U [0.5, 1) (or 0), int32 exponent,
    with input = mantissa * 2**exponent."""
    global _FrexpResult
    if input._array.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    if _FrexpResult is None:
        from .reduction import _return_type
        _FrexpResult = _return_type("frexp", ("mantissa", "exponent"))
    return _FrexpResult(*_apply(Frexp, (input,), {}, None))


class Logaddexp(Op):
    """log(exp(a) + exp(b)): d/da = 1 / (1 + exp(b - a)), d/db = 1 / (1 + exp(a - b))."""
    check = _float_kernel("logaddexp_cpu")

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return quiet(xp.logaddexp, a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        return g / (1 + ns.exp(b - a)), g / (1 + ns.exp(a - b))


class Logaddexp2(Op):
    """log2(2**a + 2**b): d/da = 1 / (1 + 2**(b - a)), d/db = 1 / (1 + 2**(a - b))."""
    check = _float_kernel("logaddexp2_cpu")

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return quiet(xp.logaddexp2, a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        return g / (1 + ns.exp((b - a) * _LN2)), g / (1 + ns.exp((a - b) * _LN2))


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """Returns log(exp(input) + exp(other)), computed without overflow."""
    if not isinstance(input, Tensor):
        raise must_be_tensor("logaddexp", input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor("logaddexp", other)
    return _checked(Logaddexp, input, other, "f")


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """Returns log2(2**input + 2**other), computed without overflow."""
    if not isinstance(input, Tensor):
        raise must_be_tensor("logaddexp2", input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor("logaddexp2", other)
    return _checked(Logaddexp2, input, other, "f")


# ------------------------------------------------------------------------------ integers

def _int_kernel(kernel):
    """An Op ``check`` hook: torch's NotImplementedError for non-integer result dtypes."""
    def check(a, b, dtype):
        if dtype.category != 1:
            raise not_implemented(kernel, dtype.np)
    return staticmethod(check)


def _int_op(name, kernel, fwd, doc):
    return type(name, (Op,), {"node_name": "NotImplemented", "check": _int_kernel(kernel),
                              "forward": staticmethod(lambda ctx, a, b: fwd(a, b)),
                              "backward": staticmethod(_no_grad(name.lower())), "__doc__": doc})


def _no_grad(name):
    def backward(ctx, g, ns):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return backward


def _shift(a, b, left):
    """torch's shifts: a shift count outside [0, bits) gives 0 (left) or the sign fill
    (right); NumPy's result there is platform-defined."""
    dt = (a if a.__class__ is xp.ndarray else b).dtype  # (binary has promoted both)
    a, b = xp.asarray(a, dt), xp.asarray(b)
    bits = dt.itemsize * 8
    bad = (b < 0) | (b >= bits)
    safe = xp.where(bad, 0, b).astype(dt, copy=False)
    if left:
        return xp.where(bad, xp.zeros((), dt), xp.left_shift(a, safe))
    fill = xp.right_shift(a, bits - 1) if dt.kind == "i" else xp.zeros((), dt)
    return xp.where(bad, fill, xp.right_shift(a, safe))


Gcd = _int_op("Gcd", "gcd_cpu", xp.gcd, "Greatest common divisor (integers; no derivative).")
Lcm = _int_op("Lcm", "lcm_cpu", xp.lcm, "Least common multiple (integers; no derivative).")
LShift = _int_op("LShift", "lshift_cpu", lambda a, b: _shift(a, b, True),
                 "Bitwise left shift (integers; no derivative).")
RShift = _int_op("RShift", "rshift_cpu", lambda a, b: _shift(a, b, False),
                 "Bitwise right shift (integers; no derivative).")


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """Returns the greatest common divisor of ``input`` and ``other`` (integer tensors;
    non-negative; gcd(0, 0) = 0)."""
    if not isinstance(other, Tensor):
        raise must_be_tensor("gcd", other)
    return _checked(Gcd, input, other, "iu")


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """Returns the least common multiple of ``input`` and ``other`` (integer tensors;
    non-negative; 0 where either is 0)."""
    if not isinstance(other, Tensor):
        raise must_be_tensor("lcm", other)
    return _checked(Lcm, input, other, "iu")


def bitwise_left_shift(input: Tensor | Number, other: Tensor | Number) -> Tensor:
    """Returns input shifted left by ``other`` bits (integers; 0 for counts outside
    [0, bits))."""
    return _checked(LShift, input, other, "iu")


def bitwise_right_shift(input: Tensor | Number, other: Tensor | Number) -> Tensor:
    """Returns input shifted right arithmetically by ``other`` bits (integers; the sign fill
    for counts outside [0, bits))."""
    return _checked(RShift, input, other, "iu")


# ------------------------------------------------------------------------------ zeta, igamma

_ZETA_SELF = "the derivative for 'zeta' is not implemented."


class SpecialZeta(Op):
    """The Hurwitz zeta function sum_k (k + q)**-x: d/dq = -x zeta(x + 1, q); no derivative
    in x (torch's NotImplementedError)."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, q: Array) -> Array:
        ctx.save_for_backward(x, q)
        dt = (x if isinstance(x, xp.ndarray) else q).dtype
        return F.zeta(x, q).reshape(xp.broadcast_shapes(xp.shape(x), xp.shape(q))).astype(dt)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(_ZETA_SELF)
        return None, g * -x * ns.apply(SpecialZeta, x + 1.0, q)


class SpecialZetaScalarSelf(SpecialZeta):
    node_name = "SpecialZetaBackward1"


class SpecialZetaScalarOther(SpecialZeta):
    node_name = "SpecialZetaBackward2"
    forward = staticmethod(SpecialZeta.forward)  # (its own: the op table's reach check)


def zeta(input: Tensor | Number, other: Tensor | Number) -> Tensor:
    """Returns the Hurwitz zeta function zeta(input, other) = sum_k (k + other)**-input."""
    return _scalar_variants("zeta", SpecialZeta, SpecialZetaScalarSelf, SpecialZetaScalarOther,
                            input, other, "special_zeta")



class Igamma(Op):
    """The regularized lower incomplete gamma function P(a, x): d/dx = x**(a-1) exp(-x) /
    Gamma(a); no derivative in a (torch's NotImplementedError)."""
    check = _float_kernel("igamma_cpu")
    _name = "igamma"
    _sign = 1.0

    @staticmethod
    def forward(ctx: Ctx, a: Array, x: Array) -> Array:
        from ._igamma import gammainc
        ctx.save_for_backward(a, x)
        return gammainc(a, x).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, x = ctx.saved_tensors
        op = ctx._op
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{op._name}: input' is not "
                                      "implemented.")
        d = ns.exp((a - 1) * ns.log(x) - x - ns.apply(Lgamma, a))
        return None, g * d * op._sign


class Igammac(Igamma):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    check = _float_kernel("igammac_cpu")
    _name = "igammac"
    _sign = -1.0

    @staticmethod
    def forward(ctx: Ctx, a: Array, x: Array) -> Array:
        from ._igamma import gammaincc
        ctx.save_for_backward(a, x)
        return gammaincc(a, x).astype(a.dtype, copy=False)


def gammainc(input: Tensor, other: Tensor) -> Tensor:
    """Returns the regularized lower incomplete gamma function P(input, other).  Derivative in
    ``other`` only: other**(input - 1) exp(-other) / Gamma(input)."""
    if not isinstance(input, Tensor):
        raise must_be_tensor("special_gammainc", input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor("special_gammainc", other)
    return _checked(Igamma, input, other, "f")


def gammaincc(input: Tensor, other: Tensor) -> Tensor:
    """Returns the regularized upper incomplete gamma function Q(input, other) =
    1 - P(input, other)."""
    if not isinstance(input, Tensor):
        raise must_be_tensor("special_gammaincc", input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor("special_gammaincc", other)
    return _checked(Igammac, input, other, "f")

# ------------------------------------------------------------------------------ no derivative
# torch.special's Bessel, Airy and polynomial functions have no derivative: their result never
# requires grad.

def _as_float_array(t):
    a = t._array
    return a if a.dtype.kind == "f" else a.astype(D.get_default_dtype().np)


def _nodiff_unary(name, kernel, doc):
    def f(input: Tensor, *, out: Tensor | None = None) -> Tensor:
        if _function._VMAP and out is None:  # inside vmap: once over the batch (ember.func)
            r = vmap_call("elementwise", f, (input,))
            if r is not NotImplemented:
                return r
        if not isinstance(input, Tensor):
            raise must_be_tensor(f"special_{name}", input, 1, "input")
        a = _as_float_array(input)
        return _out(_make(_in_dtype(kernel)(a), False, None, 0, None), out)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc + " No derivative: the result does not require grad."
    return f


bessel_j0 = _nodiff_unary("bessel_j0", "j0", "Returns the Bessel function of the first kind "
                          "of order 0 of each element.")
bessel_j1 = _nodiff_unary("bessel_j1", "j1", "Returns the Bessel function of the first kind "
                          "of order 1 of each element.")
bessel_y0 = _nodiff_unary("bessel_y0", "y0", "Returns the Bessel function of the second kind "
                          "of order 0 of each element.")
bessel_y1 = _nodiff_unary("bessel_y1", "y1", "Returns the Bessel function of the second kind "
                          "of order 1 of each element.")
modified_bessel_i0 = _nodiff_unary("modified_bessel_i0", "i0", "Returns the modified Bessel "
                                   "function of the first kind of order 0 of each element.")
modified_bessel_i1 = _nodiff_unary("modified_bessel_i1", "i1", "Returns the modified Bessel "
                                   "function of the first kind of order 1 of each element.")
modified_bessel_k0 = _nodiff_unary("modified_bessel_k0", "k0", "Returns the modified Bessel "
                                   "function of the second kind of order 0 of each element.")
modified_bessel_k1 = _nodiff_unary("modified_bessel_k1", "k1", "Returns the modified Bessel "
                                   "function of the second kind of order 1 of each element.")
scaled_modified_bessel_k0 = _nodiff_unary(
    "scaled_modified_bessel_k0", "k0e",
    "Returns exp(x) times the modified Bessel function K0 of each element x.")
scaled_modified_bessel_k1 = _nodiff_unary(
    "scaled_modified_bessel_k1", "k1e",
    "Returns exp(x) times the modified Bessel function K1 of each element x.")
spherical_bessel_j0 = _nodiff_unary("spherical_bessel_j0", "spherical_j0", "Returns the "
                                    "spherical Bessel function of the first kind of order 0.")
airy_ai = _nodiff_unary("airy_ai", "airy_ai", "Returns the Airy function Ai of each element.")

_POLY_DOC = {
    "chebyshev_polynomial_t": "the Chebyshev polynomial of the first kind T_n",
    "chebyshev_polynomial_u": "the Chebyshev polynomial of the second kind U_n",
    "chebyshev_polynomial_v": "the Chebyshev polynomial of the third kind V_n",
    "chebyshev_polynomial_w": "the Chebyshev polynomial of the fourth kind W_n",
    "shifted_chebyshev_polynomial_t": "the shifted Chebyshev polynomial T*_n (T_n(2x - 1))",
    "shifted_chebyshev_polynomial_u": "the shifted Chebyshev polynomial U*_n (U_n(2x - 1))",
    "shifted_chebyshev_polynomial_v": "the shifted Chebyshev polynomial V*_n (V_n(2x - 1))",
    "shifted_chebyshev_polynomial_w": "the shifted Chebyshev polynomial W*_n (W_n(2x - 1))",
    "hermite_polynomial_h": "the physicists' Hermite polynomial H_n",
    "hermite_polynomial_he": "the probabilists' Hermite polynomial He_n",
    "laguerre_polynomial_l": "the Laguerre polynomial L_n",
    "legendre_polynomial_p": "the Legendre polynomial P_n",
}


def _polynomial(name):
    def f(input: Tensor | Number, n: Tensor | Number, *, out: Tensor | None = None) -> Tensor:
        if _function._VMAP and out is None:  # inside vmap: once over the batch (ember.func)
            r = vmap_call("elementwise", f, (input, n))
            if r is not NotImplemented:
                return r
        if not isinstance(input, Tensor) and not isinstance(n, Tensor):
            raise invalid_args(f"special_{name}", input, n)
        dt = D.result_type(input, n)
        if not dt.is_floating_point:
            dt = D.get_default_dtype()
        x = input._array.astype(dt.np) if isinstance(input, Tensor) else \
            xp.asarray(input, dt.np)
        na = n._array if isinstance(n, Tensor) else xp.asarray(n)
        if na.dtype.kind == "f" or na.dtype.kind == "b":
            na = na.astype(dt.np).astype(xp.float64)  # (torch converts n to the result dtype)
        limit = 512 if dt.np == xp.float64 else 128
        res = F.polynomial(name, x, na, limit).astype(dt.np)
        return _out(_make(res, False, None, 0, None), out)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"Returns {_POLY_DOC[name]}(x) of degree ``n`` (elementwise; ``n`` truncated "
                 "to an integer) by its recurrence.  No derivative: the result does not "
                 "require grad.")
    return f


for _name in _POLY_DOC:
    globals()[_name] = _polynomial(_name)


def _out(res, out):
    from .pointwise import _out as out_
    return out_(res, out)


# ------------------------------------------------------------------------------ in-place forms
# of ops whose modules declare no TENSOR_METHODS (comparisons, logic, cumsum, tril, addmm)

_CMP = {"eq": "Eq", "ne": "Ne", "lt": "Lt", "le": "Le", "gt": "Gt", "ge": "Ge",
        "not_equal": "Ne", "less": "Lt", "less_equal": "Le", "greater": "Gt",
        "greater_equal": "Ge"}
def _cmp_op(base: str, tensor: bool) -> type[Op]:
    """``t.eq_(other)``: torch records EqBackward0 (a number) / EqBackward1 (a tensor), whose
    gradients are zero, and keeps t's dtype."""
    from . import comparison
    fn = getattr(comparison, base.lower())

    def forward(ctx, a, b):
        res = fn(_make(a, False, None, 0, None), b if b.__class__ is not xp.ndarray else
                 _make(b, False, None, 0, None))._array
        return res.astype(a.dtype)

    def backward(ctx, g, ns):
        return g * 0, (g * 0 if ctx.needs_input_grad[1] else None)

    return type(f"{base}Inplace{int(tensor)}", (Op,), {
        "node_name": f"{base}Backward{int(tensor)}", "inputs": (0, 1) if tensor else (0,),
        "forward": staticmethod(forward), "backward": staticmethod(backward),
        "__doc__": f"In-place {base.lower()}_: 0/1 in the tensor's dtype, zero gradients."})


_CMP_OPS = {(b, t): _cmp_op(b, t) for b in ("Eq", "Ne", "Lt", "Le", "Gt", "Ge")
            for t in (False, True)}


def _cmp_inplace(name: str) -> Any:
    def method(self: Tensor, other: Tensor | Number) -> Tensor:
        from .inplace import inplace
        cls = _CMP_OPS[_CMP[name], isinstance(other, Tensor)]
        return inplace(self, lambda t, o: _apply(cls, (t, o), {}, None), other)
    method.__name__ = name + "_"
    return method


def _logical_inplace(name: str) -> Any:
    """``t.logical_and_(other)``: torch writes the 0/1 values in t's dtype and records
    nothing (no leaf check either: the op is not differentiable)."""
    def method(self: Tensor, *args: Any) -> Tensor:
        from . import comparison
        from .inplace import _write, bump
        from ..autograd.grad_mode import no_grad
        with no_grad():
            res = getattr(comparison, name)(self, *args)
        _write(self, res._array)
        bump(self)
        return self
    method.__name__ = name + "_"
    return method


def _alias_inplace(cls: type[Op]) -> Any:
    """``t.asinh_()`` (and acosh_, atanh_ and their arc* names): torch records AsinhBackward1, whose
    backward raises (torch has no derivative for the in-place forms)."""
    def method(self: Tensor) -> Tensor:
        from .inplace import inplace
        return inplace(self, lambda t: _apply(cls, (t,), {}, None))
    return method


def _inplace_alias_op(base: type[Op]) -> type[Op]:
    name = base.__name__

    def backward(ctx, g, ns):
        raise NotImplementedError(f"the derivative for 'inplace version of {name.lower()}' is "
                                  "not implemented.")
    return type(name + "Inplace", (base,), {"node_name": name + "Backward1",
                                             "forward": base.__dict__["forward"],
                                             "backward": staticmethod(backward)})


def _alias_ops() -> tuple[type[Op], type[Op], type[Op]]:
    from .pointwise import Acosh, Asinh, Atanh
    return _inplace_alias_op(Asinh), _inplace_alias_op(Atanh), _inplace_alias_op(Acosh)


AsinhInplace, AtanhInplace, AcoshInplace = _alias_ops()
_INPLACE_ONLY = ("asinh", "atanh", "acosh", "arcsinh", "arctanh", "arccosh") + tuple(_CMP) + (
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_not", "cumsum",
    "cumprod", "tril", "triu", "addmm")


def _inplace_only_impls() -> dict[str, Any]:
    from . import comparison, linalg, reduction, shape
    out: dict[str, Any] = {n: getattr(comparison, n) for n in _CMP}
    out.update({n + "_": _cmp_inplace(n) for n in _CMP})
    for n in ("logical_and", "logical_or", "logical_xor", "logical_not"):
        out[n], out[n + "_"] = getattr(comparison, n), _logical_inplace(n)
    out["bitwise_not"] = comparison.bitwise_not
    out["cumsum"], out["cumprod"] = reduction.cumsum, reduction.cumprod
    out["tril"], out["triu"], out["addmm"] = shape.tril, shape.triu, linalg.addmm
    from . import pointwise
    for n in ("asinh", "atanh", "acosh", "arcsinh", "arctanh", "arccosh"):
        out[n] = getattr(pointwise, n)
    out["asinh_"] = out["arcsinh_"] = _alias_inplace(AsinhInplace)
    out["atanh_"] = out["arctanh_"] = _alias_inplace(AtanhInplace)
    out["acosh_"] = out["arccosh_"] = _alias_inplace(AcoshInplace)
    return out


# ------------------------------------------------------------------------------ exports
# ``ember/__init__.py`` exports ``__all__``; ``ember/special.py`` (torch.special) takes the rest
# by name.  TENSOR_METHODS become Tensor methods (plus their in-place ``name_`` unless in
# NO_INPLACE); METHOD_IMPLS: methods whose arguments differ from the function's.

def _polygamma_method(self: Tensor, n: int) -> Tensor:
    return polygamma(n, self)


def _float_power_inplace(self: Tensor, exponent: Tensor | Number) -> Tensor:
    from .inplace import inplace
    from .pointwise import float_power
    dt = self._array.dtype
    if dt != xp.float64 and dt != xp.complex128:
        raise RuntimeError(f"the base given to float_power_ has dtype {scalar_type_name(dt)} but "
                           "the operation's result requires dtype Double")
    return inplace(self, float_power, exponent)


def _shift_method(fn, reflected=False, in_place=False):
    def method(self: Tensor, other: Any) -> Any:
        if in_place:
            from .inplace import inplace
            return inplace(self, fn, other)
        try:
            return fn(other, self) if reflected else fn(self, other)
        except TypeError:
            return NotImplemented
    return method


__all__ = [
    "lgamma", "digamma", "polygamma", "mvlgamma", "i0", "sinc", "rad2deg", "deg2rad",
    "positive", "xlogy", "copysign", "heaviside", "nextafter", "ldexp", "frexp", "logaddexp",
    "logaddexp2", "gcd", "lcm", "bitwise_left_shift", "bitwise_right_shift",
]
TENSOR_METHODS = (
    "lgamma", "digamma", "polygamma", "mvlgamma", "i0", "sinc", "rad2deg", "deg2rad", "positive",
    "xlogy", "copysign", "heaviside", "nextafter", "ldexp", "frexp", "logaddexp", "logaddexp2",
    "gcd", "lcm", "bitwise_left_shift", "bitwise_right_shift", "float_power", "signbit", "fmax",
    "fmin", "__lshift__", "__rlshift__", "__rshift__", "__rrshift__", "__ilshift__",
    "__irshift__",
) + _INPLACE_ONLY
NO_INPLACE = ("positive", "frexp", "logaddexp", "logaddexp2", "signbit", "fmax", "fmin",
              "__lshift__", "__rlshift__", "__rshift__", "__rrshift__", "__ilshift__",
              "__irshift__")


def _method_impls() -> dict[str, Any]:
    from .clamp import fmax, fmin
    from .comparison import signbit
    from .pointwise import float_power
    _polygamma_method.__name__ = "polygamma"
    return {
        "polygamma": _polygamma_method, "float_power": float_power,
        "float_power_": _float_power_inplace, "signbit": signbit, "fmax": fmax, "fmin": fmin,
        "__lshift__": _shift_method(bitwise_left_shift),
        "__rlshift__": _shift_method(bitwise_left_shift, True),
        "__rshift__": _shift_method(bitwise_right_shift),
        "__rrshift__": _shift_method(bitwise_right_shift, True),
        "__ilshift__": _shift_method(bitwise_left_shift, in_place=True),
        "__irshift__": _shift_method(bitwise_right_shift, in_place=True),
        **_inplace_only_impls(),
    }


METHOD_IMPLS = _method_impls()
