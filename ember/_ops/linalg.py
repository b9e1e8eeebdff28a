"""Matrix products: matmul in all its forms, mm/bmm/mv/dot/outer, addmm, einsum."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _autocast as _ac
from .. import _dtype as D
from .._backend import matmul2, xp
from .._backend import xp as _xp  # index arrays built inside backward formulas
from .._tensor import Tensor
from ..autograd.function import Op, _apply, _apply2
from ..autograd.grad_mode import _state as _grad_state
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from ._utils import (
    as_tensor_arg,
    broadcast_error,
    checked_int,
    cpp_dtype_name,
    fit_int,
    not_implemented,
    scalar_type_name,
    wrap_dim,
)

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from typing import Any

    from ._types import Array, Ctx, Grads, Namespace, Number, Value

_BOOL = xp.dtype(bool)


def _mat_t(x, ns):
    return x.swapaxes(-1, -2)  # (ndarray and Tensor method alike)


class Matmul(Op):
    """C = A @ B (mm, bmm): dA = G B^T, dB = A^T G."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
            # torch's mm backward: a column-major (transposed-view) 2-D operand gets its
            # gradient in column-major order too: computed as (.. @ ..)^T, so that after the
            # transpose back (x @ w.t(): TBackward) it lands contiguous in w's layout
            ctx.cm = (_col_major(a) if need[0] else False, _col_major(b) if need[1] else False)
        out = matmul2(a, b) if a.ndim == 2 and b.ndim == 2 else xp.matmul(a, b)
        return out if out.dtype is a.dtype else _round(out, a.dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        if _pw._complex_value(g):  # conjugate Wirtinger gradient: G conj(B)^T, conj(A)^T G
            a = _pw._cj(a, ns) if a is not None else None
            b = _pw._cj(b, ns) if b is not None else None
        cm_a, cm_b = ctx.cm
        ga = gb = None
        if b is not None:
            ga = _mat_t(ns.matmul(b, _mat_t(g, ns)), ns) if cm_a else \
                ns.matmul(g, _mat_t(b, ns))
        if a is not None:
            gb = _mat_t(ns.matmul(_mat_t(g, ns), a), ns) if cm_b else \
                ns.matmul(_mat_t(a, ns), g)
        return ga, gb


def _round(out, dt):
    """A bfloat16 product: NumPy (ml_dtypes) returns it in float32, accumulated in float32 as
    torch's kernels do; rounded once to the operands' dtype."""
    return out.astype(dt, copy=False)


def _col_major(x):
    """A 2-D array laid out column-major (a transposed contiguous matrix), as torch tests it."""
    if x.ndim != 2:
        return False
    s0, s1 = x.strides
    n0, n1 = x.shape
    return s0 == x.itemsize and s1 == n0 * x.itemsize and n1 > 1 and n0 > 1


class Mm(Matmul):
    node_name = "MmBackward0"


class Bmm(Matmul):
    node_name = "BmmBackward0"


class Mv(Op):
    """y = A v: dA = g v^T, dv = A^T g."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, v: Array) -> Array:
        ctx.save_for_backward(a, v)
        return xp.matmul(a, v)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, v = ctx.saved_tensors
        ga = ns.matmul(g[..., :, None], v[..., None, :])
        gv = ns.matmul(_mat_t(a, ns), g[..., :, None])[..., 0]
        return ga, gv


class Dot(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return xp.dot(a, b)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        return g * b, g * a


def _promote(a, b):
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{cpp_dtype_name(a._array.dtype)} != "
                           f"{cpp_dtype_name(b._array.dtype)}")


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """torch.matmul, composed exactly as torch's ``_matmul_impl`` composes it (so the graph is
    torch's node for node): dot, mv, ``unsqueeze -> mm -> squeeze_``, mm, a fold of the larger
    operand's batch into mm/mv (``reshape -> mm -> _unsafe_view``), or broadcast batches
    through ``expand -> reshape -> bmm -> _unsafe_view``."""
    if _ac.on:  # autocast (the ops on torch's lower-precision list read this one flag)
        input, other = _ac.lower(input, other)
    if isinstance(input, Tensor) and isinstance(other, Tensor):  # 2-D @ 2-D, the common case
        aa, ba = input._array, other._array
        if aa.ndim == 2 and ba.ndim == 2 and aa.shape[1] == ba.shape[0] and \
                aa.dtype == ba.dtype and aa.dtype != _BOOL:
            return _apply2(Mm, input, other)
    a, b = as_tensor_arg(input), as_tensor_arg(other)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    na, nb = a._array.ndim, b._array.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D "
                           f"and {nb}D")
    if na == 1 and nb == 1:
        return dot(a, b)
    if na == 2 and nb == 1:
        return mv(a, b)
    if na == 1 and nb == 2:
        return _sh.squeeze_inplace_dim(mm(_sh.unsqueeze(a, 0), b), 0)
    if na == 2 and nb == 2:
        return mm(a, b)
    if _should_fold(a, b):
        transpose = nb > na
        t1 = _sh.transpose(b, -1, -2) if transpose else a
        t2 = (_sh.t(a) if na == 2 else a) if transpose else b
        sizes1 = t1._array.shape
        out_shape = sizes1[:-1]
        folded = _numel(out_shape)
        if t2._array.ndim == 2:
            out_shape += (t2._array.shape[1],)
        t1f = _sh.reshape(t1, (folded, sizes1[-1]))
        if t2._array.ndim == 2:
            out = _sh.unsafe_view(mm(t1f, t2), out_shape)
            return _sh.contiguous(_sh.transpose(out, -1, -2)) if transpose else out
        return _sh.unsafe_view(mv(t1f, t2), out_shape)
    sa, sb = a._array.shape, b._array.shape
    n = sa[-2] if na > 1 else 1
    m1 = sa[-1]
    batch1 = sa[:max(na - 2, 0)]
    m2 = sb[-2] if nb > 1 else sb[0]
    p = sb[-1] if nb > 1 else 1
    batch2 = sb[:max(nb - 2, 0)]
    if na == 3 and nb == 3 and batch1[0] != batch2[0]:
        if batch1[0] == 1 and a._requires_grad:
            return matmul(_sh.squeeze(a, 0), b)
        if batch2[0] == 1 and b._requires_grad:
            return matmul(a, _sh.squeeze(b, 0))
    try:
        out_shape = tuple(xp.broadcast_shapes(batch1, batch2))
    except ValueError:
        raise broadcast_error(batch1, batch2) from None
    nbatch = _numel(out_shape)
    t1e = _sh.reshape(_sh.expand(a, out_shape + (n, m1)), (nbatch, n, m1))
    vector_rhs = nb == 1
    if vector_rhs:
        t2e = _sh.unsqueeze(_sh.reshape(_sh.expand(b, out_shape + (m2,)), (nbatch, m2)), 2)
    else:
        t2e = _sh.reshape(_sh.expand(b, out_shape + (m2, p)), (nbatch, m2, p))
    if na > 1:
        out_shape += (n,)
    if nb > 1:
        out_shape += (p,)
    prod = bmm(t1e, t2e)
    if vector_rhs:
        prod = _sh.squeeze(prod, -1)
    return _sh.unsafe_view(prod, out_shape)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _should_fold(a, b):
    """torch's ``should_fold``: fold the larger operand's batch into mm/mv when the other is
    1-D/2-D and that needs no copy (or the other operand requires grad: folding then avoids
    a batch-sized gradient buffer in backward)."""
    na, nb = a._array.ndim, b._array.ndim
    larger = na >= nb
    dim_t1, dim_t2 = (na, nb) if larger else (nb, na)
    if not (dim_t1 >= 3 and dim_t2 <= 2):
        return False
    if (b if larger else a)._requires_grad:
        return True
    if na == 2:
        return False
    t1 = a._array if larger else b._array.swapaxes(-1, -2)
    if t1.size == 0:
        return True
    shape, strides = t1.shape, t1.strides
    for i in range(dim_t1 - 2):
        if strides[i] != strides[i + 1] * shape[i + 1]:
            return False
    return True


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if _ac.on:
        input, mat2 = _ac.lower(input, mat2)
    na, nb = input._array.ndim, mat2._array.ndim
    if na != 2:
        raise RuntimeError("self must be a matrix")
    if nb != 2:
        raise RuntimeError("mat2 must be a matrix")
    sa, sb = input._array.shape, mat2._array.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and "
                           f"{sb[0]}x{sb[1]})")
    _promote(input, mat2)
    if input._array.dtype == _BOOL and sa[1] and sa[0] * sb[1]:
        raise not_implemented("addmm_impl_cpu_", _BOOL)
    return _apply(Mm, (input, mat2), {}, None)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    if _ac.on:
        input, mat2 = _ac.lower(input, mat2)
    if input._array.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._array.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = input._array.shape, mat2._array.shape
    if sa[0] != sb[0] or sa[2] != sb[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    d1, d2 = input._array.dtype, mat2._array.dtype
    if d1 != d2 or d1 == _BOOL:
        # the result takes batch2's dtype; an empty result or contraction never reaches the
        # kernel (no dtype error then)
        if sa[0] * sa[1] * sb[2] and sa[2]:
            _bmm_kernel_check("bmm", d1, d2, sa[1] * sa[2] * sb[2])
        _grad_dtype_check(d2, input, mat2)
        return _apply(Bmm, (input, mat2), {}, d2)
    return _apply(Bmm, (input, mat2), {}, None)


def _grad_dtype_check(dt, *tensors):
    """torch's error for a differentiable op whose result dtype (here another operand's) is
    not floating while an input requires grad."""
    if dt.kind not in "fc" and _grad_state.enabled and any(t._requires_grad for t in tensors):
        raise RuntimeError(f"Autograd not support dtype: {scalar_type_name(dt)}")


def _bmm_kernel_check(kernel, d1, d2, work):
    """torch's dtype errors of its bmm/baddbmm kernels (``bmm_out_or_baddbmm_``): below 400
    multiply-adds per batch item the kernel dispatches on batch1's dtype and reads batch2 and
    the result (batch2's dtype) as that; above, a floating result goes to the BLAS batch path
    (reads batch1 as the result's dtype), any other to ``addmm_impl_cpu_`` per item."""
    if work < 400:
        if d1 == _BOOL:
            raise not_implemented(kernel, d1)
        if d1 != d2:
            raise RuntimeError(f"expected scalar type {scalar_type_name(d1)} but found "
                               f"{scalar_type_name(d2)}")
    elif d2.kind in "fc":
        if d1 != d2:
            raise RuntimeError(f"expected scalar type {scalar_type_name(d2)} but found "
                               f"{scalar_type_name(d1)}")
    else:
        if d1 != d2:
            if kernel == "bmm":
                raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                                   f"{cpp_dtype_name(d1)} != {cpp_dtype_name(d2)}")
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{scalar_type_name(d1)} and {scalar_type_name(d2)}")
        if d1 == _BOOL:
            raise not_implemented("addmm_impl_cpu_", d1)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    if input._array.ndim != 2 or vec._array.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._array.ndim}, "
                           f"{vec._array.ndim}")
    sa, sb = input._array.shape, vec._array.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec "
                           f"({sb[0]})")
    if input._array.dtype != vec._array.dtype:
        v, m = scalar_type_name(vec._array.dtype), scalar_type_name(input._array.dtype)
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {v}, {m}, "
                           f"and {v}")
    if input._array.dtype == _BOOL and input._array.size:
        raise not_implemented("addmv_impl_cpu", _BOOL)
    return _apply(Mv, (input, vec), {}, None)


def dot(input: Tensor, other: Tensor, _op: type[Op] | None = None) -> Tensor:
    if input._array.ndim != 1 or other._array.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._array.ndim}D and "
                           f"{other._array.ndim}D tensors")
    sa, sb = input._array.shape, other._array.shape
    if sa[0] != sb[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                           f"[{sb[0]}] to have the same number of elements, but got "
                           f"{sa[0]} and {sb[0]} elements respectively")
    if input._array.dtype != other._array.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{scalar_type_name(input._array.dtype)} and "
                           f"{scalar_type_name(other._array.dtype)}")
    if input._array.dtype == _BOOL:
        raise not_implemented("dot", _BOOL)
    return _apply(_op or Dot, (input, other), {}, None)


class Vdot(Dot):
    node_name = "VdotBackward0"  # (real dtypes: no conjugation)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    return dot(input, other, Vdot)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """torch.inner: a product with a 0-d operand, else tensordot over both last dims."""
    if input._array.ndim == 0 or other._array.ndim == 0:
        return _pw.mul(input, other)
    sa, sb = input._array.shape, other._array.shape
    if sa[-1] != sb[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes [{', '.join(map(str, sa))}] and "
                           f"[{', '.join(map(str, sb))}]")
    return tensordot(input, other, ([-1], [-1]))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """torch's outer: ``input.reshape(n, 1) * vec2`` (MulBackward0 over ViewBackward0)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t._array.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{t._array.ndim}-D")
    return _pw.mul(_sh.reshape(input, (input._array.shape[0], 1)), vec2)


ger = outer


_INT_RANGE = {n: (int(xp.iinfo(n).min), int(xp.iinfo(n).max))
              for n in ("uint8", "int8", "int16", "int32", "int64")}


def _int_scalar(s, dt):
    """A Scalar as torch's integer kernels read it (``alpha.to<scalar_t>()``): range-checked
    (a float against the type's range before truncation, -0.5 overflows uint8), truncated."""
    if isinstance(s, float):
        lo, hi = _INT_RANGE[dt.name]
        if not lo <= s <= hi:  # (nan too)
            raise RuntimeError(f"value cannot be converted to type {D.spelling(dt, 'c_type')} "
                               f"without overflow")
    return checked_int(int(s), dt)


def _float_scalars(dt, *scalars, opmath=True):
    """torch's checked conversion of alpha/beta to a floating kernel's type: a finite value
    beyond the type's range overflows (inf converts).  The gemm kernels read half alpha/beta
    as float (opmath), addmv's as half."""
    if opmath and dt == xp.float16:
        dt = xp.dtype("float32")
    lim = float(xp.finfo(dt).max)
    for s in scalars:
        if not isinstance(s, complex) and lim < abs(s) < float("inf"):
            raise RuntimeError(f"value cannot be converted to type "
                               f"{D.spelling(dt, 'c_type')} without overflow")


def _check_mul_(dt, s):
    """torch's in-place ``result.mul_(s)`` check: the result type of a ``dt`` tensor times the
    Python scalar ``s`` must cast back to ``dt``."""
    k = dt.kind
    if isinstance(s, (bool, xp.bool_)) or k == "c":
        return
    if isinstance(s, (int, xp.integer)):
        word = "Long" if k == "b" else None
    elif isinstance(s, complex):
        word = "ComplexDouble" if dt == xp.float64 else "ComplexFloat"
    else:
        word = "Float" if k in "biu" else None
    if word is not None:
        raise RuntimeError(f"result type {word} can't be cast to the desired output type "
                           f"{scalar_type_name(dt)}")


def _gemm_rare(c, a, b, beta, alpha):
    """beta*c + alpha*(a @ b) where torch takes a shortcut or an integer kernel: an empty result
    is just allocated; an empty contraction gives zeros (beta == 0) or ``c * beta`` without the
    alpha term (a 0 * inf is never formed); integer kernels read alpha and beta truncated."""
    prod = xp.matmul(a, b)
    if prod.size == 0:
        return prod
    if a.shape[-1] == 0:
        if beta == 0:
            return prod
        if prod.dtype.kind in "iu" and not isinstance(beta, bool):
            beta = fit_int(int(beta), prod.dtype)  # (torch's mul_ wraps an int scalar)
        prod[...] = c * beta
        return prod
    alpha, beta = _int_scalar(alpha, prod.dtype), _int_scalar(beta, prod.dtype)
    if alpha != 1:
        prod *= alpha
    if beta != 0:
        prod += c * beta if beta != 1 else c
    return prod


def _gemm(c, a, b, beta, alpha):
    if a.shape[-1] == 0 or a.dtype.kind in "iub":
        return _gemm_rare(c, a, b, beta, alpha)
    out = matmul2(a, b) if a.ndim == 2 and b.ndim == 2 else xp.matmul(a, b)
    if alpha != 1:
        out *= alpha
    if beta == 0:
        return out
    if beta != 1:
        return out + beta * c
    out += c  # c broadcasts into the fresh product
    return out


def _scaled(g, s):
    """torch's ``maybe_multiply``: g unchanged when s is 1, else g * s (0 * inf stays nan)."""
    return g if s == 1 else g * s


class Addmm(Op):
    """beta*C + alpha*(A @ B): dC = beta G (the engine sums it to C's shape), dA = alpha G B^T,
    dB = alpha A^T G.  A column-major operand (``w.t()`` in ``F.linear``) gets its gradient in
    column-major order, as torch's mm backward does, so that after ``TBackward0`` it lands
    contiguous in the parameter's own layout."""

    @staticmethod
    def forward(ctx: Ctx, c: Array, a: Array, b: Array, beta: float, alpha: float) -> Array:
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
            ctx.cm = (_col_major(a) if need[1] else False, _col_major(b) if need[2] else False)
        ctx.beta, ctx.alpha = beta, alpha
        out = _gemm(c, a, b, beta, alpha)
        return out if out.dtype is a.dtype else _round(out, a.dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        cm_a, cm_b = ctx.cm
        beta, alpha = ctx.beta, ctx.alpha
        gc = _scaled(g, beta) if ctx.needs_input_grad[0] else None
        ga = gb = None
        if b is not None:
            ga = _mat_t(ns.matmul(b, _mat_t(g, ns)), ns) if cm_a else \
                ns.matmul(g, _mat_t(b, ns))
            ga = _scaled(ga, alpha)
        if a is not None:
            gb = _mat_t(ns.matmul(_mat_t(g, ns), a), ns) if cm_b else \
                ns.matmul(_mat_t(a, ns), g)
            gb = _scaled(gb, alpha)
        return gc, ga, gb, None, None


def _gemm_shortcut_check(c, k, out_numel, beta):
    """The dtype error of torch's empty-contraction shortcut ``result.copy_(self).mul_(beta)``
    (an empty result returns before it)."""
    if k == 0 and out_numel and beta != 0:
        _check_mul_(c._array.dtype, beta)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Number = 1,
          alpha: Number = 1) -> Tensor:
    if _ac.on:
        input, mat1, mat2 = _ac.lower(input, mat1, mat2)
    da, db, dc = mat1._array.dtype, mat2._array.dtype, input._array.dtype
    if dc != db:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(dc)} and {scalar_type_name(db)}")
    if da != db:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(da)} and {scalar_type_name(db)}")
    if mat1._array.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1._array.ndim}-D tensor")
    if mat2._array.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2._array.ndim}-D tensor")
    sa, sb = mat1._array.shape, mat2._array.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and "
                           f"{sb[0]}x{sb[1]})")
    if input._array.shape != (sa[0], sb[1]):
        _sh.expand_shape(input._array.shape, (sa[0], sb[1]), dc)  # torch's expand errors
    if dc.kind not in "fc" or sa[1] == 0:
        n = sa[0] * sb[1]
        _gemm_shortcut_check(input, sa[1], n, beta)
        if dc == _BOOL and n and sa[1]:
            raise not_implemented("addmm_impl_cpu_", dc)
    if (alpha != 1 or beta != 1) and dc.kind == "f" and sa[1] and sa[0] * sb[1]:
        _float_scalars(dc, beta, alpha)
    return _apply(Addmm, (input, mat1, mat2, beta, alpha), {}, None)


class Baddbmm(Op):
    """beta*C + alpha*(A @ B) over a batch (torch's one BaddbmmBackward0 node): dC = beta G
    (the engine sums it to C's shape), dA = alpha G B^T, dB = alpha A^T G."""

    @staticmethod
    def forward(ctx: Ctx, c: Array, a: Array, b: Array, beta: float, alpha: float) -> Array:
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        out = _gemm(c, a, b, beta, alpha)
        return out if out.dtype is a.dtype else _round(out, a.dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        gc = _scaled(g, beta) if ctx.needs_input_grad[0] else None
        ga = _scaled(ns.matmul(g, ns.swapaxes(b, 1, 2)), alpha) if b is not None else None
        gb = _scaled(ns.matmul(ns.swapaxes(a, 1, 2), g), alpha) if a is not None else None
        return gc, ga, gb, None, None


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Number = 1,
            alpha: Number = 1) -> Tensor:
    if _ac.on:
        input, batch1, batch2 = _ac.lower(input, batch1, batch2)
    a1, a2, ac = batch1._array, batch2._array, input._array
    sa, sb = a1.shape, a2.shape
    if a1.ndim == 3 and a2.ndim == 3 and ac.shape != (sa[0], sa[1], sb[2]):
        _sh.expand_shape(ac.shape, (sa[0], sa[1], sb[2]), ac.dtype)
    if ac.dtype != a1.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input "
                           f"{cpp_dtype_name(ac.dtype)}, batch1: {cpp_dtype_name(a1.dtype)}, "
                           f"batch2: {cpp_dtype_name(a2.dtype)}")
    if a1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if a2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    d2 = a2.dtype
    if d2.kind not in "fc" or a1.dtype != d2 or sa[2] == 0:
        # the result takes batch2's dtype; empty results and contractions take shortcuts
        n = sa[0] * sa[1] * sb[2]
        if n and sa[2]:
            work = sa[1] * sa[2] * sb[2]
            if work < 400 and a1.dtype.kind in "iu":  # the kernel reads alpha, beta first
                _int_scalar(alpha, a1.dtype), _int_scalar(beta, a1.dtype)
            _bmm_kernel_check("baddbmm", a1.dtype, d2, work)
        elif n and beta != 0:
            _check_mul_(d2, beta)
        if a1.dtype != d2:
            _grad_dtype_check(d2, input, batch1, batch2)
            return _apply(Baddbmm, (input, batch1, batch2, beta, alpha), {}, d2)
    if (alpha != 1 or beta != 1) and d2.kind == "f" and sa[2] and sa[0] * sa[1] * sb[2]:
        _float_scalars(d2, beta, alpha)
    return _apply(Baddbmm, (input, batch1, batch2, beta, alpha), {}, None)


class Addmv(Op):
    """beta*c + alpha*(A @ v) (AddmvBackward0): dc = beta g, dA = alpha g v^T,
    dv = alpha A^T g.  An empty matrix gives ``c * beta`` in c's own shape (torch's shortcut
    writes through mul_out, which resizes the result)."""

    @staticmethod
    def forward(ctx: Ctx, c: Array, a: Array, v: Array, beta: float, alpha: float) -> Array:
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, v if need[1] else None)
        ctx.beta, ctx.alpha, ctx.n = beta, alpha, a.shape[0]
        if a.size == 0:
            if beta == 0:
                return xp.zeros(a.shape[:1], a.dtype)
            s = bool(beta) if c.dtype.kind == "b" else \
                _int_scalar(beta, c.dtype) if c.dtype.kind in "iu" else beta
            return xp.asarray(c * s, dtype=c.dtype)
        return _gemm(c, a, v, beta, alpha)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, v = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        gc = _scaled(g, beta) if ctx.needs_input_grad[0] else None
        if g.shape != (ctx.n,):  # the empty-matrix result in c's shape: torch's formulas
            _addmv_backward_error(g.shape, ctx.n, ctx.needs_input_grad)  # (ger, mv) fail
        ga = _scaled(ns.matmul(g[..., :, None], v[..., None, :]), alpha) \
            if v is not None else None
        gv = _scaled(ns.matmul(_mat_t(a, ns), g[..., :, None])[..., 0], alpha) \
            if a is not None else None
        return gc, ga, gv, None, None


def _addmv_backward_error(gshape, n, need):
    """torch's errors for AddmvBackward0 when the result kept c's shape (an empty matrix with
    a one-element c): ``grad.ger(vec)`` and ``mat.t().mv(grad)`` reject that gradient."""
    if need[1] and not gshape:
        raise RuntimeError("outer: Expected 1-D argument self, but got 0-D")
    if need[2]:
        if not gshape:
            raise RuntimeError("vector + matrix @ vector expected, got 1, 2, 0")
        raise RuntimeError(f"size mismatch, got input (0), mat (0x{n}), vec ({gshape[0]})")
    if need[1]:
        raise RuntimeError(f"Function AddmvBackward0 returned an invalid gradient at index 1 - "
                           f"got [{gshape[0]}, 0] but expected shape compatible with [{n}, 0]")


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Number = 1,
          alpha: Number = 1) -> Tensor:
    ac, am, av = input._array, mat._array, vec._array
    if am.ndim != 2 or av.ndim != 1 or ac.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {ac.ndim}, {am.ndim}, "
                           f"{av.ndim}")
    if am.shape[1] != av.shape[0] or (am.shape[0] != ac.size and ac.size != 1):
        if ac.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        raise RuntimeError(f"size mismatch, got input ({ac.shape[0]}), mat "
                           f"({am.shape[0]}x{am.shape[1]}), vec ({av.shape[0]})")
    if not ac.dtype == am.dtype == av.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{scalar_type_name(ac.dtype)}, {scalar_type_name(am.dtype)}, and "
                           f"{scalar_type_name(av.dtype)}")
    if am.dtype == _BOOL and am.size:
        raise not_implemented("addmv_impl_cpu", _BOOL)
    if (alpha != 1 or beta != 1) and am.dtype.kind in "fiu" and am.size:
        if am.dtype.kind == "f":
            _float_scalars(am.dtype, beta, alpha, opmath=False)
        else:
            _int_scalar(beta, am.dtype), _int_scalar(alpha, am.dtype)
    return _apply(Addmv, (input, mat, vec, beta, alpha), {}, None)


class Addbmm(Op):
    """beta*c + alpha*sum_b(A_b @ B_b) (AddbmmBackward0): dc = beta g, dA_b = alpha g B_b^T,
    dB_b = alpha A_b^T g."""

    @staticmethod
    def forward(ctx: Ctx, c: Array, a: Array, b: Array, beta: int, alpha: float) -> Array:
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        shape = (a.shape[1], b.shape[2])
        if a.shape[0] == 0 or a.shape[2] == 0 or c.dtype.kind in "iub":
            out = xp.zeros(shape, c.dtype)
            if beta != 0:
                out[...] = c * (_int_scalar(beta, c.dtype) if c.dtype.kind in "iu" else beta)
            if a.shape[0] and a.shape[2] and shape[0] * shape[1]:
                alpha = _int_scalar(alpha, c.dtype) if c.dtype.kind in "iu" else alpha
                out += alpha * xp.einsum("bij,bjk->ik", a, b)
            return out
        prod = xp.matmul(a, b).sum(0)
        if alpha != 1:
            prod *= alpha
        if beta != 0:
            prod = prod + (c if beta == 1 else beta * c)
        return prod if prod.dtype is a.dtype else _round(prod, a.dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        gc = _scaled(g, beta) if ctx.needs_input_grad[0] else None
        gb3 = None
        if a is not None or b is not None:
            n = (a if a is not None else b).shape[0]
            gb3 = ns.broadcast_to(g[None], (n,) + tuple(g.shape))
        ga = _scaled(ns.matmul(gb3, ns.swapaxes(b, 1, 2)), alpha) if b is not None else None
        gb = _scaled(ns.matmul(ns.swapaxes(a, 1, 2), gb3), alpha) if a is not None else None
        return gc, ga, gb, None, None


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Number = 1,
           alpha: Number = 1) -> Tensor:
    if _ac.on:
        input, batch1, batch2 = _ac.lower(input, batch1, batch2)
    a1, a2, ac = batch1._array, batch2._array, input._array
    if a1.ndim >= 2 and a2.ndim >= 3 and ac.shape != (a1.shape[1], a2.shape[2]):
        _sh.expand_shape(ac.shape, (a1.shape[1], a2.shape[2]), ac.dtype)
    if a1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if a2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = a1.shape, a2.shape
    if sa[0] != sb[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {sa[0]} "
                           f"and {sb[0]}")
    if sa[2] != sb[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({sa[1]}x{sa[2]} and "
                           f"{sb[1]}x{sb[2]})")
    dc = ac.dtype
    if sa[0] == 0:  # no batch: torch's result.mul_(beta) (or zero_), no addmm dtype checks
        if beta != 0:
            _check_mul_(dc, beta)
        cast = dc if a1.dtype != dc or a2.dtype != dc else None
        if cast is not None:
            _grad_dtype_check(dc, input, batch1, batch2)
        return _apply(Addbmm, (input, batch1, batch2, beta, alpha), {}, cast)
    if dc != a2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(dc)} and {scalar_type_name(a2.dtype)}")
    if a1.dtype != a2.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(a1.dtype)} and {scalar_type_name(a2.dtype)}")
    if dc.kind not in "fc" or sa[2] == 0:
        # torch adds batch by batch with addmm_: beta for the first, 1 for the others
        n = sa[1] * sb[2]
        for bt in ([beta] + [1] * (sa[0] - 1)):
            if n:
                _gemm_shortcut_check(input, sa[2], n, bt)
        if dc == _BOOL and n and sa[2]:
            raise not_implemented("addmm_impl_cpu_", dc)
    if (alpha != 1 or beta != 1) and dc.kind == "f" and sa[2] and sa[1] * sb[2]:
        _float_scalars(dc, beta, alpha)
    return _apply(Addbmm, (input, batch1, batch2, beta, alpha), {}, None)


# ------------------------------------------------------------------------------ einsum

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(eq, shapes):
    eq = eq.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation" if len(shapes) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    ell_n = 0
    for t, s in zip(terms, shapes):
        if "..." in t:
            ell_n = max(ell_n, len(s) - (len(t) - 3))
    ell = "".join(free[:ell_n])
    new_terms = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            t = t.replace("...", ell[ell_n - k:] if k else "")
        new_terms.append(t)
    if rhs is None:
        counts = {}
        for t in new_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    return new_terms, rhs


class Einsum(Op):
    """Each operand's gradient is an einsum of the output gradient with the other operands."""

    @staticmethod
    def forward(ctx: Ctx, terms: list[str], rhs: str, *arrays: Array) -> Array:
        ctx.terms, ctx.rhs = terms, rhs
        ctx.shapes = [a.shape for a in arrays]
        dt = arrays[0].dtype
        ctx.lp = lp = dt.kind == "V"  # bfloat16: NumPy's einsum has no loop: float32, rounded
        if lp:
            arrays = tuple(a.astype(xp.float32) for a in arrays)
        ctx.save_for_backward(*arrays)
        out = xp.einsum(",".join(terms) + "->" + rhs, *arrays, optimize=_einsum_opt(arrays))
        return out.astype(dt) if lp else out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        ops = ctx.saved_tensors
        grads = [None, None]
        if getattr(ctx, "lp", False):  # (first order only: saved operands are float32 copies)
            g = g.astype(xp.float32)
        cx = _pw._complex_value(g)
        if cx:  # conjugate Wirtinger gradient: the other operands conjugated
            ops = tuple(_pw._cj(o, ns) for o in ops)
        for i, (t, shape) in enumerate(zip(ctx.terms, ctx.shapes)):
            if not ctx.needs_input_grad[i + 2]:
                grads.append(None)
                continue
            others = [o for j, o in enumerate(ops) if j != i]
            oterms = [tt for j, tt in enumerate(ctx.terms) if j != i]
            # letters of t missing from rhs and others are summed: broadcast them back
            present = set(ctx.rhs) | set("".join(oterms))
            target = "".join(c for c in dict.fromkeys(t) if c in present)
            r = ns.einsum(",".join([ctx.rhs] + oterms) + "->" + target, g, *others,
                          optimize=_einsum_opt(others + [g]))
            if target != t:
                r = _expand_einsum(r, target, t, shape, ns)
            if cx and not _pw._complex_value(ops[i]):  # a real operand: the real part
                from .complex import Real
                r = ns.apply(Real, r)
            grads.append(r)
        return tuple(grads)


_EINSUM_BLAS = 4096  # operand size from which einsum's optimizer (BLAS via tensordot) pays


def _einsum_opt(arrays):
    """Let NumPy plan the contraction (and hand it to BLAS) for 3+ operands or big ones; the
    plain C loop wins on small ones (planning costs tens of µs)."""
    return len(arrays) > 2 or any(
        (a.size if a.__class__ is _xp.ndarray else a.numel()) >= _EINSUM_BLAS for a in arrays)


def _expand_einsum(r, target, t, shape, ns):
    """Bring a gradient over ``target`` letters to operand term ``t``: letters summed out in
    forward are broadcast back; a letter repeated in ``t`` (``ii``) puts it on the diagonal."""
    sizes = dict(zip(t, shape))
    uniq = "".join(dict.fromkeys(t))  # target is uniq without the summed letters, same order
    if target != uniq:
        r = r.reshape(tuple(sizes[c] if c in target else 1 for c in uniq))
        r = ns.broadcast_to(r, tuple(sizes[c] for c in uniq))
    if uniq == t:
        return r
    n = len(uniq)
    idx = tuple(_xp.arange(sizes[c]).reshape(tuple(sizes[c] if k == uniq.index(c) else 1
                                                   for k in range(n))) for c in t)
    return ns.put_at(shape, idx, r)


def _promote_np(d1, d2):
    return d1 if d1 == d2 else D.promote_types(D.from_numpy_dtype(d1),
                                                 D.from_numpy_dtype(d2)).np


def _summed(dt):
    """The dtype of torch's sum of a ``dt`` tensor: integers and bool sum to int64."""
    return dt if dt.kind in "fc" else _INT64


_INT64 = xp.dtype("int64")


def _einsum_dtype(terms, rhs, arrays, reqs):
    """The result dtype of torch's einsum, found by walking its algorithm on sizes and dtypes
    alone (or its error): a single operand's contracted labels are summed (integers promote to
    int64); operands are combined left to right, labels left in one operand only are summed
    first, a pair without shared contracted labels is multiplied (type promotion), else it is
    a bmm (the result takes the right operand's dtype; bool and mismatched dtypes fail in the
    kernel unless the result or the contraction is empty; an integer bmm result of an operand
    that requires grad fails as torch's autograd does)."""
    out = list(dict.fromkeys(rhs))
    contracted = [c for c in dict.fromkeys("".join(terms)) if c not in out]
    labels = out + contracted
    ops = []
    for t, a, r in zip(terms, arrays, reqs):
        sizes = dict(zip(t, a.shape))
        ops.append(({c: sizes.get(c, 1) for c in labels}, a.dtype, r))
    if len(ops) == 1:
        return _summed(ops[0][1]) if contracted else ops[0][1]
    counts = {c: sum(1 for sz, _, _ in ops if sz[c] != 1) for c in contracted}
    while len(ops) > 1:
        (sa, da, ra), (sb, db, rb) = ops[0], ops[1]
        del ops[:2]
        sum_dims, a_sum, b_sum = [], [], []
        for c in contracted:
            if sa[c] != 1 and sb[c] != 1:
                counts[c] -= 1
                if counts[c] == 1:
                    sum_dims.append(c)
                    counts[c] = 0
            elif counts[c] == 1:
                if sa[c] != 1:
                    a_sum.append(c)
                    counts[c] = 0
                elif sb[c] != 1:
                    b_sum.append(c)
                    counts[c] = 0
        if a_sum:
            sa, da = {**sa, **dict.fromkeys(a_sum, 1)}, _summed(da)
        if b_sum:
            sb, db = {**sb, **dict.fromkeys(b_sum, 1)}, _summed(db)
        if not sum_dims:  # sumproduct_pair's mul
            ops.insert(0, ({c: sb[c] if sa[c] == 1 else sa[c] for c in labels},
                           _promote_np(da, db), ra or rb))
            continue
        lro = lo = ro = ssum = 1
        for c in labels:
            l1, r1 = sa[c] != 1, sb[c] != 1
            if c in sum_dims:
                if l1 and r1:
                    ssum *= sa[c]
                elif l1:
                    sa, da = {**sa, c: 1}, _summed(da)
                elif r1:
                    sb, db = {**sb, c: 1}, _summed(db)
            elif l1 and r1:
                lro *= sa[c]
            elif l1:
                lo *= sa[c]
            elif r1:
                ro *= sb[c]
        if lro * lo * ro and ssum:
            _bmm_kernel_check("bmm", da, db, lo * ssum * ro)
        if (ra or rb) and db.kind not in "fc" and _grad_state.enabled:
            raise RuntimeError(f"Autograd not support dtype: {scalar_type_name(db)}")
        ops.insert(0, ({c: 1 if c in sum_dims else (sa[c] if sa[c] != 1 else sb[c])
                        for c in labels}, db, ra or rb))
    return ops[0][1]


def _contracts(terms, rhs):
    """Whether torch's einsum reaches bmm (so autocast applies): two or more operands and a
    summed index that two of them share."""
    if len(terms) < 2:
        return False
    seen: set = set()
    for t in terms:
        if any(c in seen and c not in rhs for c in set(t)):
            return True
        seen.update(t)
    return False


def einsum(equation: str, *operands: Any) -> Tensor:  # Tensors, or one list of Tensors
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, rhs = _parse_einsum(equation, [o._array.shape for o in operands])
    if _ac.on and _contracts(terms, rhs):  # torch's einsum contracts pairs with bmm
        operands = _ac.lower(*operands)
    dts = {o._array.dtype for o in operands}
    cast = None
    if len(dts) > 1 or next(iter(dts)).kind not in "fcV":  # (one floating dtype: kept as is)
        cast = _einsum_dtype(terms, rhs, [o._array for o in operands],
                             [o._requires_grad for o in operands])
        if dts == {cast}:
            cast = None
        else:
            _grad_dtype_check(cast, *operands)
    try:
        return _apply(Einsum, (terms, rhs, *operands), {}, cast)
    except ValueError as e:
        raise RuntimeError(f"einsum(): {e}") from None


def tensordot(a: Tensor, b: Tensor,
              dims: int | Sequence[int] | Sequence[Sequence[int]] | Tensor = 2) -> Tensor:
    """torch's tensordot: permute both operands to (free, contracted) / (contracted, free),
    flatten them to matrices and ``mm`` them (a size-1 contracted dim broadcasts: it is summed
    away first), then reshape to the free dims (ViewBackward0)."""
    na, nb = a._array.ndim, b._array.ndim
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > na or dims > nb:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        pa, pb = dims  # (two dim lists, or two single dims)
        da = [pa] if isinstance(pa, int) else list(pa)
        db = [pb] if isinstance(pb, int) else list(pb)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if a._array.dtype != b._array.dtype:
        raise RuntimeError("both inputs should have same dtype")
    da, db = [wrap_dim(d, na) for d in da], [wrap_dim(d, nb) for d in db]
    t1, t2, csize = a, b, 1
    for i, j in zip(da, db):
        s1, s2 = a._array.shape[i], b._array.shape[j]
        if s2 == 1:
            t1 = _red.sum(t1, i, True, dtype=t1.dtype)
        elif s1 == 1:
            t2 = _red.sum(t2, j, True, dtype=t2.dtype)
        else:
            if s1 != s2:
                raise RuntimeError(f"contracted dimensions need to match, but first has size "
                                   f"{s1} in dim {i} and second has size {s2} in dim {j}")
            csize *= s1
    free1 = [i for i in range(na) if i not in da]
    free2 = [j for j in range(nb) if j not in db]
    r1 = [t1._array.shape[i] for i in free1]
    r2 = [t2._array.shape[j] for j in free2]
    n1, n2 = _numel(r1), _numel(r2)
    if n1 == 1 and n2 == 1:  # torch takes dot here (DotBackward0 under the view)
        m1, m2 = _sh.permute(t1, free1 + da), _sh.permute(t2, db + free2)
        m1 = m1 if m1._array.ndim == 1 else _sh.reshape(m1, (csize,))  # (as torch: 1-D kept)
        m2 = m2 if m2._array.ndim == 1 else _sh.reshape(m2, (csize,))
        return _sh.reshape(dot(m1, m2), tuple(r1 + r2))
    m1 = _sh.reshape(_sh.permute(t1, free1 + da), (n1, csize))
    m2 = _sh.reshape(_sh.permute(t2, db + free2), (csize, n2))
    return _sh.reshape(mm(m1, m2), tuple(r1 + r2))


def kron(a: Tensor, b: Tensor) -> Tensor:
    """torch's kron: both operands ``_unsafe_view``'ed with interleaved unit dims
    (a: (a0, 1, a1, 1 ...), b: (1, b0, 1, b1 ...)), multiplied, and the product viewed as
    (a0*b0, a1*b1 ...) -- a view, so a product laid out after a non-contiguous operand (the
    product keeps its operand's layout) fails as torch's does."""
    na, nb = a._array.ndim, b._array.ndim
    nd = max(na, nb)
    sa = (1,) * (nd - na) + a._array.shape
    sb = (1,) * (nd - nb) + b._array.shape
    ash = tuple(x for s in sa for x in (s, 1))
    bsh = tuple(x for s in sb for x in (1, s))
    prod = _pw.mul(_sh.unsafe_view(a, ash), _sh.unsafe_view(b, bsh))
    shape = tuple(x * y for x, y in zip(sa, sb))
    try:
        xp.reshape(prod._array, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) "
            "instead.") from None
    return _sh.unsafe_view(prod, shape)
