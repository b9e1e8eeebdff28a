"""Matrix decompositions and the ops built on them (svd, qr, eigh, eig, pinv, lstsq,
solve_triangular, matrix_exp, LU, Cholesky solves), with PyTorch's backward formulas
(``torch/csrc/autograd/FunctionsManual.cpp``: ``svd_backward``, ``linalg_qr_backward``,
``linalg_eig_backward``, ``pinv_backward``, ``linalg_lstsq_backward``,
``linalg_solve_triangular_backward``, the block-matrix Fréchet derivative of ``matrix_exp``,
``linalg_lu_backward``, ``cholesky_solve_backward``).  The public functions (argument checks,
dtype rules, torch's errors) are in ``ember/linalg.py`` and ``ember/_ops/linalg_legacy.py``.

Each backward formula is written once, with ``ns.matmul``/``ns.tril``/... and ``ns.apply`` of
these ops, so it also records a graph under ``create_graph=True`` (gradgradcheck).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import ndarray, xp
from ..autograd.function import Op
from .decomp import Det, Inv

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, OutGrads, Value


def _mT(x):
    return x.swapaxes(-1, -2)  # ndarray and Tensor alike


def _npdt(x):
    return x.dtype if isinstance(x, ndarray) else x._array.dtype


def _eye(k, like, ns):
    """The k x k identity as a constant of ``like``'s dtype (array, or Tensor under graph)."""
    return ns.asarray(xp.eye(k, dtype=_npdt(like)))


def _diag_embed(v, ns):
    return v[..., :, None] * _eye(v.shape[-1], v, ns)


def _diag(x):
    return x.diagonal(0, -2, -1)


def _solve_tri_arrays(a, b, upper, unit):
    """A^{-1} B for triangular A (left side, batched, broadcast): LAPACK's trtrs where it
    succeeds (through the general solver), substitution otherwise (a zero pivot gives inf/nan
    as trtrs does, never an error)."""
    a = xp.triu(a) if upper else xp.tril(a)
    if unit:
        n = a.shape[-1]
        a = a * (1 - xp.eye(n, dtype=a.dtype)) + xp.eye(n, dtype=a.dtype)
    batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = xp.broadcast_to(a, batch + a.shape[-2:])
    b = xp.broadcast_to(b, batch + b.shape[-2:])
    if a.shape[-1] == 0 or b.shape[-1] == 0:
        return xp.zeros(b.shape, b.dtype)
    d = xp.abs(a.diagonal(0, -2, -1))
    if d.size and d.min() > 0 and d.min() > 1e-8 * d.max():
        try:
            return xp.linalg.solve(a, b)
        except xp.linalg.LinAlgError:
            pass
    n = a.shape[-1]
    x = xp.zeros(b.shape, b.dtype)
    order = range(n - 1, -1, -1) if upper else range(n)
    with xp.errstate(divide="ignore", invalid="ignore"):
        for i in order:
            acc = b[..., i, :] - xp.einsum("...j,...jk->...k", a[..., i, :], x)
            x[..., i, :] = acc / a[..., i, i][..., None]
    return x


# ------------------------------------------------------------------------------------ SVD


def _svd_backward(gU, gS, gVh, U, S, Vh, ns):
    """torch's ``svd_backward`` (real case); U, Vh are the reduced factors."""
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        if gS is None:
            return None
        return ns.matmul(U, gS[..., :, None] * Vh) if m >= n else \
            ns.matmul(U * gS[..., None, :], Vh)
    k = S.shape[-1]
    eye = _eye(k, S, ns)
    S2 = S * S
    E = S2[..., None, :] - S2[..., :, None] + eye
    UhgU = VhgV = None
    if gU is not None:
        UhgU = ns.matmul(_mT(U), gU)
        UhgU = UhgU - _mT(UhgU)
    if gVh is not None:
        VhgV = ns.matmul(Vh, _mT(gVh))
        VhgV = VhgV - _mT(VhgV)
    if gU is not None and gVh is not None:
        gA = (UhgU * S[..., None, :] + S[..., :, None] * VhgV) / E
    elif gU is not None:
        gA = (UhgU / E) * S[..., None, :]
    else:
        gA = S[..., :, None] * (VhgV / E)
    if gS is not None:
        gA = gA + _diag_embed(gS, ns)
    if m > n and gU is not None:
        gA = ns.matmul(U, gA)
        gUSinv = gU / S[..., None, :]
        gA = gA + gUSinv - ns.matmul(U, ns.matmul(_mT(U), gUSinv))
        return ns.matmul(gA, Vh)
    if m < n and gVh is not None:
        gA = ns.matmul(gA, Vh)
        SinvgVh = gVh / S[..., :, None]
        gA = gA + SinvgVh - ns.matmul(ns.matmul(SinvgVh, _mT(Vh)), Vh)
        return ns.matmul(U, gA)
    return ns.matmul(U, ns.matmul(gA, Vh)) if m >= n else ns.matmul(ns.matmul(U, gA), Vh)


class Svd(Op):
    """A = U diag(S) Vh (``full_matrices``): torch's ``svd_backward`` on the reduced factors
    (the extra columns of a full U / rows of a full Vh get no gradient, as in torch)."""
    node_name = "LinalgSvdBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, full_matrices: bool) -> tuple[Array, ...]:
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        U, S, Vh = ctx.saved_tensors
        gU, gS, gVh = grads
        k = S.shape[-1]
        if U.shape[-1] != k:
            U = U[..., :, :k]
            gU = gU[..., :, :k] if gU is not None else None
        if Vh.shape[-2] != k:
            Vh = Vh[..., :k, :]
            gVh = gVh[..., :k, :] if gVh is not None else None
        return _svd_backward(gU, gS, gVh, U, S, Vh, ns), None


# ------------------------------------------------------------------------------------- QR


class Qr(Op):
    """A = QR (mode 'reduced' / 'complete' / 'r'): torch's ``linalg_qr_backward``."""
    node_name = "LinalgQrBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, mode: str) -> tuple[Array, ...]:
        ctx.mode = mode
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            return xp.zeros((0,), a.dtype), xp.asarray(r, dtype=a.dtype)
        q, r = xp.linalg.qr(a, mode=mode)  # type: ignore[call-overload]  # (mode: a checked str)
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        Q, R = ctx.saved_tensors
        gQ, gR = grads
        m, n = Q.shape[-2], R.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if gQ is None and gR is None:
            return None, None
        if gQ is not None:
            gA = -ns.matmul(_mT(Q), gQ)
            if gR is not None:
                gA = ns.matmul(gR, _mT(R)) + gA
        else:
            gA = ns.matmul(gR, _mT(R))
        if m >= n:
            t = ns.triu(gA)
            gA = ns.matmul(Q, t + _mT(t) - _diag_embed(_diag(t), ns))
            if gQ is not None:
                gA = gA + gQ
            return ns.apply(SolveTriangular, _mT(R), gA, False, False, False), None
        gA = ns.matmul(Q, ns.tril(_mT(gA) - gA))
        gA = ns.apply(SolveTriangular, _mT(R[..., :, :m]), gA, False, False, False)
        zeros = ns.zeros_like(R[..., :, m:])
        gA = ns.concatenate([gA, zeros], -1)
        if gR is not None:
            gA = gA + ns.matmul(Q, gR)
        return gA, None


# ------------------------------------------------------------------------------ eigen


def _eigh_backward(gL, gV, L, V, ns):
    if gV is None:
        return ns.matmul(V * gL[..., None, :], _mT(V))
    VhgV = ns.matmul(_mT(V), gV)
    VhgV = (VhgV - _mT(VhgV)) * 0.5
    E = L[..., None, :] - L[..., :, None] + _eye(L.shape[-1], L, ns)
    gA = VhgV / E
    if gL is not None:
        gA = gA + _diag_embed(gL, ns)
    return ns.matmul(V, ns.matmul(gA, _mT(V)))


class Eigh(Op):
    """A = V diag(L) V^T of a symmetric A (one triangle read, ``UPLO``)."""
    node_name = "LinalgEighBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, uplo: str) -> tuple[Array, ...]:
        w, v = xp.linalg.eigh(a, UPLO=uplo)  # type: ignore[call-overload]
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        L, V = ctx.saved_tensors
        gL, gV = grads
        if gL is None and gV is None:
            return None, None
        return _eigh_backward(gL, gV, L, V, ns), None


class Eigvalsh(Op):
    """The eigenvalues of a symmetric A (eigenvectors only computed for the gradient)."""
    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, uplo: str) -> Array:
        if ctx.needs_input_grad:
            w, v = xp.linalg.eigh(a, UPLO=uplo)  # type: ignore[call-overload]
            ctx.v, ctx.uplo = v, uplo
            ctx.save_for_backward(a)
            return w
        return xp.linalg.eigvalsh(a, UPLO=uplo)  # type: ignore[call-overload]

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        if ns.graph:  # V depends on A: take it from an eigh node of its own
            (a,) = ctx.saved_tensors
            V = ns.apply(Eigh, a, ctx.uplo)[1]
        else:
            V = ctx.v
        return _eigh_backward(g, None, None, V, ns), None


def _complex_of(dt):
    return xp.dtype(xp.complex64 if dt == xp.float32 or dt == xp.complex64 else xp.complex128)


def _normalized_eig(a):
    """LAPACK geev's eigenpairs as torch returns them: complex, eigenvectors of unit norm."""
    w, v = xp.linalg.eig(a)
    ct = _complex_of(a.dtype)
    return w.astype(ct), v.astype(ct)


class Eig(Op):
    """A = V diag(L) V^{-1} (complex L, V); the gradient of a real A is the real part of torch's
    ``linalg_eig_backward`` (first order only: ember has no complex autograd)."""
    node_name = "LinalgEigBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> tuple[Array, ...]:
        w, v = _normalized_eig(a)
        ctx.save_for_backward(w, v)
        ctx.real = a.dtype.kind == "f"
        return w, v

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        if getattr(ns, "graph", False):
            raise NotImplementedError("linalg.eig: ember has no complex autograd: the gradient "
                                      "of linalg.eig cannot be differentiated again")
        L, V = ctx.saved_tensors
        gL, gV = grads
        Vh = V.conj().swapaxes(-1, -2)
        if gV is None:
            gA = xp.linalg.solve(Vh, gL[..., :, None] * Vh)
        else:
            VhgV = Vh @ gV
            dg = VhgV.diagonal(0, -2, -1)
            VhgV = VhgV - Vh @ (V * dg.real[..., None, :])
            Lc = L.conj()
            n = L.shape[-1]
            E = Lc[..., None, :] - Lc[..., :, None] + xp.eye(n)
            gA = VhgV / E
            if gL is not None:
                idx = xp.arange(n)
                gA[..., idx, idx] = gL
            gA = xp.linalg.solve(Vh, gA @ Vh)
        return gA.real if ctx.real else gA


# ------------------------------------------------------------------------------ pinv


def _pinv_arrays(a, atol, rtol, hermitian):
    """torch's linalg_pinv: singular (or, hermitian, eigen-) values above
    max(atol, rtol * largest) are inverted, the others dropped."""
    if a.shape[-1] == 0 or a.shape[-2] == 0:
        return xp.zeros(a.shape[:-2] + (a.shape[-1], a.shape[-2]), a.dtype)
    if hermitian:
        s, u = xp.linalg.eigh(a)
        smax = xp.abs(s).max(-1, keepdims=True)
        tol = xp.maximum(atol, rtol * smax)
        keep = xp.abs(s) > tol
        with xp.errstate(divide="ignore"):
            sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(a.dtype)
        return (u * sinv[..., None, :]) @ _mT(u).conj()
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    smax = s[..., :1]
    tol = xp.maximum(atol, rtol * smax)
    keep = s > tol
    sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(a.dtype)
    return (_mT(vh).conj() * sinv[..., None, :]) @ _mT(u).conj()


def _pinv_backward(g, pinvA, A, ns):
    """torch's ``pinv_backward``."""
    m, n = A.shape[-2], A.shape[-1]
    pinvAh = _mT(pinvA)
    gh = _mT(g)
    if m <= n:
        K = ns.matmul(gh, pinvA)
        KpinvAh = ns.matmul(K, pinvAh)
        return (-_mT(ns.matmul(pinvA, K)) + KpinvAh
                - ns.matmul(ns.matmul(A, pinvA), KpinvAh)
                + ns.matmul(ns.matmul(pinvAh, pinvA), gh - ns.matmul(K, A)))
    K = ns.matmul(pinvA, gh)
    pinvAhK = ns.matmul(pinvAh, K)
    return (-_mT(ns.matmul(K, pinvA))
            + ns.matmul(ns.matmul(gh - ns.matmul(A, K), pinvA), pinvAh)
            + pinvAhK - ns.matmul(ns.matmul(pinvAhK, pinvA), A))


class Pinv(Op):
    """A^+ (atol/rtol cutoffs as torch's; ``hermitian`` uses eigh): ``pinv_backward``."""
    node_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, atol: Array | float, rtol: Array | float,
                hermitian: bool) -> Array:
        out = _pinv_arrays(a, atol, rtol, hermitian)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, p = ctx.saved_tensors
        return _pinv_backward(g, p, a, ns), None, None, None


# ------------------------------------------------------------------------------ lstsq


class Lstsq(Op):
    """(solution, residuals, rank, singular_values) of min ||AX - B|| (B is (..., m, k));
    torch's ``linalg_lstsq_backward`` (the solution through pinv, the residuals directly)."""
    node_name = "LinalgLstsqBackward0"
    multi_output = True
    nondiff_outputs = (2, 3)

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, rcond: float, driver: str, vec: bool
                ) -> tuple[Array, ...]:
        m, n = a.shape[-2], a.shape[-1]
        a0, b0 = a, b  # saved as the inputs: the gradients reduce to their shapes
        rdt = xp.zeros((), a.dtype).real.dtype  # residuals, singular values: real
        ctx.vec = vec
        if vec:
            b = b[..., None]
        batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        if m and n:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
        else:
            s = xp.zeros(batch + (0,), rdt)
        keep = s > rcond * s[..., :1] if s.shape[-1] else s > 0
        if m and n:
            sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(a.dtype)
            x = (_mT(vh).conj() * sinv[..., None, :]) @ (_mT(u).conj() @ b)
        else:
            x = xp.zeros(batch + (n, b.shape[-1]), a.dtype)
        rank = keep.sum(-1).astype(xp.int64)
        full = bool((rank == min(m, n)).all())
        if driver != "gelsy" and m > n and full:
            r = a @ x - b
            res = (r * r.conj()).real.sum(-2)
        else:
            res = xp.zeros((0,), rdt)
        if driver == "gels":
            rank = xp.zeros((0,), xp.int64)
        if driver not in ("gelsd", "gelss"):
            s = xp.zeros((0,), rdt)
        ctx.save_for_backward(a0, b0, x)
        return (x[..., 0] if vec else x), res, rank, xp.ascontiguousarray(s)

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        gX, gL = grads[0], grads[1]
        A, B, X = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        if ctx.vec:
            B = B[..., None]
            gX = gX[..., None] if gX is not None else None
        if gL is not None and gL.shape[-1] == 0:
            gL = None
        gA = gB = None
        if gX is not None:
            pinvA = ns.apply(Pinv, A, 0.0, _default_rtol(A), False)
            if need_a:
                gA = _pinv_backward(ns.matmul(gX, _mT(B)), pinvA, A, ns)
            if need_b:
                gB = ns.matmul(_mT(pinvA), gX)
        if gL is not None:
            r = ns.matmul(A, X) - B
            gl = gL[..., None, :]
            if need_a:
                t = 2 * ns.matmul(gl * r, _mT(X))
                gA = t if gA is None else gA + t
            if need_b:
                t = -2 * gl * r
                gB = t if gB is None else gB + t
        if ctx.vec and gB is not None:
            gB = gB[..., 0]
        return gA, gB, None, None, None


def _default_rtol(a):
    return float(xp.finfo(_npdt(a)).eps) * max(a.shape[-2], a.shape[-1])


# ---------------------------------------------------------------------- triangular solves


class SolveTriangular(Op):
    """X = A^{-1} B (``left``) or B A^{-1} for triangular A: torch's
    ``linalg_solve_triangular_backward`` (the gradient of A projected on its triangle)."""
    node_name = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, upper: bool, left: bool, unit: bool) -> Array:
        ctx.flags = (upper, left, unit)
        if left:
            out = _solve_tri_arrays(a, b, upper, unit)
        else:
            out = _mT(_solve_tri_arrays(_mT(a), _mT(b), not upper, unit))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, x = ctx.saved_tensors
        upper, left, unit = ctx.flags
        gB = ns.apply(SolveTriangular, _mT(a), g, not upper, left, unit)
        gA = None
        if ctx.needs_input_grad[0]:
            gA = -ns.matmul(gB, _mT(x)) if left else -ns.matmul(_mT(x), gB)
            gA = ns.triu(gA, int(unit)) if upper else ns.tril(gA, -int(unit))
        return gA, gB, None, None, None


class TriangularSolve(Op):
    """torch.triangular_solve(b, A): (solution, a copy of A) with ``transpose``;
    ``triangular_solve_backward``."""
    node_name = "TriangularSolveBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, b: Array, a: Array, upper: bool, transpose: bool,
                unit: bool) -> tuple[Array, ...]:
        ctx.flags = (upper, transpose, unit)
        batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        am = _mT(a) if transpose else a
        x = _solve_tri_arrays(am, b, upper != transpose, unit)
        ctx.save_for_backward(a, x)
        return x, xp.array(xp.broadcast_to(a, batch + a.shape[-2:]))

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        gX, gM = grads
        a, x = ctx.saved_tensors
        upper, transpose, unit = ctx.flags
        gB = gA = None
        if gX is not None:
            am = a if transpose else _mT(a)  # solve with A^T (or A when transposed)
            gB = ns.apply(SolveTriangular, am, gX, upper == transpose, True, unit)
            if ctx.needs_input_grad[1]:
                gA = -ns.matmul(x, _mT(gB)) if transpose else -ns.matmul(gB, _mT(x))
                gA = ns.triu(gA, int(unit)) if upper else ns.tril(gA, -int(unit))
        if gM is not None and ctx.needs_input_grad[1]:
            gA = gM if gA is None else gA + gM
        if gB is None and ctx.needs_input_grad[0]:
            gB = ns.zeros_like(x)
        return gB, gA, None, None, None


# ------------------------------------------------------------------------------ matrix_exp

_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm(a):
    """exp(A) by scaling and squaring with the [13/13] Padé approximant (Higham 2005), per
    matrix of the batch, computed in float64."""
    dt = a.dtype
    x = xp.asarray(a, dtype=xp.float64 if dt.kind == "f" else xp.complex128)
    shape = x.shape
    n = shape[-1]
    x = x.reshape((-1, n, n))
    if n == 0:
        return xp.zeros(shape, dt)
    norm1 = xp.abs(x).sum(-2).max(-1)
    with xp.errstate(divide="ignore"):
        s = xp.maximum(0, xp.ceil(xp.log2(norm1 / _THETA13))).astype(xp.int64)
    s = xp.where(xp.isfinite(norm1), s, 0)
    x = x / (2.0 ** s)[:, None, None]
    b = _PADE13
    ident = xp.eye(n, dtype=x.dtype)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2)
             + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * ident)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 \
        + b[0] * ident
    with xp.errstate(all="ignore"):
        try:
            r = xp.linalg.solve(v - u, v + u)
        except xp.linalg.LinAlgError:
            r = xp.full(x.shape, xp.nan, x.dtype)
        for i in range(int(s.max()) if s.size else 0):
            sel = s > i
            r[sel] = r[sel] @ r[sel]
    return r.reshape(shape).astype(dt)


class MatrixExp(Op):
    """exp(A): the gradient is the upper-right block of exp([[A^T, G], [0, A^T]])."""
    node_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = _mT(a)
        top = ns.concatenate([at, g], -1)
        bottom = ns.concatenate([ns.zeros_like(at), at], -1)
        meta = ns.concatenate([top, bottom], -2)
        return ns.apply(MatrixExp, meta)[..., :n, n:]


# ------------------------------------------------------------------------------ det fix


def _prod_safe_zeros_backward(grad, s, ns):
    """d prod(s) / ds_i = prod_{j != i} s_j (exclusive products, exact with zeros)."""
    ones = ns.ones_like(s[..., :1])
    fwd = ns.cumprod(ns.concatenate([ones, s[..., :-1]], -1), -1)
    rev = ns.flip(ns.cumprod(ns.concatenate([ones, ns.flip(s[..., 1:], -1)], -1), -1), -1)
    return grad[..., None] * (fwd * rev)


class DetSafe(Det):
    """det(A) whose gradient is defined on singular A too: where |det A| < 100 eps the adjugate
    comes from the SVD (U diag(prod_{j != i} s_j) Vh times det(U) det(Vh)), as torch's
    ``linalg_det_backward`` computes it under create_graph.  (torch's first-order shortcut
    solves with a perturbed LU instead, which gives 0 where det A is exactly 0; ember gives the
    adjugate at every order, the derivative that gradcheck confirms.)"""
    node_name = "LinalgDetBackward0"

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, d = ctx.saved_tensors
        if a.shape[-1] == 0:
            return ns.zeros_like(a)
        eps = float(xp.finfo(_npdt(a)).eps)
        dv = d if isinstance(d, ndarray) else d._array
        if not (xp.abs(dv) < 100 * eps).any():
            return (g * d)[..., None, None] * _mT(ns.apply(Inv, a))
        u, s, vh = ns.apply(Svd, a, False)
        alpha = ns.apply(Det, u) * ns.apply(Det, vh) * g
        D = _prod_safe_zeros_backward(alpha, s, ns)
        return ns.matmul(u * D[..., None, :], vh)


# --------------------------------------------------------------------------------- LU


def _lu_factor_arrays(a):
    """Partial-pivot LU as LAPACK getrf: (LU, 1-based int32 pivots, int32 info)."""
    shape = a.shape
    m, n = shape[-2], shape[-1]
    k = min(m, n)
    lu = xp.array(a, dtype=a.dtype).reshape((-1, m, n))
    nb = lu.shape[0]
    piv = xp.zeros((nb, k), xp.int32)
    info = xp.zeros((nb,), xp.int32)
    rows = xp.arange(nb)
    for j in range(k):
        p = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        tmp = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = tmp
        pv = lu[:, j, j]
        zero = pv == 0
        info = xp.where(zero & (info == 0), j + 1, info).astype(xp.int32)
        safe = xp.where(zero, 1, pv)
        col = xp.where(zero[:, None], lu[:, j + 1:, j], lu[:, j + 1:, j] / safe[:, None])
        lu[:, j + 1:, j] = col
        lu[:, j + 1:, j + 1:] -= col[:, :, None] * lu[:, j, None, j + 1:]
    return lu.reshape(shape), piv.reshape(shape[:-2] + (k,)), info.reshape(shape[:-2])


def _perm_from_pivots(piv, m):
    """Row permutation (perm[i] = source row of row i of LU) from LAPACK pivots."""
    lead = piv.shape[:-1]
    p = xp.broadcast_to(xp.arange(m), lead + (m,)).reshape((-1, m)).copy()
    pv = piv.reshape((-1, piv.shape[-1])) - 1
    rows = xp.arange(p.shape[0])
    for j in range(pv.shape[-1]):
        t = p[rows, j].copy()
        p[rows, j] = p[rows, pv[:, j]]
        p[rows, pv[:, j]] = t
    return p.reshape(lead + (m,))


def _perm_matrix(perm, dtype):
    """P with A = P L U: column i of P is e_{perm[i]}."""
    m = perm.shape[-1]
    eye = xp.eye(m, dtype=dtype)
    return xp.ascontiguousarray(_mT(eye[perm]))


def _unpack(lu):
    m, n = lu.shape[-2], lu.shape[-1]
    k = min(m, n)
    L = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=lu.dtype)
    U = xp.triu(lu[..., :k, :])
    return L, U


def _lu_backward(gL, gU, P, L, U, ns):
    """The gradient of A = P L U (partial pivoting, P constant), as torch's
    ``linalg_lu_backward``: for square A, gA = P L^{-T} [tril(L^T gL, -1) + triu(gU U^T)]
    U^{-T}; a wide A = P L [U1 | U2] adds U2 = L^{-1} P^T A2, a tall one
    A = P [L1; L2] U adds L2 = B2 U^{-1} (B = P^T A)."""
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    if gL is None:
        gL = ns.zeros_like(L)
    if gU is None:
        gU = ns.zeros_like(U)
    if m <= n:
        U1 = U[..., :, :k]
        gU1 = gU[..., :, :k]
        phi = ns.tril(ns.matmul(_mT(L), gL), -1) + ns.triu(ns.matmul(gU1, _mT(U1)))
        if m < n:
            gU2, U2 = gU[..., :, k:], U[..., :, k:]
            phi = phi - ns.tril(ns.matmul(gU2, _mT(U2)), -1)
        x = ns.apply(SolveTriangular, _mT(L), phi, True, True, True)
        x = ns.apply(SolveTriangular, _mT(U1), x, False, False, False)
        if m < n:
            x2 = ns.apply(SolveTriangular, _mT(L), gU2, True, True, True)
            x = ns.concatenate([x, x2], -1)
        return ns.matmul(P, x)
    L1, L2 = L[..., :k, :], L[..., k:, :]
    gL1, gL2 = gL[..., :k, :], gL[..., k:, :]
    phi = ns.tril(ns.matmul(_mT(L1), gL1), -1) + ns.triu(ns.matmul(gU, _mT(U)))
    phi = phi - ns.triu(ns.matmul(_mT(L2), gL2))
    y = ns.apply(SolveTriangular, _mT(U), phi, False, False, False)
    x1 = ns.apply(SolveTriangular, _mT(L1), y, True, True, True)
    x2 = ns.apply(SolveTriangular, _mT(U), gL2, False, False, False)
    return ns.matmul(P, ns.concatenate([x1, x2], -2))


class LuFactor(Op):
    """(LU, pivots, info) of partial-pivot LU; the gradient of the packed LU."""
    node_name = "LinalgLuFactorExBackward0"
    multi_output = True
    nondiff_outputs = (1, 2)

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> tuple[Array, ...]:
        lu, piv, info = _lu_factor_arrays(a)
        ctx.save_for_backward(lu, piv)
        return lu, piv, info

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        g = grads[0]
        lu, piv = ctx.saved_tensors
        lua = lu if isinstance(lu, ndarray) else lu._array
        pva = piv if isinstance(piv, ndarray) else piv._array
        m, n = lua.shape[-2], lua.shape[-1]
        k = min(m, n)
        P = ns.asarray(_perm_matrix(_perm_from_pivots(pva, m), lua.dtype))
        eye_l = ns.asarray(xp.eye(m, k, dtype=lua.dtype))
        L = ns.tril(lu[..., :, :k], -1) + eye_l
        U = ns.triu(lu[..., :k, :])
        gL = ns.tril(g[..., :, :k], -1)
        gU = ns.triu(g[..., :k, :])
        return _lu_backward(gL, gU, P, L, U, ns)


class Lu(Op):
    """(P, L, U) with A = P L U (``pivot=True``)."""
    node_name = "LinalgLuBackward0"
    multi_output = True
    nondiff_outputs = (0,)

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> tuple[Array, ...]:
        lu, piv, _ = _lu_factor_arrays(a)
        P = _perm_matrix(_perm_from_pivots(piv, a.shape[-2]), a.dtype)
        L, U = _unpack(lu)
        ctx.save_for_backward(P, L, U)
        return P, L, U

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        _, gL, gU = grads
        P, L, U = ctx.saved_tensors
        if gL is None and gU is None:
            return None
        return _lu_backward(gL, gU, ns.detach(P) if ns.graph else P, L, U, ns)


# ------------------------------------------------------------------------------ cholesky


class CholeskyLegacy(Op):
    """torch.cholesky(A, upper): the old name's own node (CholeskyBackward0); the gradient is
    torch's ``cholesky_backward`` (as ``linalg.cholesky``'s) on the lower factor."""
    node_name = "CholeskyBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, upper: bool) -> Array:
        L = xp.linalg.cholesky(a)
        ctx.upper = upper
        out = xp.ascontiguousarray(_mT(L)) if upper else L
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (L,) = ctx.saved_tensors
        if ctx.upper:
            L, g = _mT(L), _mT(g)
        phi = ns.tril(ns.matmul(_mT(L), g))
        phi = (phi + _mT(ns.tril(phi, -1))) * 0.5
        linv = ns.apply(Inv, L)
        return ns.matmul(ns.matmul(_mT(linv), phi), linv), None


def _chol_solve_arrays(b, u, upper):
    L = _mT(u) if upper else u
    y = _solve_tri_arrays(L, b, False, False)
    return _solve_tri_arrays(_mT(L), y, True, False)


class CholeskySolve(Op):
    """X = (L L^T)^{-1} B given the factor (``upper``: U^T U); ``cholesky_solve_backward``."""
    node_name = "CholeskySolveBackward0"

    @staticmethod
    def forward(ctx: Ctx, b: Array, u: Array, upper: bool) -> Array:
        ctx.upper = upper
        x = _chol_solve_arrays(b, u, upper)
        ctx.save_for_backward(u, x)
        return x

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        u, x = ctx.saved_tensors
        gB = ns.apply(CholeskySolve, g, u, ctx.upper)
        gU = None
        if ctx.needs_input_grad[1]:
            c = ns.matmul(gB, _mT(x))
            c = c + _mT(c)
            gU = -ns.matmul(u, c) if ctx.upper else -ns.matmul(c, u)
        return gB, gU, None


class CholeskyInverse(Op):
    """(L L^T)^{-1} from the factor L (``upper``: (U^T U)^{-1})."""
    node_name = "CholeskyInverseBackward0"

    @staticmethod
    def forward(ctx: Ctx, u: Array, upper: bool) -> Array:
        ctx.upper = upper
        n = u.shape[-1]
        eye = xp.broadcast_to(xp.eye(n, dtype=u.dtype), u.shape)
        x = _chol_solve_arrays(eye, u, upper)
        ctx.save_for_backward(u, x)
        return x

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        u, x = ctx.saved_tensors
        common = -ns.matmul(x, ns.matmul(g + _mT(g), x))
        return (ns.matmul(u, common) if ctx.upper else ns.matmul(common, u)), None



# ------------------------------------------------------------------------ LU solve / unpack


def _lu_solve_left(lu, piv, b, adjoint):
    """A X = B (or A^T X = B) with A = P L U given packed LU and pivots (arrays)."""
    P = _perm_matrix(_perm_from_pivots(piv, lu.shape[-2]), lu.dtype)
    if not adjoint:
        y = _solve_tri_arrays(lu, _mT(P) @ b, False, True)
        return _solve_tri_arrays(lu, y, True, False)
    y = _solve_tri_arrays(_mT(lu), b, False, False)
    y = _solve_tri_arrays(_mT(lu), y, True, True)
    return P @ y


class LuSolve(Op):
    """X solving A X = B / A^T X = B / X A = B / X A^T = B from A's packed LU (the pivots are a
    constant); torch's ``linalg_lu_solve_LU`` and B's gradient (a solve with the adjoint)."""
    node_name = "LinalgLuSolveBackward0"
    inputs = (0, 2)

    @staticmethod
    def forward(ctx: Ctx, lu: Array, piv: Array, b: Array, left: bool, adjoint: bool) -> Array:
        adj = adjoint if left else not adjoint  # X A = B  <=>  A^T X^T = B^T
        bb = b if left else _mT(b)
        x = _lu_solve_left(lu, piv, bb, adj)
        out = x if left else _mT(x)
        ctx.flags = (left, adj)
        ctx.piv = piv
        ctx.save_for_backward(lu, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        lu, x = ctx.saved_tensors
        left, adj = ctx.flags
        piv = ctx.piv
        if not left:
            x = _mT(x)
        gx = g if left else _mT(g)
        gB = ns.apply(LuSolve, lu, piv, gx, True, not adj)
        gLU = None
        if ctx.needs_input_grad[0]:
            m = lu.shape[-1]
            P = ns.asarray(_perm_matrix(_perm_from_pivots(piv, m), _npdt(lu)))
            L = ns.tril(lu, -1) + _eye(m, lu, ns)
            U = ns.triu(lu)
            if not adj:
                gR = ns.apply(SolveTriangular, _mT(U), -ns.matmul(gx, _mT(x)), False, True,
                              False)
                gL = ns.apply(SolveTriangular, _mT(L), ns.matmul(gR, _mT(U)), True, True, True)
                gLU = ns.tril(gL, -1) + ns.triu(gR)
            else:
                gR = -ns.matmul(ns.matmul(ns.matmul(_mT(P), x), _mT(gx)), P)
                gR = ns.apply(SolveTriangular, _mT(L), gR, True, False, True)
                gU = ns.apply(SolveTriangular, _mT(U), ns.matmul(_mT(L), gR), False, False,
                              False)
                gLU = ns.tril(gR, -1) + ns.triu(gU)
        return gLU, None, (gB if left else _mT(gB)), None, None


class LuUnpack(Op):
    """(P, L, U) from a packed LU and its pivots: L and U take the lower / upper parts back."""
    node_name = "LuUnpackBackward0"
    multi_output = True
    nondiff_outputs = (0,)
    inputs = (0,)

    @staticmethod
    def forward(ctx: Ctx, lu: Array, piv: Array | None, unpack_data: bool) -> tuple[Array, ...]:
        m, n = lu.shape[-2], lu.shape[-1]
        if piv is not None:
            P = _perm_matrix(_perm_from_pivots(piv, m), lu.dtype)
        else:
            P = xp.zeros((0,), lu.dtype)
        if unpack_data:
            L, U = _unpack(lu)
        else:
            L = U = xp.zeros((0,), lu.dtype)
        ctx.mn = (m, n)
        return P, L, U

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        _, gL, gU = grads
        m, n = ctx.mn
        k = min(m, n)
        parts = []
        if gL is not None:
            gl = ns.tril(gL, -1)
            if n > k:
                gl = ns.concatenate([gl, _zeros_cols(gl, n - k, ns)], -1)
            parts.append(gl)
        if gU is not None:
            gu = ns.triu(gU)
            if m > k:
                gu = ns.concatenate([gu, _zeros_rows(gu, m - k, ns)], -2)
            parts.append(gu)
        if not parts:
            return None, None, None
        out = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        return out, None, None


def _zeros_cols(x, c, ns):
    return ns.asarray(xp.zeros(tuple(x.shape[:-1]) + (c,), dtype=_npdt(x)))


def _zeros_rows(x, r, ns):
    return ns.asarray(xp.zeros(tuple(x.shape[:-2]) + (r, x.shape[-1]), dtype=_npdt(x)))


class SolveVec(Op):
    """x = A^{-1} b for a vector (batch of vectors) b, in one node as torch's
    (LinalgSolveExBackward0): db = A^{-T} g, dA = -db x^T."""
    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        from .decomp import Solve
        x = Solve.forward(_NoSave(), a, b[..., None])[..., 0]
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, x = ctx.saved_tensors
        gb = ns.apply(SolveVec, _mT(a), g)
        ga = -(gb[..., :, None] * x[..., None, :]) if ctx.needs_input_grad[0] else None
        return ga, gb


class _NoSave:
    """A ctx that keeps nothing (an op's forward reused for its arrays only)."""

    needs_input_grad = ()

    def save_for_backward(self, *a: Array) -> None:
        pass
