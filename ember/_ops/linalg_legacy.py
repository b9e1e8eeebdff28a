"""The linear-algebra names on ``torch.`` and on Tensor (torch.svd, inverse, det, logdet,
slogdet, pinverse, lu, lu_unpack, lu_solve, qr, cholesky*, triangular_solve, matrix_exp,
matrix_power, chain_matmul, cross), with torch's argument conventions, named tuples and
deprecation warnings; the functions removed in torch 2 (symeig, eig, lstsq, matrix_rank, solve)
raise torch's RuntimeError with its migration text.  Ops: ``ember/_ops/decompositions.py``."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import functools
import importlib
from .._backend import xp
from .._dtype import spelling
from .._tensor import Tensor
from ..autograd.function import _apply
from . import pointwise as _pw
from . import shape as _sh
from ._utils import wrap
from .reduction import _return_type

if TYPE_CHECKING:  # names for annotations only
    from typing import Any


class _Lazy:
    """A module imported on first use: ``import ember`` does not load the decompositions (they
    come with the first call, or with ``ember.linalg``)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name, __package__), attr)


_lm: Any = _Lazy(".linalg_more")
_dec: Any = _Lazy(".decompositions")
_decomp: Any = _Lazy(".decomp")

svd_result = _return_type("svd", ("U", "S", "V"))
qr_result = _return_type("qr", ("Q", "R"))
slogdet_result = _return_type("slogdet", ("sign", "logabsdet"))
lu_unpack_result = _return_type("lu_unpack", ("P", "L", "U"))
triangular_solve_result = _return_type("triangular_solve", ("solution", "cloned_coefficient"))

_WARNED: set[str] = set()


def _warn_once(key: str, msg: str) -> None:
    """torch's TORCH_WARN_ONCE: a UserWarning the first time only."""
    from .._infra import WARN_ALWAYS  # torch.set_warn_always(True): every time
    if key not in _WARNED or WARN_ALWAYS[0]:
        _WARNED.add(key)
        warnings.warn(msg, UserWarning, stacklevel=3)


def _la():
    from .. import linalg
    return linalg


# ------------------------------------------------------------------------------ out=


def _write_out(name: str, res: Any, out: Any) -> Any:
    """torch's ``out=`` for a linalg function: no autograd through it, the same dtype, ``out``
    resized (with torch's warning when it had elements) and written; returns ``out`` (the
    named tuple of outs)."""
    from .._out import _RESIZE_WARNING, _c10, _name, _write
    from ..autograd.grad_mode import _state
    results = tuple(res) if isinstance(res, tuple) else (res,)
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    if len(outs) != len(results) or not all(isinstance(o, Tensor) for o in outs):
        raise TypeError(f"{name}(): argument 'out' must be "
                        f"{'tuple of Tensors' if len(results) > 1 else 'Tensor'}")
    if _state.enabled and any(t.requires_grad for t in results + outs):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    for r, o in zip(results, outs):
        if r._array.dtype != o._array.dtype:
            raise RuntimeError(f"Expected out tensor to have dtype {_c10(_name(r._array))}, but "
                               f"got {_c10(_name(o._array))} instead")
    for r, o in zip(results, outs):
        _write(o, r._array, _RESIZE_WARNING)
    return type(res)(*outs) if isinstance(res, tuple) else outs[0]


def with_out(name: str) -> Any:
    """Decorator: the function's ``out=`` keyword with torch's semantics (``_write_out``)."""
    def deco(fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapper(*args: Any, out: Any = None, **kwargs: Any) -> Any:
            if out is None:
                return fn(*args, **kwargs)
            return _write_out(name, fn(*args, **kwargs), out)
        return wrapper
    return deco


# ------------------------------------------------------------------------------ det family


def det(input: Tensor) -> Tensor:
    """Determinant of a square matrix (batches too); alias of ``linalg.det``."""
    return _la().det(input)


def logdet(input: Tensor) -> Tensor:
    """log(det(A)): nan for a negative determinant, -inf for a zero one (slogdet underneath)."""
    A = _lm._square_float("linalg.slogdet", input)
    sign, logabs = _la().slogdet(A)
    return _pw.where(sign == -1.0, wrap(xp.asarray(xp.nan, A._array.dtype)), logabs)


@with_out("slogdet")
def slogdet(input: Tensor) -> Any:
    """(sign, log|det|) of a square matrix as the named tuple ``torch.return_types.slogdet``."""
    return slogdet_result(*_la().slogdet(input))


@with_out("inverse")
def inverse(input: Tensor) -> Tensor:
    """Inverse of a square matrix (batches too); alias of ``linalg.inv``."""
    return _la().inv(input)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """Pseudoinverse; singular values below ``rcond`` times the largest are dropped."""
    return _lm.pinv(input, rtol=rcond, atol=0.0)


def matrix_exp(input: Tensor) -> Tensor:
    """Matrix exponential; alias of ``linalg.matrix_exp``."""
    return _lm.matrix_exp(input)


@with_out("matrix_power")
def matrix_power(input: Tensor, n: int) -> Tensor:
    """A^n for integer n (negative n through the inverse); alias of ``linalg.matrix_power``."""
    return _la().matrix_power(input, n)


@with_out("chain_matmul")
def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    """Deprecated alias of ``linalg.multi_dot`` taking the matrices as arguments."""
    _warn_once("chain_matmul", "torch.chain_matmul is deprecated and will be removed in a "
               "future PyTorch release. Use torch.linalg.multi_dot instead, which accepts a "
               "list of two or more tensors rather than multiple parameters.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return _lm.multi_dot(list(matrices))


# ------------------------------------------------------------------------------ SVD, QR


@with_out("svd")
def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out: Any = None) -> Any:
    """The old SVD: (U, S, V) with ``A = U diag(S) V^T`` (V, not Vh); ``some=False`` gives the
    full U and V; ``compute_uv=False`` returns zero-filled U and V."""
    A = _lm._matrix_float("linalg.svd", input)
    if not compute_uv:
        s = _lm.svdvals(A)
        m, n = A.shape[-2], A.shape[-1]
        lead = tuple(A.shape[:-2])
        dt = A._array.dtype
        return svd_result(wrap(xp.zeros(lead + (m, m), dt)), s,
                          wrap(xp.zeros(lead + (n, n), dt)))
    U, S, Vh = _lm.svd(A, full_matrices=not some)
    return svd_result(U, S, _sh.transpose(Vh, -2, -1))


@with_out("qr")
def qr(input: Tensor, some: bool = True, *, out: Any = None) -> Any:
    """Deprecated QR: ``some=True`` is mode 'reduced', False 'complete'."""
    _warn_once("qr", "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in "
               "a future PyTorch release.\nThe boolean parameter 'some' has been replaced with a "
               "string parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\n"
               "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')")
    return qr_result(*_lm.qr(input, "reduced" if some else "complete"))


# ------------------------------------------------------------------------------ LU


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out: Any = None) -> Any:
    """Deprecated LU factorization: (LU, pivots) or, with ``get_infos``, (LU, pivots, infos)."""
    _warn_once("lu", "torch.lu is deprecated in favor of torch.linalg.lu_factor / "
               "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.\n"
               "LU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\n"
               "LU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
               "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
               "should be replaced with\n"
               "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)")
    LU, piv, info = _lm.lu_factor_ex(A, pivot=pivot)
    return (LU, piv, info) if get_infos else (LU, piv)


@with_out("lu_unpack")
def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True, *, out: Any = None) -> Any:
    """(P, L, U) from ``lu_factor``'s packed LU and pivots (empty tensors for the parts not
    unpacked); L and U carry the gradient back to LU."""
    LU = _lm._t(LU_data)
    piv = _lm._t(LU_pivots)
    if piv._array.dtype != xp.int32:
        raise RuntimeError("lu_unpack: LU_pivots is expected to be a contiguous tensor of "
                           "torch.int32 dtype. Note: this function is intended to be used "
                           "with the output produced by torch.linalg.lu_factor")
    pv = piv._array if unpack_pivots else None
    return lu_unpack_result(*_apply(_dec.LuUnpack, (LU, pv, bool(unpack_data)), {}, None))


@with_out("lu_solve")
def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out: Any = None) -> Tensor:
    """Deprecated: ``linalg.lu_solve(LU_data, LU_pivots, b)``."""
    _warn_once("lu_solve", "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand "
               "will be removed in a future PyTorch release.\nNote that torch.linalg.lu_solve "
               "has its arguments reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be "
               "replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)")
    return _lm.lu_solve(LU_data, LU_pivots, b)


# ------------------------------------------------------------------------------ Cholesky


def _same_dtype(b: Tensor, A: Tensor) -> None:
    if b._array.dtype != A._array.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{spelling(b._array.dtype)} and A of type "
                           f"{spelling(A._array.dtype)} instead.")


@with_out("cholesky")
def cholesky(input: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    """Deprecated Cholesky factor (its own node, CholeskyBackward0); ``upper``: U with A = U^T U."""
    _warn_once("cholesky", "torch.cholesky is deprecated in favor of torch.linalg.cholesky and "
               "will be removed in a future PyTorch release.\nL = torch.cholesky(A)\nshould be "
               "replaced with\nL = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, "
               "upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\nThis "
               "transform will produce equivalent results for all valid (symmetric positive "
               "definite) inputs.")
    A = _lm._square_float("cholesky", input)
    try:
        xp.linalg.cholesky(A._array)
    except xp.linalg.LinAlgError:
        raise _decomp.LinAlgError("cholesky: The factorization could not be completed because the "
                          "input is not positive-definite (the leading minor of order "
                          f"{_decomp._not_pd_order(A._array)} is not positive-definite).") from None
    return _apply(_dec.CholeskyLegacy, (A, bool(upper)), {}, None)


def _solve_args(b: Tensor, A: Tensor) -> tuple[Tensor, Tensor]:
    b, A = _lm._t(b), _lm._t(A)
    _same_dtype(b, A)
    if b.ndim < 2 or A.ndim < 2:
        raise RuntimeError(f"torch.linalg.solve: The input tensor {'B' if b.ndim < 2 else 'A'}"
                           " must have at least 2 dimensions.")
    _lm._check_square("linalg.solve", A)
    if b.shape[-2] != A.shape[-1]:
        n = A.shape[-1]
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{n} by {n} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    return b, A


@with_out("cholesky_solve")
def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False, *,
                   out: Any = None) -> Tensor:
    """Solves ``A X = B`` given A's Cholesky factor ``input2`` (lower, or ``upper``)."""
    b, L = _solve_args(input, input2)
    return _apply(_dec.CholeskySolve, (b, L, bool(upper)), {}, None)


@with_out("cholesky_inverse")
def cholesky_inverse(input: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    """Inverse of ``A`` from its Cholesky factor (``A = L L^T``, or ``U^T U`` with upper)."""
    L = _lm._square_float("cholesky_inverse", input)
    return _apply(_dec.CholeskyInverse, (L, bool(upper)), {}, None)


@with_out("triangular_solve")
def triangular_solve(input: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out: Any = None) -> Any:
    """Deprecated triangular solve of ``A X = b`` (``transpose``: A^T X = b): named tuple
    (solution, cloned_coefficient)."""
    _warn_once("triangular_solve", "torch.triangular_solve is deprecated in favor of "
               "torch.linalg.solve_triangularand will be removed in a future PyTorch release.\n"
               "torch.linalg.solve_triangular has its arguments reversed and does not return a "
               "copy of one of the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be "
               "replaced with\nX = torch.linalg.solve_triangular(A, B).")
    b, A = _lm._t(input), _lm._t(A)
    _same_dtype(b, A)
    _lm._check_square("triangular_solve", A)
    if b.ndim < 2 or b.shape[-2] != A.shape[-1]:
        n = A.shape[-1]
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is "
                           f"{n} by {n} but each b matrix is {b.shape[-2] if b.ndim > 1 else 1} "
                           f"by {b.shape[-1]}")
    return triangular_solve_result(*_apply(
        _dec.TriangularSolve, (b, A, bool(upper), bool(transpose), bool(unitriangular)), {}, None))


# ------------------------------------------------------------------------------ cross


def cross(input: Tensor, other: Tensor, dim: int | None = None, *, out: Any = None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (``linalg.cross``); without ``dim``, the first
    dim of size 3 (a deprecated default, as torch warns)."""
    a, b = _lm._t(input), _lm._t(other)
    if dim is None:
        _warn_once("cross", "Using torch.cross without specifying the dim arg is deprecated.\n"
                   "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                   "The default value of dim will change to agree with that of linalg.cross in "
                   "a future release.")
        if a.ndim == b.ndim:
            shape = xp.broadcast_shapes(tuple(a.shape), tuple(b.shape))
            sizes = [i for i, s in enumerate(shape) if s == 3]
            if not sizes:
                raise RuntimeError("no dimension of size 3 in input")
            dim = sizes[0]
        else:
            dim = -1
    return _la().cross(a, b, dim=dim)


# ------------------------------------------------------------------------ removed in torch 2


def _removed(text: str):
    def fn(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("This function was deprecated since version 1.9 and is now removed."
                           + ("" if text.startswith("\n") else " ") + text)
    return fn


symeig = _removed(
    "The default behavior has changed from using the upper triangular portion of the matrix by "
    "default to using the lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) "
    "should be replaced with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\n"
    "and\n\nL, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
    "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')")
symeig.__name__ = symeig.__qualname__ = "symeig"
symeig.__doc__ = "Removed in torch 2: raises torch's RuntimeError (use linalg.eigh)."
eig = _removed(
    "`torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than "
    "real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\n"
    "L_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) "
    "should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)")
eig.__name__ = eig.__qualname__ = "eig"
eig.__doc__ = "Removed in torch 2: raises torch's RuntimeError (use linalg.eig)."
lstsq = _removed(
    "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has "
    "reversed arguments and does not return the QR decomposition in the returned tuple "
    "(although it returns other information about the problem).\n\nTo get the QR "
    "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in "
    "`torch.lstsq` stored the residuals of the solution in the last m - n columns of the "
    "returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the field "
    "'residuals' of the returned named tuple.\n\nThe unpacking of the solution, as in\n"
    "X, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
    "X = torch.linalg.lstsq(A, B).solution")
lstsq.__name__ = lstsq.__qualname__ = "lstsq"
lstsq.__doc__ = "Removed in torch 2: raises torch's RuntimeError (use linalg.lstsq)."
matrix_rank = _removed(
    "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' "
    "was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.")
matrix_rank.__name__ = matrix_rank.__qualname__ = "matrix_rank"
matrix_rank.__doc__ = "Removed in torch 2: raises torch's RuntimeError (use linalg.matrix_rank)."
solve = _removed(
    "`torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has "
    "its arguments reversed and does not return the LU factorization.\n\nTo get the LU "
    "factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
    "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
    "X = torch.linalg.solve(A, B)")
solve.__name__ = solve.__qualname__ = "solve"
solve.__doc__ = "Removed in torch 2: raises torch's RuntimeError (use linalg.solve)."


# ------------------------------------------------------------------------------ exports
# ``ember/__init__.py`` exports ``__all__``; ``TENSOR_METHODS`` become Tensor methods (torch
# has no in-place forms of these: ``NO_INPLACE``).
__all__ = [
    "det", "logdet", "slogdet", "inverse", "pinverse", "matrix_exp", "matrix_power",
    "chain_matmul", "svd", "qr", "lu", "lu_unpack", "lu_solve", "cholesky", "cholesky_solve",
    "cholesky_inverse", "triangular_solve", "cross", "symeig", "eig", "lstsq", "matrix_rank",
    "solve",
]
TENSOR_METHODS = (
    "det", "logdet", "slogdet", "inverse", "pinverse", "matrix_exp", "matrix_power", "svd",
    "qr", "lu", "lu_solve", "cholesky", "cholesky_solve", "cholesky_inverse",
    "triangular_solve", "cross", "symeig", "eig", "lstsq",
)
NO_INPLACE = TENSOR_METHODS  # torch has no in-place forms of these
