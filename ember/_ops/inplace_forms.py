"""torch's in-place function forms, ``torch.exp_(x)``, ``torch.clamp_(x, 0, 1)``,
``torch.zero_(x)`` ...: each is ``x.<name>(...)``, the Tensor method (same arguments, same
leaf/view errors, same graph), generated here in one table rather than written one by one;
and ``torch.fill`` (the out-of-place ``fill_``: ``FillBackward0`` with a number,
``FillBackward1`` with a 0-d tensor)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .._tensor import Tensor
from ..autograd.function import _apply
from .inplace import Fill as _Fill, FillTensor as _FillTensor

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Number

# torch.<name>(input, *args) is input.<name>(*args) for each of these
INPLACE_FORMS = (
    "abs_ acos_ acosh_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ "
    "atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ detach_ erf_ erfc_ "
    "exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_ i0_ index_put_ lcm_ ldexp_ log10_ log1p_ "
    "log2_ log_ logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ round_ rsqrt_ "
    "sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_ addmv_").split()


def _form(name: str) -> Callable[..., Tensor]:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    base = name[:-1]
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"In-place version of :func:`ember.{base}`: ``ember.{name}(input, ...)`` is "
                  f"``input.{name}(...)`` (writes into ``input`` and returns it).")
    fn.__module__ = "ember"
    return fn


for _name in INPLACE_FORMS:
    globals()[_name] = _form(_name)


class _FillOut(_Fill):
    node_name = "FillBackward0"


class _FillOutTensor(_FillTensor):
    node_name = "FillBackward1"


def fill(input: Tensor, value: Tensor | Number) -> Tensor:
    """A new tensor of ``input``'s shape and dtype filled with ``value`` (a number or a 0-d
    tensor, whose gradient is the sum of the output's)."""
    if isinstance(value, Tensor):
        if value._array.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._array.ndim} dimensions.")
        return _apply(_FillOutTensor, (input, value.to(input.dtype)), {}, None)
    from .indexing import checked_scalar
    from ._utils import as_tensor_arg
    v = checked_scalar(as_tensor_arg(value), input._array.dtype)  # type: ignore[arg-type]
    return _apply(_FillOut, (input, v), {}, None)


__all__ = list(INPLACE_FORMS) + ["fill"]
