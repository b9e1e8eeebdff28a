"""``ember.func`` (``torch.func``): composable function transforms.

- ``vmap``: vectorizing map, computed in one pass per op through batching rules
  (``_batched``/``_rules``); nested vmap, in/out dims as pytrees, ``chunk_size``,
  ``randomness='error'|'same'``.
- ``grad``, ``grad_and_value``, ``vjp``, ``jacrev``: reverse mode (``_eager``); they compose with
  vmap (``vmap(grad(f))`` gives per-sample gradients) and with each other.
- ``functional_call``, ``stack_module_state``: run a module with substitute parameters and
  buffers; stack an ensemble's state for vmap.
- ``jvp``, ``jacfwd``, ``hessian`` (``jacfwd(jacrev)``), ``linearize``: true forward mode
  (``_forward``, on ``ember.autograd.forward_ad``: one pass of dual tensors).
- ``debug_unwrap``, ``functionalize``, ``replace_all_batch_norm_modules_``.
- ``rearrange``: einops' pattern language (``_rearrange``).
"""
from __future__ import annotations

from typing import Any, Callable

from ._batched import BatchedTensor
from ._eager import functional_call, grad, grad_and_value, jacrev, stack_module_state, vjp
from ._forward import hessian, jacfwd, jvp, linearize
from ._rearrange import rearrange
from ._vmap import vmap

__all__ = ["vmap", "grad", "grad_and_value", "vjp", "jacrev", "jvp", "jacfwd", "hessian",
           "linearize", "functional_call",
           "stack_module_state", "debug_unwrap", "functionalize",
           "replace_all_batch_norm_modules_", "rearrange"]


def debug_unwrap(tensor: Any, *, recurse: bool = True) -> Any:
    """The tensor underneath a batched tensor (batch dimension in front), for debugging; with
    ``recurse`` through every vmap level.  Other values come back unchanged."""
    while isinstance(tensor, BatchedTensor):
        tensor = tensor._bvalue
        if not recurse:
            break
    return tensor


def functionalize(func: Callable[..., Any], *, remove: str = "mutations") -> Callable[..., Any]:
    """``torch.func.functionalize``: ``func`` with the same results and the same writes to its
    inputs.  ember runs eagerly with no graph capture, so the functionalized program is
    ``func`` itself (there is no trace whose mutations could be removed)."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument "
                           f"for remove={remove}. Valid options are:\n     remove='mutations': "
                           f"all inplace and out= operators will be removed from the program, "
                           f"and replaced with their out-of-place equivalents.\n     "
                           f"remove='mutations_and_views': In addition to the above, all "
                           f"aliasing operators {{view}} will be replaced with their "
                           f"non-aliasing counterparts, {{view}}_copy.\n")
    import functools

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)
    return wrapped


def replace_all_batch_norm_modules_(root: Any) -> Any:
    """In place: every BatchNorm module under ``root`` stops tracking running statistics
    (``running_mean``/``running_var`` become None), as vmap over a batch-norm model needs."""
    from ..nn.modules.batchnorm import _BatchNorm
    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root
