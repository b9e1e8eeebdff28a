"""Forward-mode automatic differentiation (``torch.autograd.forward_ad``).

A *dual tensor* is a tensor with a tangent attached at the current dual level
(``make_dual`` inside ``dual_level()``).  While a level is active, every op that sees a dual
input computes the tangent of its output as well (the Jacobian-vector product ``J @ tangent``)
and attaches it; ``unpack_dual`` reads it back.  As in PyTorch only one level exists at a time.

How tangents travel (``ember/autograd/_jvp.py``): the op entry points of ``function.py`` test
one module flag (``function._FW_ON``, true only inside a level) and, when it is set, hand the
call here.  Ops of the common families have explicit JVP rules (views and linear ops: the op on
the tangent; bilinear ops: the product rule; elementwise ops: the derivative times the tangent;
softmax/log_softmax); every other op derives its JVP exactly from its own backward formula,
which is linear in the cotangent ``u``: ``J t = d/du <J^T u, t>``, computed with the
``create_graph`` machinery.  Tangents are ordinary ember Tensors, so reverse mode runs through
them (reverse-over-forward), and tangents flow through backward passes run with
``create_graph=True`` inside a level (forward-over-reverse).
"""
from __future__ import annotations

import weakref
from typing import Any, NamedTuple

from .._backend import xp
from .._tensor import Tensor, _make
from . import function as _fn
from .grad_mode import _DecoratorContextManager

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual",
           "unpack_dual", "dual_level"]

# The current level (-1: none), as torch's ``forward_ad._current_level``.
_current_level = -1

# The tangents of the live dual tensors at the current level: id(tensor) -> (weakref, tangent).
# Exiting the level drops them all (torch deletes a level's tangents on exit).
_TANGENTS: dict[int, tuple[Any, Tensor]] = {}


def _get(t: Any) -> Tensor | None:
    """The tangent of tensor ``t`` at the current level, or None."""
    e = _TANGENTS.get(id(t))
    if e is not None and e[0]() is t:
        return e[1]
    return None


def _is_dual(t: Any) -> bool:
    """Whether ``t`` has a tangent now (for ops whose no-grad shortcut would skip the op)."""
    return _fn._FW_ON and _get(t) is not None


def _set(t: Tensor, tangent: Tensor) -> None:
    tid = id(t)

    def _drop(ref, tid=tid):
        e = _TANGENTS.get(tid)
        if e is not None and e[0] is ref:
            del _TANGENTS[tid]

    _TANGENTS[tid] = (weakref.ref(t, _drop), tangent)


def _grad_with_tangents(outputs: Any, grads: Any, retain_graph: Any, inputs: Any,
                        allow_unused: bool) -> Any:
    """``autograd.grad`` inside a level with dual tensors alive: the backward formulas run on
    Tensors (as under ``create_graph``) so that tangents flow through them (forward-over-reverse,
    as torch's backward does); the results are then detached, keeping their tangents."""
    from . import run_backward
    res = run_backward(outputs, grads, bool(retain_graph), True, inputs=inputs,
                       allow_unused=allow_unused, accumulate=False)
    out: list[Tensor | None] = []
    for r in res:
        if r is None:
            out.append(None)
            continue
        t = _get(r)
        d = r.detach()
        if t is not None:
            _set(d, t.detach())
        out.append(d)
    return out


def _saved_outputs(node: Any, saved: list[Any], info: Any) -> None:
    """Saved outputs rebuilt as Tensors for a backward inside a level get their tangents back
    (forward-over-reverse through ops that save their output: exp, tanh, softmax ...)."""
    fo = node.__dict__.get("_fw_out")
    for k, item in enumerate(info):
        if item is not None and item[0] == 2 and isinstance(saved[k], Tensor):
            e = fo.get(item[1])
            if e is not None and e[0] == _GEN[0]:
                _set(saved[k], e[1])


_GEN = [0]  # which level the tangents a node recorded for its outputs belong to


def enter_dual_level() -> int:
    """Enter a new forward grad level.

    This level can be used to make and unpack dual Tensors to compute forward gradients.
    This function also updates the current level that is used by default by the other
    functions in this API."""
    global _current_level
    if _current_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _current_level = 0
    _GEN[0] += 1
    _TANGENTS.clear()
    _fn._FW_ON = True
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """Exit a forward grad level.

    This function deletes all the gradients associated with this level. Only deleting the
    latest entered level is allowed.  This function also updates the current level that is
    used by default by the other functions in this API."""
    global _current_level
    if level is None:
        level = _current_level
    if level != _current_level:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    _fn._FW_ON = False
    _TANGENTS.clear()
    _current_level = level - 1


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    r"""Associate a tensor value with its tangent to create a "dual tensor" for forward AD
    gradient computation.

    The result is a new tensor aliased to :attr:`tensor` with :attr:`tangent` embedded as an
    attribute as-is.  The tangent attribute can be recovered with :func:`unpack_dual`.  This
    function is backward differentiable.

    Example::

        >>> with dual_level():
        ...     inp = make_dual(x, v)
        ...     out = f(inp)
        ...     y, jvp = unpack_dual(out)
    """
    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if not isinstance(tensor, Tensor):
        raise TypeError(f"_make_dual(): argument 'primal' (position 1) must be Tensor, not "
                        f"{type(tensor).__name__}")
    if not isinstance(tangent, Tensor):
        raise TypeError(f"_make_dual(): argument 'tangent' (position 2) must be Tensor, not "
                        f"{type(tangent).__name__}")
    if tensor._array.dtype.kind not in "fc":
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if tangent._array.dtype.kind not in "fc":
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if level != _current_level:
        raise RuntimeError("Invalid level given to _make_dual")
    if _get(tensor) is not None:
        raise RuntimeError(f"Making a dual Tensor based on a Tensor that already has a forward "
                           f"gradient at the same level {level} is not supported.")
    if tangent._array.shape != tensor._array.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size "
            f"{list(tensor._array.shape)} while the given forward gradient is of size "
            f"{list(tangent._array.shape)}.")
    ta, pa = tangent._array, tensor._array
    if ta.strides != pa.strides and pa.size > 1:  # another layout: copied into the primal's
        arr = xp.empty_like(pa, dtype=ta.dtype)
        xp.copyto(arr, ta)
        tangent = _make(arr, tangent._requires_grad, None, 0, None) if not \
            tangent._requires_grad else _copy_like(tangent, arr)
    _fn._FW_ON = False
    try:
        out = tensor.view_as(tensor)  # an alias: a view of ``tensor`` (ViewBackward0)
    finally:
        _fn._FW_ON = True
    _set(out, tangent)
    return out


def _copy_like(tangent: Tensor, arr: Any) -> Tensor:
    """A differentiable copy of ``tangent`` laid out as ``arr`` (the primal's layout)."""
    from .._ops.pointwise import clone
    t = clone(tangent)
    t._array = arr
    return t


class UnpackedDualTensor(NamedTuple):
    r"""Namedtuple returned by :func:`unpack_dual` containing the primal and tangent components
    of the dual tensor."""

    primal: Tensor
    tangent: Tensor | None


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    r"""Unpack a "dual tensor" to get both its Tensor value and its forward AD gradient.

    The result is a namedtuple ``(primal, tangent)`` where ``primal`` is a view of
    :attr:`tensor`'s primal and ``tangent`` is :attr:`tensor`'s tangent as-is (None when it has
    none at :attr:`level`).  Neither of these tensors is a dual tensor of :attr:`level`."""
    if level is None:
        level = _current_level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"_unpack_dual(): argument 'dual' (position 1) must be Tensor, not "
                        f"{type(tensor).__name__}")
    tangent = _get(tensor) if level == _current_level else None
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    _fn._FW_ON = False
    try:
        primal = tensor.view_as(tensor)
    finally:
        _fn._FW_ON = True
    return UnpackedDualTensor(primal, tangent)


class dual_level(_DecoratorContextManager):
    r"""Context-manager for forward AD, where all forward AD computation must occur within the
    ``dual_level`` context.

    It enters and exits the dual level that the other functions in this API use by default.
    Only a single forward AD level is supported (as in PyTorch); ``torch.func.jvp`` gives higher
    order forward gradients.

    Example::

        >>> x = torch.tensor([1.])
        >>> x_t = torch.tensor([1.])
        >>> with dual_level():
        ...     inp = make_dual(x, x_t)
        ...     out = inp * 2
        ...     _, grad = unpack_dual(out)
        >>> grad is None
        False
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        exit_dual_level()
