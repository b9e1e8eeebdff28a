"""``ember.special``: PyTorch's ``torch.special`` namespace (loaded on first use).

The ops live in ``ember/_ops/special.py`` (kernels in ``ember/_ops/_specfun.py``); the names
torch.special shares with ``torch`` (``expm1``, ``erf``, ``sinc`` ...) are the same functions,
and its aliases (``gammaln`` = ``lgamma``, ``psi`` = ``digamma``, ``expit`` = ``sigmoid``,
``multigammaln`` = ``mvlgamma``) are too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._ops import pointwise as _pw
from ._ops import reduction as _red
from ._ops import special as _sp
from ._ops.special import (  # noqa: F401 - re-exported
    airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, chebyshev_polynomial_t,
    chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w, digamma, entr,
    erfcx, gammainc, gammaincc, hermite_polynomial_h, hermite_polynomial_he, i0, i0e, i1, i1e,
    laguerre_polynomial_l, legendre_polynomial_p, log_ndtr, modified_bessel_i0,
    modified_bessel_i1, modified_bessel_k0, modified_bessel_k1, ndtr, ndtri, polygamma,
    scaled_modified_bessel_k0, scaled_modified_bessel_k1, shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w, sinc, spherical_bessel_j0, xlog1py, xlogy, zeta)
from ._ops.pointwise import erf, erfc, erfinv, exp2, expm1, log1p, logit  # noqa: F401

if TYPE_CHECKING:
    from ._dtype import dtype as DType
    from ._tensor import Tensor

gammaln = _sp.lgamma
psi = _sp.digamma
multigammaln = _sp.mvlgamma
expit = _pw.sigmoid


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - torch's name
    """Returns each element rounded to ``decimals`` decimal places (half to even)."""
    return _pw.round(input, decimals=decimals)


def softmax(input: Tensor, dim: int, *, dtype: DType | None = None) -> Tensor:
    """Returns the softmax of ``input`` along ``dim`` (computed in ``dtype`` when given)."""
    return _red.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: DType | None = None) -> Tensor:
    """Returns the log of the softmax of ``input`` along ``dim``."""
    return _red.log_softmax(input, dim, dtype=dtype)


def logsumexp(input: Tensor, dim: int | tuple[int, ...], keepdim: bool = False) -> Tensor:
    """Returns log(sum(exp(input))) over ``dim``, computed stably."""
    return _red.logsumexp(input, dim, keepdim)


__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
    "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc",
    "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e",
    "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax",
    "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py",
    "xlogy", "zeta",
]
