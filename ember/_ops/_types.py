"""Type aliases for annotating op code (``ember._ops``); for annotations only.

Import them under ``if TYPE_CHECKING:`` (with ``from __future__ import annotations`` every
annotation is a string, so nothing here is imported when ember runs).

The Op protocol (``ember.autograd.function.Op``):

* ``forward(ctx: Ctx, *arrays: Array, ...) -> Array``: tensor arguments arrive as raw arrays;
  an argument that was not a Tensor (a Python number in a wrapped-scalar position, a dim, a
  shape) arrives unchanged, hence ``Operand`` for the positions that take either.
* ``backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads`` (and ``fast_backward``, same
  signature): the one formula runs on arrays at first order and on Tensors under
  ``create_graph=True``, with ``ns`` the matching NumPy-named namespace.
"""
from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any, TypeAlias, Union

from .._backend import ndarray, xp
from .._dtype import dtype as DType
from .._tensor import Tensor

__all__ = ["Array", "Operand", "Ctx", "Value", "OutGrads", "Grads", "Namespace", "Number",
           "Dims", "Size", "DType", "NPDType", "Taps", "Tensor",
           "TensorOrNumber"]

# A NumPy dtype (ember's dtypes carry theirs as ``.np``).
NPDType: TypeAlias = xp.dtype

# A tensor argument's storage inside ``forward`` (NumPy's ndarray through the array seam).
Array: TypeAlias = ndarray

# A Python scalar argument: torch's ``Number`` (int | float | bool) plus complex, which ember
# accepts as torch does (as ``ember._tensor``'s ``_Scalar``).
Number: TypeAlias = Union[int, float, bool, complex]

# A forward argument in a position that takes a Tensor or a Python number (a wrapped scalar):
# ``_apply`` unwraps Tensors to arrays and passes anything else through unchanged.
Operand: TypeAlias = Union[ndarray, int, float, bool, complex]

# The ctx of forward/backward: the graph node (``OpNode``) or, without grad, a stand-in that
# drops what is saved.  Ops store arbitrary per-op attributes on it (``ctx.shape = ...``), so no
# class describes it: Any.
Ctx: TypeAlias = Any

# A gradient value in backward formulas: an ndarray at first order, a Tensor under
# ``create_graph=True``.  The same formula runs on both through the operators and ``ns.<name>``
# calls they share, which no common static type expresses: Any.
Value: TypeAlias = Any

# The incoming gradients of a multi-output op's backward: one per output, in order (None for an
# output that got no gradient, unless the op's outputs declare zeros for that case).
OutGrads: TypeAlias = Sequence[Value]

# What backward returns: one gradient per forward argument (None for the non-differentiable
# ones), as a tuple, or the bare gradient of a one-input op.
Grads: TypeAlias = Union[Value, tuple[Value | None, ...], None]

# The ``ns`` of backward: the NumPy seam plus helpers (``ember._backend.nx``) at first order, or
# ember's NumPy-named module over Tensors (``ember._ops.gx``) under ``create_graph=True``.
Namespace: TypeAlias = ModuleType

# torch's ``dim`` of reductions: one dim, several, or None for all.
Dims: TypeAlias = Union[int, Sequence[int], None]

# A shape argument (torch's ``_size``).
Size: TypeAlias = Sequence[int]

# Interpolation taps along one axis (``upsample``): (source indices, weights or None) pairs;
# None for the identity.
Taps: TypeAlias = Union[Sequence[tuple[ndarray, Union[ndarray, None]]], None]

TensorOrNumber: TypeAlias = Union[Tensor, int, float, bool, complex]
