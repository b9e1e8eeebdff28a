"""The window functions of ``torch.signal.windows``, as torch computes them: a ``linspace``
of the window's abscissae, then the window's formula in ember ops (so values and the
``requires_grad`` of the result are torch's).  ``sym=False`` gives the periodic window (for
spectral analysis)."""
from __future__ import annotations

from collections.abc import Iterable
from math import sqrt
from typing import Any

import ember as torch  # the port keeps torch's spelling
from ember._tensor import Tensor

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _window_function_checks(function_name: str, M: int, dtype: Any, layout: Any) -> None:
    if M < 0:
        raise ValueError(f"{function_name} requires non-negative window length, got M={M}")
    if layout is not torch.strided:
        raise ValueError(f"{function_name} is implemented for strided tensors only, got: "
                         f"{layout}")
    if dtype not in [torch.float32, torch.float64]:
        raise ValueError(f"{function_name} expects float32 or float64 dtypes, got: {dtype}")


def _empty_or_ones(M: int, dtype: Any, layout: Any, device: Any, requires_grad: bool,
                   ones: bool = True) -> Tensor | None:
    if M == 0:
        return torch.empty((0,), dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)
    if M == 1 and ones:
        return torch.ones((1,), dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
    return None


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype: Any = None, layout: Any = torch.strided, device: Any = None,
                requires_grad: bool = False) -> Tensor:
    """Exponential (Poisson) window: ``exp(-|n - center| / tau)``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _window_function_checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return torch.empty((0,), dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    constant = 1 / tau
    k = torch.linspace(start=-center * constant, end=(-center + (M - 1)) * constant, steps=M,
                       dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)
    return torch.exp(-torch.abs(k))


def cosine(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = torch.strided,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Cosine (sine) window: ``sin(pi (n + 1/2) / M)``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _window_function_checks("cosine", M, dtype, layout)
    if M == 0:
        return torch.empty((0,), dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)
    start = 0.5
    constant = torch.pi / (M + 1 if not sym and M > 1 else M)
    k = torch.linspace(start=start * constant, end=(start + (M - 1)) * constant, steps=M,
                       dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)
    return torch.sin(k)


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype: Any = None,
             layout: Any = torch.strided, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """Gaussian window with standard deviation ``std``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _window_function_checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return torch.empty((0,), dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    constant = 1 / (std * sqrt(2))
    k = torch.linspace(start=start * constant, end=(start + (M - 1)) * constant, steps=M,
                       dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)
    return torch.exp(-(k**2))


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype: Any = None,
           layout: Any = torch.strided, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Kaiser window: ``I0(beta sqrt(1 - (2n/(M-1) - 1)^2)) / I0(beta)``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _window_function_checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    early = _empty_or_ones(M, dtype, layout, device, requires_grad)
    if early is not None:
        return early
    b = torch.tensor(beta, dtype=dtype, device=device)
    start = -b
    constant = 2.0 * b / (M if not sym else M - 1)
    end = torch.minimum(b, start + (M - 1) * constant)
    k = torch.linspace(start=start, end=end, steps=M, dtype=dtype, layout=layout,
                       device=device, requires_grad=requires_grad)
    return torch.i0(torch.sqrt(b * b - torch.pow(k, 2))) / torch.i0(b)


def hamming(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = torch.strided,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Hamming window (``general_hamming`` with alpha 0.54)."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = torch.strided,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Hann window (``general_hamming`` with alpha 0.5)."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = torch.strided,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """Blackman window (``general_cosine`` with a = [0.42, 0.5, 0.08])."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _window_function_checks("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = torch.strided,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """Bartlett (triangular) window: ``1 - |2n/(M-1) - 1|``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _window_function_checks("bartlett", M, dtype, layout)
    early = _empty_or_ones(M, dtype, layout, device, requires_grad)
    if early is not None:
        return early
    start = -1
    constant = 2 / (M if not sym else M - 1)
    k = torch.linspace(start=start, end=start + (M - 1) * constant, steps=M, dtype=dtype,
                       layout=layout, device=device, requires_grad=requires_grad)
    return 1 - torch.abs(k)


def general_cosine(M: int, *, a: Iterable, sym: bool = True, dtype: Any = None,
                   layout: Any = torch.strided, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
    """Generalized cosine window: ``sum_i (-1)^i a_i cos(2 pi i n / (M - 1))``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _window_function_checks("general_cosine", M, dtype, layout)
    early = _empty_or_ones(M, dtype, layout, device, requires_grad)
    if early is not None:
        return early
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    constant = 2 * torch.pi / (M if not sym else M - 1)
    k = torch.linspace(start=0, end=(M - 1) * constant, steps=M, dtype=dtype, layout=layout,
                       device=device, requires_grad=requires_grad)
    a_i = torch.tensor([(-1) ** i * w for i, w in enumerate(a)], device=device, dtype=dtype,
                       requires_grad=requires_grad)
    i = torch.arange(a_i.shape[0], dtype=a_i.dtype, device=a_i.device,
                     requires_grad=a_i.requires_grad)
    return (a_i.unsqueeze(-1) * torch.cos(i.unsqueeze(-1) * k)).sum(0)


def general_hamming(M: int, *, alpha: float = 0.54, sym: bool = True, dtype: Any = None,
                    layout: Any = torch.strided, device: Any = None,
                    requires_grad: bool = False) -> Tensor:
    """Generalized Hamming window: ``alpha - (1 - alpha) cos(2 pi n / (M - 1))``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = torch.strided,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Minimum 4-term Blackman-Harris window (Nuttall's coefficients)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)
