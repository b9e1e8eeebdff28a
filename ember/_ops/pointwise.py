"""Elementwise ops: arithmetic, math functions, comparisons and logic.

Backward formulas use operators and ``xp.<numpy name>`` only, so they run on arrays (first
order) and on Tensors (``create_graph=True``).  Broadcast reduction and casting back to the input
dtype happen in the engine.

Type promotion is ``_dtype.result_type`` (applied by ``_utils.binary`` for two-operand ops);
integer/bool inputs take slower paths that also raise torch's errors for the dtypes a kernel
does not support (``_utils.not_implemented``).
"""
from __future__ import annotations

import math
from functools import partial
from operator import pow as _pow, truediv as _truediv
from typing import TYPE_CHECKING

from .. import _dtype as D
from .. import _special
from .._backend import ndarray, xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply, _apply1
from ._utils import (_binary_slow, as_tensor_arg, binary, broadcast_error, checked_int,
                     cpp_dtype_name, fit_int, float_cast, invalid_args, must_be_tensor,
                     not_implemented, quiet, scalar_type_name, unary, wrap)

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from typing import Any, overload
    from ._types import Array, Ctx, DType, Grads, NPDType, Namespace, Number, Operand, Value

# ------------------------------------------------------------------------------ arithmetic

_BOOL_SUB = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
             "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
_BOOL_SUB2 = ("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
              "`^` or `logical_xor()` operator instead.")


def _is_bool(x):
    return x.__class__ is bool or (isinstance(x, Tensor) and x._array.dtype.kind == "b")


def _check_sub(a, b, dt=None):
    """torch refuses subtraction with a bool operand (tensor or Python bool)."""
    ab, bb = _is_bool(a), _is_bool(b)
    if ab and bb:
        raise RuntimeError(_BOOL_SUB2)
    if ab or bb:
        raise RuntimeError(_BOOL_SUB)


def _zero_division_check(kernel, a, b):
    """Integer kernels of floor division, remainder and fmod: torch raises on a zero divisor
    (NumPy would warn and return 0); bool has no kernel."""
    k = (a if a.__class__ is ndarray else b).dtype.kind
    if k in "iu":
        if (b == 0).any() if b.__class__ is ndarray else b == 0:
            raise RuntimeError("ZeroDivisionError")
    elif k == "b":
        raise not_implemented(kernel, xp.dtype(bool))


class Add(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Operand) -> Array:
        return a + b

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g, g


class Sub(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch
    check = staticmethod(_check_sub)

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Operand) -> Array:
        try:
            return a - b
        except TypeError:  # NumPy refuses bool - bool
            raise RuntimeError(_BOOL_SUB2) from None

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g, -g


class Rsub(Op):
    """rsub(a, b) = b - a (``2 - x``)."""
    node_name = "RsubBackward1"
    check = staticmethod(_check_sub)

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: float) -> Array:
        return b - a

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return -g, g


class AddAlpha(Op):
    """a + alpha b: torch's AddBackward0 carries alpha (d/db = alpha)."""
    node_name = "AddBackward0"
    inputs = (0, 1)

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, alpha: float) -> Array:
        ctx.alpha = alpha
        return a + alpha * b

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g, g * ctx.alpha


class SubAlpha(Op):
    """a - alpha b (SubBackward0)."""
    node_name = "SubBackward0"
    inputs = (0, 1)

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, alpha: int) -> Array:
        ctx.alpha = alpha
        return a - alpha * b

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g, g * -ctx.alpha


class RsubAlpha(Op):
    """rsub(a, b, alpha) = b - alpha a (RsubBackward1)."""
    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Operand, alpha: float) -> Array:
        ctx.alpha = alpha
        return b - alpha * a

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * -ctx.alpha, g


class RsubTensor(RsubAlpha):  # rsub of two tensors: RsubBackward0, edges (input, other)
    node_name, check = "RsubBackward0", staticmethod(_check_sub)


class Mul(Op):
    # a Python number is a wrapped scalar input, as in torch
    inputs: tuple[int, ...] | None = (0, 1)

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Operand) -> Array:
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return a * b

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        if _complex_value(g):  # conjugate Wirtinger: g * conj(other), real inputs: real part
            from .complex import complex_grads
            return complex_grads(ctx, ns, g * _cj(b, ns) if b is not None else None,
                                 g * _cj(a, ns) if a is not None else None)
        return (g * b if b is not None else None), (g * a if a is not None else None)


class Div(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Operand) -> Array:
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if len(need) > 1 and need[1] else None, b)
        return quiet(_truediv, a, b)  # x / 0: inf or NaN, silently as torch

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        if _complex_value(g):  # conjugate Wirtinger, as Mul
            from .complex import complex_grads
            ga = g / _cj(b, ns)
            return complex_grads(ctx, ns, ga, -ga * _cj(a / b, ns) if a is not None else None)
        ga = g / b  # torch's order: -g * ((a / b) / b) (g / b may overflow where a / b not)
        return ga, (-g * ((a / b) / b) if a is not None else None)


def _int_trunc_div(a, b):
    """Integer division rounding toward zero (NumPy only has floor division for ints)."""
    q = xp.floor_divide(a, b)
    return q + ((a - q * b != 0) & ((a < 0) != (b < 0)))


class DivMode(Op):
    """div(a, b, rounding_mode='trunc'/'floor'): a step function, zero gradient."""
    node_name = "DivBackward2"
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, mode: str) -> Array:
        _zero_division_check("div_floor_cpu" if mode == "floor" else "div_trunc_cpu", a, b)
        kind = (a if a.__class__ is ndarray else b).dtype.kind
        if mode == "floor":
            return xp.floor_divide(a, b)
        if kind in "iu":
            return _int_trunc_div(a, b)
        return xp.trunc(a / b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * 0, g * 0


def _no_derivative_ops(name, fwd):
    """Op classes for an op torch has no derivative for: a ``NotImplemented`` node whose edges
    are the operands that require grad (torch's collect_next_edges), and whose backward raises
    torch's error.  Keyed by those operand positions."""
    def backward(ctx, g, ns):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    return {inputs: type(f"{name.title().replace('_', '')}NoGrad", (Op,), {
        "node_name": "NotImplemented", "inputs": inputs, "forward": staticmethod(fwd),
        "backward": staticmethod(backward)}) for inputs in ((0, 1), (0,), (1,))}


def _no_derivative(classes, a, b):
    """Run one of ``_no_derivative``'s ops (the general path: ``_apply2`` would give a Python
    number an edge)."""
    ra = isinstance(a, Tensor) and a._requires_grad
    rb = isinstance(b, Tensor) and b._requires_grad
    return _binary_slow(classes[(0, 1) if ra == rb else (0,) if ra else (1,)], a, b, None, False)


def _floor_divide_fwd(ctx, a, b):
    _zero_division_check("div_floor_cpu", a, b)
    return xp.floor_divide(a, b)


def _remainder_fwd(ctx, a, b):
    _zero_division_check("remainder_cpu", a, b)
    return xp.remainder(a, b)


_FLOOR_DIVIDE = _no_derivative_ops("floor_divide", _floor_divide_fwd)
_RREMAINDER = _no_derivative_ops("remainder", _remainder_fwd)  # remainder(number, tensor)


class Neg(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return -a

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return -g


def _int_pow(a, b):
    """Integer power as torch computes it: negative exponents give 0 except for bases 1 and -1
    (NumPy raises)."""
    neg = b < 0
    if not xp.any(neg):
        return a ** b
    out = xp.asarray(a ** xp.where(neg, 0, b))
    one = xp.ones((), out.dtype)
    special = xp.where(a == 1, one, 0)
    if out.dtype.kind == "i":
        special = xp.where(a == -1, xp.where(b % 2 == 0, one, -one), special)
    return xp.where(neg, special, out).astype(out.dtype, copy=False)


class Pow(Op):
    """x ** e for a scalar e: d/dx = e * x**(e-1)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, e: float) -> Array:
        ctx.save_for_backward(a)
        ctx.e = e
        if e == 2:
            return a * a
        if e == 3:
            return a * a * a
        if e == 0.5:
            return quiet(xp.sqrt, a)
        if e == -2 and a.dtype.kind == "f":  # torch's kernel: 1 / (x * x), and 1 / sqrt(x)
            return quiet(xp.divide, 1, a * a).astype(a.dtype, copy=False)
        if e == -0.5 and a.dtype.kind == "f":
            return quiet(xp.divide, 1, quiet(xp.sqrt, a)).astype(a.dtype, copy=False)
        return quiet(_pow, a, e)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,), e = ctx.saved_tensors, ctx.e
        if e == 0:
            return ns.zeros_like(g), None
        if _complex_value(a) or isinstance(e, complex):  # torch: grad * conj(e a**(e-1))
            return g * _cj(e * a ** (e - 1) if e != 2 else 2 * a, ns), None
        if e == 2:
            return g * 2 * a, None
        return g * e * a ** (e - 1), None


class PowTensor(Op):
    """a ** b with tensor exponent: d/da = b a^(b-1), d/db = a^b log a (0 where a == 0)."""
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        kind = (a if a.__class__ is ndarray else b).dtype.kind
        if kind in "fc":
            out = xp.asarray(quiet(_pow, a, b))
        elif kind == "b":
            raise not_implemented("pow", xp.dtype(bool))
        else:
            out = xp.asarray(_int_pow(a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        # torch: 0 where the exponent is 0; d/db 0 where a == 0 and b >= 0 (a**b log a else)
        if _complex_value(out):  # torch: grad * conj(derivative)
            ga = g * _cj(b * a ** (b - 1), ns) if need[0] else None
            gb = None
            if len(need) > 1 and need[1]:
                gb = g * _cj(ns.where(a == 0, 0.0, out * ns.log(a)), ns)
            from .complex import complex_grads
            return complex_grads(ctx, ns, ga, gb)
        ga = ns.where(b == 0, 0.0, g * b * a ** (b - 1)) if need[0] else None
        gb = None
        if len(need) > 1 and need[1]:
            zero = (a == 0) & (b >= 0)
            gb = g * ns.where(zero, 0.0, out * ns.log(a))
        return ga, gb


class RPow(Op):
    """s ** x for a scalar base: d/dx = s**x log s."""
    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx: Ctx, x: Array, s: float) -> Array:
        kind = x.dtype.kind
        if kind in "fc":
            out = xp.asarray(quiet(_pow, s, x))
        elif kind == "b":
            raise not_implemented("pow", x.dtype)
        else:
            out = xp.asarray(_int_pow(xp.asarray(s, x.dtype), x))
        ctx.save_for_backward(out)
        ctx.logs = math.log(s) if s > 0 else (float("-inf") if s == 0 else float("nan"))
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (out,) = ctx.saved_tensors
        if ctx.logs == float("-inf"):  # base 0: torch's 0 where x >= 0
            return g * ns.where(out <= 1, 0.0, out * ctx.logs), None
        if _complex_value(out):  # torch: grad * conj(s**x log s)
            return g * _cj(out * ctx.logs, ns), None
        return g * out * ctx.logs, None


class Remainder(Op):
    """a mod b (sign of b) by a scalar b: d/da = 1."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: float) -> Array:
        _zero_division_check("remainder_cpu", a, b)
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g, None


class RemainderTensor(Op):
    """a mod b = a - floor(a / b) b: d/da = 1, d/db = -floor(a / b)."""
    node_name = "RemainderBackward1"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        _zero_division_check("remainder_cpu", a, b)
        ctx.save_for_backward(a, b)
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        return g, -g * ns.floor(a / b)


class Fmod(Remainder):
    """fmod by a scalar (sign of a): d/da = 1."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: float) -> Array:
        _zero_division_check("fmod_cpu", a, b)
        return xp.fmod(a, b)


class FmodTensor(Op):
    """fmod(a, b) = a - trunc(a / b) b: d/da = 1, d/db = -trunc(a / b)."""
    node_name = "FmodBackward1"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        _zero_division_check("fmod_cpu", a, b)
        ctx.save_for_backward(a, b)
        return xp.fmod(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        return g, -g * ns.trunc(a / b)


class ToCopy(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, dtype: NPDType) -> Array:
        return a.astype(dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # the engine casts back to the input dtype; a real input of a complex result takes the
        # real part (torch's _to_copy_backward)
        if ctx._in_meta[0][1].kind != "c" and _complex_value(g):
            from .complex import Real
            return ns.apply(Real, g), None
        return g, None


def _complex_value(g: Value) -> bool:
    if g.__class__ is ndarray:
        return g.dtype.kind == "c"
    if isinstance(g, Tensor):
        return g._array.dtype.kind == "c"
    return isinstance(g, (complex, xp.complexfloating))


def _cj(x: Value, ns: Namespace) -> Value:
    """The complex conjugate of a saved operand (array, Tensor or Python number)."""
    if isinstance(x, Tensor):
        from .complex import Conj
        return ns.apply(Conj, x) if x._array.dtype.kind == "c" else x
    return xp.conjugate(x) if isinstance(x, (ndarray, complex)) else x


class Clone(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return a.copy()

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g


def _alpha(input, other, alpha, sub):
    """torch's alpha rules for add/sub/rsub: checked against and cast to the result dtype
    ``result_type(input, other)`` (alpha takes no part in the promotion)."""
    if alpha.__class__ is float or alpha.__class__ is int:
        if isinstance(other, Tensor) and isinstance(input, Tensor):
            od = other._array.dtype
            if od.kind == "f" and od == input._array.dtype:
                return alpha  # the common case: one float dtype
    a = as_tensor_arg(input)
    o = as_tensor_arg(other)
    if sub:
        _check_sub(a, o)
    dt = D.result_type(a, o)
    if alpha.__class__ is bool and dt is not D.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.category < 2 and not isinstance(alpha, (int, bool)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if dt is D.bool:
        return bool(alpha)
    if dt.category == 1:
        return fit_int(alpha, dt.np)
    return alpha


def _times(number, alpha):
    """A Python-number operand times alpha (already cast to the result dtype's kind)."""
    return (bool(number) and alpha) if alpha.__class__ is bool else number * alpha


def add(input: Tensor, other: Tensor | Number, *, alpha: Number = 1,
        out: Tensor | None = None) -> Tensor:
    if alpha != 1 or alpha.__class__ is not int:
        alpha = _alpha(input, other, alpha, False)
        if not isinstance(other, Tensor):
            return _out(binary(Add, input, _times(as_tensor_arg(other), alpha)), out)
        return _out(binary(AddAlpha, input, other, {"alpha": alpha}), out)
    return _out(binary(Add, input, other), out)


def sub(input: Tensor, other: Tensor | Number, *, alpha: Number = 1,
        out: Tensor | None = None) -> Tensor:
    if alpha != 1 or alpha.__class__ is not int:
        alpha = _alpha(input, other, alpha, True)
        if not isinstance(other, Tensor):
            return _out(binary(Sub, input, _times(as_tensor_arg(other), alpha)), out)
        return _out(binary(SubAlpha, input, other, {"alpha": alpha}), out)
    return _out(binary(Sub, input, other), out)


subtract = sub_fn = sub


def rsub(input: Tensor, other: Tensor | Number, alpha: Number = 1) -> Tensor:
    """other - alpha * input."""
    tensor = isinstance(other, Tensor)
    if tensor:
        _check_sub(input, other)
    if alpha != 1 or alpha.__class__ is not int:
        alpha = _alpha(other, input, alpha, True)
    elif not tensor:
        return binary(Rsub, input, other)
    return binary(RsubTensor if tensor else RsubAlpha, input, other, {"alpha": alpha})


def add_(input: Tensor, other: Tensor | Number, alpha: Number = 1, sub: bool = False) -> Tensor:
    """In-place add/sub off the float fast path, checked in torch's order: a bool operand of
    sub, then whether the result type fits the tensor, then alpha."""
    o = as_tensor_arg(other)
    if sub:
        _check_sub(input, o)
    shape = input._array.shape
    if isinstance(o, Tensor) and o._array.shape != shape:
        bs = xp.broadcast_shapes(o._array.shape, shape)
        if bs != shape:
            raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast "
                               f"shape {list(bs)}")
    dt = D.result_type(input, o)
    if dt.category > D.from_numpy_dtype(input._array.dtype).category:
        raise RuntimeError(f"result type {scalar_type_name(dt.np)} can't be cast to the "
                           f"desired output type {scalar_type_name(input._array.dtype)}")
    from .inplace import inplace
    return inplace(input, sub_fn if sub else add, o, alpha=alpha)


def mul(input: Tensor, other: Tensor | Number, *, out: Tensor | None = None) -> Tensor:
    return _out(binary(Mul, input, other), out)


multiply = mul


def div(input: Tensor, other: Tensor | Number, *, rounding_mode: str | None = None,
        out: Tensor | None = None) -> Tensor:
    if rounding_mode is None:
        return _out(binary(Div, input, other, float_only=True), out)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    return _out(binary(DivMode, input, other, {"mode": rounding_mode}), out)


divide = true_divide = div


def rdiv(input: Tensor, other: Tensor | Number) -> Tensor:
    """other / input for a scalar other: torch computes reciprocal(input) * other."""
    return mul(reciprocal(input), other)


def floor_divide(input: Tensor, other: Tensor | Number) -> Tensor:
    return _no_derivative(_FLOOR_DIVIDE, input, other)


def remainder(input: Tensor, other: Tensor | Number) -> Tensor:
    if not isinstance(input, Tensor):
        return _no_derivative(_RREMAINDER, input, other)
    return binary(RemainderTensor if isinstance(other, Tensor) else Remainder, input, other)


def fmod(input: Tensor, other: Tensor | Number) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"fmod() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected one "
                        "of:")
    scalar = not isinstance(other, Tensor)
    return binary(Fmod if scalar else FmodTensor, input, other)


def neg(input: Tensor) -> Tensor:
    if input._array.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _apply(Neg, (input,), {}, None)


negative = neg


def pow(input: Tensor | Number, exponent: Tensor | Number) -> Tensor:
    if not isinstance(input, Tensor):  # pow(Number, Tensor): the exponent is the Tensor
        if not isinstance(exponent, Tensor):
            raise invalid_args("pow", input, exponent)
        return rpow(exponent, input)
    if isinstance(exponent, Tensor):
        return binary(PowTensor, input, exponent)
    exponent = as_tensor_arg(exponent)
    kind = input._array.dtype.kind
    if kind in "fc" and exponent.__class__ is not complex:
        return _apply(Pow, (input, exponent), {}, None)
    dt = D.result_type(input, exponent)
    if dt.category < 2:
        if exponent.__class__ is not bool and exponent < 0:  # type: ignore[operator]  # (an int)
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if exponent.__class__ is int:
            exponent = checked_int(exponent, dt.np)
        if dt is D.bool:  # bool ** bool: torch's exponent 0/1 shortcuts (no bool kernel)
            if exponent:
                return clone(input)
            return _make(xp.ones(input._array.shape, xp.bool_), False, None, 0, None)
    return _apply(Pow, (input, exponent), {}, dt.np)


def rpow(input: Tensor, base: Tensor | Number) -> Tensor:
    """base ** input for a scalar base."""
    base = as_tensor_arg(base)
    if isinstance(base, Tensor):
        return binary(PowTensor, base, input)
    dt = D.result_type(input, base)
    if dt.category == 1 and base.__class__ is int:
        base = fit_int(base, dt.np)
    cast = None if dt.np == input._array.dtype else dt.np
    return _apply(RPow, (input, base), {}, cast)


def to_copy(t: Tensor, dtype: DType) -> Tensor:
    return _apply(ToCopy, (t, dtype.np), {}, None)


def clone(t: Tensor, *, memory_format: Any = None) -> Tensor:
    return _apply(Clone, (t,), {}, None)


def _out(res, out):
    if out is None:
        return res
    out.copy_(res) if out.shape == res.shape else out.resize_(res.shape).copy_(res)
    return out


# ------------------------------------------------------------------------------ unary math


def _unary_op(name, fwd, bwd, save="in", node_name=None, *, doc, grad, fast=None,
              fp_quiet=False, holomorphic=True):
    """Build a one-input Op: ``fwd(a)`` on arrays, ``bwd(g, x, ns)`` where ``x`` is the saved
    input (save='in') or output (save='out'); ``fast``, optional, the same signature: the
    first-order array formula (``fast_backward``).  The op and its public function show the
    docstring "Returns a new tensor with {doc}" plus "Derivative: {grad}." (the formula, in
    ASCII).  ``fp_quiet``: ``fwd`` can give inf or NaN for a finite input (log(0), sqrt(-1),
    exp(100)), which torch does silently: run it under quiet().  ``holomorphic``: for complex
    input the gradient is ``grad * conj(f'(z))``, got by running ``bwd`` at ``conj(z)``; False
    for a formula that handles complex input itself."""
    if fp_quiet:
        fwd = partial(quiet, fwd)

    def forward(ctx, a):
        out = fwd(a)
        if save == "in":
            ctx.save_for_backward(a)
        elif save == "out":
            if out.__class__ is not xp.ndarray:
                out = xp.asarray(out)
            ctx.save_for_backward(out)
        return out

    def backward(ctx, g, ns):
        if save is None:
            return bwd(g, None, ns)
        (x,) = ctx.saved_tensors
        if holomorphic and _complex_value(x):
            # torch's convention: grad * conj(f'(z)); these f have real coefficients, so
            # conj(f'(z)) is the same formula at conj(z) (and conj(f(z)) = f(conj z))
            x = _cj(x, ns)
        return bwd(g, x, ns)

    attrs = {"forward": staticmethod(forward), "backward": staticmethod(backward),
             "__doc__": f"Returns a new tensor with {doc}\n\nDerivative: {grad}."}
    attrs["_jvp_unary"] = (bwd, save, False)  # forward AD: derivative times tangent (_jvp.py)
    if fast is not None:
        def fast_backward(ctx, g, ns):
            (x,) = ctx.saved_tensors
            if holomorphic and x.dtype.kind == "c":
                x = xp.conjugate(x)
            return fast(g, x, ns)

        attrs["fast_backward"] = staticmethod(fast_backward)
    if node_name:
        attrs["node_name"] = node_name
    cls = type(name, (Op,), attrs)
    return cls


def _sqrt_pi():
    return 2.0 / math.sqrt(math.pi)


Exp = _unary_op("Exp", xp.exp, lambda g, y, ns: g * y, "out",
                doc="the exponential e**x of each element of ``input``.",
                grad="d/dx exp(x) = exp(x)", fp_quiet=True)
Exp2 = _unary_op("Exp2", xp.exp2, lambda g, y, ns: g * y * math.log(2.0), "out",
                 doc="2**x for each element x of ``input``.",
                 grad="d/dx 2**x = 2**x * ln 2", fp_quiet=True)
Expm1 = _unary_op("Expm1", xp.expm1, lambda g, y, ns: g * (y + 1), "out",
                  doc="exp(x) - 1 for each element x of ``input`` (accurate near 0).",
                  grad="d/dx (exp(x) - 1) = exp(x)", fp_quiet=True)
Log = _unary_op("Log", xp.log, lambda g, x, ns: g / x,
                doc="the natural logarithm of each element of ``input``.",
                grad="d/dx ln(x) = 1 / x", fp_quiet=True)
Log2 = _unary_op("Log2", xp.log2, lambda g, x, ns: g / (x * math.log(2.0)),
                 doc="the base-2 logarithm of each element of ``input``.",
                 grad="d/dx log2(x) = 1 / (x ln 2)", fp_quiet=True)
Log10 = _unary_op("Log10", xp.log10, lambda g, x, ns: g / (x * math.log(10.0)),
                  doc="the base-10 logarithm of each element of ``input``.",
                  grad="d/dx log10(x) = 1 / (x ln 10)", fp_quiet=True)
Log1p = _unary_op("Log1p", xp.log1p, lambda g, x, ns: g / (x + 1), node_name="Log1PBackward0",
                  doc="ln(1 + x) for each element x of ``input`` (accurate near 0).",
                  grad="d/dx ln(1 + x) = 1 / (1 + x)", fp_quiet=True)
Sqrt = _unary_op("Sqrt", xp.sqrt, lambda g, y, ns: g / (2 * y), "out",
                 doc="the square root of each element of ``input``.",
                 grad="d/dx sqrt(x) = 1 / (2 sqrt(x))", fp_quiet=True)
Rsqrt = _unary_op("Rsqrt", lambda a: 1 / xp.sqrt(a), lambda g, y, ns: g * -0.5 * y * y * y,
                  "out",
                  doc="the reciprocal of the square root of each element of ``input``.",
                  grad="d/dx x**-0.5 = -0.5 x**-1.5", fp_quiet=True)
Square = _unary_op("Square", lambda a: a * a, lambda g, x, ns: g * 2 * x,
                   node_name="PowBackward0",
                   doc="the square of each element of ``input``.",
                   grad="d/dx x**2 = 2x", fp_quiet=True)
Reciprocal = _unary_op("Reciprocal", lambda a: 1 / a, lambda g, y, ns: -g * y * y, "out",
                       doc="1 / x for each element x of ``input``.",
                       grad="d/dx 1/x = -1 / x**2", fp_quiet=True)
Sin = _unary_op("Sin", xp.sin, lambda g, x, ns: g * ns.cos(x),
                doc="the sine of each element of ``input`` (in radians).",
                grad="d/dx sin(x) = cos(x)")
Cos = _unary_op("Cos", xp.cos, lambda g, x, ns: -g * ns.sin(x),
                doc="the cosine of each element of ``input`` (in radians).",
                grad="d/dx cos(x) = -sin(x)")
Tan = _unary_op("Tan", xp.tan, lambda g, y, ns: g * (1 + y * y), "out",
                doc="the tangent of each element of ``input`` (in radians).",
                grad="d/dx tan(x) = 1 + tan(x)**2")
Asin = _unary_op("Asin", xp.arcsin, lambda g, x, ns: g / ns.sqrt(1 - x * x),
                 doc="the arcsine of each element of ``input``.",
                 grad="d/dx asin(x) = 1 / sqrt(1 - x**2)", fp_quiet=True)
Acos = _unary_op("Acos", xp.arccos, lambda g, x, ns: -g / ns.sqrt(1 - x * x),
                 doc="the arccosine of each element of ``input``.",
                 grad="d/dx acos(x) = -1 / sqrt(1 - x**2)", fp_quiet=True)
Atan = _unary_op("Atan", xp.arctan, lambda g, x, ns: g / (1 + x * x),
                 doc="the arctangent of each element of ``input``.",
                 grad="d/dx atan(x) = 1 / (1 + x**2)")
Sinh = _unary_op("Sinh", xp.sinh, lambda g, x, ns: g * ns.cosh(x),
                 doc="the hyperbolic sine of each element of ``input``.",
                 grad="d/dx sinh(x) = cosh(x)", fp_quiet=True)
Cosh = _unary_op("Cosh", xp.cosh, lambda g, x, ns: g * ns.sinh(x),
                 doc="the hyperbolic cosine of each element of ``input``.",
                 grad="d/dx cosh(x) = sinh(x)", fp_quiet=True)
Tanh = _unary_op("Tanh", xp.tanh, lambda g, y, ns: g * (1 - y * y), "out",
                 doc="the hyperbolic tangent of each element of ``input``.",
                 grad="d/dx tanh(x) = 1 - tanh(x)**2")
Asinh = _unary_op("Asinh", xp.arcsinh, lambda g, x, ns: g / ns.sqrt(x * x + 1),
                  doc="the inverse hyperbolic sine of each element of ``input``.",
                  grad="d/dx asinh(x) = 1 / sqrt(x**2 + 1)")
def _acosh_grad(g, x, ns):
    if _complex_value(x):  # torch's branch: 1 / (sqrt(z - 1) sqrt(z + 1)), not sqrt(z**2 - 1)
        return g / (ns.sqrt(x - 1) * ns.sqrt(x + 1))
    return g / ns.sqrt(x * x - 1)


Acosh = _unary_op("Acosh", xp.arccosh, _acosh_grad,
                  doc="the inverse hyperbolic cosine of each element of ``input``.",
                  grad="d/dx acosh(x) = 1 / sqrt(x**2 - 1)", fp_quiet=True)
Atanh = _unary_op("Atanh", xp.arctanh, lambda g, x, ns: g / (1 - x * x),
                  doc="the inverse hyperbolic tangent of each element of ``input``.",
                  grad="d/dx atanh(x) = 1 / (1 - x**2)", fp_quiet=True)
def _abs_grad(g, x, ns):
    if not isinstance(x, Tensor):
        return g * _sign(x)  # (sign(NaN) = 0: torch's abs gradient at NaN is 0)
    if x._array.dtype.kind == "c":  # double backward: sgn's own Wirtinger gradient
        return g * ns.apply(Sgn, x)
    return g * ns.sign(x)


Abs = _unary_op("Abs", xp.abs, _abs_grad,
                doc="the absolute value of each element of ``input``.",
                grad="d/dx |x| = sign(x) (0 at x = 0)", holomorphic=False)


def _sigmoid(a):
    """1 / (1 + exp(-a)) in place on one buffer.  Where exp(-a) overflows (a below about -88 in
    float32) the result is 1 / inf = 0, which is also what torch returns there."""
    with xp.errstate(over="ignore"):
        out = xp.negative(a, out=xp.empty_like(a))
        xp.exp(out, out=out)
    out += 1
    xp.reciprocal(out, out=out)
    return out


Sigmoid = _unary_op("Sigmoid", _sigmoid, lambda g, y, ns: g * y * (1 - y), "out",
                    doc="the logistic sigmoid 1 / (1 + exp(-x)) of each element of ``input``.",
                    grad="d/dx sigmoid(x) = sigmoid(x) (1 - sigmoid(x))")


def _relu_bwd(g, y, ns):
    """torch's threshold_backward: 0 where y <= 0, else g (NaN outputs pass g; an inf g at
    y <= 0 gives 0)."""
    return ns.connect(ns.where(y <= 0, 0, g), y)


def _relu_bwd_fast(g, y, ns):
    # a multiply is ~10x faster than where on a random mask; it is exact unless y or the
    # product holds a NaN (checked by two sums)
    with ns.errstate(invalid="ignore"):  # inf * 0: the NaN is caught just below
        r = g * (y > 0)
    if not (math.isnan(r.sum()) or math.isnan(y.sum())):
        return r
    return _relu_bwd(g, y, ns)


Relu = _unary_op("Relu", lambda a: xp.maximum(a, 0), _relu_bwd, "out",
                 doc="max(x, 0) for each element x of ``input``.",
                 grad="1 where the output is > 0, else 0", fast=_relu_bwd_fast)


Erf = _unary_op("Erf", _special.erf, lambda g, x, ns: g * _sqrt_pi() * ns.exp(-x * x),
                doc="the Gauss error function of each element of ``input``.",
                grad="d/dx erf(x) = 2 / sqrt(pi) exp(-x**2)")
Erfc = _unary_op("Erfc", _special.erfc,
                 lambda g, x, ns: -g * _sqrt_pi() * ns.exp(-x * x),
                 doc="the complementary error function 1 - erf(x) of each element of ``input``.",
                 grad="d/dx erfc(x) = -2 / sqrt(pi) exp(-x**2)")
Erfinv = _unary_op("Erfinv", _special.erfinv,
                   lambda g, y, ns: g * (math.sqrt(math.pi) / 2) * ns.exp(y * y), "out",
                   doc="the inverse error function of each element of ``input`` (in (-1, 1)).",
                   grad="d/dx erfinv(x) = sqrt(pi) / 2 exp(erfinv(x)**2)")



def _zero_grad(g, x, ns):
    return g * 0


def _sign(a):
    k = a.dtype.kind
    if k == "b":
        return a.copy()
    if k == "f":  # (x > 0) - (x < 0): NaN -> 0, as torch (NumPy's sign keeps NaN)
        return xp.subtract(a > 0, a < 0, dtype=a.dtype)
    return xp.sign(a)


Sign = _unary_op("Sign", _sign, _zero_grad, None,
                 doc="the sign (-1, 0 or 1) of each element of ``input``.",
                 grad="0 everywhere")
def _sgn_grad(g, z, ns):
    """0 for real input; for complex z, s = z / |z| has ds/dz = 1 / (2|z|) and
    ds/dconj(z) = -s**2 / (2|z|), so torch's grad is (g - conj(g) s**2) / (2|z|) (0 at z = 0)."""
    if not _complex_value(z):
        return g * 0
    a = ns.abs(z)
    zero = a == 0
    safe = ns.where(zero, 1.0, a)
    sgn = z / safe
    return ns.where(zero, 0.0, (g - _cj(g, ns) * sgn * sgn) / (2 * safe))


Sgn = _unary_op("Sgn", _sign, _sgn_grad, "in",
                doc="the sign of each element of ``input`` (x / |x| for complex values).",
                grad="0 for real x; for complex z, z / |z| (Wirtinger)", holomorphic=False)
Floor = _unary_op("Floor", xp.floor, _zero_grad, None,
                  doc="the largest integer not greater than each element of ``input``.",
                  grad="0 everywhere")
Ceil = _unary_op("Ceil", xp.ceil, _zero_grad, None,
                 doc="the smallest integer not less than each element of ``input``.",
                 grad="0 everywhere")
Trunc = _unary_op("Trunc", xp.trunc, _zero_grad, None,
                  doc="each element of ``input`` rounded toward zero.",
                  grad="0 everywhere")
Frac = _unary_op("Frac", lambda a: a - xp.trunc(a), lambda g, x, ns: g, None,
                 doc="the fractional part x - trunc(x) of each element of ``input``.",
                 grad="1 everywhere")


class Round(Op):
    """round half to even; zero gradient."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, decimals: int = 0) -> Array:
        return xp.round(a, decimals)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * 0


class RoundDecimals(Round):
    node_name = "RoundBackward1"


_SAME, _FLOAT, _LONG = "same", "float", "long"


def _unary(cls, ints=_FLOAT, bools=_FLOAT):
    """The function of a one-input op.  Float tensors go straight through; ``ints``/``bools``
    say what integer/bool tensors do, as in torch: keep their dtype (_SAME), compute in the
    default float dtype (_FLOAT), in int64 (_LONG), or raise a kernel name's
    NotImplementedError (any other string)."""
    def f(input, *, out=None):
        if out is None and isinstance(input, Tensor) and input._array.dtype.kind == "f":
            return _apply1(cls, input)  # the common case, straight through
        if not isinstance(input, Tensor):
            return unary(cls, input)  # torch's TypeError
        dt = input._array.dtype
        rule = bools if dt.kind == "b" else ints if dt.kind in "iu" else _SAME
        if rule == _SAME:
            cast = None
        elif rule == _FLOAT:
            cast = D.get_default_dtype().np
        elif rule == _LONG:
            cast = xp.int64
        else:
            raise not_implemented(rule, dt)
        return _out(_apply(cls, (input,), {}, cast), out)
    f.__name__ = cls.__name__.lower()
    f.__doc__ = cls.__doc__
    return f


exp, exp2, expm1 = _unary(Exp), _unary(Exp2), _unary(Expm1)
log, log2, log10, log1p = _unary(Log), _unary(Log2), _unary(Log10), _unary(Log1p)
sqrt, rsqrt, reciprocal = _unary(Sqrt), _unary(Rsqrt), _unary(Reciprocal)
square = _unary(Square, _SAME, _LONG)  # pow(x, 2): bool ** 2 is int64
sin, cos, tan = _unary(Sin), _unary(Cos), _unary(Tan)
asin, acos, atan = _unary(Asin), _unary(Acos), _unary(Atan)
arcsin, arccos, arctan = asin, acos, atan
sinh, cosh, tanh = _unary(Sinh), _unary(Cosh), _unary(Tanh)
asinh, acosh, atanh = _unary(Asinh), _unary(Acosh), _unary(Atanh)
arcsinh, arccosh, arctanh = asinh, acosh, atanh
sigmoid = _unary(Sigmoid)
erf, erfc, erfinv = _unary(Erf), _unary(Erfc), _unary(Erfinv)
abs = _unary(Abs, _SAME, "abs_cpu")  # noqa: A001
absolute = abs
_sign_real = _unary(Sign, _SAME, _SAME)


def sign(input: Tensor) -> Tensor:
    """The sign (-1, 0 or 1) of each element of ``input`` (0 for NaN, as torch); complex
    tensors are refused as torch refuses them (``sgn`` is their sign)."""
    if input._array.dtype.kind == "c":
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex "
                                  "numbers. Please use torch.sgn instead.")
    return _sign_real(input)
sgn = _unary(Sgn, _SAME, _SAME)
floor = _unary(Floor, _SAME, "floor_vml_cpu")
ceil = _unary(Ceil, _SAME, "ceil_vml_cpu")
trunc = _unary(Trunc, _SAME, "trunc_vml_cpu")
fix = trunc
frac = _unary(Frac, "frac_cpu", "frac_cpu")


class Softplus(Op):
    """softplus(x) = log(1 + exp(beta x)) / beta (x where beta x > threshold);
    d/dx = sigmoid(beta x) (1 above the threshold)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, beta: float, threshold: float) -> Array:
        ctx.save_for_backward(a)
        ctx.beta, ctx.threshold = beta, threshold
        z = a * beta if beta != 1 else a
        # log1p(exp(z)) = max(z, 0) + log1p(exp(-|z|)): no overflow for large z
        sp = xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))
        if beta != 1:
            sp = sp / beta
        return xp.where(z > threshold, a, sp).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        z = a * ctx.beta
        # torch's double backward is 0 from the threshold up
        s = ns.apply(Sigmoid, ns.where(z >= ctx.threshold, ns.detach(z), z))
        return g * ns.where(z > ctx.threshold, 1.0, s), None, None

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        z = a * ctx.beta
        # the overflow-free sigmoid (exp(-z) overflows, with a warning, for z << 0)
        return g * ns.where(z > ctx.threshold, 1.0, _sigmoid(z)), None, None


def softplus(input: Tensor, beta: Number = 1.0, threshold: Number = 20.0) -> Tensor:
    if input._array.dtype.kind not in "fc":
        raise not_implemented("softplus_cpu", input._array.dtype)
    return _apply(Softplus, (input, beta, threshold), {}, None)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return input.relu_()
    if input._array.dtype.kind == "f":
        return _apply1(Relu, input)
    if input._array.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    if input._array.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    return _apply(Relu, (input,), {}, None)


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:  # noqa: A001
    kind = input._array.dtype.kind
    if decimals is None:  # torch's round.default and round.decimals overloads
        if kind in "bc":
            raise not_implemented("round_vml_cpu", input._array.dtype)
        return _apply(Round, (input,), {}, None)
    if kind not in "fc":  # round.decimals has no integer kernel
        raise not_implemented("round_vml_cpu" if decimals == 0 else "round_cpu",
                              input._array.dtype)
    return _apply(RoundDecimals, (input,), {"decimals": decimals}, None)


class Atan2(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return xp.arctan2(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        d = a * a + b * b
        r = ns.where(d == 0, 0.0, 1 / d)  # torch's: 0 at (0, 0) (NaN there in 2nd order)
        return g * b * r, g * -a * r


def atan2(input: Tensor, other: Tensor | Number) -> Tensor:
    if not isinstance(input, Tensor):
        raise must_be_tensor("atan2", input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor("atan2", other)
    return binary(Atan2, input, other, float_only=True)


arctan2 = atan2


class Hypot(Op):
    """y = sqrt(a**2 + b**2); dy/da = a / y, dy/db = b / y (NaN at a = b = 0, as in torch)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        out = xp.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b, y = ctx.saved_tensors
        return g * a / y, g * b / y

    @staticmethod
    def check(a: Tensor | Number, b: Tensor | Number, dtype: DType) -> None:
        if not dtype.is_floating_point:
            raise not_implemented("hypot_cpu", dtype.np)


def hypot(input: Tensor, other: Tensor | Number) -> Tensor:
    """Returns sqrt(input**2 + other**2) elementwise, the hypotenuse of right triangles with legs
    ``input`` and ``other`` (broadcast; floating dtypes only)."""
    if not isinstance(input, Tensor):
        raise must_be_tensor("hypot", input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor("hypot", other)
    if input._array.dtype.kind != "f" or other._array.dtype.kind != "f":
        return _binary_slow(Hypot, input, other, None, False)
    return binary(Hypot, input, other)


def _logit(x):
    return xp.log(x / (1 - x))


class Logit(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, eps: float | None) -> Array:
        x = a if eps is None else xp.clip(a, eps, 1 - eps)
        ctx.save_for_backward(a)
        ctx.eps = eps
        return quiet(_logit, x)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        r = g / (a * (1 - a))
        if ctx.eps is not None:
            r = ns.where((a < ctx.eps) | (a > 1 - ctx.eps), 0.0, r)
        else:  # torch: NaN outside the domain [0, 1]
            r = ns.where((a < 0) | (a > 1), float("nan"), r)
        return r, None


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    return _apply(Logit, (input, eps), {}, float_cast(input))


# ------------------------------------------------------------------------------ where & masks


class Where(Op):
    inputs = (1, 2)  # the condition is not differentiable

    @staticmethod
    def forward(ctx: Ctx, cond: Array, a: Array, b: Array) -> Array:
        ctx.save_for_backward(cond)
        return xp.where(cond, a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (c,) = ctx.saved_tensors
        return None, ns.where(c, g, 0.0), ns.where(c, 0.0, g)


if TYPE_CHECKING:  # where(condition) is nonzero(condition, as_tuple=True)
    @overload
    def where(condition: Tensor) -> tuple[Tensor, ...]: ...
    @overload
    def where(condition: Tensor, input: Tensor | Number, other: Tensor | Number) -> Tensor: ...


def where(condition: Tensor, input: Tensor | Number | None = None,
          other: Tensor | Number | None = None) -> Tensor | tuple[Tensor, ...]:
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    cond = condition._array if isinstance(condition, Tensor) else xp.asarray(condition)
    if cond.dtype != xp.bool_:
        if cond.dtype != xp.uint8:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {scalar_type_name(cond.dtype)}")
        import warnings
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                      "and will be removed in a future version of PyTorch. Use a boolean "
                      "condition instead.", UserWarning, stacklevel=2)
        cond = cond.astype(bool)
    a, b = as_tensor_arg(input), as_tensor_arg(other)
    dt = D.result_type(a, b)
    # (checked_int only for an integer result type: then a Python scalar there is an int)
    if not isinstance(a, Tensor):
        a = wrap(xp.asarray(checked_int(a, dt.np)  # type: ignore[arg-type]
                            if dt.category == 1 else a, dtype=dt.np))
    if not isinstance(b, Tensor):
        b = wrap(xp.asarray(checked_int(b, dt.np)  # type: ignore[arg-type]
                            if dt.category == 1 else b, dtype=dt.np))
    try:
        return _apply(Where, (cond, a, b), {}, dt.np)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None


class MaskedFill(Op):
    """self with value (a 0-d array of self's dtype) where mask is set."""
    inputs = (0,)  # the mask is not differentiable; the value is a Scalar

    @staticmethod
    def forward(ctx: Ctx, a: Array, mask: Array, value: Array) -> Array:
        ctx.save_for_backward(mask)
        return xp.where(mask, value, a)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (m,) = ctx.saved_tensors
        return ns.where(m, 0.0, g), None, None


class MaskedFillTensor(Op):
    """masked_fill with a 0-d value tensor (cast to self's dtype; its gradient is the sum of
    the gradient where the mask is set)."""
    node_name = "MaskedFillBackward1"
    inputs = (0, 2)  # the mask is not differentiable

    @staticmethod
    def forward(ctx: Ctx, a: Array, mask: Array, value: Array) -> Array:
        ctx.save_for_backward(mask)
        return xp.where(mask, value if value.dtype == a.dtype else value.astype(a.dtype), a)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (m,) = ctx.saved_tensors
        gv = ns.sum(ns.where(m, g, 0.0)) if ctx.needs_input_grad[2] else None
        return ns.where(m, 0.0, g), None, gv


def _fill_mask(mask):
    m = mask._array if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype != xp.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{cpp_dtype_name(m.dtype)}")
    return m


def masked_fill(input: Tensor, mask: Tensor, value: Tensor | Number) -> Tensor:
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
        cls: type[Op] = MaskedFillTensor
    else:  # (the number converted to self's dtype: a 0-d array from here on)
        value, cls = checked_scalar(value, a.dtype), MaskedFill  # type: ignore[assignment]
    try:
        return _apply(cls, (input, wrap(m), value), {}, None)
    except ValueError:
        raise broadcast_error(m.shape, a.shape) from None


def masked_fill_(input: Tensor, mask: Tensor, value: Tensor | Number) -> Tensor:
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


def _lerp(a, b, w):
    # torch's kernel: a + w (b - a) for |w| < 0.5, else b + (w - 1) (b - a)
    if w.__class__ is float or w.__class__ is int:
        return a + w * (b - a) if -0.5 < w < 0.5 else b + (w - 1) * (b - a)
    small = xp.abs(w) < 0.5
    return xp.where(small, a, b) + xp.where(small, w, w - 1) * (b - a)


class Lerp(Op):
    """start + w (end - start)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, w: Operand) -> Array:
        ctx.save_for_backward(a, b, w)
        return quiet(_lerp, a, b, w)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b, w = ctx.saved_tensors
        gw = g * (b - a) if ctx.needs_input_grad[2] else None
        return g * (1 - w), g * w, gw


class LerpTensor(Lerp):
    node_name = "LerpBackward1"


def lerp(input: Tensor, end: Tensor, weight: Tensor | Number) -> Tensor:
    """torch's rules: ``end`` (and a weight with dimensions) must have input's dtype; a 0-d
    weight tensor takes part in type promotion; only floating results have a kernel."""
    weight = as_tensor_arg(weight)
    if not isinstance(end, Tensor):
        raise invalid_args("lerp", input, end, weight)
    ad = input._array.dtype
    if end._array.dtype != ad:
        raise RuntimeError(f"expected dtype {cpp_dtype_name(ad)} for `end` but got dtype "
                           f"{cpp_dtype_name(end._array.dtype)}")
    if isinstance(weight, Tensor):
        wd = weight._array.dtype
        if wd != ad and weight._array.ndim:
            raise RuntimeError(f"expected dtype {cpp_dtype_name(ad)} for `weight` but got dtype "
                               f"{cpp_dtype_name(wd)}")
        dt = D.result_type(input, end, weight) if wd != ad else D.from_numpy_dtype(ad)
        if dt.category < 2:
            raise not_implemented("lerp_kernel_tensor", dt.np)
        cast = None if dt.np == ad == wd else dt.np
        return apply_broadcast(LerpTensor, (input, end, weight), cast)
    if ad.kind not in "fc":
        raise not_implemented("lerp_kernel_scalar", ad)
    return apply_broadcast(Lerp, (input, end, weight), None)


def apply_broadcast(cls: type[Op], args: tuple[Any, ...], cast: NPDType | None) -> Tensor:
    """``_apply`` for an op of several tensor operands, with torch's text where their shapes
    do not broadcast (NumPy's ValueError otherwise)."""
    try:
        return _apply(cls, args, {}, cast)
    except ValueError:  # torch's text for operands that do not broadcast
        shape = ()
        for t in args:
            if isinstance(t, Tensor):
                try:
                    shape = xp.broadcast_shapes(shape, t._array.shape)
                except ValueError:
                    raise broadcast_error(shape, t._array.shape) from None
        raise


class Addcmul(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, t1: Array, t2: Array, value: float) -> Array:
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return a + value * t1 * t2

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        return g, g * v * t2, g * v * t1, None


class Addcdiv(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, t1: Array, t2: Array, value: float) -> Array:
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return a + value * t1 / t2

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        return g, g * v / t2, -g * v * t1 / (t2 * t2), None


def _addc(cls, kernel, input, tensor1, tensor2, value):
    """addcmul/addcdiv: the result dtype is that of the three tensors; ``value`` is cast to it
    (truncated for integer results, as torch does)."""
    d0, d1, d2 = input._array.dtype, tensor1._array.dtype, tensor2._array.dtype
    if d0 == d1 == d2 and d0.kind == "f":
        return _apply(cls, (input, tensor1, tensor2, value), {}, None)  # the common case
    dt = D.result_type(input, tensor1, tensor2)
    if dt is D.bool:
        raise not_implemented(kernel, dt.np)
    if dt.category == 1 and value.__class__ is not int:
        value = int(value)  # c10's conversion: truncation toward zero (bool -> 0/1)
    if dt.category == 1:
        value = checked_int(value, dt.np)
    return _apply(cls, (input, tensor1, tensor2, value), {}, dt.np)


_ADDCDIV_INT = ("Integer division with addcdiv is no longer supported, and in a future  release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                "addcdiv behavior can be implemented as (input + value * ember.trunc(tensor1 / "
                "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 "
                "/ tensor2) for float inputs. The future addcdiv behavior is just the latter "
                "implementation: (input + value * tensor1 / tensor2), for all dtypes.")


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
    return _addc(Addcmul, "addcmul_cpu_out", input, tensor1, tensor2, value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
    if tensor1._array.dtype.kind in "biu" and tensor2._array.dtype.kind in "biu":
        raise RuntimeError(_ADDCDIV_INT)
    return _addc(Addcdiv, "addcdiv_cpu_out", input, tensor1, tensor2, value)


class NanToNum(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, nan: float, posinf: float | None,
                neginf: float | None) -> Array:
        ctx.save_for_backward(xp.isfinite(a))
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (m,) = ctx.saved_tensors
        return g * m, None, None, None


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    return _apply(NanToNum, (input, nan, posinf, neginf), {}, None)


def float_power(input: Tensor | Number, exponent: Tensor | Number) -> Tensor:
    cplx = any(x.is_complex() if isinstance(x, Tensor) else isinstance(x, complex)
               for x in (input, exponent))
    wide = D.complex128 if cplx else D.float64  # torch computes in double (complex) precision
    a = input.to(wide) if isinstance(input, Tensor) else input
    e = exponent.to(wide) if isinstance(exponent, Tensor) else exponent
    return pow(a, e)


from .clamp import (Clamp, ClampMax, ClampMaxTensor, ClampMin, ClampMinTensor,  # noqa: E402,F401
                    ClampTensor, Fmax, Fmin, Maximum, Minimum, _clamp, _maximum, _minimum,
                    _scalar_bound, _tensors_only, clamp, clamp_, clamp_max, clamp_min, clip,
                    fmax, fmin, maximum, minimum)

# torch's messages for complex inputs these kernels lack (NumPy's TypeError is translated in
# autograd/function.py ``_dtype_refusal``; {T}: ComplexFloat or ComplexDouble)
for _cls, _msg in ((Floor, "floor is not supported for complex inputs"),
                   (Ceil, "ceil is not supported for complex inputs"),
                   (Trunc, "trunc is not supported for complex inputs"),
                   (Frac, "\"frac_cpu\" not implemented for '{T}'"),
                   (Erf, "\"erf_vml_cpu\" not implemented for '{T}'"),
                   (Erfinv, "\"erfinv_vml_cpu\" not implemented for '{T}'"),
                   (Remainder, "\"remainder_cpu\" not implemented for '{T}'"),
                   (RemainderTensor, "\"remainder_cpu\" not implemented for '{T}'"),
                   (Fmod, "\"fmod_cpu\" not implemented for '{T}'"),
                   (FmodTensor, "\"fmod_cpu\" not implemented for '{T}'"),
                   (Atan2, "\"atan2_cpu\" not implemented for '{T}'"),
                   *((c, "\"div_floor_cpu\" not implemented for '{T}'")
                     for c in _FLOOR_DIVIDE.values())):
    _cls.complex_msg = _msg


# ------------------------------------------------------------------------------ exports
# ``ember/__init__.py`` exports every name in ``__all__`` (the ``torch.*`` functions defined
# here); each name in ``TENSOR_METHODS`` also becomes a Tensor method ``t.name(...)`` and its
# in-place form ``t.name_(...)`` (``ember/_tensor.py`` ``install_methods``), unless Tensor
# defines that method itself.  Adding an op: its Op class and public function above, its names
# here, and a row in ``tests/op_table.py``.
__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "neg", "negative", "pow", "float_power", "clone", "exp",
    "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "reciprocal",
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "erf", "erfc",
    "erfinv", "abs", "absolute", "sign", "sgn", "floor", "ceil", "trunc", "fix", "frac", "relu",
    "round", "atan2", "arctan2", "logit", "clamp", "clip", "clamp_min", "clamp_max", "maximum",
    "minimum", "fmax", "fmin", "where", "masked_fill", "lerp", "addcmul", "addcdiv", "nan_to_num",
    "hypot",
]
TENSOR_METHODS = (
    "hypot",
    # issue 13: the in-place forms torch has (the out-of-place methods are Tensor's own)
    "absolute", "acos", "acosh", "arccos", "arcsin", "arctan", "arctan2", "asin", "asinh", "atan",
    "atan2", "atanh", "cos", "cosh", "divide", "erf", "erfc", "erfinv", "exp2", "expm1", "fix",
    "floor_divide", "fmod", "frac", "log10", "log1p", "log2", "logit", "multiply", "nan_to_num",
    "negative", "remainder", "rsqrt", "sgn", "sin", "sinh", "subtract", "tan", "true_divide",
    "trunc", "arcsinh", "arccosh", "arctanh",
)
