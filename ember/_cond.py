"""torch.cond: structured if/else over tensors, run eagerly.

``cond(pred, true_fn, false_fn, operands)`` is ``true_fn(*operands) if pred else
false_fn(*operands)``. A Python ``bool``/``int``/``float`` predicate just picks the branch, as
torch's eager path. A tensor predicate goes through torch's checks (a single-element tensor,
callable branches, operands a tuple/list whose leaves are all tensors: RuntimeError with
torch's texts) and the rules torch's tracer enforces on the branch that runs while grad mode is
on: no in-place change of an operand, no output that aliases an operand, outputs made of tensors
and ints only (``UncapturedHigherOrderOpError``, a RuntimeError, with torch's headline).
Outputs that require grad come out of one ``CondAutogradOpBackward`` node (torch's name) whose
backward passes the gradients into the branch's own graph, so parameters the branch closes
over get their gradients too.

Differences from torch: only the branch that ``pred`` selects runs (torch traces both and also
rejects branches whose outputs differ in structure, dtype or rank); the ``CondAutogradOpBackward``
node's ``next_functions`` lead into the branch's graph rather than to the lifted operands.
"""
from __future__ import annotations

from typing import Any

from ._tensor import Tensor
from .autograd.function import Function
from .autograd.grad_mode import is_grad_enabled
from .utils import _pytree

__all__ = ["cond"]

_HEAD = ("This higher order operator doesn't work unless it is captured completely with "
         "torch.compile. Got graph break/error:\n\n")


class UncapturedHigherOrderOpError(RuntimeError):
    """A branch of ``cond`` does what torch's higher-order-op tracer rejects."""


def _hop_error(what: str, explanation: str, hint: str) -> UncapturedHigherOrderOpError:
    return UncapturedHigherOrderOpError(
        f"{_HEAD}{what}\n  Higher Order Operator: torch.cond\n  Explanation: {explanation}\n"
        f"  Hint: {hint}\n")


class CondAutogradOp(Function):
    """The autograd node of a ``cond`` whose outputs require grad: identity on the selected
    branch's outputs, so gradients flow on into the branch's graph."""

    @staticmethod
    def forward(ctx, *outs):
        """Pass the branch's tensor outputs through."""
        return outs

    @staticmethod
    def backward(ctx, *grads):
        """Pass the gradients through."""
        return grads


def _storage(t: Tensor) -> int:
    a = t._array
    while a.base is not None:
        a = a.base
    return id(a)


def cond(pred: Any, true_fn: Any, false_fn: Any, operands: tuple | list = ()) -> Any:
    """Returns ``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``; ``pred`` is a
    Python bool/number or a single-element tensor (see the module docstring for the checks)."""
    if isinstance(pred, (bool, int, float)):  # torch's eager case: just run a branch
        return true_fn(*operands) if pred else false_fn(*operands)
    if not isinstance(pred, (bool, Tensor)):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if isinstance(pred, Tensor) and pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    if not isinstance(operands, (tuple, list)) or _pytree.tree_any(
            lambda t: not isinstance(t, Tensor), operands):
        raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple "
                           f"that only consists of tensor leaves, but got {operands}.")
    branch = true_fn if bool(pred.item()) else false_fn
    if not is_grad_enabled():  # torch allows mutation and aliasing in inference
        return branch(*operands)
    leaves = _pytree.tree_leaves(operands)
    versions = [t._version for t in leaves]
    out = branch(*operands)
    if any(t._version != v for t, v in zip(leaves, versions)):
        raise _hop_error("Encountered input mutation during higher order op tracing",
                         "Higher order ops do not support input mutation.",
                         "Consider using the debug context to change user code to avoid "
                         "mutation.")
    flat, spec = _pytree.tree_flatten(out)
    for o in flat:
        if not isinstance(o, (Tensor, int)) or isinstance(o, bool):
            raise _hop_error("torch.cond: unsupported branch return type (constant non-int)",
                             "Constants returned from branches must be ints.",
                             "Your code may result in an error when running in eager.")
    stores = {_storage(t) for t in leaves}
    if any(isinstance(o, Tensor) and _storage(o) in stores for o in flat):
        raise _hop_error("Encountered aliasing during higher order op tracing",
                         "Higher order ops do not support aliasing.",
                         "Replace `return input` with `return input.clone()` to avoid aliasing.")
    pos = [i for i, o in enumerate(flat) if isinstance(o, Tensor) and o.requires_grad]
    if pos:
        new = CondAutogradOp.apply(*(flat[i] for i in pos))
        for i, o in zip(pos, new):
            flat[i] = o
        out = _pytree.tree_unflatten(flat, spec)
    return out
