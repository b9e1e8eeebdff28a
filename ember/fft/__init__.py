"""ember.fft: torch.fft's discrete Fourier transforms (issue 13).

Each function is built as torch builds it (``aten/src/ATen/native/SpectralOps.cpp``): the input
is promoted (integers to the default float dtype, to complex where the transform needs it),
cut or zero-padded to the requested lengths (``SliceBackward0`` / ``ConstantPadNdBackward0``),
then one of the ops ``_fft_c2c`` / ``_fft_r2c`` / ``_fft_c2r`` of ``ember._ops.fft`` runs over
the transformed dimensions, with a conjugation where torch has one (``ihfft``, ``hfft``, the
inverse transforms of real input).  ``norm`` is ``"backward"`` (default: no scaling forward,
1/n inverse), ``"ortho"`` (1/sqrt(n) both ways) or ``"forward"`` (1/n forward, none inverse).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import _apply
from .._ops import fft as _ops
from .._ops.complex import conj, conj_physical

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift", "Tensor"]

# --------------------------------------------------------------------------------- helpers


def _mode(norm: str | None, forward: bool) -> int:
    """torch's ``norm_from_string``: 0 none, 1 by 1/sqrt(n), 2 by 1/n."""
    if norm is None or norm == "backward":
        return 0 if forward else 2
    if norm == "forward":
        return 2 if forward else 0
    if norm == "ortho":
        return 1
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _promote(x: Tensor, require_complex: bool) -> Tensor:
    """torch's ``promote_tensor_fft``: integers to the default float dtype; float32/64 only;
    to complex when the transform needs it (a ``ToCopyBackward0`` node)."""
    dt = x.dtype
    if dt.is_complex:
        return x
    new = dt if dt.is_floating_point else D.get_default_dtype()
    if new not in (D.float32, D.float64):
        raise RuntimeError(f"Unsupported dtype {new.scalar_name}")
    if require_complex:
        new = D.complex64 if new is D.float32 else D.complex128
    return x if new is dt else x.to(new)


def _wrap(dim: int, ndim: int) -> int:
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, "
                         f"{ndim - 1}], but got {dim})")
    return dim % ndim


def _check_n(n: int) -> None:
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _resize(x: Tensor, dims: Sequence[int], sizes: Sequence[int]) -> Tensor:
    """torch's ``resize_fft_input``: slice what is too long, then one zero pad for what is too
    short."""
    pairs = [(0, 0)] * x.ndim
    must_pad = False
    for d, n in zip(dims, sizes):
        cur = x.shape[d]
        if cur < n:
            must_pad = True
            pairs[d] = (0, n - cur)
        if cur > n:
            x = x.narrow(d, 0, n)
    if must_pad:
        from .._ops.pad import ConstantPadNd
        x = _apply(ConstantPadNd, (x, tuple(pairs), 0), {}, None)
    return x


def _shape_and_dims(x: Tensor, s: Sequence[int] | None,
                    dim: int | Sequence[int] | None) -> tuple[list[int], list[int]]:
    """torch's ``canonicalize_fft_shape_and_dim_args``."""
    ndim = x.ndim
    dims: list[int] = []
    if dim is not None:
        dims = [_wrap(d, ndim) for d in ((dim,) if isinstance(dim, int) else dim)]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = list(s)
        if dim is not None and len(dims) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                               f"{ndim} dimensions.")
        if dim is None:
            dims = list(range(ndim - len(s), ndim))
        shape = [x.shape[d] if n == -1 else n for d, n in zip(dims, s)]
    elif dim is None:
        dims, shape = list(range(ndim)), list(x.shape)
    else:
        shape = [x.shape[d] for d in dims]
    for n in shape:
        _check_n(n)
    return shape, dims


def _c2r_shape_and_dims(name: str, x: Tensor, s: Sequence[int] | None,
                        dim: int | Sequence[int] | None) -> tuple[list[int], list[int], int]:
    """torch's ``canonicalize_fft_c2r_shape_and_dim_args``: the input shape and the output
    length ``last`` of the Hermitian (last) dimension."""
    shape, dims = _shape_and_dims(x, s, dim)
    if not shape:
        raise RuntimeError(f"{name} must transform at least one axis")
    last = 2 * (x.shape[dims[-1]] - 1) if s is None or list(s)[-1] == -1 else shape[-1]
    _check_n(last)
    shape[-1] = last // 2 + 1
    return shape, dims, last


def _c2c(x: Tensor, dims: Sequence[int], mode: int, forward: bool) -> Tensor:
    return _apply(_ops.FftC2C, (x, tuple(dims), mode, forward), {}, None)


def _r2c(x: Tensor, dims: Sequence[int], mode: int, onesided: bool) -> Tensor:
    return _apply(_ops.FftR2C, (x, tuple(dims), mode, onesided), {}, None)


def _c2r(x: Tensor, dims: Sequence[int], mode: int, last: int) -> Tensor:
    return _apply(_ops.FftC2R, (x, tuple(dims), mode, last), {}, None)


def _one_dim(name: str, x: Tensor, n: int | None, dim: int) -> tuple[Tensor, int]:
    d = _wrap(dim, x.ndim)
    size = x.shape[d] if n is None else n
    _check_n(size)
    return (x if n is None else _resize(x, (d,), (n,))), d


def _real_input(name: str, x: Tensor, tail: str = "real input tensor") -> Tensor:
    if x.is_complex():
        raise RuntimeError(f"{name} expects a {tail}, but got {x.dtype.scalar_name}")
    return _promote(x, False)


def _out(res: Tensor, out: Tensor | None) -> Tensor:
    if out is None:
        return res
    if tuple(out.shape) != tuple(res.shape):
        out.resize_(res.shape)
    out.copy_(res)
    return out


# ------------------------------------------------------------------------ one-dimensional


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
        out: Tensor | None = None) -> Tensor:
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim`` (zero-padded
    or cut to ``n`` points)."""
    if input.is_complex():
        x, d = _one_dim("fft", input, n, dim)
        return _out(_c2c(x, (d,), _mode(norm, True), True), out)
    x, d = _one_dim("fft", _promote(input, False), n, dim)
    return _out(_r2c(x, (d,), _mode(norm, True), False), out)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out: Tensor | None = None) -> Tensor:
    """The one-dimensional inverse discrete Fourier transform of ``input`` along ``dim``."""
    if input.is_complex():
        x, d = _one_dim("ifft", input, n, dim)
        return _out(_c2c(x, (d,), _mode(norm, False), False), out)
    x, d = _one_dim("ifft", _promote(input, False), n, dim)
    return _out(conj(_r2c(x, (d,), _mode(norm, False), False)), out)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out: Tensor | None = None) -> Tensor:
    """The one-sided Fourier transform of a real signal: the ``n // 2 + 1`` non-negative
    frequencies."""
    x, d = _one_dim("rfft", _real_input("rfft", input), n, dim)
    return _out(_r2c(x, (d,), _mode(norm, True), True), out)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """The inverse of :func:`rfft`: a real signal of ``n`` points (default
    ``2 * (input.size(dim) - 1)``) from its one-sided spectrum."""
    return _out(_c2r_1d("irfft", input, n, dim, norm, False), out)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out: Tensor | None = None) -> Tensor:
    """The Fourier transform of a Hermitian-symmetric signal given by its one-sided half: a
    real result of ``n`` points (default ``2 * (input.size(dim) - 1)``)."""
    return _out(_c2r_1d("hfft", input, n, dim, norm, True), out)


def _c2r_1d(name: str, input: Tensor, n: int | None, dim: int, norm: str | None,
            forward: bool) -> Tensor:
    x = _promote(input, True)
    d = _wrap(dim, x.ndim)
    last = 2 * (x.shape[d] - 1) if n is None else n
    _check_n(last)
    if n is not None:
        x = _resize(x, (d,), (last // 2 + 1,))
    if forward:
        x = conj(x)
    return _c2r(x, (d,), _mode(norm, forward), last)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """The inverse of :func:`hfft`: the one-sided half of the inverse transform of a real
    signal."""
    x, d = _one_dim("ihfft", _real_input("ihfft", input), n, dim)
    return _out(conj(_r2c(x, (d,), _mode(norm, False), True)), out)


# ----------------------------------------------------------------------- n-dimensional


def fftn(input: Tensor, s: Sequence[int] | None = None, dim: int | Sequence[int] | None = None,
         norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The N-dimensional discrete Fourier transform over ``dim`` (default: all dimensions, or
    the last ``len(s)``), each zero-padded or cut to ``s``."""
    shape, dims = _shape_and_dims(input, s, dim)
    x = _resize(_promote(input, True), dims, shape)
    return _out(_c2c(x, dims, _mode(norm, True), True), out)


def ifftn(input: Tensor, s: Sequence[int] | None = None, dim: int | Sequence[int] | None = None,
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The N-dimensional inverse discrete Fourier transform."""
    shape, dims = _shape_and_dims(input, s, dim)
    x = _resize(_promote(input, True), dims, shape)
    return _out(_c2c(x, dims, _mode(norm, False), False), out)


def fft2(input: Tensor, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
         norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The two-dimensional discrete Fourier transform (:func:`fftn` over ``dim``)."""
    return fftn(input, s, dim, norm, out=out)


def ifft2(input: Tensor, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The two-dimensional inverse discrete Fourier transform."""
    return ifftn(input, s, dim, norm, out=out)


def rfftn(input: Tensor, s: Sequence[int] | None = None, dim: int | Sequence[int] | None = None,
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The N-dimensional Fourier transform of a real signal; the last transformed dimension is
    one-sided (``n // 2 + 1`` points)."""
    if input.is_complex():
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got "
                           f"{input.dtype.scalar_name}")
    shape, dims = _shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError("rfftn must transform at least one axis")
    x = _resize(_promote(input, False), dims, shape)
    return _out(_r2c(x, dims, _mode(norm, True), True), out)


def irfftn(input: Tensor, s: Sequence[int] | None = None, dim: int | Sequence[int] | None = None,
           norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The inverse of :func:`rfftn`: a real signal from its one-sided spectrum."""
    shape, dims, last = _c2r_shape_and_dims("irfftn", input, s, dim)
    x = _resize(_promote(input, True), dims, shape)
    return _out(_c2r(x, dims, _mode(norm, False), last), out)


def rfft2(input: Tensor, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The two-dimensional :func:`rfftn`."""
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input: Tensor, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
           norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The two-dimensional :func:`irfftn`."""
    return irfftn(input, s, dim, norm, out=out)


def hfftn(input: Tensor, s: Sequence[int] | None = None, dim: int | Sequence[int] | None = None,
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The N-dimensional :func:`hfft`: a real result from a one-sided Hermitian signal."""
    shape, dims, last = _c2r_shape_and_dims("hfftn", input, s, dim)
    x = _resize(_promote(input, True), dims, shape)
    mode = _mode(norm, True)
    if len(dims) > 1:
        x = _c2c(x, dims[:-1], mode, True)
    return _out(_c2r(conj(x), dims[-1:], mode, last), out)


def ihfftn(input: Tensor, s: Sequence[int] | None = None, dim: int | Sequence[int] | None = None,
           norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The N-dimensional :func:`ihfft` (the inverse of :func:`hfftn`)."""
    shape, dims = _shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError("ihfftn must transform at least one axis")
    if input.is_complex():
        raise RuntimeError(f"Only supports floating-point dtypes, but found: "
                           f"{input.dtype.scalar_name}")
    x = _resize(_promote(input, False), dims, shape)
    mode = _mode(norm, False)
    tmp = _r2c(x, dims[-1:], mode, True)
    if len(dims) == 1:
        return _out(conj(tmp), out)
    return _out(_c2c(conj_physical(tmp), dims[:-1], mode, False), out)


def hfft2(input: Tensor, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
          norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The two-dimensional :func:`hfftn`."""
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input: Tensor, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
           norm: str | None = None, *, out: Tensor | None = None) -> Tensor:
    """The two-dimensional :func:`ihfftn`."""
    return ihfftn(input, s, dim, norm, out=out)


# ------------------------------------------------------------------- frequencies and shifts


def _freq(name: str, values: Any, n: int, d: float, dtype: Any, requires_grad: bool) -> Tensor:
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{name} requires a floating point or complex dtype")
    if dt.is_complex:  # torch's arange has no complex kernel
        raise NotImplementedError(f'"arange_cpu" not implemented for \'{dt.scalar_name}\'')
    arr = values.astype(dt.np)
    arr *= arr.real.dtype.type(1.0 / (n * d))
    return _make(arr, requires_grad, None, 0, None)


def fftfreq(n: int, d: float = 1.0, *, out: Tensor | None = None, dtype: Any = None,
            layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an ``n``-point transform with sample spacing ``d``:
    ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d * n)``."""
    vals = xp.concatenate([xp.arange((n + 1) // 2), xp.arange(-(n // 2), 0)])
    return _out(_freq("fftfreq", vals, n, d, dtype if out is None else out.dtype,
                      requires_grad), out)


def rfftfreq(n: int, d: float = 1.0, *, out: Tensor | None = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The non-negative sample frequencies of an ``n``-point :func:`rfft`:
    ``[0, 1, ..., n // 2] / (d * n)``."""
    return _out(_freq("rfftfreq", xp.arange(n // 2 + 1), n, d,
                      dtype if out is None else out.dtype, requires_grad), out)


def _shift(input: Tensor, dim: int | Sequence[int] | None, inverse: bool) -> Tensor:
    from .._ops.shape import roll
    if dim is None:
        dims = list(range(input.ndim))
    else:
        dims = [_wrap(d, max(input.ndim, 1)) for d in ((dim,) if isinstance(dim, int) else dim)]
    shifts = [(input.shape[d] + 1) // 2 if inverse else input.shape[d] // 2 for d in dims]
    return roll(input, shifts, dims)


def fftshift(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Moves the zero frequency to the middle of each dimension in ``dim`` (default all)."""
    return _shift(input, dim, False)


def ifftshift(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """The inverse of :func:`fftshift`."""
    return _shift(input, dim, True)
