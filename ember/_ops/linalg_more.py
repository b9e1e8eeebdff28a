"""torch.linalg's decompositions and the functions built on them (argument checks, dtype rules,
torch's errors, named tuples); ``ember.linalg`` exports them.  The ops and their backward
formulas are in ``ember/_ops/decompositions.py``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._backend import xp
from .._dtype import spelling
from .._tensor import Tensor
from ..autograd.function import _apply
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from ._utils import as_tensor_arg, wrap
from .decomp import Inv, LinAlgError, _not_pd_order, _zero_pivot
from .decompositions import (Eig, Eigh, Eigvalsh, Lstsq, Lu, LuFactor, MatrixExp, Pinv, Qr,
                             SolveTriangular, Svd, _default_rtol, _lu_factor_arrays,
                             _perm_from_pivots, _solve_tri_arrays)
from ..autograd import function as _function
from ..autograd.grad_mode import is_grad_enabled as _grad_enabled
from .linalg import mm
from .linalg_legacy import with_out
from .reduction import _return_type

if TYPE_CHECKING:  # names for annotations only
    from collections.abc import Sequence

    from ._types import Array

linalg_slogdet = _return_type("linalg_slogdet", ("sign", "logabsdet"))
linalg_svd = _return_type("linalg_svd", ("U", "S", "Vh"))
linalg_qr = _return_type("linalg_qr", ("Q", "R"))
linalg_eigh = _return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_eig = _return_type("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_lstsq = _return_type("linalg_lstsq", ("solution", "residuals", "rank",
                                             "singular_values"))
linalg_cholesky_ex = _return_type("linalg_cholesky_ex", ("L", "info"))
linalg_inv_ex = _return_type("linalg_inv_ex", ("inverse", "info"))
linalg_solve_ex = _return_type("linalg_solve_ex", ("result", "info"))
linalg_lu_factor = _return_type("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _return_type("linalg_lu", ("P", "L", "U"))


# ------------------------------------------------------------------------------ checks


def _t(x: Any) -> Tensor:
    x = as_tensor_arg(x)
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg: expected a Tensor, got {type(x).__name__}")
    return x


def _check_float(name: str, a: Tensor) -> None:
    k = a._array.dtype
    if k.kind not in "fc" or k.name == "float16":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {spelling(k)}")


def _check_matrix(name: str, a: Tensor, what: str = "A") -> None:
    if a._array.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {what} must have at least 2 dimensions.")


def _check_square(name: str, a: Tensor) -> None:
    _check_matrix(name, a)
    shp = a._array.shape
    if shp[-1] != shp[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{shp[-2]} by {shp[-1]} matrices")


def _square_float(name: str, A: Any) -> Tensor:
    A = _t(A)
    _check_square(name, A)
    _check_float(name, A)
    _no_complex_grad(name, A)
    return A


def _matrix_float(name: str, A: Any) -> Tensor:
    A = _t(A)
    _check_matrix(name, A)
    _check_float(name, A)
    _no_complex_grad(name, A)
    return A


def _no_complex_grad(name: str, *ts: Tensor) -> None:
    """Complex inputs work forward; their gradients (conjugate-transposed formulas) are not
    written: a complex input that requires grad is refused rather than given a wrong one."""
    from ..autograd.grad_mode import _state
    if _state.enabled and any(t._requires_grad and t._array.dtype.kind == "c" for t in ts):
        raise NotImplementedError(f"{name}: ember does not differentiate complex inputs")


def _no_driver(name: str, driver: str | None) -> None:
    if driver is not None:
        raise RuntimeError(f"torch.linalg.{name}: keyword argument `driver=` is only supported "
                           "on CUDA inputs with cuSOLVER backend.")


# ------------------------------------------------------------------------------ SVD, QR


@with_out("linalg_svd")
def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None,
        out: Any = None) -> Any:
    """Computes the singular value decomposition ``A = U diag(S) Vh`` (named tuple U, S, Vh);
    ``full_matrices=False`` gives the reduced factors."""
    A = _matrix_float("linalg.svd", A)
    _no_driver("svd", driver)
    return linalg_svd(*_apply(Svd, (A, bool(full_matrices)), {}, None))


@with_out("linalg_svdvals")
def svdvals(A: Tensor, *, driver: str | None = None, out: Any = None) -> Tensor:
    """Computes the singular values of a matrix (batches too), in descending order."""
    A = _matrix_float("linalg.svd", A)
    _no_driver("svdvals", driver)
    if A._requires_grad and _grad_enabled() or _function._VMAP or _is_dual(A):  # torch: SVD's
        return _apply(Svd, (A, False), {}, None)[1]
    return wrap(xp.linalg.svd(A._array, compute_uv=False))


def _is_dual(t):
    from ..autograd.forward_ad import _is_dual as dual
    return dual(t)


@with_out("linalg_qr")
def qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> Any:
    """Computes the QR decomposition (named tuple Q, R); ``mode`` is 'reduced', 'complete' or
    'r' (Q is then an empty tensor)."""
    A = _t(A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_matrix("linalg.qr", A)
    _check_float("linalg.qr", A)
    _no_complex_grad("linalg.qr", A)
    return linalg_qr(*_apply(Qr, (A, mode), {}, None))


# ------------------------------------------------------------------------------ eigen


def _uplo(UPLO: str) -> str:
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def _eigh_input(name: str, A: Any) -> Tensor:
    A = _t(A)
    _check_square(name, A)
    if A._array.dtype.kind not in "fc":
        raise NotImplementedError(f'"linalg_eigh_cpu" not implemented for '
                                  f"'{spelling(A._array.dtype)}'")
    _no_complex_grad(name, A)
    return A


@with_out("linalg_eigh")
def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Any:
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix, reading the
    lower (``UPLO='L'``) or upper triangle."""
    A = _eigh_input("linalg.eigh", A)
    return linalg_eigh(*_apply(Eigh, (A, _uplo(UPLO)), {}, None))


@with_out("linalg_eigvalsh")
def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:
    """Eigenvalues (ascending) of a symmetric matrix."""
    A = _eigh_input("linalg.eigh", A)
    return _apply(Eigvalsh, (A, _uplo(UPLO)), {}, None)


def _eig_input(name: str, A: Any) -> Tensor:
    A = _t(A)
    _check_square(name, A)
    k = A._array.dtype
    if k.kind not in "fc":
        raise RuntimeError(f"Unknown Complex ScalarType for {spelling(k)}")
    return A


@with_out("linalg_eig")
def eig(A: Tensor, *, out: Any = None) -> Any:
    """Eigenvalues and eigenvectors (unit norm) of a general square matrix, as complex tensors
    (complex64 for float32 input, complex128 for float64)."""
    A = _eig_input("linalg.eig", A)
    return linalg_eig(*_apply(Eig, (A,), {}, None))


@with_out("linalg_eigvals")
def eigvals(A: Tensor, *, out: Any = None) -> Tensor:
    """Eigenvalues of a general square matrix, as a complex tensor."""
    A = _eig_input("linalg.eigvals", A)
    if A._requires_grad or _function._VMAP or _is_dual(A):  # vmap: batched; dual: the error
        return _apply(Eig, (A,), {}, None)[0]
    w = xp.linalg.eigvals(A._array)
    return wrap(w.astype(xp.complex64 if A._array.dtype == xp.float32 else xp.complex128))


# ------------------------------------------------------------------------------ pinv, lstsq


def _tol_array(x: Any, like: Tensor) -> Any:
    if isinstance(x, Tensor):
        return x._array.astype(like._array.dtype)[..., None]
    return float(x)


def _atol_rtol(A: Tensor, atol: Any, rtol: Any) -> tuple[Any, Any]:
    """torch's ``get_atol_rtol``: rtol defaults to eps * max(m, n), or 0 where atol > 0."""
    default = _default_rtol(A._array)
    if rtol is None:
        if atol is None:
            rtol = default
        elif isinstance(atol, Tensor):
            rtol = wrap(xp.where(atol._array > 0, 0.0, default))
        else:
            rtol = 0.0 if atol > 0 else default
    return (0.0 if atol is None else _tol_array(atol, A)), _tol_array(rtol, A)


@with_out("linalg_pinv")
def pinv(A: Tensor, rcond: Any = None, hermitian: bool = False, *, atol: Any = None,
         rtol: Any = None, out: Any = None) -> Tensor:
    """Pseudoinverse (Moore-Penrose) through the SVD (``hermitian``: the eigendecomposition);
    singular values at or below max(atol, rtol * largest) are dropped.  ``rcond`` is the old
    name of rtol."""
    A = _t(A)
    k = A._array.dtype
    if A._array.ndim < 2 or k.kind not in "fc" or k.name == "float16":
        shp = ", ".join(str(s) for s in A._array.shape)
        raise RuntimeError(f"linalg.pinv({spelling(k)}{{[{shp}]}}): expected a tensor with 2 "
                           "or more dimensions of float, double, cfloat or cdouble types")
    _no_complex_grad("linalg.pinv", A)
    if rcond is not None:
        rtol, atol = rcond, 0.0
    a_tol, r_tol = _atol_rtol(A, atol, rtol)
    return _apply(Pinv, (A, a_tol, r_tol, bool(hermitian)), {}, None)


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _is_vector_rhs(A: Tensor, B: Tensor) -> bool:
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None
          ) -> Any:
    """Least-squares solution of ``A X = B`` (named tuple solution, residuals, rank,
    singular_values) with torch's CPU driver semantics (default 'gelsy': rank, no
    residuals; 'gelsd'/'gelss' also return the singular values and, for tall full-rank A, the
    squared residuals; 'gels' assumes full rank)."""
    A, B = _t(A), _t(B)
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    _check_float("torch.linalg.lstsq", A)
    _no_complex_grad("torch.linalg.lstsq", A, B)
    if A._array.dtype != B._array.dtype:
        raise RuntimeError("torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {spelling(A._array.dtype)} and "
                           f"other's dtype {spelling(B._array.dtype)}")
    if driver is None:
        driver = "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    vec = _is_vector_rhs(A, B)
    bshape = tuple(B.shape) + (1,) if vec else tuple(B.shape)
    if len(bshape) < 2 or bshape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2], A.shape[-1]
    if rcond is None:
        rcond = float(xp.finfo(A._array.dtype).eps) * max(m, n)
    return linalg_lstsq(*_apply(Lstsq, (A, B, float(rcond), driver, vec), {}, None))


# ------------------------------------------------------------------------ triangular solve


@with_out("linalg_solve_triangular")
def solve_triangular(A: Tensor, B: Tensor, *, upper: bool | None = None, left: bool = True,
                     unitriangular: bool = False, out: Any = None) -> Tensor:
    """Solves ``A X = B`` (``left``) or ``X A = B`` for triangular ``A`` (only its ``upper`` or
    lower triangle is read; ``unitriangular``: its diagonal is taken as ones); batches
    broadcast.  A zero on the diagonal gives inf/nan, never an error.  ``upper`` is required."""
    if upper is None:
        raise TypeError('linalg_solve_triangular() missing 1 required positional arguments: '
                        '"upper"')
    A, B = _t(A), _t(B)
    _check_square("linalg.solve_triangular", A)
    _check_float("linalg.solve_triangular", A)
    _check_float("linalg.solve_triangular", B)
    _no_complex_grad("linalg.solve_triangular", A, B)
    if B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {eq} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    if A._array.dtype != B._array.dtype:
        from .._dtype import promote_types
        dt = promote_types(A.dtype, B.dtype)
        A, B = A.to(dt), B.to(dt)
    return _apply(SolveTriangular, (A, B, bool(upper), bool(left), bool(unitriangular)), {},
                  None)


# ------------------------------------------------------------------------------ matrix_exp


def matrix_exp(A: Tensor) -> Tensor:
    """Matrix exponential of a square matrix (batches too): scaling and squaring with the
    [13/13] Padé approximant; its gradient is the Fréchet derivative (block-matrix form)."""
    A = _square_float("linalg.matrix_exp", A)
    return _apply(MatrixExp, (A,), {}, None)


# ------------------------------------------------------------------------- rank, norms, cond


@with_out("linalg_matrix_rank")
def matrix_rank(A: Tensor, tol: Any = None, hermitian: bool = False, *, atol: Any = None,
                rtol: Any = None, out: Any = None) -> Tensor:
    """Numerical rank: the number of singular values (``hermitian``: |eigenvalues|) above
    max(atol, rtol * largest); ``tol`` is the old name of atol (rtol is then 0)."""
    A = _t(A)
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at "
                           "least 2 dimensions.")
    if A._array.dtype.kind not in "fc":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    a = A._array
    if a.shape[-1] == 0 or a.shape[-2] == 0:
        return wrap(xp.zeros(a.shape[:-2], xp.int64))
    s = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
    a_tol, r_tol = _atol_rtol(A, atol, rtol)
    cut = xp.maximum(a_tol, r_tol * s.max(-1, keepdims=True))
    return wrap((s > cut).sum(-1).astype(xp.int64))


def _matrix_norm_svd(A: Tensor, ord: Any, dim: Sequence[int], keepdim: bool) -> Tensor:
    """ord 'nuc' / 2 / -2 as torch composes them: the two dims moved last (permute), the
    singular values summed or reduced by amax / amin."""
    _check_float("linalg.matrix_norm", A)
    nd = A.ndim
    d0, d1 = (d % nd for d in dim)
    perm = [i for i in range(nd) if i not in (d0, d1)] + [d0, d1]
    s = svdvals(_sh.permute(A, perm))
    if ord == "nuc":
        r = _red.sum(s, -1, keepdim)
    else:
        r = _red.amax(s, -1, keepdim) if ord == 2 else _red.amin(s, -1, keepdim)
    if keepdim:
        inv = [0] * nd
        for i, p in enumerate(perm):
            inv[p] = i
        r = _sh.permute(_sh.unsqueeze(r, -1), inv)
    return r


@with_out("linalg_cond")
def cond(A: Tensor, p: Any = None, *, out: Any = None) -> Tensor:
    """Condition number in the matrix norm ``p`` (None / 2 / -2 through the singular values,
    'fro' / 'nuc' / inf / -inf / 1 / -1 as norm(A) * norm(A^{-1}); a singular A gives inf)."""
    from .. import linalg as _L
    A = _t(A)
    if p is not None and p not in (2, -2, 1, -1, "fro", "nuc") and p not in (
            float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    name = "linalg.cond" if p in (None, 2, -2) else f"linalg.cond(ord={p})"
    _check_matrix(name, A)
    _check_float(name, A)
    if p in (None, 2, -2):
        s = svdvals(A)
        big, small = _sh.narrow(s, -1, 0, 1), _sh.narrow(s, -1, s.shape[-1] - 1, 1)
        r = _pw.div(big, small) if p != -2 else _pw.div(small, big)
        return _sh.squeeze(r, -1)
    _check_square(name, A)
    a = A._array
    try:
        xp.linalg.inv(a)
        ok = None
        ainv = _apply(Inv, (A,), {}, None)
    except xp.linalg.LinAlgError:
        ok = xp.array([_invertible(m) for m in a.reshape((-1,) + a.shape[-2:])]).reshape(
            a.shape[:-2])
        safe = wrap(xp.where(ok[..., None, None], a, xp.eye(a.shape[-1], dtype=a.dtype)))
        src = _pw.where(wrap(ok[..., None, None]), A, safe) if A._requires_grad else safe
        ainv = _apply(Inv, (src,), {}, None)
    r = _pw.mul(_L.matrix_norm(A, p), _L.matrix_norm(ainv, p))
    r = _pw.nan_to_num(r, float("inf"), float("inf"), float("-inf"))
    if ok is not None:  # a singular matrix: inf (nan for 'nuc': the SVD of torch's inf-filled
        fill = float("nan") if p == "nuc" else float("inf")  # inverse)
        r = _pw.where(wrap(ok), r, wrap(xp.asarray(fill, a.dtype)))
    return r


def _invertible(m: Array) -> bool:
    try:
        xp.linalg.inv(m)
        return True
    except xp.linalg.LinAlgError:
        return False


# ------------------------------------------------------------------------------ multi_dot


@with_out("linalg_multi_dot")
def multi_dot(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """Product of two or more matrices in the cheapest order (torch's matrix-chain order); the
    first / last may be 1-D (a row / column vector)."""
    ts = list(tensors)
    n = len(ts)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, t in enumerate(ts):
        nd = t.ndim
        if i == 0 and nd not in (1, 2):
            raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {nd}D")
        if i == n - 1 and i and nd not in (1, 2):
            raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {nd}D")
        if 0 < i < n - 1 and nd != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {nd}D")
    dt = ts[0]._array.dtype
    for i, t in enumerate(ts[1:], 1):
        if t._array.dtype != dt:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but "
                               f"tensor 0 is {spelling(dt)} and tensor {i} "
                               f"{spelling(t._array.dtype)}")
    out_shape = []
    if ts[0].ndim == 1:
        ts[0] = _sh.unsqueeze(ts[0], 0)
    else:
        out_shape.append(ts[0].shape[0])
    if ts[-1].ndim == 1:
        ts[-1] = _sh.unsqueeze(ts[-1], -1)
    else:
        out_shape.append(ts[-1].shape[-1])
    for i in range(n - 1):
        if ts[i].shape[-1] != ts[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} "
                               "cannot be multiplied")
    if n == 2:
        r = mm(ts[0], ts[1])
    elif n == 3:
        a, b = ts[0].shape[0], ts[1].shape[0]
        c, d = ts[2].shape[0], ts[2].shape[1]
        cost1 = a * c * (b + d)
        cost2 = b * d * (a + c)
        r = mm(mm(ts[0], ts[1]), ts[2]) if cost1 < cost2 else mm(ts[0], mm(ts[1], ts[2]))
    else:
        r = _chain(ts, _chain_order(ts), 0, n - 1)
    return _sh.view(r, tuple(out_shape))


def _chain_order(ts: list[Tensor]) -> list[list[int]]:
    n = len(ts)
    p = [t.shape[0] for t in ts] + [ts[-1].shape[1]]
    m = [[0] * n for _ in range(n)]
    s = [[0] * n for _ in range(n)]
    for ln in range(1, n):
        for i in range(n - ln):
            j = i + ln
            m[i][j] = None  # type: ignore[call-overload]
            for k in range(i, j):
                q = m[i][k] + m[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if m[i][j] is None or q < m[i][j]:
                    m[i][j] = q
                    s[i][j] = k
    return s


def _chain(ts: list[Tensor], s: list[list[int]], i: int, j: int) -> Tensor:
    if i == j:
        return ts[i]
    return mm(_chain(ts, s, i, s[i][j]), _chain(ts, s, s[i][j] + 1, j))


# ----------------------------------------------------------------------- *_ex (info results)


def _info(arr: Array) -> Tensor:
    return wrap(xp.asarray(arr, dtype=xp.int32))


def _potf2_fail(a: Array) -> Array:
    """LAPACK potf2's partial result on a matrix that is not positive-definite: the columns
    before the failing one factored, the failing diagonal entry holding its (non-positive)
    value, the rest of the lower triangle as in A."""
    L = xp.tril(xp.array(a, dtype=a.dtype))
    n = a.shape[-1]
    for j in range(n):
        ajj = L[j, j] - L[j, :j] @ L[j, :j]
        if not ajj > 0:
            L[j, j] = ajj
            return L
        L[j, j] = xp.sqrt(ajj)
        L[j + 1:, j] = (L[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return L


@with_out("linalg_cholesky_ex")
def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False,
                out: Any = None) -> Any:
    """Cholesky factor and an int32 ``info`` (0, or the order of the first leading minor that
    is not positive-definite); raises only with ``check_errors``."""
    from .decomp import Cholesky
    A = _square_float("linalg.cholesky_ex", A)
    a = A._array
    info = xp.zeros(a.shape[:-2], xp.int32)
    try:
        xp.linalg.cholesky(a)
    except xp.linalg.LinAlgError:
        flat = a.reshape((-1,) + a.shape[-2:])
        orders = [0] * flat.shape[0]
        Ls = []
        for i, m in enumerate(flat):
            try:
                Ls.append(xp.linalg.cholesky(m))
            except xp.linalg.LinAlgError:
                orders[i] = _not_pd_order(m)
                Ls.append(_potf2_fail(m))
        info = xp.array(orders, xp.int32).reshape(a.shape[:-2])
        if check_errors:
            raise LinAlgError("linalg.cholesky_ex: The factorization could not be completed "
                              "because the input is not positive-definite (the leading minor "
                              f"of order {max(orders)} is not positive-definite).") from None
        L = wrap(xp.stack(Ls).reshape(a.shape))
        return linalg_cholesky_ex(_sh.transpose(L, -1, -2) if upper else L, _info(info))
    L = _apply(Cholesky, (A,), {}, None)
    return linalg_cholesky_ex(_sh.transpose(L, -1, -2) if upper else L, _info(info))


def _lu_solve_arrays(lu: Array, piv: Array, b: Array) -> Array:
    perm = _perm_from_pivots(piv, lu.shape[-2])
    pb = xp.take_along_axis(b, perm[..., :, None], -2) if b.ndim == lu.ndim else b[..., perm, :]
    y = _solve_tri_arrays(lu, pb, False, True)
    return _solve_tri_arrays(lu, y, True, False)


@with_out("linalg_inv_ex")
def inv_ex(A: Tensor, *, check_errors: bool = False, out: Any = None) -> Any:
    """Inverse and an int32 ``info`` (0, or the 1-based index of the first zero pivot of the
    LU factorization); raises only with ``check_errors``."""
    A = _square_float("linalg.inv_ex", A)
    a = A._array
    try:
        xp.linalg.inv(a)
    except xp.linalg.LinAlgError:
        if check_errors:
            raise LinAlgError(f"linalg.inv_ex: The diagonal element {_zero_pivot(a)} is zero, "
                              "the inversion could not be completed because the input matrix "
                              "is singular.") from None
        lu, piv, info = _lu_factor_arrays(a)
        eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
        with xp.errstate(all="ignore"):
            x = _lu_solve_arrays(lu, piv, eye)
        return linalg_inv_ex(wrap(x), _info(info))
    return linalg_inv_ex(_apply(Inv, (A,), {}, None), _info(xp.zeros(a.shape[:-2])))


@with_out("linalg_solve_ex")
def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out: Any = None) -> Any:
    """``linalg.solve`` and an int32 ``info`` (0, or the first zero pivot); raises only with
    ``check_errors``."""
    from .. import linalg as _L
    A = _square_float("linalg.solve_ex", A)
    a = A._array
    try:
        xp.linalg.inv(a)
    except xp.linalg.LinAlgError:
        if check_errors:
            raise LinAlgError("torch.linalg.solve_ex: The solver failed because the input "
                              "matrix is singular.") from None
        B = _t(B)
        vec = _is_vector_rhs(A, B)
        b = B._array[..., None] if vec else B._array
        if not left:
            b = b.swapaxes(-1, -2)
        lu, piv, info = _lu_factor_arrays(a if left else a.swapaxes(-1, -2))
        with xp.errstate(all="ignore"):
            x = _lu_solve_arrays(lu, piv, xp.broadcast_to(b, a.shape[:-2] + b.shape[-2:]))
        if not left:
            x = x.swapaxes(-1, -2)
        return linalg_solve_ex(wrap(x[..., 0] if vec else x), _info(info))
    return linalg_solve_ex(_L.solve(A, B, left=left), _info(xp.zeros(a.shape[:-2])))


# --------------------------------------------------------------------------------- LU


def _lu_input(name: str, A: Any) -> Tensor:
    A = _t(A)
    if A.ndim < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(A.shape)} instead")
    _check_float(name, A)
    _no_complex_grad(name, A)
    return A


def _no_pivot(pivot: bool) -> None:
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


@with_out("linalg_lu_factor_ex")
def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False,
                 out: Any = None) -> Any:
    """LU factorization with partial pivoting (named tuple LU, pivots, info): LU packs L (unit
    diagonal, below) and U; pivots are LAPACK's 1-based int32 row swaps."""
    A = _lu_input("linalg.lu_factor_ex", A)
    _no_pivot(pivot)
    LU, piv, info = _apply(LuFactor, (A,), {}, None)
    if check_errors and (info._array > 0).any():
        raise LinAlgError("torch.linalg.lu_factor_ex: U[{0},{0}] is zero and using it on "
                          "lu_solve would result in a division by zero.".format(
                              int(info._array.max())))
    return linalg_lu_factor_ex(LU, piv, info)


@with_out("linalg_lu_factor")
def lu_factor(A: Tensor, *, pivot: bool = True, out: Any = None) -> Any:
    """LU factorization with partial pivoting (named tuple LU, pivots); an exactly singular
    U raises (use ``lu_factor_ex`` to get it anyway)."""
    A = _lu_input("linalg.lu_factor", A)
    _no_pivot(pivot)
    LU, piv, info = _apply(LuFactor, (A,), {}, None)
    if (info._array > 0).any():
        k = int(info._array[info._array > 0].min())
        raise RuntimeError(f"torch.linalg.lu_factor: U[{k},{k}] is zero and using it on "
                           "lu_solve would result in a division by zero. If you still want to "
                           "perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")
    return linalg_lu_factor(LU, piv)


@with_out("linalg_lu")
def lu(A: Tensor, *, pivot: bool = True, out: Any = None) -> Any:
    """LU decomposition ``A = P L U`` with partial pivoting (named tuple P, L, U)."""
    A = _lu_input("linalg.lu", A)
    if not pivot:
        raise RuntimeError("linalg.lu: LU without pivoting is not implemented on the CPU")
    return linalg_lu(*_apply(Lu, (A,), {}, None))


@with_out("linalg_lu_solve")
def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
             adjoint: bool = False, out: Any = None) -> Tensor:
    """Solves ``A X = B`` given A's ``lu_factor`` (``left=False``: X A = B; ``adjoint``: with
    A^T); differentiable in LU and B."""
    from .decompositions import LuSolve
    LU, pivots, B = _t(LU), _t(pivots), _t(B)
    _check_square("torch.linalg.lu_solve", LU)
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 "
                           "dimensions.")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{eq} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    if pivots._array.dtype != xp.int32:
        raise RuntimeError("linalg.lu_solve: Expected pivots to be integers. Got "
                           f"{spelling(pivots._array.dtype)}")
    return _apply(LuSolve, (LU, pivots._array, B, bool(left), bool(adjoint)), {}, None)


# ------------------------------------------------------------------------ tensor functions


def _prod(shape: Sequence[int]) -> int:
    r = 1
    for s in shape:
        r *= s
    return r


@with_out("linalg_tensorinv")
def tensorinv(A: Tensor, ind: int = 2, *, out: Any = None) -> Tensor:
    """The inverse of ``A`` seen as a linear map from its first ``ind`` dims to the others
    (``tensordot(tensorinv(A), A, ind)`` is the identity)."""
    A = _t(A)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shp = tuple(A.shape)
    lead, rest = shp[:ind], shp[ind:]
    p1, p2 = _prod(lead), _prod(rest)
    if p1 != p2:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {p2} != {p1}")
    from .. import linalg as _L
    return _sh.reshape(_L.inv(_sh.reshape(A, (p1, p2))), rest + lead)


@with_out("linalg_tensorsolve")
def tensorsolve(A: Tensor, B: Tensor, dims: Sequence[int] | None = None, *,
                out: Any = None) -> Tensor:
    """X with ``tensordot(A, X, X.ndim) == B``; ``dims``: dims of A moved to the end first."""
    from .. import linalg as _L
    A, B = _t(A), _t(B)
    if dims is not None:
        nd = A.ndim
        ds = [d % nd for d in dims]
        A = _sh.permute(A, [i for i in range(nd) if i not in ds] + ds)
    shp = tuple(A.shape)
    nb = B.ndim
    rest = shp[nb:]
    p = _prod(B.shape)
    if _prod(rest) != p:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:])"
                           f" == prod(self.shape[:other.ndim]), but got {_prod(rest)} != {p}")
    x = _L.solve(_sh.reshape(A, (p, p)), _sh.reshape(B, (p,)))
    return _sh.reshape(x, rest)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """Vandermonde matrix with increasing powers x^0 .. x^(N-1) along the last dim (N defaults
    to x.shape[-1]); as torch: ones, then a cumulative product."""
    x = _t(x)
    if x.ndim < 1:
        raise RuntimeError("N must be greater than 1.")
    if N is None:
        N = x.shape[-1]
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    u = _sh.unsqueeze(x, -1)
    ones = wrap(xp.ones(tuple(x.shape) + (1,), x._array.dtype))
    powers = _red.cumprod(_sh.expand(u, tuple(x.shape) + (N - 1,)), -1)
    return _sh.cat([ones, powers], -1)


@with_out("linalg_householder_product")
def householder_product(A: Tensor, tau: Tensor, *, out: Any = None) -> Tensor:
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T with v_i the i-th column of
    ``A`` below its diagonal (unit on the diagonal), as LAPACK orgqr; composed of
    differentiable ops."""
    A, tau = _t(A), _t(tau)
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.householder_product: input must have at least 2 "
                           "dimensions.")
    m, n = A.shape[-2], A.shape[-1]
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater "
                           "than or equal to input.shape[-1]")
    k = tau.shape[-1]
    if n < k:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater "
                           "than or equal to tau.shape[-1]")
    dt = A._array.dtype
    V = _pw.add(_sh.tril(A, -1), wrap(xp.eye(m, n, dtype=dt)))
    Q = wrap(xp.broadcast_to(xp.eye(m, n, dtype=dt), tuple(A.shape)).copy())
    from .linalg import matmul
    from . import complex as _cx
    for i in reversed(range(k)):
        v = _sh.narrow(V, -1, i, 1)
        t = _sh.unsqueeze(_sh.narrow(tau, -1, i, 1), -1)
        vh = _sh.transpose(v, -1, -2)
        vh = _cx.conj(vh) if vh.is_complex() else vh  # H_i = I - tau_i v v^H
        Q = _pw.sub(Q, _pw.mul(t, matmul(v, matmul(vh, Q))))
    return Q

