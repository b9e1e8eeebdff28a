"""``functorch.*`` (``torch._functorch.deprecated``): the ``torch.func`` transforms under their
functorch names, each warning (FutureWarning, torch's text) that it moved to ``torch.func``."""
from __future__ import annotations

import warnings
from typing import Any, Callable

from .. import func as _func
from . import make_functional as _nn_impl

__all__ = ["vmap", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "functionalize", "make_functional", "make_functional_with_buffers",
           "combine_state_for_ensemble"]


def get_warning(api: str, new_api: str | None = None, replace_newlines: bool = False) -> str:
    """torch's deprecation text for ``functorch.<api>``."""
    if new_api is None:
        new_api = f"torch.func.{api}"
    warning = (f"We've integrated functorch into PyTorch. As the final step of the \n"
               f"integration, `functorch.{api}` is deprecated as of PyTorch \n"
               f"2.0 and will be deleted in a future version of PyTorch >= 2.3. \n"
               f"Please use `{new_api}` instead; see the PyTorch 2.0 release notes \n"
               f"and/or the `torch.func` migration guide for more details \n"
               f"https://pytorch.org/docs/main/func.migrating.html")
    if replace_newlines:
        warning = warning.replace("\n", "")
    return warning


def warn_deprecated(api: str, new_api: str | None = None) -> None:
    """Warn (FutureWarning) that ``functorch.<api>`` is deprecated."""
    warnings.warn(get_warning(api, new_api, replace_newlines=True), FutureWarning, stacklevel=3)


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable[..., Any]:
    """``functorch.vmap``: ``torch.vmap`` (deprecated name)."""
    warn_deprecated("vmap", "torch.vmap")
    return _func.vmap(func, in_dims, out_dims, randomness, chunk_size=chunk_size)


def grad(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """``functorch.grad``: ``torch.func.grad`` (deprecated name)."""
    warn_deprecated("grad")
    return _func.grad(func, argnums, has_aux)


def grad_and_value(func: Callable[..., Any], argnums: Any = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """``functorch.grad_and_value``: ``torch.func.grad_and_value`` (deprecated name)."""
    warn_deprecated("grad_and_value")
    return _func.grad_and_value(func, argnums, has_aux)


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``functorch.vjp``: ``torch.func.vjp`` (deprecated name)."""
    warn_deprecated("vjp")
    return _func.vjp(func, *primals, has_aux=has_aux)


def jvp(func: Callable[..., Any], primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> Any:
    """``functorch.jvp``: ``torch.func.jvp`` (deprecated name)."""
    warn_deprecated("jvp")
    return _func.jvp(func, primals, tangents, strict=strict, has_aux=has_aux)


def jacrev(func: Callable[..., Any], argnums: Any = 0, *, has_aux: bool = False,
           chunk_size: int | None = None,
           _preallocate_and_copy: bool = False) -> Callable[..., Any]:
    """``functorch.jacrev``: ``torch.func.jacrev`` (deprecated name)."""
    warn_deprecated("jacrev")
    return _func.jacrev(func, argnums, has_aux=has_aux, chunk_size=chunk_size,
                        _preallocate_and_copy=_preallocate_and_copy)


def jacfwd(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable[..., Any]:
    """``functorch.jacfwd``: ``torch.func.jacfwd`` (deprecated name)."""
    warn_deprecated("jacfwd")
    return _func.jacfwd(func, argnums, has_aux, randomness=randomness)


def hessian(func: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """``functorch.hessian``: ``torch.func.hessian`` (deprecated name)."""
    warn_deprecated("hessian")
    return _func.hessian(func, argnums=argnums)


def functionalize(func: Callable[..., Any], *, remove: str = "mutations") -> Callable[..., Any]:
    """``functorch.functionalize``: ``torch.func.functionalize`` (deprecated name)."""
    warn_deprecated("functionalize")
    return _func.functionalize(func, remove=remove)


def make_functional(model: Any, disable_autograd_tracking: bool = False) -> Any:
    """``functorch.make_functional``: ``(func, params)``; ``func(params, *args)`` runs
    ``model`` with ``params`` (deprecated: ``torch.func.functional_call``)."""
    warn_deprecated("make_functional", "torch.func.functional_call")
    return _nn_impl.make_functional(model, disable_autograd_tracking)


def make_functional_with_buffers(model: Any, disable_autograd_tracking: bool = False) -> Any:
    """``functorch.make_functional_with_buffers``: ``(func, params, buffers)``;
    ``func(params, buffers, *args)`` runs ``model`` with them (deprecated:
    ``torch.func.functional_call``)."""
    warn_deprecated("make_functional_with_buffers", "torch.func.functional_call")
    return _nn_impl.make_functional_with_buffers(model, disable_autograd_tracking)


def combine_state_for_ensemble(models: Any) -> Any:
    """``functorch.combine_state_for_ensemble``: ``(func, params, buffers)`` with every
    parameter and buffer stacked over ``models`` (deprecated: ``torch.func.stack_module_state``)."""
    warn_deprecated("combine_state_for_ensemble", "torch.func.stack_module_state")
    return _nn_impl.combine_state_for_ensemble(models)
