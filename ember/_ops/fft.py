"""The three discrete Fourier transform ops behind ``ember.fft`` and ``stft`` (issue 13), as
torch declares them: ``_fft_c2c`` (complex to complex), ``_fft_r2c`` (real to complex, one-sided
or full) and ``_fft_c2r`` (one-sided Hermitian complex to real), each over a tuple of axes with
a normalization mode: 0 = none, 1 = 1/sqrt(n), 2 = 1/n (torch's ``fft_norm_mode``).

Their backward formulas are torch's (``FunctionsManual.cpp``): the adjoint of a c2c transform is
the c2c transform the other way with the same scaling; the adjoint of a one-sided r2c pads the
gradient with zeros back to the full length, transforms it back and keeps the real part; the
adjoint of c2r is a one-sided r2c whose entries that stand for two conjugate-symmetric bins
(1 .. n - n//2 - 1) count twice.  NumPy computes in float32 or float64 as the input; the result
is cast to torch's dtype (complex64 for float32 / complex64, complex128 otherwise).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .._backend import ndarray, xp
from ..autograd.function import Op
from .complex import Real

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, Value

_CDT: dict[str, Any] = {"float32": xp.complex64, "complex64": xp.complex64,
        "float64": xp.complex128, "complex128": xp.complex128}
_RDT: dict[str, Any] = {"complex64": xp.float32, "complex128": xp.float64}


def _scaled(out: Array, n: int, mode: int, dtype: Any) -> Array:
    out = out.astype(dtype, copy=False)
    if mode == 1:
        out *= out.real.dtype.type(1.0 / math.sqrt(n))
    elif mode == 2:
        out *= out.real.dtype.type(1.0 / n)
    return out


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    return math.prod(shape[a] for a in axes)


def c2c(a: Array, axes: tuple[int, ...], mode: int, forward: bool) -> Array:
    """The unscaled forward (e^-i) or inverse (e^+i) DFT over ``axes``, then scaled."""
    if not axes:
        return a.astype(_CDT[a.dtype.name])
    out = xp.fft.fftn(a, axes=axes) if forward else xp.fft.ifftn(a, axes=axes, norm="forward")
    return _scaled(out, _count(a.shape, axes), mode, _CDT[a.dtype.name])


class FftC2C(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], mode: int, forward: bool) -> Array:
        ctx.args = (axes, mode, forward)
        return c2c(a, axes, mode, forward)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        axes, mode, forward = ctx.args
        return ns.apply(FftC2C, g, axes, mode, not forward), None, None, None


class FftR2C(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], mode: int, onesided: bool) -> Array:
        ctx.args = (axes, mode, onesided, a.shape[axes[-1]])
        dt = _CDT[a.dtype.name]
        if not onesided:
            return c2c(a, axes, mode, True)
        return _scaled(xp.fft.rfftn(a, axes=axes), _count(a.shape, axes), mode, dt)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        axes, mode, onesided, last = ctx.args
        if onesided:
            missing = last - g.shape[axes[-1]]
            if missing > 0:  # the bins the one-sided transform left out get no gradient
                width = [(0, 0)] * g.ndim
                width[axes[-1]] = (0, missing)
                g = ns.pad(g, width)
        return ns.apply(Real, ns.apply(FftC2C, g, axes, mode, False)), None, None, None


class FftC2R(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], mode: int, last: int) -> Array:
        ctx.args = (axes, mode)
        s = [a.shape[ax] for ax in axes[:-1]] + [last]
        out = xp.fft.irfftn(a, s=s, axes=axes, norm="forward")
        return _scaled(out, math.prod(s), mode, _RDT[a.dtype.name])

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        axes, mode = ctx.args
        gi = ns.apply(FftR2C, g, axes, mode, True)
        n, m = g.shape[axes[-1]], gi.shape[axes[-1]]
        double = n - m
        if double > 0:  # bins that stand for themselves and their mirror image count twice
            w = xp.ones(m, g.dtype if g.__class__ is ndarray else g._array.dtype)
            w[1:1 + double] = 2
            shape = [1] * g.ndim
            shape[axes[-1]] = m
            gi = gi * ns.asarray(w.reshape(shape))
        return gi, None, None, None
