"""functorch's functional modules (``torch._functorch.make_functional``): a copy of a model
whose forward takes its parameters (and buffers) as arguments.

torch moves the copy's own tensors to the meta device; ember has no meta device, so the copy
keeps them, unused: every call substitutes the given tensors (``ember.func.functional_call``,
tied names included) and restores the copy's afterwards, as torch's ``_swap_state`` does.
"""
from __future__ import annotations

import copy
from typing import Any

from ..nn.modules.module import Module

__all__ = ["FunctionalModule", "FunctionalModuleWithBuffers", "make_functional",
           "make_functional_with_buffers", "combine_state_for_ensemble"]


def _names_map(unique: Any, every: Any) -> dict[str, list[str]]:
    """Each unique member's name -> all the names it has (tied weights)."""
    by_id = {id(t): (k, []) for k, t in unique}
    for k, t in every:
        by_id[id(t)][1].append(k)
    return dict(by_id.values())


def _extract(named: Any) -> tuple[tuple[Any, ...], tuple[str, ...], dict[str, list[str]]]:
    unique = tuple(named(remove_duplicate=True))
    names_map = _names_map(unique, tuple(named(remove_duplicate=False)))
    if not unique:
        return (), (), names_map
    names, values = zip(*unique)
    return tuple(values), tuple(names), names_map


def _call(model: Any, names_map: dict[str, list[str]], values: Any, args: Any,
          kwargs: Any) -> Any:
    from ..func import functional_call
    values = tuple(values)
    if len(values) != len(names_map):
        raise RuntimeError(f"expected {len(names_map)} tensors, got {len(values)}")
    sub = {n: v for (_, all_names), v in zip(names_map.items(), values) for n in all_names}
    return functional_call(model, sub, tuple(args), kwargs, tie_weights=False)


class FunctionalModuleWithBuffers(Module):
    """The callable :func:`make_functional_with_buffers` returns:
    ``func(params, buffers, *args, **kwargs)``."""

    def __init__(self, stateless_model: Any, param_names: tuple[str, ...],
                 buffer_names: tuple[str, ...], param_names_map: dict[str, list[str]],
                 buffer_names_map: dict[str, list[str]]) -> None:
        super().__init__()
        self.stateless_model = stateless_model
        self.param_names = param_names
        self.buffer_names = buffer_names
        self.all_names_map = dict(param_names_map)
        self.all_names_map.update(buffer_names_map)

    @staticmethod
    def _create_from(model: Any, disable_autograd_tracking: bool = False) -> Any:
        model_copy = copy.deepcopy(model)
        params, param_names, param_map = _extract(model_copy.named_parameters)
        buffers, buffer_names, buffer_map = _extract(model_copy.named_buffers)
        if disable_autograd_tracking:
            params = tuple(p.detach() for p in params)
        return (FunctionalModuleWithBuffers(model_copy, param_names, buffer_names, param_map,
                                            buffer_map), params, buffers)

    def forward(self, params: Any, buffers: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the model with ``params`` and ``buffers`` (in ``param_names`` /
        ``buffer_names`` order)."""
        return _call(self.stateless_model, self.all_names_map,
                     tuple(params) + tuple(buffers), args, kwargs)


class FunctionalModule(Module):
    """The callable :func:`make_functional` returns: ``func(params, *args, **kwargs)``."""

    def __init__(self, stateless_model: Any, param_names: tuple[str, ...],
                 names_map: dict[str, list[str]]) -> None:
        super().__init__()
        self.stateless_model = stateless_model
        self.param_names = param_names
        self.names_map = names_map

    @staticmethod
    def _create_from(model: Any, disable_autograd_tracking: bool = False) -> Any:
        model_copy = copy.deepcopy(model)
        params, param_names, names_map = _extract(model_copy.named_parameters)
        if disable_autograd_tracking:
            params = tuple(p.detach() for p in params)
        return FunctionalModule(model_copy, param_names, names_map), params

    def forward(self, params: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the model with ``params`` (in ``param_names`` order)."""
        return _call(self.stateless_model, self.names_map, params, args, kwargs)


def make_functional(model: Any, disable_autograd_tracking: bool = False) -> Any:
    """``(func, params)`` for a model without buffers: ``func(params, *args)``."""
    if len(list(model.buffers())) > 0:
        raise RuntimeError("make_functional(model): `model` has buffers. Please use "
                           "make_functional_with_buffers(model) instead.")
    return FunctionalModule._create_from(model, disable_autograd_tracking)


def make_functional_with_buffers(model: Any, disable_autograd_tracking: bool = False) -> Any:
    """``(func, params, buffers)``: ``func(params, buffers, *args)``."""
    return FunctionalModuleWithBuffers._create_from(model, disable_autograd_tracking)


def combine_state_for_ensemble(models: Any) -> Any:
    """``(func, params, buffers)`` with each parameter and buffer stacked over ``models`` (for
    ``vmap(func, (0, 0, None))``)."""
    from .._ops.shape import stack
    if len(models) == 0:
        raise RuntimeError("combine_state_for_ensemble: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("combine_state_for_ensemble: Expected all models to have the same "
                           "training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("combine_state_for_ensemble: Expected all models to be of the same "
                           "class.")
    funcs, params, buffers = zip(*[make_functional_with_buffers(m) for m in models])
    return (funcs[0], tuple(stack(s).detach() for s in zip(*params)),
            tuple(stack(s).detach() for s in zip(*buffers)))
