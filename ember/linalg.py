"""``ember.linalg``: torch.linalg's names on CPU float32/float64 tensors.

Each decomposition-like function is a differentiable ``Op`` whose forward runs the backend's
``xp.linalg`` and whose backward is written with ``xp.matmul``/``xp.swapaxes`` and the helpers in
``_prims`` below, so the same formula also records a graph under ``create_graph=True`` (there the
inverse/solve/cross inside a backward formula are these ops themselves).
"""
from __future__ import annotations

from collections import namedtuple

from ._backend import xp
from ._dtype import spelling
from ._tensor import Tensor
from .autograd.function import Op, _apply
from ._ops import reduction as _red
from ._ops import shape as _sh
from ._ops.linalg import matmul
from ._ops._utils import as_tensor_arg

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve",
           "cholesky", "matmul", "cross", "diagonal", "vecdot", "matrix_power"]


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a singular / not positive-definite input."""


_LinAlgError = LinAlgError
linalg_slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
linalg_slogdet.__module__ = "torch.return_types"


def _t(x):
    x = as_tensor_arg(x)
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg: expected a Tensor, got {type(x).__name__}")
    return x


def _check_float(name, a):
    k = a._array.dtype
    if k.kind not in "fc" or k.name == "float16":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {spelling(k)}")


def _check_square(name, a):
    shp = a._array.shape
    if len(shp) < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if shp[-1] != shp[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{shp[-2]} by {shp[-1]} matrices")


def _square_float(name, A):
    A = _t(A)
    _check_square(name, A)
    _check_float(name, A)
    return A


def _zero_pivot(a):
    """1-based index of the first exactly-zero pivot of partial-pivot LU (LAPACK getrf's info),
    over all batch entries; only run on the error path."""
    m = xp.array(a, dtype=a.dtype).reshape((-1,) + a.shape[-2:])
    n = m.shape[-1]
    first = n
    for b in range(m.shape[0]):
        u = m[b]
        for k in range(n):
            p = k + int(xp.argmax(xp.abs(u[k:, k])))
            if u[p, k] == 0:
                first = min(first, k + 1)
                break
            u[[k, p]] = u[[p, k]]
            u[k + 1:, k:] -= xp.outer(u[k + 1:, k] / u[k, k], u[k, k:])
    return first


def _not_pd_order(a):
    n = a.shape[-1]
    for k in range(1, n + 1):
        try:
            xp.linalg.cholesky(a[..., :k, :k])
        except xp.linalg.LinAlgError:
            return k
    return n


def _mT(x, xp):
    return xp.swapaxes(x, -1, -2)


class _Prims:
    """inv/solve/cross for backward formulas: arrays in first-order mode, ember ops (so the
    gradient has a graph) under create_graph."""

    @staticmethod
    def get(xp):
        return _GRAPH_PRIMS if getattr(xp, "graph", False) else _ARRAY_PRIMS


class _ArrayPrims:
    inv = staticmethod(lambda a: xp.linalg.inv(a))
    solve = staticmethod(lambda a, b: xp.linalg.solve(a, b))
    cross = staticmethod(lambda a, b, axis: xp.cross(a, b, axis=axis))


class _GraphPrims:
    inv = staticmethod(lambda a: inv(a))
    solve = staticmethod(lambda a, b: _apply(Solve, (a, b), {}, None))
    cross = staticmethod(lambda a, b, axis: _apply(Cross, (a, b, axis), {}, None))


_ARRAY_PRIMS, _GRAPH_PRIMS = _ArrayPrims, _GraphPrims


# ------------------------------------------------------------------------------------ ops


class Inv(Op):
    """B = A^{-1}: dA = -B^T G B^T."""
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        try:
            out = xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            raise _LinAlgError(f"linalg.inv: The diagonal element {_zero_pivot(a)} is zero, the "
                               "inversion could not be completed because the input matrix is "
                               "singular.") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g, xp):
        (b,) = ctx.saved_tensors
        bt = _mT(b, xp)
        return -xp.matmul(xp.matmul(bt, g), bt)


class Det(Op):
    """d = det(A): dA = g d A^{-T}."""
    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        out = xp.asarray(xp.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g, xp):
        a, d = ctx.saved_tensors
        ainv_t = _mT(_Prims.get(xp).inv(a), xp)
        return (g * d)[..., None, None] * ainv_t


class Slogdet(Op):
    """(sign, log|det A|): dA = g_logabsdet A^{-T} (sign is locally constant)."""
    node_name = "LinalgSlogdetBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx, a):
        sign, logabs = xp.linalg.slogdet(a)
        ctx.save_for_backward(a)
        return xp.asarray(sign, dtype=a.dtype), xp.asarray(logabs, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grads, xp):
        g = grads[1]
        (a,) = ctx.saved_tensors
        if g is None:
            return xp.zeros_like(a)
        return g[..., None, None] * _mT(_Prims.get(xp).inv(a), xp)


class Solve(Op):
    """X = A^{-1} B (B is (..., n, k)): dB = A^{-T} G, dA = -dB X^T."""
    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = xp.linalg.solve(a, b)
        except xp.linalg.LinAlgError:
            raise _LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                               "is singular.") from None
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g, xp):
        a, x = ctx.saved_tensors
        gb = _Prims.get(xp).solve(_mT(a, xp), g)
        ga = -xp.matmul(gb, _mT(x, xp)) if ctx.needs_input_grad[0] else None
        return ga, gb


class Cholesky(Op):
    """L = chol(A) (lower): dA = L^{-T} Phi L^{-1}, Phi = sym. lower part of L^T G (torch's)."""
    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a):
        try:
            out = xp.linalg.cholesky(a)
        except xp.linalg.LinAlgError:
            raise _LinAlgError("linalg.cholesky: The factorization could not be completed "
                               "because the input is not positive-definite (the leading minor "
                               f"of order {_not_pd_order(a)} is not positive-definite)."
                               ) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g, xp):
        (L,) = ctx.saved_tensors
        phi = xp.tril(xp.matmul(_mT(L, xp), g))
        phi = (phi + _mT(xp.tril(phi, -1), xp)) * 0.5
        linv = _Prims.get(xp).inv(L)
        return xp.matmul(xp.matmul(_mT(linv, xp), phi), linv)


class Cross(Op):
    """c = a x b along ``axis``: da = b x g, db = g x a."""
    node_name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx, a, b, axis):
        ctx.save_for_backward(a, b)
        ctx.axis = axis
        return xp.cross(a, b, axis=axis)

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        cr = _Prims.get(xp).cross
        return cr(b, g, ctx.axis), cr(g, a, ctx.axis), None


# ------------------------------------------------------------------------------ functions


def inv(A, *, out=None):
    A = _square_float("linalg.inv", A)
    return _apply(Inv, (A,), {}, None)


def det(A, *, out=None):
    A = _square_float("linalg.det", A)
    return _apply(Det, (A,), {}, None)


def slogdet(A, *, out=None):
    A = _square_float("linalg.slogdet", A)
    return linalg_slogdet(*_apply(Slogdet, (A,), {}, None))


def _is_vector_rhs(A, B):
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve(A, B, *, left=True, out=None):
    A, B = _square_float("linalg.solve", A), _t(B)
    _check_float("linalg.solve", B)
    if A._array.dtype != B._array.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {A.dtype} and B of type {B.dtype} instead")
    vec = _is_vector_rhs(A, B)
    if not left:
        if vec:
            raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                               "supported for left=False. In this case linalg.solve is "
                               "equivalent to B / A.squeeze(-1)")
        return _sh.transpose(solve(_sh.transpose(A, -1, -2), _sh.transpose(B, -1, -2)), -1, -2)
    b = _sh.unsqueeze(B, -1) if vec else B
    n = A.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B"
                           f" ({A.shape[-2]}x{n} and {b.shape[-2]}x{b.shape[-1]})")
    x = _apply(Solve, (A, b), {}, None)
    return _sh.squeeze(x, -1) if vec else x


def cholesky(A, *, upper=False, out=None):
    A = _square_float("linalg.cholesky", A)
    L = _apply(Cholesky, (A,), {}, None)
    return _sh.transpose(L, -1, -2) if upper else L


def cross(input, other, *, dim=-1, out=None):
    a, b = _t(input), _t(other)
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = dim % max(a.ndim, 1)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. "
                           f"Got {a.shape[d]} and {b.shape[d]}")
    if a._array.dtype != b._array.dtype:
        from ._dtype import promote_types
        dt = promote_types(a.dtype, b.dtype)
        a, b = a.to(dt), b.to(dt)
    return _apply(Cross, (a, b, d - a.ndim), {}, None)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _sh.diagonal(_t(A), offset, dim1, dim2)


def vecdot(x, y, *, dim=-1, out=None):
    return _red.sum(_t(x) * _t(y), dim)


def matrix_power(A, n):
    A = _t(A)
    _check_square("linalg.matrix_power", A)
    if n == 0:
        from ._creation import eye
        e = eye(A.shape[-1], dtype=A.dtype)
        return _sh.expand(e, tuple(A.shape)).clone()
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


# ------------------------------------------------------------------------------------ norms


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    x = _t(x)
    if x._array.dtype.kind not in "fc" and dtype is None:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {spelling(x._array.dtype)}")
    return _red.vector_norm(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    A = _t(A)
    if dtype is not None:
        A = A.to(dtype)
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord == "fro":
        return _red.norm(A, "fro", tuple(dim), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs an SVD, which ember "
                                  "does not have")
    if ord not in (1, -1, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    d0, d1 = (d % A.ndim for d in dim)
    if abs(ord) == 1:  # max/min column sum: sum over rows (d0), then extremum over d1
        d0, d1 = d1, d0
    s = _red.sum(A.abs(), d1, True)
    r = _red.amax(s, d0, True) if ord > 0 else _red.amin(s, d0, True)
    return r if keepdim else _sh.squeeze(_sh.squeeze(r, max(d0, d1)), min(d0, d1))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    A = _t(A)
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and ord is not None:
        if A.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        if A.ndim != 1:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
