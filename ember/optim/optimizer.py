"""Base optimizer (``torch.optim.Optimizer``).

Param groups, lazy per-parameter state, ``zero_grad``, step hooks and ``state_dict`` /
``load_state_dict`` in PyTorch's structure (integer ids for parameters; state tensors such as
``exp_avg``; ``step`` as a 0-d float32 tensor).  The built-in optimizers gather lists of raw
arrays in their ``step`` and hand them to a function that does the math in place on NumPy arrays.
"""
from __future__ import annotations

import functools
import itertools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from copy import deepcopy

from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd import grad_mode
from ..utils.hooks import RemovableHandle
from .._tensor import bump_version

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook",
           "required"]

if TYPE_CHECKING:
    from typing import TypeAlias, TypeVar

    # torch.optim.optimizer.ParamsT: tensors, param-group dicts or (name, tensor) pairs
    ParamsT: TypeAlias = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]
    _T = TypeVar("_T")  # what a step's closure returns (the loss), and so what step returns

_global_optimizer_pre_hooks: OrderedDict = OrderedDict()
_global_optimizer_post_hooks: OrderedDict = OrderedDict()


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Register a pre hook common to all optimizers: ``hook(optimizer, args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Register a post hook common to all optimizers: ``hook(optimizer, args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


# ---------------------------------------------------------------- helpers for the optimizers
def _to_scalar(x):
    """A hyperparameter as a Python number (a 1-element Tensor gives its value)."""
    if isinstance(x, Tensor):
        return x._array.reshape(()).item()
    if isinstance(x, xp.generic):  # a NumPy scalar would promote float32 math to float64
        return x.item()
    return x


def _scalar_np_dtype():
    return xp.float64 if D.get_default_dtype() is D.float64 else xp.float32


def _new_step(value=0.0) -> Tensor:
    """The ``step`` counter: a 0-d float32 tensor (float64 under a float64 default dtype)."""
    return _make(xp.array(value, dtype=_scalar_np_dtype()), False, None, 0, None)


def _zeros_like(p) -> Tensor:
    return _make(xp.zeros_like(p._array), False, None, 0, None)


def _full_like(p, value) -> Tensor:
    return _make(xp.full_like(p._array, value), False, None, 0, None)


def _step_array(state):
    """The ndarray of ``state['step']``, converting an old-style number into a tensor."""
    s = state["step"]
    if not isinstance(s, Tensor):
        s = state["step"] = _new_step(float(s))
    return s._array


def _check_differentiable(differentiable):
    if differentiable:
        raise NotImplementedError("ember optimizers do not support differentiable=True")


def _use_grad(func):
    """Run a built-in optimizer's ``step`` under no_grad (the closure re-enables grad)."""

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        prev = grad_mode.is_grad_enabled()
        grad_mode._state.enabled = False
        try:
            return func(self, *args, **kwargs)
        finally:
            grad_mode._state.enabled = prev

    return wrapper


def _run_closure(closure):
    if closure is None:
        return None
    with grad_mode.enable_grad():
        return closure()


def _hook_step(func):
    """Wrap a ``step`` so that the global and per-instance step hooks run around it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        self = args[0]
        for pre_hook in itertools.chain(_global_optimizer_pre_hooks.values(),
                                        self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{func} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
        out = func(*args, **kwargs)
        for post_hook in itertools.chain(self._optimizer_step_post_hooks.values(),
                                         _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    mod = type(obj).__module__
    name = type(obj).__qualname__
    return name if mod in ("builtins", None) else f"{mod}.{name}"


class Optimizer:
    r"""Base class for all optimizers.

    Args:
        params (iterable): an iterable of :class:`ember.Tensor` s or :class:`dict` s.
        defaults (dict): default values of optimization options (used when a parameter group
            doesn't specify them).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hook_step(step)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state: defaultdict[Any, dict] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups: list[Any] = list(params)  # tensors, dicts or (name, tensor) pairs
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ---------------------------------------------------------------- pickling
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    #: Option defaults a param group gets on unpickling / ``load_state_dict`` when it lacks
    #: them (PyTorch's per-optimizer ``__setstate__`` ``setdefault`` lists), in that order.
    _group_setstate_defaults: dict = {}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        group_defaults = self._group_setstate_defaults
        if group_defaults:
            for group in self.param_groups:
                for key, value in group_defaults.items():
                    group.setdefault(key, value)

    def __repr__(self) -> str:
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    # ---------------------------------------------------------------- hooks
    def _register(self, table, hook, prepend=False) -> RemovableHandle:
        handle = RemovableHandle(table)
        table[handle.id] = hook
        if prepend:
            table.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)`` before step."""
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None`` after step."""
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable[..., Any],
                                     prepend: bool = False) -> RemovableHandle:
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable[..., Any],
                                      prepend: bool = False) -> RemovableHandle:
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any],
                                          prepend: bool = False) -> RemovableHandle:
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any],
                                           prepend: bool = False) -> RemovableHandle:
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---------------------------------------------------------------- state dict
    def state_dict(self) -> dict[str, Any]:
        """The optimizer state as ``{'state': {id: {...}}, 'param_groups': [...]}``."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups,
                                                 key=None):
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                value = value.to(dtype=D.float32)
        elif param.is_floating_point():
            value = value.to(dtype=param.dtype)
        if not value._array.flags.writeable:  # e.g. a tensor over a read-only buffer
            value = _make(value._array.copy(), False, None, 0, None)
        return value

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load an optimizer state (as returned by :meth:`state_dict`, here or in PyTorch)."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))
        saved_pg = state_dict["param_groups"]

        def cast(param, value, param_id, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, saved_pg, key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state: defaultdict[Any, dict] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ---------------------------------------------------------------- grads and groups
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g._requires_grad = False
                a = g._array
                if a.flags.writeable:
                    a[...] = 0
                else:
                    g._array = xp.zeros_like(a)
                bump_version(g)

    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        raise NotImplementedError

    def _gather(self, group, keys, init=None):
        """The lists a built-in optimizer's math function takes, for the params of ``group``
        that have a gradient: ``(params, arrays, grads, columns, steps)`` where ``arrays`` and
        ``grads`` are the raw ndarrays of the params and their grads, ``columns[i]`` lists the
        ndarray of ``state[keys[i]]`` per param, and ``steps`` the ``state['step']`` arrays.

        A param with an empty state gets it first: ``init(state, p, group)``, or by default a
        new ``step`` and a zero tensor like ``p`` for each of ``keys``, in that order.
        """
        state_of = self.state
        params, arrays, grads, states = [], [], [], []
        for p in group["params"]:
            g = p._grad
            if g is not None:
                state = state_of[p]
                if not state:
                    if init is None:
                        state["step"] = _new_step()
                        for key in keys:
                            state[key] = _zeros_like(p)
                    else:
                        init(state, p, group)
                params.append(p)
                arrays.append(p._array)
                grads.append(g._array)
                states.append(state)
        try:
            steps = [s["step"]._array for s in states]
        except AttributeError:  # an old-style number: ``_step_array`` makes it a tensor
            steps = [_step_array(s) for s in states]
        return params, arrays, grads, [[s[key]._array for s in states] for key in keys], steps

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a param group to the optimizer's ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = {id(p) for p in tensors}
        if len(ids) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)
