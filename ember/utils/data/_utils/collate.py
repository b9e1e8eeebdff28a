"""Default collation: a list of samples -> one batch (torch.utils.data._utils.collate).

Both ``default_collate`` and ``default_convert`` walk nested containers with an explicit
stack (no recursion), so deeply nested samples cannot overflow Python's stack."""

from __future__ import annotations

import collections.abc
import copy
import re
from typing import Callable

import numpy as np

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}"
)

_LEAF, _NODE = 0, 1


class _Frame:
    __slots__ = ("results", "combine", "parent", "slot", "remaining")

    def __init__(self, n, combine, parent, slot):
        self.results = [None] * n
        self.combine = combine
        self.parent = parent
        self.slot = slot
        self.remaining = n


def _tree_map(item, expand):
    """Bottom-up map over a tree without recursion.

    ``expand(x)`` returns ``(_LEAF, value)`` or ``(_NODE, children, combine)``; a node's value
    is ``combine(list of its children's values)``."""
    root = _Frame(1, lambda r: r[0], None, 0)
    todo = [(item, root, 0)]
    while todo:
        x, frame, slot = todo.pop()
        step = expand(x)
        if step[0] == _NODE and step[1]:
            children, combine = step[1], step[2]
            child = _Frame(len(children), combine, frame, slot)
            todo.extend((children[i], child, i) for i in range(len(children) - 1, -1, -1))
            continue
        value = step[1] if step[0] == _LEAF else step[2]([])
        # deliver the value, then close every frame it completes
        while True:
            frame.results[slot] = value
            frame.remaining -= 1
            if frame.remaining:
                break
            value = frame.combine(frame.results)
            if frame.parent is None:
                return value
            frame, slot = frame.parent, frame.slot
    raise AssertionError("unreachable")


def _rebuild_mapping(template, keys):
    """A function making a mapping like ``template`` with ``keys`` -> collated values."""
    elem_type = type(template)

    def combine(values):
        pairs = dict(zip(keys, values))
        try:
            if isinstance(template, collections.abc.MutableMapping):
                clone = copy.copy(template)  # keeps extra attributes of dict subclasses
                clone.update(pairs)
                return clone
            return elem_type(pairs)
        except TypeError:
            return pairs

    return combine


def _rebuild_sequence(template):
    elem_type = type(template)

    def combine(values):
        try:
            if isinstance(template, collections.abc.MutableSequence):
                clone = copy.copy(template)
                for i, v in enumerate(values):
                    clone[i] = v
                return clone
            return elem_type(values)
        except TypeError:
            return list(values)

    return combine


def _namedtuple_builder(elem_type):
    return lambda values: elem_type(*values)


# --- collate ----------------------------------------------------------------------------


def collate_tensor_fn(batch, *, collate_fn_map=None):
    import ember

    return ember.stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    import ember

    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return ember.stack([ember.as_tensor(b) for b in batch], 0)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    import ember

    return ember.as_tensor(np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    import ember

    return ember.as_tensor(np.array(batch, dtype=np.float64))


def collate_int_fn(batch, *, collate_fn_map=None):
    import ember

    # ints (and bools) stay as torch.tensor would type them: int64, bool, or the default
    # float dtype when a later sample is a float
    return ember.tensor(list(batch))


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict = {
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}
"""type -> ``fn(batch, *, collate_fn_map)``. ember Tensors are stacked by ``collate`` itself
(ember is imported lazily), unless the map names ``ember.Tensor``."""


def _lookup(elem, collate_fn_map):
    if collate_fn_map is None:
        return None
    elem_type = type(elem)
    if elem_type in collate_fn_map:
        return collate_fn_map[elem_type]
    for key, fn in collate_fn_map.items():
        if isinstance(elem, key):
            return fn
    return None


def _collate_step(batch, collate_fn_map):
    import ember

    elem = batch[0]
    fn = _lookup(elem, collate_fn_map)
    if fn is not None:
        return (_LEAF, fn(batch, collate_fn_map=collate_fn_map))
    if isinstance(elem, ember.Tensor):
        return (_LEAF, collate_tensor_fn(batch, collate_fn_map=collate_fn_map))
    if isinstance(elem, collections.abc.Mapping):
        keys = list(elem)
        children = [[d[key] for d in batch] for key in keys]
        return (_NODE, children, _rebuild_mapping(elem, keys))
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return (_NODE, list(zip(*batch)), _namedtuple_builder(type(elem)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        children = list(zip(*batch))  # tuples, as torch (strings come back as tuples)
        if isinstance(elem, tuple):
            return (_NODE, children, list)  # tuples become lists, as torch
        return (_NODE, children, _rebuild_sequence(elem))
    raise TypeError(default_collate_err_msg_format.format(type(elem)))


def collate(batch, *, collate_fn_map: dict | None = None):
    """Collate ``batch`` (a list of samples) using ``collate_fn_map`` for the leaves and
    recreating mappings, namedtuples and sequences around them."""
    if collate_fn_map is None:
        collate_fn_map = default_collate_fn_map
    return _tree_map(batch, lambda b: _collate_step(b, collate_fn_map))


def default_collate(batch):
    """Stack a list of samples into a batch, like ``torch.utils.data.default_collate``:
    Tensors and NumPy arrays are stacked along a new dim 0, Python floats -> float64 tensor,
    ints -> int64 tensor, NumPy scalars -> tensor of their dtype, strings and bytes -> list;
    dicts, namedtuples and lists are collated field by field (tuples give lists)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)


# --- convert (no batching) ----------------------------------------------------------------


def _convert_step(data):
    import ember

    elem_type = type(data)
    if isinstance(data, ember.Tensor):
        return (_LEAF, data)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_", "bytes_"):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str):
            return (_LEAF, data)
        return (_LEAF, ember.as_tensor(data))
    if isinstance(data, collections.abc.Mapping):
        keys = list(data)
        return (_NODE, [data[k] for k in keys], _rebuild_mapping(data, keys))
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return (_NODE, list(data), _namedtuple_builder(elem_type))
    if isinstance(data, tuple):
        return (_NODE, list(data), list)
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return (_NODE, list(data), _rebuild_sequence(data))
    return (_LEAF, data)


def default_convert(data):
    """Turn NumPy arrays (and NumPy scalars) inside ``data`` into tensors, keeping the
    containers; used when automatic batching is off (``batch_size=None``)."""
    return _tree_map(data, _convert_step)


CollateFn = Callable[[list], object]
