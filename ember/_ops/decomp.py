"""Decomposition-like ops of ``ember.linalg`` (inv, det, slogdet, solve, cholesky, cross) and
torch.linalg's ``LinAlgError``.  The public functions (argument checks, dtype rules) are in
``ember/linalg.py``.

Each op's forward runs the backend's ``xp.linalg`` and its backward is written with
``ns.matmul``/``ns.swapaxes`` and ``ns.apply`` of these ops (an inverse, solve or cross inside a
backward formula is the op itself: its forward on arrays, a node under ``create_graph=True``),
so the same formula also records a graph.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ..autograd.function import Op

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, OutGrads, Value


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a singular / not positive-definite input."""


LinAlgError.__module__ = "ember.linalg"  # its public home (tracebacks, pickles)
_LinAlgError = LinAlgError


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


def _mT(x, ns):
    return ns.swapaxes(x, -1, -2)


# ------------------------------------------------------------------------------------ ops


class Inv(Op):
    """B = A^{-1}: dA = -B^T G B^T."""
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        try:
            out = xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            raise _LinAlgError(f"linalg.inv: The diagonal element {_zero_pivot(a)} is zero, the "
                               "inversion could not be completed because the input matrix is "
                               "singular.") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (b,) = ctx.saved_tensors
        bt = _mT(b, ns)
        return -ns.matmul(ns.matmul(bt, g), bt)


class Det(Op):
    """d = det(A): dA = g d A^{-T}."""
    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        out = xp.asarray(xp.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, d = ctx.saved_tensors
        ainv_t = _mT(ns.apply(Inv, a), ns)
        return (g * d)[..., None, None] * ainv_t


class Slogdet(Op):
    """(sign, log|det A|): dA = g_logabsdet A^{-T} (sign is locally constant)."""
    node_name = "LinalgSlogdetBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> tuple[Array, ...]:
        sign, logabs = xp.linalg.slogdet(a)
        ctx.save_for_backward(a)
        return xp.asarray(sign, dtype=a.dtype), xp.asarray(logabs, dtype=a.dtype)

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        g = grads[1]
        (a,) = ctx.saved_tensors
        if g is None:
            return ns.zeros_like(a)
        return g[..., None, None] * _mT(ns.apply(Inv, a), ns)


class Solve(Op):
    """X = A^{-1} B (B is (..., n, k)): dB = A^{-T} G, dA = -dB X^T."""
    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array) -> Array:
        try:
            out = xp.linalg.solve(a, b)
        except xp.linalg.LinAlgError:
            raise _LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                               "is singular.") from None
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, x = ctx.saved_tensors
        gb = ns.apply(Solve, _mT(a, ns), g)
        ga = -ns.matmul(gb, _mT(x, ns)) if ctx.needs_input_grad[0] else None
        return ga, gb


class Cholesky(Op):
    """L = chol(A) (lower): dA = L^{-T} Phi L^{-1}, Phi = sym. lower part of L^T G (torch's)."""
    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
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
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (L,) = ctx.saved_tensors
        phi = ns.tril(ns.matmul(_mT(L, ns), g))
        phi = (phi + _mT(ns.tril(phi, -1), ns)) * 0.5
        linv = ns.apply(Inv, L)
        return ns.matmul(ns.matmul(_mT(linv, ns), phi), linv)


class Cross(Op):
    """c = a x b along ``axis``: da = b x g, db = g x a."""
    node_name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, axis: int) -> Array:
        ctx.save_for_backward(a, b)
        ctx.axis = axis
        return xp.cross(a, b, axis=axis)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b = ctx.saved_tensors
        return ns.apply(Cross, b, g, ctx.axis), ns.apply(Cross, g, a, ctx.axis), None
