"""Elementwise ops: arithmetic, math functions, comparisons and logic.

Backward formulas use operators and ``xp.<numpy name>`` only, so they run on arrays (first
order) and on Tensors (``create_graph=True``).  Broadcast reduction and casting back to the input
dtype happen in the engine.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .. import _special
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply, _apply1
from ._utils import (as_tensor_arg, binary, broadcast_error, cpp_dtype_name, float_cast, unary,
                     wrap)

# ------------------------------------------------------------------------------ arithmetic


class Add(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g, xp):
        return g, g


class Sub(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g, xp):
        return g, -g


class Rsub(Op):
    """rsub(a, b) = b - a (``2 - x``)."""
    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, b):
        return b - a

    @staticmethod
    def backward(ctx, g, xp):
        return -g, g


class Mul(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return a * b

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        return (g * b if b is not None else None), (g * a if a is not None else None)


class Div(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if len(need) > 1 and need[1] else None, b)
        return a / b

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        ga = g / b
        return ga, (-ga * a / b if a is not None else None)


class Neg(Op):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g, xp):
        return -g


class Pow(Op):
    """x ** e for a scalar e: d/dx = e * x**(e-1)."""

    @staticmethod
    def forward(ctx, a, e):
        ctx.save_for_backward(a)
        ctx.e = e
        if e == 2:
            return a * a
        if e == 3:
            return a * a * a
        if e == 0.5:
            return xp.sqrt(a)
        return a ** e

    @staticmethod
    def backward(ctx, g, xp):
        (a,), e = ctx.saved_tensors, ctx.e
        if e == 0:
            return g * 0, None
        if e == 2:
            return g * 2 * a, None
        return g * e * a ** (e - 1), None


class PowTensor(Op):
    """a ** b with tensor exponent: d/da = b a^(b-1), d/db = a^b log a (0 where a == 0)."""
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        out = xp.asarray(a ** b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g, xp):
        a, b, out = ctx.saved_tensors
        ga = g * b * a ** (b - 1)
        gb = g * xp.where(a == 0, 0.0, out * xp.log(xp.where(a == 0, 1.0, a)))
        return ga, gb


class RPow(Op):
    """s ** x for a scalar base: d/dx = s**x log s."""
    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, x, s):
        out = xp.asarray(s ** x)
        ctx.save_for_backward(out)
        ctx.logs = math.log(s) if s > 0 else (float("-inf") if s == 0 else float("nan"))
        return out

    @staticmethod
    def backward(ctx, g, xp):
        (out,) = ctx.saved_tensors
        return g * out * ctx.logs, None


class Remainder(Op):
    """a mod b (sign of b) by a scalar b: d/da = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g, xp):
        return g, None


class RemainderTensor(Op):
    """a mod b = a - floor(a / b) b: d/da = 1, d/db = -floor(a / b)."""
    node_name = "RemainderBackward1"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        return g, -g * xp.floor(a / b)


class Fmod(Remainder):
    """fmod by a scalar (sign of a): d/da = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return xp.fmod(a, b)


class FmodTensor(Op):
    """fmod(a, b) = a - trunc(a / b) b: d/da = 1, d/db = -trunc(a / b)."""
    node_name = "FmodBackward1"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.fmod(a, b)

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        return g, -g * xp.trunc(a / b)


class ToCopy(Op):
    @staticmethod
    def forward(ctx, a, dtype):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g, xp):
        return g, None  # the engine casts back to the input dtype


class Clone(Op):
    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g, xp):
        return g


def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _out(binary(Add, input, other), out)


def sub(input, other, *, alpha=1, out=None):
    if isinstance(input, Tensor) and input._array.dtype.kind == "b" and \
            getattr(other, "dtype", None) is D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _out(binary(Sub, input, other), out)


subtract = sub


def rsub(input, other, alpha=1):
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    return binary(Rsub, input, other if alpha == 1 else other)


def mul(input, other, *, out=None):
    return _out(binary(Mul, input, other), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        return _out(binary(Div, input, other, float_only=True), out)
    if rounding_mode == "trunc":
        r = trunc(binary(Div, input, other, float_only=True))
    elif rounding_mode == "floor":
        return _out(floor_divide(input, other), out)
    else:
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    dt = D.result_type(input, other) if isinstance(input, Tensor) else None
    if dt is not None and not dt.is_floating_point:
        r = r.to(dt)
    return _out(r, out)


divide = true_divide = div


def rdiv(input, other):
    """other / input for a scalar other: torch computes reciprocal(input) * other."""
    return mul(reciprocal(input), other)


def floor_divide(input, other):
    a = as_tensor_arg(input)
    b = as_tensor_arg(other)
    dt = D.result_type(a, b)
    arr = xp.floor_divide(_arr(a, dt), _arr(b, dt))
    return wrap(xp.asarray(arr, dtype=dt.np))


def _arr(x, dt):
    return x._array.astype(dt.np, copy=False) if isinstance(x, Tensor) else x


def remainder(input, other):
    scalar = isinstance(input, Tensor) and not isinstance(other, Tensor)
    return binary(Remainder if scalar else RemainderTensor, input, other)


def fmod(input, other):
    scalar = isinstance(input, Tensor) and not isinstance(other, Tensor)
    return binary(Fmod if scalar else FmodTensor, input, other)


def neg(input):
    if input._array.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _apply(Neg, (input,), {}, None)


negative = neg


def pow(input, exponent):
    if not isinstance(input, Tensor):
        return rpow(exponent, input)
    if isinstance(exponent, Tensor):
        return binary(PowTensor, input, exponent)
    exponent = as_tensor_arg(exponent)
    if input._array.dtype.kind in "iub" and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    cast = float_cast(input) if isinstance(exponent, float) else None
    if input._array.dtype.kind == "b" and cast is None:
        cast = D.int64.np
    return _apply(Pow, (input, exponent), {}, cast)


def rpow(input, base):
    """base ** input for a scalar base."""
    base = as_tensor_arg(base)
    if isinstance(base, Tensor):
        return binary(PowTensor, base, input)
    cast = float_cast(input) if isinstance(base, float) else None
    return _apply(RPow, (input, base), {}, cast)


float_power = None  # set below


def to_copy(t, dtype):
    return _apply(ToCopy, (t, dtype.np), {}, None)


def clone(t, *, memory_format=None):
    return _apply(Clone, (t,), {}, None)


def _out(res, out):
    if out is None:
        return res
    out.copy_(res) if out.shape == res.shape else out.resize_(res.shape).copy_(res)
    return out


# ------------------------------------------------------------------------------ unary math


def _unary_op(name, fwd, bwd, save="in", node_name=None):
    """Build a one-input Op: ``fwd(a)`` on arrays, ``bwd(g, x, xp)`` where ``x`` is the saved
    input (save='in') or output (save='out')."""

    def forward(ctx, a):
        out = fwd(a)
        if save == "in":
            ctx.save_for_backward(a)
        elif save == "out":
            if out.__class__ is not xp.ndarray:
                out = xp.asarray(out)
            ctx.save_for_backward(out)
        return out

    def backward(ctx, g, xp):
        if save is None:
            return bwd(g, None, xp)
        (x,) = ctx.saved_tensors
        return bwd(g, x, xp)

    attrs = {"forward": staticmethod(forward), "backward": staticmethod(backward),
             "__doc__": f"{name}: elementwise, derivative {bwd.__doc__ or ''}"}
    if node_name:
        attrs["node_name"] = node_name
    cls = type(name, (Op,), attrs)
    return cls


def _sqrt_pi():
    return 2.0 / math.sqrt(math.pi)


Exp = _unary_op("Exp", xp.exp, lambda g, y, xp: g * y, "out")
Exp2 = _unary_op("Exp2", xp.exp2, lambda g, y, xp: g * y * math.log(2.0), "out")
Expm1 = _unary_op("Expm1", xp.expm1, lambda g, y, xp: g * (y + 1), "out")
Log = _unary_op("Log", xp.log, lambda g, x, xp: g / x)
Log2 = _unary_op("Log2", xp.log2, lambda g, x, xp: g / (x * math.log(2.0)))
Log10 = _unary_op("Log10", xp.log10, lambda g, x, xp: g / (x * math.log(10.0)))
Log1p = _unary_op("Log1p", xp.log1p, lambda g, x, xp: g / (x + 1), node_name="Log1PBackward0")
Sqrt = _unary_op("Sqrt", xp.sqrt, lambda g, y, xp: g / (2 * y), "out")
Rsqrt = _unary_op("Rsqrt", lambda a: 1 / xp.sqrt(a), lambda g, y, xp: g * -0.5 * y * y * y,
                  "out")
Square = _unary_op("Square", lambda a: a * a, lambda g, x, xp: g * 2 * x,
                   node_name="PowBackward0")
Reciprocal = _unary_op("Reciprocal", lambda a: 1 / a, lambda g, y, xp: -g * y * y, "out")
Sin = _unary_op("Sin", xp.sin, lambda g, x, xp: g * xp.cos(x))
Cos = _unary_op("Cos", xp.cos, lambda g, x, xp: -g * xp.sin(x))
Tan = _unary_op("Tan", xp.tan, lambda g, y, xp: g * (1 + y * y), "out")
Asin = _unary_op("Asin", xp.arcsin, lambda g, x, xp: g / xp.sqrt(1 - x * x))
Acos = _unary_op("Acos", xp.arccos, lambda g, x, xp: -g / xp.sqrt(1 - x * x))
Atan = _unary_op("Atan", xp.arctan, lambda g, x, xp: g / (1 + x * x))
Sinh = _unary_op("Sinh", xp.sinh, lambda g, x, xp: g * xp.cosh(x))
Cosh = _unary_op("Cosh", xp.cosh, lambda g, x, xp: g * xp.sinh(x))
Tanh = _unary_op("Tanh", xp.tanh, lambda g, y, xp: g * (1 - y * y), "out")
Asinh = _unary_op("Asinh", xp.arcsinh, lambda g, x, xp: g / xp.sqrt(x * x + 1))
Acosh = _unary_op("Acosh", xp.arccosh, lambda g, x, xp: g / xp.sqrt(x * x - 1))
Atanh = _unary_op("Atanh", xp.arctanh, lambda g, x, xp: g / (1 - x * x))
Abs = _unary_op("Abs", xp.abs, lambda g, x, xp: g * xp.sign(x))


def _sigmoid(a):
    """1 / (1 + exp(-a)) in place on one buffer.  Where exp(-a) overflows (a below about -88 in
    float32) the result is 1 / inf = 0, which is also what torch returns there."""
    with xp.errstate(over="ignore"):
        out = xp.negative(a, out=xp.empty_like(a))
        xp.exp(out, out=out)
    out += 1
    xp.reciprocal(out, out=out)
    return out


Sigmoid = _unary_op("Sigmoid", _sigmoid, lambda g, y, xp: g * y * (1 - y), "out")
Relu = _unary_op("Relu", lambda a: xp.maximum(a, 0), lambda g, y, xp: g * (y > 0), "out")


Erf = _unary_op("Erf", _special.erf, lambda g, x, xp: g * _sqrt_pi() * xp.exp(-x * x))
Erfc = _unary_op("Erfc", _special.erfc,
                 lambda g, x, xp: -g * _sqrt_pi() * xp.exp(-x * x))
Erfinv = _unary_op("Erfinv", _special.erfinv,
                   lambda g, y, xp: g * (math.sqrt(math.pi) / 2) * xp.exp(y * y), "out")


_NO_KW = {}


def _zero_grad(g, x, xp):
    return g * 0


Sign = _unary_op("Sign", xp.sign, _zero_grad, None)
Floor = _unary_op("Floor", xp.floor, _zero_grad, None)
Ceil = _unary_op("Ceil", xp.ceil, _zero_grad, None)
Trunc = _unary_op("Trunc", xp.trunc, _zero_grad, None)
Frac = _unary_op("Frac", lambda a: a - xp.trunc(a), lambda g, x, xp: g, None)


class Round(Op):
    """round half to even; zero gradient."""

    @staticmethod
    def forward(ctx, a, decimals=0):
        return xp.round(a, decimals)

    @staticmethod
    def backward(ctx, g, xp):
        return g * 0


class RoundDecimals(Round):
    node_name = "RoundBackward1"


def _u(cls, int_ok=False):
    def f(input, *, out=None):
        if out is None and isinstance(input, Tensor) and input._array.dtype.kind == "f":
            return _apply1(cls, input)  # the common case, straight through
        if int_ok and input._array.dtype.kind in "iu":
            return _out(_apply(cls, (input,), {}, None), out)
        return _out(unary(cls, input), out)
    f.__name__ = cls.__name__.lower()
    f.__doc__ = cls.__doc__
    return f


exp, exp2, expm1 = _u(Exp), _u(Exp2), _u(Expm1)
log, log2, log10, log1p = _u(Log), _u(Log2), _u(Log10), _u(Log1p)
sqrt, rsqrt, reciprocal = _u(Sqrt), _u(Rsqrt), _u(Reciprocal)
square = _u(Square, int_ok=True)
sin, cos, tan, asin, acos, atan = _u(Sin), _u(Cos), _u(Tan), _u(Asin), _u(Acos), _u(Atan)
arcsin, arccos, arctan = asin, acos, atan
sinh, cosh, tanh, asinh, acosh, atanh = _u(Sinh), _u(Cosh), _u(Tanh), _u(Asinh), _u(Acosh), \
    _u(Atanh)
arcsinh, arccosh, arctanh = asinh, acosh, atanh
sigmoid = _u(Sigmoid)
erf, erfc, erfinv = _u(Erf), _u(Erfc), _u(Erfinv)
abs = _u(Abs, int_ok=True)  # noqa: A001
absolute = abs
sign = _u(Sign, int_ok=True)
sgn = sign
floor, ceil, trunc = _u(Floor, True), _u(Ceil, True), _u(Trunc, True)
fix = trunc
frac = _u(Frac)


class Softplus(Op):
    """softplus(x) = log(1 + exp(beta x)) / beta (x where beta x > threshold);
    d/dx = sigmoid(beta x) (1 above the threshold)."""

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.save_for_backward(a)
        ctx.beta, ctx.threshold = beta, threshold
        z = a * beta if beta != 1 else a
        # log1p(exp(z)) = max(z, 0) + log1p(exp(-|z|)): no overflow for large z
        sp = xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))
        if beta != 1:
            sp = sp / beta
        return xp.where(z > threshold, a, sp).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g, xp):
        (a,) = ctx.saved_tensors
        z = a * ctx.beta
        # arrays: overflow-free sigmoid (exp(-z) overflows, with a warning, for z << 0)
        s = 1 / (1 + xp.exp(-z)) if getattr(xp, "graph", False) else _sigmoid(z)
        return g * xp.where(z > ctx.threshold, 1.0, s), None, None


def softplus(input, beta=1.0, threshold=20.0):
    return _apply(Softplus, (input, beta, threshold), {}, None)


def relu(input, inplace=False):
    if inplace:
        return input.relu_()
    if input._array.dtype.kind == "f":
        return _apply1(Relu, input)
    return _apply(Relu, (input,), {}, None)


def round(input, *, decimals=None):  # noqa: A001
    if decimals is None:  # torch's round.default and round.decimals overloads
        return _apply(Round, (input,), {}, None)
    return _apply(RoundDecimals, (input,), {"decimals": decimals}, None)


class Atan2(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.arctan2(a, b)

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        d = a * a + b * b
        return g * b / d, -g * a / d


def atan2(input, other):
    return binary(Atan2, input, other, float_only=True)


arctan2 = atan2


class Logit(Op):
    @staticmethod
    def forward(ctx, a, eps):
        x = a if eps is None else xp.clip(a, eps, 1 - eps)
        ctx.save_for_backward(a)
        ctx.eps = eps
        return xp.log(x / (1 - x))

    @staticmethod
    def backward(ctx, g, xp):
        (a,) = ctx.saved_tensors
        r = g / (a * (1 - a))
        if ctx.eps is not None:
            r = xp.where((a < ctx.eps) | (a > 1 - ctx.eps), 0.0, r)
        return r, None


def logit(input, eps=None):
    return _apply(Logit, (input, eps), {}, float_cast(input))


# ------------------------------------------------------------------------------ clamp & co.


class Clamp(Op):
    """clamp: gradient passes where min <= x <= max."""
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, lo, hi):
        if ctx.needs_input_grad:
            m = True
            if lo is not None:
                m = a >= lo
            if hi is not None:
                m = (a <= hi) & m
            ctx.save_for_backward(m)
        if lo is None:
            return xp.minimum(a, hi)
        if hi is None:
            return xp.maximum(a, lo)
        return xp.minimum(xp.maximum(a, lo), hi)

    @staticmethod
    def backward(ctx, g, xp):
        (m,) = ctx.saved_tensors
        return g * m, None, None


class ClampTensor(Op):
    node_name = "ClampBackward0"
    inputs = (0, 1, 2)  # a missing bound is a (None, 0) edge

    @staticmethod
    def forward(ctx, a, lo, hi):
        out = a
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        ctx.save_for_backward(a, lo, hi)
        return out

    @staticmethod
    def backward(ctx, g, xp):
        # torch's rule: where min > max the result is max, so min gets no gradient there
        a, lo, hi = ctx.saved_tensors
        if lo is None:
            return g * (a <= hi), None, g * (a > hi)
        if hi is None:
            return g * (a >= lo), g * (a < lo), None
        return (g * ((a >= lo) & (a <= hi)), g * ((a < lo) & (lo < hi)),
                g * ((a > hi) | (hi < lo)))


class ClampMin(Clamp):
    """clamp with a lower bound only, called as clamp_min: torch's ClampMinBackward0 node."""
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class ClampMinTensor(ClampTensor):
    node_name = "ClampMinBackward1"
    inputs = (0, 1)


class ClampMaxTensor(ClampTensor):
    node_name = "ClampMaxBackward1"
    inputs = (0, 2)


def _clamp(input, min, max, op, op_tensor, out=None):  # noqa: A002
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = as_tensor_arg(min) if min is not None else None
        hi = as_tensor_arg(max) if max is not None else None
        return _out(_apply(op_tensor, (input, lo, hi), {}, None), out)
    cast = None
    if input._array.dtype.kind in "iub" and (isinstance(min, float) or isinstance(max, float)):
        cast = D.get_default_dtype().np
    return _out(_apply(op, (input, min, max), {}, cast), out)


def clamp(input, min=None, max=None, *, out=None):  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp(input, min, max, Clamp, ClampTensor, out)


clip = clamp


def clamp_min(input, min):  # noqa: A002 - torch's node: ClampMinBackward0 (1 for a tensor)
    return _clamp(input, min, None, ClampMin, ClampMinTensor)


def clamp_max(input, max):  # noqa: A002
    return _clamp(input, None, max, ClampMax, ClampMaxTensor)


class Maximum(Op):
    """max(a, b): gradient to the larger; split evenly on ties (torch's rule)."""
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad:
            w = (a > b) + 0.5 * (a == b)
            ctx.save_for_backward(w.astype(a.dtype, copy=False))
        return xp.maximum(a, b)

    @staticmethod
    def backward(ctx, g, xp):
        (w,) = ctx.saved_tensors
        return g * w, g * (1 - w)


class Minimum(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx, a, b):
        if ctx.needs_input_grad:
            w = (a < b) + 0.5 * (a == b)
            ctx.save_for_backward(w.astype(a.dtype, copy=False))
        return xp.minimum(a, b)

    @staticmethod
    def backward(ctx, g, xp):
        (w,) = ctx.saved_tensors
        return g * w, g * (1 - w)


class Fmax(Maximum):
    @staticmethod
    def forward(ctx, a, b):
        w = (a > b) | xp.isnan(b) | ((a == b) & False)
        w = w + 0.0 * (a == b)
        ctx.save_for_backward(w.astype(a.dtype, copy=False))
        return xp.fmax(a, b)


class Fmin(Minimum):
    @staticmethod
    def forward(ctx, a, b):
        w = (a < b) | xp.isnan(b)
        ctx.save_for_backward(w.astype(a.dtype, copy=False))
        return xp.fmin(a, b)


def maximum(input, other):
    return binary(Maximum, input, other)


def minimum(input, other):
    return binary(Minimum, input, other)


def fmax(input, other):
    return binary(Fmax, input, other)


def fmin(input, other):
    return binary(Fmin, input, other)


class Where(Op):
    inputs = (1, 2)  # the condition is not differentiable

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return xp.where(cond, a, b)

    @staticmethod
    def backward(ctx, g, xp):
        (c,) = ctx.saved_tensors
        return None, xp.where(c, g, 0.0), xp.where(c, 0.0, g)


def where(condition, input=None, other=None):
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    cond = condition._array if isinstance(condition, Tensor) else xp.asarray(condition)
    if cond.dtype != xp.bool_:
        cond = cond.astype(bool)
    a, b = as_tensor_arg(input), as_tensor_arg(other)
    dt = D.result_type(*(x for x in (a, b)))
    if not isinstance(a, Tensor):
        a = wrap(xp.asarray(a, dtype=dt.np))
    if not isinstance(b, Tensor):
        b = wrap(xp.asarray(b, dtype=dt.np))
    try:
        return _apply(Where, (wrap(cond), a, b), {}, dt.np)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None


class MaskedFill(Op):
    """self with value (a 0-d array of self's dtype) where mask is set."""
    inputs = (0,)  # the mask is not differentiable; the value is a Scalar

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.save_for_backward(mask)
        return xp.where(mask, value, a)

    @staticmethod
    def backward(ctx, g, xp):
        (m,) = ctx.saved_tensors
        return xp.where(m, 0.0, g), None, None


class MaskedFillTensor(Op):
    """masked_fill with a 0-d value tensor (cast to self's dtype; its gradient is the sum of
    the gradient where the mask is set)."""
    node_name = "MaskedFillBackward1"
    inputs = (0, 2)  # the mask is not differentiable

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.save_for_backward(mask)
        return xp.where(mask, value if value.dtype == a.dtype else value.astype(a.dtype), a)

    @staticmethod
    def backward(ctx, g, xp):
        (m,) = ctx.saved_tensors
        gv = xp.sum(xp.where(m, g, 0.0)) if ctx.needs_input_grad[2] else None
        return xp.where(m, 0.0, g), None, gv


def _fill_mask(mask):
    m = mask._array if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype != xp.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{cpp_dtype_name(m.dtype)}")
    return m


def masked_fill(input, mask, value):
    """torch keeps self's dtype: the value (a Python number or a 0-d tensor of any dtype) is
    converted to it, with torch's overflow check."""
    from .indexing import checked_scalar
    m = _fill_mask(mask)
    a = input._array
    if isinstance(value, Tensor):
        v = value._array
        if v.ndim != 0:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {v.ndim} dimension(s).")
        if v.dtype != a.dtype:
            checked_scalar(v.item(), a.dtype)
        cls = MaskedFillTensor
    else:
        value, cls = checked_scalar(value, a.dtype), MaskedFill
    try:
        return _apply(cls, (input, wrap(m), value), {}, None)
    except ValueError:
        raise broadcast_error(m.shape, a.shape) from None


def masked_fill_(input, mask, value):
    from ._utils import shape_str
    from .inplace import inplace
    m = _fill_mask(mask)
    shape = input._array.shape
    if m.shape != shape:
        try:
            out = xp.broadcast_shapes(shape, m.shape)
        except ValueError:
            raise broadcast_error(shape, m.shape) from None
        if out != shape:
            raise RuntimeError(f"output with shape {shape_str(shape)} doesn't match the "
                               f"broadcast shape {shape_str(out)}")
    return inplace(input, masked_fill, mask, value)


class Lerp(Op):
    """start + w (end - start)."""

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        return a + w * (b - a)

    @staticmethod
    def backward(ctx, g, xp):
        a, b, w = ctx.saved_tensors
        gw = g * (b - a) if ctx.needs_input_grad[2] else None
        return g * (1 - w), g * w, gw


class LerpTensor(Lerp):
    node_name = "LerpBackward1"


def lerp(input, end, weight):
    weight = as_tensor_arg(weight)
    return _apply(LerpTensor if isinstance(weight, Tensor) else Lerp, (input, end, weight), {},
                  None)


class Addcmul(Op):
    @staticmethod
    def forward(ctx, a, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return a + value * t1 * t2

    @staticmethod
    def backward(ctx, g, xp):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        return g, g * v * t2, g * v * t1, None


class Addcdiv(Op):
    @staticmethod
    def forward(ctx, a, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return a + value * t1 / t2

    @staticmethod
    def backward(ctx, g, xp):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        return g, g * v / t2, -g * v * t1 / (t2 * t2), None


def addcmul(input, tensor1, tensor2, *, value=1):
    return _apply(Addcmul, (input, tensor1, tensor2, value), {}, None)


def addcdiv(input, tensor1, tensor2, *, value=1):
    return _apply(Addcdiv, (input, tensor1, tensor2, value), {}, None)


# ------------------------------------------------------------------------------ comparisons


def _compare(fn, a, b):
    a = as_tensor_arg(a)
    b = as_tensor_arg(b)
    if not isinstance(b, Tensor) and not isinstance(b, (int, float, bool, complex)):
        return NotImplemented
    aa = a._array if isinstance(a, Tensor) else a
    bb = b._array if isinstance(b, Tensor) else b
    if isinstance(a, Tensor) and isinstance(b, Tensor) and aa.dtype != bb.dtype:
        dt = D.result_type(a, b).np
        aa, bb = aa.astype(dt, copy=False), bb.astype(dt, copy=False)
    try:
        return _make(xp.asarray(fn(aa, bb)), False, None, 0, None)
    except ValueError:
        raise broadcast_error(getattr(aa, "shape", ()), getattr(bb, "shape", ())) from None


def eq(input, other):
    return _compare(xp.equal, input, other)


def ne(input, other):
    return _compare(xp.not_equal, input, other)


def lt(input, other):
    return _compare(xp.less, input, other)


def le(input, other):
    return _compare(xp.less_equal, input, other)


def gt(input, other):
    return _compare(xp.greater, input, other)


def ge(input, other):
    return _compare(xp.greater_equal, input, other)


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def logical_and(input, other):
    return _compare(xp.logical_and, input, other)


def logical_or(input, other):
    return _compare(xp.logical_or, input, other)


def logical_xor(input, other):
    return _compare(xp.logical_xor, input, other)


def logical_not(input):
    return wrap(xp.logical_not(input._array))


def _bitwise(fn, a, b):
    a, b = as_tensor_arg(a), as_tensor_arg(b)
    for x in (a, b):
        if isinstance(x, Tensor) and x._array.dtype.kind == "f":
            raise RuntimeError(f"\"{fn.__name__}_cpu\" not implemented for 'Float'")
    dt = D.result_type(a, b)
    return wrap(xp.asarray(fn(_arr(a, dt), _arr(b, dt))))


def bitwise_and(input, other):
    return _bitwise(xp.bitwise_and, input, other)


def bitwise_or(input, other):
    return _bitwise(xp.bitwise_or, input, other)


def bitwise_xor(input, other):
    return _bitwise(xp.bitwise_xor, input, other)


def bitwise_not(input):
    a = input._array
    if a.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return wrap(xp.logical_not(a) if a.dtype == xp.bool_ else xp.invert(a))


def equal(input, other) -> bool:
    return input._array.shape == other._array.shape and bool(
        xp.array_equal(input._array, other._array))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    b = other._array if isinstance(other, Tensor) else other
    return wrap(xp.isclose(input._array, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    b = other._array if isinstance(other, Tensor) else other
    return bool(xp.allclose(input._array, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isnan(input):
    return wrap(xp.isnan(input._array))


def isinf(input):
    return wrap(xp.isinf(input._array))


def isfinite(input):
    return wrap(xp.isfinite(input._array))


def isposinf(input):
    return wrap(xp.isposinf(input._array))


def isneginf(input):
    return wrap(xp.isneginf(input._array))


def signbit(input):
    return wrap(xp.signbit(input._array))


class NanToNum(Op):
    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        ctx.save_for_backward(xp.isfinite(a))
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g, xp):
        (m,) = ctx.saved_tensors
        return g * m, None, None, None


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return _apply(NanToNum, (input, nan, posinf, neginf), {}, None)


def float_power(input, exponent):
    a = input.to(D.float64) if isinstance(input, Tensor) else input
    e = exponent.to(D.float64) if isinstance(exponent, Tensor) else exponent
    return pow(a, e)

