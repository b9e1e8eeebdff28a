"""DataPipe metaclasses and type helpers, as torch's ``datapipes/_typing.py``: ``issubtype`` /
``issubinstance`` check types and values against type hints (unions, type variables, generic
containers); ``__iter__`` of every IterDataPipe class is hooked (``_hook_iterator``: one valid
iterator per DataPipe, ``reset`` on a new one)."""
from __future__ import annotations

import numbers
from typing import Any, Generic, TypeVar, Union, get_args

from ._hook_iterator import hook_iterator


class Integer(numbers.Integral):
    """``int`` as the abstract integer type (a ``bool`` is no subtype of it)."""


class Boolean(numbers.Integral):
    """``bool`` as its own abstract type."""


TYPE2ABC = {bool: Boolean, int: Integer, float: numbers.Real, complex: numbers.Complex,
            dict: dict, list: list, set: set, tuple: tuple, None: type(None)}


def _type_repr(obj: Any) -> str:
    if isinstance(obj, type) and obj.__module__ != "typing":
        if obj.__module__ == "builtins":
            return obj.__qualname__
        return f"{obj.__module__}.{obj.__qualname__}"
    if obj is ...:
        return "..."
    if isinstance(obj, type(_type_repr)):
        return obj.__name__
    return repr(obj)


def _decompose_type(t: Any, to_list: bool = True) -> Any:
    if isinstance(t, TypeVar):
        ts = [t.__bound__] if t.__bound__ is not None else list(t.__constraints__)
    elif getattr(t, "__origin__", None) == Union:
        ts = list(get_args(t))
    else:
        if not to_list:
            return None
        ts = [t]
    return [TYPE2ABC.get(x, x) for x in ts]


def issubtype(left: Any, right: Any, recursive: bool = True) -> bool:
    """Whether type ``left`` is a subtype of type ``right`` (unions and bounded type variables
    expanded: every variant of ``left`` must fit one constraint of ``right``)."""
    left = TYPE2ABC.get(left, left)
    right = TYPE2ABC.get(right, right)
    if right is Any or left == right:
        return True
    if getattr(right, "__origin__", None) is Generic:
        return True
    if right is type(None):
        return False
    constraints = _decompose_type(right)
    if len(constraints) == 0 or Any in constraints:
        return True
    if left is Any:
        return False
    variants = _decompose_type(left)
    if len(variants) == 0:
        return False
    return all(_issubtype_with_constraints(v, constraints, recursive) for v in variants)


def _issubtype_with_constraints(variant: Any, constraints: list[Any], recursive: bool) -> bool:
    if variant in constraints:
        return True
    vs = _decompose_type(variant, to_list=False)
    if vs is not None:
        return all(_issubtype_with_constraints(v, constraints, recursive) for v in vs)
    if getattr(variant, "__origin__", None) is not None:
        v_origin, v_args = variant.__origin__, get_args(variant) or None
    else:
        v_origin, v_args = variant, None
    for constraint in constraints:
        cs = _decompose_type(constraint, to_list=False)
        if cs is not None:
            if _issubtype_with_constraints(variant, cs, recursive):
                return True
        elif getattr(constraint, "__origin__", None) is not None:
            if v_origin == constraint.__origin__:
                if not recursive:
                    return True
                c_args = get_args(constraint) or None
                if not c_args:
                    return True
                if v_args is not None and len(v_args) == len(c_args) and all(
                        issubtype(a, b) for a, b in zip(v_args, c_args)):
                    return True
        elif v_origin == constraint or (isinstance(v_origin, type) and isinstance(
                constraint, type) and issubclass(v_origin, constraint)):
            return True
    return False


def issubinstance(data: Any, data_type: Any) -> bool:
    """Whether the value ``data`` fits the type hint ``data_type`` (element by element for
    tuples, lists, sets and dicts)."""
    if not issubtype(type(data), data_type, recursive=False):
        return False
    dt_args = get_args(data_type) or None
    if isinstance(data, tuple):
        if not dt_args:
            return True
        if len(dt_args) != len(data):
            return False
        return all(issubinstance(d, t) for d, t in zip(data, dt_args))
    if isinstance(data, (list, set)):
        if not dt_args:
            return True
        return all(issubinstance(d, dt_args[0]) for d in data)
    if isinstance(data, dict):
        if not dt_args:
            return True
        kt, vt = dt_args
        return all(issubinstance(k, kt) and issubinstance(v, vt) for k, v in data.items())
    return True


class _DataPipeType:
    """The type hint a DataPipe class carries (``param``)."""

    def __init__(self, param: Any) -> None:
        self.param = param

    def __repr__(self) -> str:
        return _type_repr(self.param)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _DataPipeType):
            return self.param == other.param
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.param)

    def issubtype(self, other: Any) -> bool:
        """Whether this hint is a subtype of ``other`` (a _DataPipeType or a type)."""
        if getattr(getattr(other, "param", None), "__origin__", None) is Generic:
            return True
        if isinstance(other, _DataPipeType):
            return issubtype(self.param, other.param)
        if isinstance(other, type):
            return issubtype(self.param, other)
        raise TypeError(f"Expected '_DataPipeType' or 'type', but found {type(other)}")

    def issubtype_of_instance(self, other: Any) -> bool:
        """Whether the value ``other`` fits this hint."""
        return issubinstance(other, self.param)


class _DataPipeMeta(type):
    """Metaclass of DataPipes. torch 2.13 keeps its DataPipe type system switched off (its
    metaclass adds no ``type`` attribute and ``DataPipe[T]`` is the plain generic alias), so
    this one adds nothing either: ``runtime_validation`` then fails on the missing ``type``
    and ``argument_validation`` only checks that an argument annotated ``IterDataPipe`` is
    one, exactly as torch does."""


class _IterDataPipeMeta(_DataPipeMeta):
    """Metaclass of IterDataPipes: every class's own ``__iter__`` is hooked."""

    def __new__(mcs, name, bases, namespace, **kwargs):
        if "__iter__" in namespace:
            hook_iterator(namespace)
        return super().__new__(mcs, name, bases, namespace, **kwargs)
