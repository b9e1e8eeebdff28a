"""The ``functorch`` package (shipped in torch's wheel) answered by ember: ``ember run`` (and
``ember._torch_alias.install``) maps ``import functorch`` here, as ``import torch`` to ember.

The names are functorch's deprecated front-ends of ``torch.func`` (``deprecated``: each warns
once with torch's FutureWarning, then calls ``ember.func``) and its functional modules
(``make_functional``).  ``make_fx`` (graph tracing) is not here: ember has no tracer.
"""
from __future__ import annotations

from .deprecated import (combine_state_for_ensemble, functionalize, grad, grad_and_value,
                         hessian, jacfwd, jacrev, jvp, make_functional,
                         make_functional_with_buffers, vjp, vmap)
from .make_functional import FunctionalModule, FunctionalModuleWithBuffers

__all__ = ["combine_state_for_ensemble", "functionalize", "grad", "grad_and_value", "hessian",
           "jacfwd", "jacrev", "jvp", "make_functional", "make_functional_with_buffers", "vjp",
           "vmap", "FunctionalModule", "FunctionalModuleWithBuffers"]


def __getattr__(name: str):
    if name == "__version__":
        from .. import __version__
        return __version__
    raise AttributeError(f"module 'functorch' has no attribute '{name}'")
