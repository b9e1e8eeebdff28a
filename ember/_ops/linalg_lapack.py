"""LAPACK-style factorizations in their raw forms: ``torch.geqrf`` (Householder QR as LAPACK
stores it), ``torch.orgqr`` (= ``linalg.householder_product``), ``torch.ormqr`` (multiply by
the implicit Q) and ``torch.linalg.ldl_factor(_ex)``/``ldl_solve`` (Bunch-Kaufman LDL^T as
LAPACK's ``?sytrf``/``?hetrf`` with ``uplo='L'``, and ``?sytrs``/``?hetrs``).

``geqrf`` is NumPy's ``qr(mode='raw')`` (LAPACK ``?geqrf`` itself).  NumPy has no ``?sytrf``:
the LDL^T factorization is LAPACK's unblocked ``?sytf2``/``?hetf2`` written out in NumPy (the
same pivot choices as the blocked ``?sytrf`` torch calls, which makes the same decisions with
a delayed update: equal pivots, LD equal up to rounding).  ``ormqr`` is composed of
differentiable ops (torch's node is one ``OrmqrBackward0``); geqrf and the LDL functions have
no derivative in torch, nor here.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .._backend import xp
from .._dtype import spelling
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply
from . import pointwise as _pw
from . import shape as _sh
from .complex import conj as _conj
from .reduction import _return_type

if TYPE_CHECKING:
    from ._types import Array, Ctx, Grads, Namespace, OutGrads

__all__ = ["geqrf", "orgqr", "ormqr"]
TENSOR_METHODS = ["geqrf", "orgqr", "ormqr"]
NO_INPLACE = ("geqrf", "orgqr", "ormqr")

GeqrfResult = _return_type("geqrf", ("a", "tau"))
LdlFactorResult = _return_type("linalg_ldl_factor", ("LD", "pivots"))
LdlFactorExResult = _return_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))


def _const(a: Array) -> Tensor:
    return _make(a, False, None, 0, None)


def _check_float(name: str, fn: str, *ts: Tensor) -> None:
    for t in ts:
        if t._array.dtype.kind not in "fc":
            raise NotImplementedError(f'"{fn}" not implemented for \'{spelling(t._array.dtype)}\'')


# ------------------------------------------------------------------------------ geqrf


class Geqrf(Op):
    """LAPACK ``?geqrf``: R on and above the diagonal, the Householder vectors below it, and
    their scalars ``tau``.  torch has no derivative for it (the node raises)."""
    node_name = "GeqrfBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> tuple[Array, Array]:
        m, n = a.shape[-2], a.shape[-1]
        k = min(m, n)
        if a.size == 0:
            return a.copy(), xp.zeros(a.shape[:-2] + (k,), a.dtype)
        h, tau = xp.linalg.qr(a, mode="raw")
        return xp.ascontiguousarray(xp.swapaxes(h, -1, -2)).astype(a.dtype), \
            xp.ascontiguousarray(tau).astype(a.dtype)

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def geqrf(input: Tensor, *, out: Any = None) -> Any:
    """QR factorization in LAPACK's ``geqrf`` form: ``(a, tau)`` with R in the upper triangle of
    ``a`` and the Householder reflectors below it (use ``orgqr``/``ormqr`` to apply Q)."""
    if input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    _check_float("geqrf", "geqrf_cpu", input)
    a, tau = _apply(Geqrf, (input,), {}, None)
    if out is not None:
        out[0].resize_(a.shape).copy_(a)
        out[1].resize_(tau.shape).copy_(tau)
        return GeqrfResult(out[0], out[1])
    return GeqrfResult(a, tau)


def orgqr(input: Tensor, tau: Tensor, *, out: Any = None) -> Tensor:
    """The matrix Q of a ``geqrf`` factorization: ``torch.linalg.householder_product``."""
    from .linalg_more import householder_product
    return householder_product(input, tau, out=out)


def _dot_h(v: Tensor, c: Tensor, left: bool) -> Tensor:
    """v^H c (left, v a column) or c v (right)."""
    from .linalg import matmul
    if left:
        vh = _sh.transpose(v, -1, -2)
        return matmul(_conj(vh) if vh.is_complex() else vh, c)
    return matmul(c, v)


def ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool = True, transpose: bool = False,
          *, out: Any = None) -> Tensor:
    """``Q @ other`` (``left``) or ``other @ Q``, with Q (or Q^H when ``transpose``) the product
    of the Householder reflectors of a ``geqrf`` result; composed of differentiable ops."""
    from .linalg import matmul
    if input.ndim < 2:
        raise RuntimeError("torch.ormqr: input must have at least 2 dimensions.")
    if other.ndim < 2:
        raise RuntimeError("torch.ormqr: other must have at least 2 dimensions.")
    side = -2 if left else -1
    m = input.shape[-2]
    if other.shape[side] != m:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
    k = tau.shape[-1] if tau.ndim else 1
    if k != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"torch.ormqr: tau.shape[-1] must be equal to "
                           f"min(other.shape[{side}], input.shape[-1])")
    if input.ndim - tau.ndim != 1:
        raise RuntimeError("torch.ormqr: input.dim() must be greater than tau.dim() by 1")
    if input.ndim != other.ndim:
        raise RuntimeError("torch.ormqr: input.dim() must be equal to other.dim()")
    for name, t in (("tau", tau), ("other", other)):
        if t.dtype != input.dtype:
            raise RuntimeError(f"torch.ormqr: Expected input and {name} to have the same dtype, "
                               f"but input has dtype{spelling(input._array.dtype)} and {name} has "
                               f"dtype {spelling(t._array.dtype)}")
    _check_float("ormqr", "ormqr_cpu", input)
    dt = input._array.dtype
    eye = _const(xp.eye(m, input.shape[-1], dtype=dt))
    V = _pw.add(_sh.tril(input, -1), eye)
    # Q = H_0 ... H_{k-1}; Q c applies H_{k-1} first; Q^H c applies H_0^H first
    order = range(k) if left == transpose else reversed(range(k))
    c = other
    for i in order:
        v = _sh.narrow(V, -1, i, 1)
        t = _sh.unsqueeze(_sh.narrow(tau, -1, i, 1), -1)
        if transpose and t.is_complex():
            t = _conj(t)
        if left:  # H c = c - t v (v^H c)
            c = _pw.sub(c, _pw.mul(t, matmul(v, _dot_h(v, c, True))))
        else:  # c H = c - t (c v) v^H
            vh = _sh.transpose(v, -1, -2)
            c = _pw.sub(c, _pw.mul(t, matmul(_dot_h(v, c, False),
                                             _conj(vh) if vh.is_complex() else vh)))
    if out is not None:
        out.resize_(c.shape).copy_(c)
        return out
    return c


# ------------------------------------------------------------------------------ LDL^T

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


def _cabs1(z: Array) -> Array:
    return xp.abs(z.real) + xp.abs(z.imag) if xp.iscomplexobj(z) else xp.abs(z)


def _choose_pivot(A: Array, k: int, herm: bool) -> tuple[int, int, bool]:
    """Bunch-Kaufman's choice at column k: (kp, kstep, singular)."""
    n = A.shape[0]
    absakk = abs(A[k, k].real) if herm else float(_cabs1(A[k, k]))
    if k < n - 1:
        col = _cabs1(A[k + 1:, k])
        imax = k + 1 + int(xp.argmax(col))
        colmax = float(col[imax - k - 1])
    else:
        imax, colmax = k, 0.0
    if max(absakk, colmax) == 0.0 or math.isnan(absakk):
        return k, 1, True
    if absakk >= _ALPHA * colmax:
        return k, 1, False
    rowmax = float(_cabs1(A[imax, k:imax]).max())
    if imax < n - 1:
        rowmax = max(rowmax, float(_cabs1(A[imax + 1:, imax]).max()))
    diag = abs(A[imax, imax].real) if herm else float(_cabs1(A[imax, imax]))
    if absakk >= _ALPHA * colmax * (colmax / rowmax):
        return k, 1, False
    if diag >= _ALPHA * rowmax:
        return imax, 1, False
    return imax, 2, False


def _interchange(A: Array, k: int, kk: int, kp: int, kstep: int, herm: bool) -> None:
    """Swap rows and columns kk and kp of the trailing lower triangle (in place)."""
    n = A.shape[0]
    conj = xp.conj if herm else (lambda z: z)
    if kp < n - 1:
        tmp = A[kp + 1:, kk].copy()
        A[kp + 1:, kk] = A[kp + 1:, kp]
        A[kp + 1:, kp] = tmp
    tmp = conj(A[kk + 1:kp, kk].copy())
    A[kk + 1:kp, kk] = conj(A[kp, kk + 1:kp])
    A[kp, kk + 1:kp] = tmp
    if herm:
        A[kp, kk] = xp.conj(A[kp, kk])
    A[kk, kk], A[kp, kp] = A[kp, kp], A[kk, kk]
    if kstep == 2:
        A[k + 1, k], A[kp, k] = A[kp, k], A[k + 1, k]


def _update1(A: Array, k: int, herm: bool) -> None:
    """Rank-1 update of the trailing block after a 1x1 pivot (?syr/?her), L's column."""
    n = A.shape[0]
    if herm:
        A[k, k] = A[k, k].real
    if k == n - 1:
        return
    x = A[k + 1:, k].copy()
    if herm:
        r1 = 1.0 / A[k, k].real
        A[k + 1:, k + 1:] += xp.tril(x[:, None] * (-r1 * xp.conj(x))[None, :])
        idx = xp.arange(k + 1, n)
        A[idx, idx] = A[idx, idx].real
        A[k + 1:, k] = x * r1
    else:
        d11 = 1.0 / A[k, k]
        A[k + 1:, k + 1:] += xp.tril(x[:, None] * (-d11 * x)[None, :])
        A[k + 1:, k] = x * d11


def _update2(A: Array, k: int, herm: bool) -> None:
    """Rank-2 update of the trailing block after a 2x2 pivot, L's two columns."""
    n = A.shape[0]
    if k >= n - 2:
        return
    d21 = A[k + 1, k]
    a0, a1 = A[k + 2:, k].copy(), A[k + 2:, k + 1].copy()
    if herm:
        d = abs(d21)
        d11 = A[k + 1, k + 1].real / d
        d22 = A[k, k].real / d
        tt = 1.0 / (d11 * d22 - 1.0)
        d21 = d21 / d
        dd = tt / d
        wk = dd * (d11 * a0 - d21 * a1)
        wkp1 = dd * (d22 * a1 - xp.conj(d21) * a0)
        upd = a0[:, None] * xp.conj(wk)[None, :] + a1[:, None] * xp.conj(wkp1)[None, :]
    else:
        d11 = A[k + 1, k + 1] / d21
        d22 = A[k, k] / d21
        tt = 1.0 / (d11 * d22 - 1.0)
        d21 = tt / d21
        wk = d21 * (d11 * a0 - a1)
        wkp1 = d21 * (d22 * a1 - a0)
        upd = a0[:, None] * wk[None, :] + a1[:, None] * wkp1[None, :]
    A[k + 2:, k + 2:] -= xp.tril(upd)
    A[k + 2:, k] = wk
    A[k + 2:, k + 1] = wkp1
    if herm:
        idx = xp.arange(k + 2, n)
        A[idx, idx] = A[idx, idx].real


def _sytf2(A: Array, herm: bool) -> tuple[Array, Array, int]:
    """LAPACK ``?sytf2``/``?hetf2`` (uplo 'L') on one matrix: (LD, 1-based pivots, info)."""
    A = A.copy()
    n = A.shape[0]
    piv = xp.zeros(n, xp.int32)
    info = 0
    herm = herm and xp.iscomplexobj(A)
    if herm:
        A[xp.diag_indices(n)] = A.diagonal().real
    k = 0
    while k < n:
        kp, kstep, singular = _choose_pivot(A, k, herm)
        if singular:
            info = info or k + 1
            if herm:
                A[k, k] = A[k, k].real
        else:
            kk = k + kstep - 1
            if kp != kk:
                _interchange(A, k, kk, kp, kstep, herm)
            if kstep == 1:
                _update1(A, k, herm)
            else:
                _update2(A, k, herm)
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return xp.tril(A), piv, info


def _sytrs(LD: Array, piv: Array, B: Array, herm: bool) -> Array:
    """LAPACK ``?sytrs``/``?hetrs`` (uplo 'L'): solve with a ``_sytf2`` factorization."""
    A, B = LD, B.copy()
    n = A.shape[0]
    herm = herm and xp.iscomplexobj(A)
    conj = xp.conj if herm else (lambda z: z)
    k = 0
    while k < n:  # L D X = B
        if piv[k] > 0:
            kp = int(piv[k]) - 1
            if kp != k:
                B[[k, kp]] = B[[kp, k]]
            if k < n - 1:
                B[k + 1:] -= A[k + 1:, k][:, None] * B[k][None, :]
            B[k] = B[k] / (A[k, k].real if herm else A[k, k])
            k += 1
        else:
            kp = -int(piv[k]) - 1
            if kp != k + 1:
                B[[k + 1, kp]] = B[[kp, k + 1]]
            if k < n - 2:
                B[k + 2:] -= A[k + 2:, k][:, None] * B[k][None, :]
                B[k + 2:] -= A[k + 2:, k + 1][:, None] * B[k + 1][None, :]
            akm1k = A[k + 1, k]
            akm1 = A[k, k] / conj(akm1k)
            ak = A[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1.0
            bkm1 = B[k] / conj(akm1k)
            bk = B[k + 1] / akm1k
            B[k] = (ak * bkm1 - bk) / denom
            B[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = B (L^H when hermitian)
        if piv[k] > 0:
            if k < n - 1:
                B[k] -= conj(A[k + 1:, k]) @ B[k + 1:]
            kp = int(piv[k]) - 1
            if kp != k:
                B[[k, kp]] = B[[kp, k]]
            k -= 1
        else:
            if k < n - 1:
                B[k] -= conj(A[k + 1:, k]) @ B[k + 1:]
                B[k - 1] -= conj(A[k + 1:, k - 1]) @ B[k + 1:]
            kp = -int(piv[k]) - 1
            if kp != k:
                B[[k, kp]] = B[[kp, k]]
            k -= 2
    return B


class _LdlFactorNoGrad(Op):
    """torch has no derivative of the LDL functions: their outputs hang off a node whose
    backward raises."""
    node_name = "NotImplemented"
    inputs: tuple[int, ...] = (0,)

    @staticmethod
    def forward(ctx: Ctx, a: Array, kernel: str, out: Array) -> Array:
        ctx.kernel = kernel
        return out

    @staticmethod
    def backward(ctx: Ctx, grad: Any, ns: Namespace) -> Grads:
        raise RuntimeError(f"derivative for aten::{ctx.kernel} is not implemented")


class _LdlSolveNoGrad(_LdlFactorNoGrad):
    """``ldl_solve``'s node: edges to LD and B, a backward that raises."""
    inputs = (0, 1)

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, kernel: str, out: Array) -> Array:  # type: ignore[override]
        ctx.kernel = kernel
        return out


def _no_grad_output(inputs: tuple[Tensor, ...], kernel: str, out: Array) -> Tensor:
    """The float output, attached to a NotImplemented node when an input requires grad."""
    from ..autograd.grad_mode import is_grad_enabled
    if is_grad_enabled() and any(t.requires_grad for t in inputs):
        cls = _LdlFactorNoGrad if len(inputs) == 1 else _LdlSolveNoGrad
        return _apply(cls, tuple(inputs) + (kernel, out), {}, None)
    return _const(out)


def _square_float(fn: str, A: Tensor) -> None:
    if A.ndim < 2:
        raise RuntimeError(f"torch.linalg.{fn}: The input tensor A must have at least 2 "
                           f"dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.{fn}: A must be batches of square matrices, but they "
                           f"are {A.shape[-2]} by {A.shape[-1]} matrices")
    if A._array.dtype.kind not in "fc":
        raise RuntimeError(f"torch.linalg.{fn}: Expected a floating point or complex tensor as "
                           f"input. Got {spelling(A._array.dtype)}")


def _ldl_error(fn: str, info: Array) -> RuntimeError:
    """torch 2.13's message for a singular D (an internal assert on LAPACK's info > 0)."""
    code = int(info.reshape(-1)[info.reshape(-1) != 0][0])
    return RuntimeError('false INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/'
                        'native/BatchLinearAlgebra.cpp":1642, please report a bug to PyTorch. '
                        f"torch.linalg.{fn}: Unknown error code: {code}.")


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False,
                  out: Any = None) -> Any:
    """Bunch-Kaufman LDL^T (LDL^H when ``hermitian``) of symmetric matrices, as LAPACK
    ``?sytrf``/``?hetrf`` with the lower triangle: ``(LD, pivots, info)`` (``info`` > 0: that
    diagonal element of D is exactly zero)."""
    _square_float("ldl_factor_ex", A)
    a = A._array
    n = a.shape[-1]
    batch = a.shape[:-2]
    LD = xp.zeros(a.shape, a.dtype)
    piv = xp.zeros(batch + (n,), xp.int32)
    info = xp.zeros(batch, xp.int32)
    with xp.errstate(divide="ignore", invalid="ignore"):
        for idx in xp.ndindex(*batch):
            LD[idx], piv[idx], info[idx] = _sytf2(a[idx], hermitian)
    if check_errors and info.any():
        raise _ldl_error("ldl_factor_ex", info)
    ld = _no_grad_output((A,), "linalg_ldl_factor_ex", LD)
    return LdlFactorExResult(ld, _const(piv), _const(info))


def ldl_factor(A: Tensor, *, hermitian: bool = False, out: Any = None) -> Any:
    """LDL^T factorization (see ``ldl_factor_ex``): ``(LD, pivots)``; raises when D is
    singular, as torch."""
    r = ldl_factor_ex(A, hermitian=hermitian)
    if r.info._array.any():
        raise _ldl_error("ldl_factor", r.info._array)
    return LdlFactorResult(r.LD, r.pivots)


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False,
              out: Any = None) -> Tensor:
    """Solves ``A X = B`` with an ``ldl_factor`` result ``(LD, pivots)`` of A (LAPACK
    ``?sytrs``/``?hetrs``)."""
    if LD.ndim < 2:
        raise RuntimeError("torch.linalg.ldl_solve: The input tensor A must have at least 2 "
                           "dimensions.")
    if B.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{max(B.ndim, 1)}"
                         f", {max(B.ndim, 1) - 1}], but got -2)")
    if LD.shape[-1] != LD.shape[-2]:
        raise RuntimeError(f"torch.linalg.ldl_solve: A must be batches of square matrices, but "
                           f"they are {LD.shape[-2]} by {LD.shape[-1]} matrices")
    if B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for torch.linalg.ldl_solve: each A matrix "
                           f"is {LD.shape[-1]} by {LD.shape[-1]} but each b matrix is "
                           f"{B.shape[-2]} by {B.shape[-1]}")
    if pivots._array.dtype.kind not in "iu":
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected pivots to be integers. Got "
                           f"{spelling(pivots._array.dtype)}")
    if LD.dtype != B.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{spelling(B._array.dtype)} and A of type {spelling(LD._array.dtype)} "
                           f"instead.")
    ld, p, b = LD._array, pivots._array, B._array
    batch = xp.broadcast_shapes(ld.shape[:-2], b.shape[:-2], p.shape[:-1])
    n = ld.shape[-1]
    ldb = xp.broadcast_to(ld, batch + ld.shape[-2:])
    pb = xp.broadcast_to(p, batch + (n,))
    bb = xp.broadcast_to(b, batch + b.shape[-2:])
    X = xp.empty(batch + b.shape[-2:], b.dtype)
    with xp.errstate(divide="ignore", invalid="ignore"):  # a singular D: inf/nan, as LAPACK
        for idx in xp.ndindex(*batch):
            X[idx] = _sytrs(ldb[idx], pb[idx], bb[idx], hermitian)
    x = _no_grad_output((LD, B), "linalg_ldl_solve", X)
    if out is not None:
        out.resize_(x.shape).copy_(x)
        return out
    return x
