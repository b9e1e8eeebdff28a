"""In-place array math shared by the optimizers (raw NumPy arrays, no Tensor ops)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import ndarray, xp
from .._tensor import bump_version

__all__ = ["lerp_", "prep_grad", "addcmul_", "bump", "inplace"]

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from .._tensor import Tensor


def lerp_(a: ndarray, end: ndarray, w: float) -> None:
    """``a.lerp_(end, w)`` with PyTorch's two-branch formula (exact at w = 0 and w = 1)."""
    d = xp.subtract(end, a)
    if abs(w) < 0.5:
        d *= w
        a += d
    else:
        d *= 1 - w
        xp.subtract(end, d, out=a)


def prep_grad(g: ndarray, p: ndarray, maximize: bool, weight_decay: float) -> ndarray:
    """The gradient the update uses: negated under maximize, plus L2 weight decay.

    Never writes into ``g`` itself (that is ``param.grad``)."""
    if maximize:
        g = xp.negative(g)
        if weight_decay != 0:
            g += weight_decay * p
        return g
    if weight_decay != 0:
        return g + weight_decay * p
    return g


def addcmul_(a: ndarray, t1: ndarray, t2: ndarray, value: float) -> None:
    """``a.addcmul_(t1, t2, value=value)``: a += value * t1 * t2."""
    tmp = xp.multiply(t1, value)
    tmp *= t2
    a += tmp


def bump(params: Iterable[Tensor]) -> None:
    """Advance the version counter of every parameter written in place."""
    for p in params:
        bump_version(p)


def inplace(ufunc: Callable[..., Any], a: Any, *args: Any) -> Any:
    """``ufunc(a, *args)`` written into ``a`` when it is an array (a 0-d result is a scalar)."""
    if isinstance(a, ndarray):
        return ufunc(a, *args, out=a)
    return ufunc(a, *args)


def _real(a):
    return a[..., None].view(a.real.dtype) if a.dtype.kind == "c" else a


def real_views(params: list[ndarray], *lists: list[Any]) -> tuple[list[Any], ...]:
    """PyTorch's ``view_as_real`` for complex parameters: the update runs on (re, im) pairs."""
    if not any(p.dtype.kind == "c" for p in params):
        return (params,) + lists
    return ([_real(p) for p in params],) + tuple(
        [None if a is None else _real(a) for a in lst] for lst in lists)
