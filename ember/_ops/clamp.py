"""clamp and its variants, maximum/minimum and fmax/fmin (elementwise ops, split out of
pointwise.py, which re-exports every name).

Backward formulas use operators and ``xp.<numpy name>`` only (see pointwise.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _dtype as D
from .._backend import xp
from .._backend import xp as _np  # (arrays, also in backward under create_graph)
from .._tensor import Tensor
from ..autograd.function import Op, _apply
from . import pointwise as _pw
from ._utils import (binary, checked_number, cpp_dtype_name, must_be_tensor, not_implemented,
                     scalar_type_name, shape_str)

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Callable

    from ._types import Array, Ctx, Grads, Namespace, Number, Operand, Value


class Clamp(Op):
    """clamp: gradient passes where min <= x <= max."""
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx: Ctx, a: Array, lo: float | None, hi: float | None) -> Array:
        if ctx.needs_input_grad:
            m: Array | bool = True
            if lo is not None:
                m = a >= lo
            if hi is not None:
                m = (a <= hi) & m
            ctx.save_for_backward(m)
        if lo is None:  # (at least one bound is given)
            return xp.minimum(a, hi)  # type: ignore[arg-type]
        if hi is None:
            return xp.maximum(a, lo)
        return xp.minimum(xp.maximum(a, lo), hi)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (m,) = ctx.saved_tensors
        return g * m, None, None


class ClampTensor(Op):
    node_name = "ClampBackward0"
    inputs: tuple[int, ...] | None = (0, 1, 2)  # a missing bound is a (None, 0) edge

    @staticmethod
    def forward(ctx: Ctx, a: Array, lo: Array | None, hi: Array | None) -> Array:
        out = a
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        ctx.save_for_backward(a, lo, hi)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # torch's rule: where min > max the result is max, so min gets no gradient there
        a, lo, hi = ctx.saved_tensors
        if lo is None:
            return ns.where(a <= hi, g, 0.0), None, ns.where(a > hi, g, 0.0)
        if hi is None:
            return ns.where(a >= lo, g, 0.0), ns.where(a < lo, g, 0.0), None
        need = ctx.needs_input_grad
        sa, sl, sh = tuple(a.shape), tuple(lo.shape), tuple(hi.shape)
        if sa != sl or sa != sh:  # torch combines the masks in place: shapes must fit
            bc = _np.broadcast_shapes
            for left, right, k in ((bc(sa, sl), bc(sa, sh), 0), (bc(sa, sl), bc(sl, sh), 1),
                                   (bc(sa, sh), bc(sl, sh), 2)):
                if need[k]:
                    _inplace_broadcast(left, right)
        return (ns.where((a >= lo) & (a <= hi), g, 0.0) if need[0] else None,
                ns.where((a < lo) & (lo < hi), g, 0.0) if need[1] else None,
                ns.where((a > hi) | (hi < lo), g, 0.0) if need[2] else None)


def _inplace_broadcast(shape, other):
    out = _np.broadcast_shapes(shape, other)
    if out != shape:
        raise RuntimeError(f"output with shape {shape_str(shape)} doesn't match the broadcast "
                           f"shape {shape_str(out)}")


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


def _scalar_bound(s, dt):
    """A Python-number clamp bound converted to the computation dtype with torch's check."""
    if s is None or s.__class__ is bool:
        return s
    return checked_number(s, dt.np)


CLAMP_COMPLEX = "clamp is not supported for complex types"


def _complex_pair(name, input, other):
    """torch's maximum/minimum/fmax/fmin refuse complex tensors (NumPy orders them)."""
    if input._array.dtype.kind == "c" or other._array.dtype.kind == "c":
        raise RuntimeError(f"{name} not implemented for complex tensors.")


def _clamp(input, min, max, op, op_tensor, out=None):  # noqa: A002
    """clamp with torch's promotion: result_type(input, min, max); bool kernels and integer
    bounds out of the dtype's range raise as torch."""
    if input._array.dtype.kind == "c":
        raise NotImplementedError(CLAMP_COMPLEX)
    lo_t, hi_t = isinstance(min, Tensor), isinstance(max, Tensor)
    if lo_t or hi_t:
        if (lo_t or min is None) and (hi_t or max is None):
            dt = D.result_type(input, *(b for b in (min, max) if b is not None))
            if dt is D.bool and min is not None and max is not None:
                raise not_implemented("clamp_cpu", dt.np)
            return _pw._out(_pw.apply_broadcast(op_tensor, (input, min, max), dt.np), out)
        # one Tensor bound and one number: torch's parser only takes a 0-d tensor, as a number
        t = min if lo_t else max
        if t._array.ndim:
            kw = ", ".join(f"{k}={'Tensor' if isinstance(v, Tensor) else type(v).__name__}"
                           for k, v in (("max", max), ("min", min)))
            raise TypeError(f"clamp() received an invalid combination of arguments - got "
                            f"(Tensor, {kw}), but expected one of:")
        min, max = (t.item(), max) if lo_t else (min, t.item())  # noqa: A001
    if input._array.dtype.kind == "f" and min.__class__ is not complex and \
            max.__class__ is not complex:
        if not ((min is None or -65504.0 < min < 65504.0) and  # beyond float16's range: check
                (max is None or -65504.0 < max < 65504.0)):
            dt = input._array.dtype
            min, max = checked_number(min, dt), checked_number(max, dt)  # noqa: A001
        return _pw._out(_apply(op, (input, min, max), {}, None), out)  # the common case
    dt = D.result_type(input, *(b for b in (min, max) if b is not None))
    if dt is D.bool:
        kernel = ("clamp_scalar_cpu" if min is not None and max is not None else
                  "clamp_min_scalar_cpu" if min is not None else "clamp_max_scalar_cpu")
        raise not_implemented(kernel, dt.np)
    lo, hi = _scalar_bound(min, dt), _scalar_bound(max, dt)
    cast = None if dt.np == input._array.dtype else dt.np
    return _pw._out(_apply(op, (input, lo, hi), {}, cast), out)


def clamp(input: Tensor, min: Tensor | Number | None = None, max: Tensor | Number | None = None, *,
          out: Tensor | None = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp(input, min, max, Clamp, ClampTensor, out)


clip = clamp


def clamp_(input: Tensor, min: Tensor | Number | None = None, max: Tensor | Number | None = None,
           fn: Callable[..., Tensor] | None = None) -> Tensor:  # noqa: A002
    """In-place clamp (``fn``: clamp_min/clamp_max for their nodes); torch names the output
    type in C++ words when it can't hold the result (``result type Float can't be cast to the
    desired output type long int``)."""
    ad = input._array.dtype
    if ad.kind == "c":
        raise NotImplementedError(CLAMP_COMPLEX)
    if ad.kind != "f" and not (isinstance(min, Tensor) or isinstance(max, Tensor)):
        dt = D.result_type(input, *(v for v in (min, max) if v is not None))
        if dt.category > D.from_numpy_dtype(ad).category:
            raise RuntimeError(f"result type {scalar_type_name(dt.np)} can't be cast to the "
                               f"desired output type {cpp_dtype_name(ad)}")
    from .inplace import inplace
    if fn is None:
        return inplace(input, clamp, min, max)
    return inplace(input, fn, min if max is None else max)


def clamp_min(input: Tensor, min: Tensor | Number) -> Tensor:  # noqa: A002
    # torch's node: ClampMinBackward0 (1 for a tensor)
    return _clamp(input, min, None, ClampMin, ClampMinTensor)


def clamp_max(input: Tensor, max: Tensor | Number) -> Tensor:  # noqa: A002
    return _clamp(input, None, max, ClampMax, ClampMaxTensor)


def _save_tie_weights(ctx, a, b, a_loses, b_loses):
    """torch's maximum/minimum gradient weights: 1/2 each on ties, 0 to the side that loses,
    else 1 -- so where a NaN meets anything, both sides get the whole gradient."""
    need = ctx.needs_input_grad
    half = 0.5 * (a == b)
    wa = (1 - half - a_loses).astype(a.dtype, copy=False) if need[0] else None
    wb = (1 - half - b_loses).astype(a.dtype, copy=False) if len(need) > 1 and need[1] else None
    ctx.save_for_backward(wa, wb)


class Maximum(Op):
    """max(a, b): gradient to the larger; split evenly on ties (torch's rule)."""
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Operand) -> Array:
        if ctx.needs_input_grad:
            _save_tie_weights(ctx, a, b, a < b, a > b)
        return xp.maximum(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        wa, wb = ctx.saved_tensors
        return (g * wa if wa is not None else None), (g * wb if wb is not None else None)


class Minimum(Op):
    inputs = (0, 1)  # a Python number is a wrapped scalar input, as in torch

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        if ctx.needs_input_grad:
            _save_tie_weights(ctx, a, b, a > b, a < b)
        return xp.minimum(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        wa, wb = ctx.saved_tensors
        return (g * wa if wa is not None else None), (g * wb if wb is not None else None)


class Fmax(Maximum):
    """fmax: the gradient goes to a where a >= b or b is NaN, else to b (torch's masks)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Operand) -> Array:
        if ctx.needs_input_grad:
            ctx.save_for_backward((a >= b) | xp.isnan(b))
        return xp.fmax(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (w,) = ctx.saved_tensors
        return ns.where(w, g, 0.0), ns.where(w, 0.0, g)


class Fmin(Fmax):
    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Operand) -> Array:
        if ctx.needs_input_grad:
            ctx.save_for_backward((a <= b) | xp.isnan(b))
        return xp.fmin(a, b)


def _tensors_only(name, input, other):
    if not isinstance(input, Tensor):
        raise must_be_tensor(name, input, 1, "input")
    if not isinstance(other, Tensor):
        raise must_be_tensor(name, other)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    _tensors_only("maximum", input, other)
    _complex_pair("maximum", input, other)
    return binary(Maximum, input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    _tensors_only("minimum", input, other)
    _complex_pair("minimum", input, other)
    return binary(Minimum, input, other)


def _maximum(input, other):
    """NumPy's maximum on Tensors (a number allowed): for backward formulas (``gx``)."""
    return binary(Maximum, input, other)


def _minimum(input, other):
    return binary(Minimum, input, other)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    _tensors_only("fmax", input, other)
    _complex_pair("fmax", input, other)
    return binary(Fmax, input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    _tensors_only("fmin", input, other)
    _complex_pair("fmin", input, other)
    return binary(Fmin, input, other)
