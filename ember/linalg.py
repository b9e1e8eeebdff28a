"""``ember.linalg``: torch.linalg's names on CPU float32/float64 tensors.

This file keeps the argument handling (checks, dtype rules, torch's errors); the ops are in
``ember/_ops/decomp.py`` (inv, det, slogdet, solve, cholesky, cross, ``LinAlgError``) and
``ember/_ops/decompositions.py`` (svd, qr, eigh, eig, pinv, lstsq, solve_triangular,
matrix_exp, LU), each with torch's backward formula.
"""
from __future__ import annotations

from ._dtype import spelling
from .autograd.function import _apply
from ._ops import reduction as _red
from ._ops import shape as _sh
from ._ops.decompositions import DetSafe, SolveVec
from ._ops.decomp import Cholesky, Cross, Inv, LinAlgError, Slogdet, Solve
from ._ops.linalg import matmul
from ._ops.linalg_legacy import with_out
from ._ops.linalg_more import (cholesky_ex, cond, eig, eigh, eigvals, eigvalsh, inv_ex,
                               householder_product, lstsq, lu, lu_factor, lu_factor_ex, lu_solve,
                               matrix_exp, matrix_rank, multi_dot, pinv, qr, solve_ex,
                               solve_triangular, svd, svdvals, tensorinv, tensorsolve, vander,
                               _matrix_norm_svd, _t, _check_float, _check_square, _square_float,
                               linalg_slogdet)

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve",
           "cholesky", "matmul", "cross", "diagonal", "vecdot", "matrix_power",
           # issue 13: decompositions and the functions built on them (_ops/linalg_more.py)
           "svd", "svdvals", "qr", "eigh", "eigvalsh", "eig", "eigvals", "pinv", "lstsq",
           "solve_triangular", "matrix_exp", "matrix_rank", "cond", "multi_dot", "cholesky_ex",
           "inv_ex", "solve_ex", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "tensorinv",
           "tensorsolve", "vander", "householder_product",
           # issue 13 (h13-linalg): LDL^T (_ops/linalg_lapack.py) and torch's doc snippets
           "ldl_factor", "ldl_factor_ex", "ldl_solve", "common_notes"]

from ._ops.linalg_lapack import ldl_factor, ldl_factor_ex, ldl_solve  # noqa: E402

# torch.linalg.common_notes: the shared sentences of torch.linalg's docstrings
common_notes = {
    "experimental_warning": 'This function is "experimental" and it may change in a future '
                            'PyTorch release.',
    "sync_note": "When inputs are on a CUDA device, this function synchronizes that device with "
                 "the CPU.",
    "sync_note_ex": "When the inputs are on a CUDA device, this function synchronizes only when "
                    ":attr:`check_errors`\\ `= True`.",
    "sync_note_has_ex": "When inputs are on a CUDA device, this function synchronizes that "
                        "device with the CPU. For a version of this function that does not "
                        "synchronize, see :func:`{}`.",
}


# ------------------------------------------------------------------------------ functions


@with_out("linalg_inv")
def inv(A, *, out=None):
    A = _square_float("linalg.inv", A)
    return _apply(Inv, (A,), {}, None)


@with_out("linalg_det")
def det(A, *, out=None):
    """Computes the determinant of a square matrix (its gradient is defined on singular
    matrices too, through the SVD, as torch's)."""
    A = _square_float("linalg.det", A)
    return _apply(DetSafe, (A,), {}, None)


@with_out("linalg_slogdet")
def slogdet(A, *, out=None):
    A = _square_float("linalg.slogdet", A)
    return linalg_slogdet(*_apply(Slogdet, (A,), {}, None))


def _is_vector_rhs(A, B):
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


@with_out("linalg_solve")
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
    bshape = tuple(B.shape) + (1,) if vec else tuple(B.shape)
    n = A.shape[-1]
    if bshape[-2] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B"
                           f" ({A.shape[-2]}x{n} and {bshape[-2]}x{bshape[-1]})")
    if vec:  # torch solves a vector right-hand side in one node
        return _apply(SolveVec, (A, B), {}, None)
    return _apply(Solve, (A, B), {}, None)


@with_out("linalg_cholesky")
def cholesky(A, *, upper=False, out=None):
    A = _square_float("linalg.cholesky", A)
    L = _apply(Cholesky, (A,), {}, None)
    return _sh.transpose(L, -1, -2) if upper else L


@with_out("linalg_cross")
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


@with_out("linalg_vecdot")
def vecdot(x, y, *, dim=-1, out=None):
    return _red.sum(_t(x) * _t(y), dim)


@with_out("linalg_matrix_power")
def matrix_power(A, n):
    """A^n for an integer n (batches too), composed as torch's: n = 0 copies the identity into
    a clone, 1 clones, 2 and 3 multiply directly, larger n by binary exponentiation; n < 0
    inverts first."""
    A = _t(A)
    _check_square("linalg.matrix_power", A)
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        from ._creation import eye
        r = A.clone()
        r.copy_(_sh.expand(eye(A.shape[-1], dtype=A.dtype), tuple(A.shape)))
        return r
    if n < 0:
        A, n = inv(A), -n
        if n == 1:
            return A
    if n == 1:
        return A.clone()
    if n == 2:
        return matmul(A, A)
    if n == 3:
        return matmul(matmul(A, A), A)
    z = result = None
    while n > 0:
        bit = n % 2
        n //= 2
        z = A if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


# ------------------------------------------------------------------------------------ norms


@with_out("linalg_vector_norm")
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    x = _t(x)
    if x._array.dtype.kind not in "fc" and dtype is None:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {spelling(x._array.dtype)}")
    return _red.vector_norm(x, ord, dim, keepdim, dtype=dtype)


@with_out("linalg_matrix_norm")
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
        return _matrix_norm_svd(A, ord, dim, keepdim)
    if ord not in (1, -1, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    # as torch composes it: the 1-norms along one dim (vector_norm), then amax/amin along the
    # other (ord 1: max column sum, inf: max row sum)
    d0, d1 = (d % A.ndim for d in dim)
    if abs(ord) != 1:
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    s = _red.vector_norm(A, 1, (d0,), keepdim)
    return _red.amax(s, d1, keepdim) if ord > 0 else _red.amin(s, d1, keepdim)


@with_out("linalg_norm")
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
