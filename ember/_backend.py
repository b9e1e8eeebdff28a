"""The array seam.

Every array call in ember's op code goes through ``xp`` (NumPy today).  Backward formulas receive
either ``nx`` (NumPy plus a few helpers that NumPy lacks) in first-order mode, or ember's own
NumPy-named namespace (``ember._ops.gx``) under ``create_graph=True`` so the same formula records
a graph.
"""
from __future__ import annotations

import types

import numpy as xp  # the one place ember names NumPy directly

ndarray = xp.ndarray

__all__ = ["xp", "nx", "ndarray", "asnumpy", "Device", "device"]


def asnumpy(a):
    return a


class Device:
    """``ember.device``: only the CPU exists; CUDA/MPS raise a clear error."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):  # noqa: A002 - torch's name
        if isinstance(type, Device):
            type, index = type.type, type.index
        type = str(type)
        if ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        if type != "cpu":
            raise RuntimeError(
                f"ember runs on the CPU only; device '{type}' is not available "
                "(ember has no CUDA/MPS backend)")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = Device(other)
        return isinstance(other, Device) and other.type == self.type

    def __hash__(self):
        return hash(self.type)


device = Device
CPU = Device("cpu")


def _sum_to(g, shape, ns):
    """Reduce a broadcast gradient back to ``shape`` (Chainer's sum_to).  Leading axes are
    summed away without keepdims, so the result is a fresh array, not a reshaped view."""
    gshape = g.shape
    lead = len(gshape) - len(shape)
    red = xp.add.reduce if g.__class__ is ndarray else ns.sum  # (add.reduce: no dispatch layer)
    if lead:
        g = red(g, axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = red(g, axis=axes, keepdims=True)
    return g


def _add_at(shape, index, g, dtype=None):
    """zeros(shape) with ``g`` added at ``index`` (duplicates accumulate): index backward."""
    out = xp.zeros(shape, dtype=g.dtype if dtype is None else dtype)
    xp.add.at(out, index, g)
    return out


def _put_at(shape, index, g):
    """zeros(shape) with ``g`` written at a basic (view) ``index``."""
    out = xp.zeros(shape, dtype=g.dtype)
    out[index] = g
    return out


def _scatter_add_along(shape, index, g, axis):
    """zeros(shape) with g added along ``axis`` at ``index`` (gather backward)."""
    out = xp.zeros(shape, dtype=g.dtype)
    idx = list(xp.ogrid[tuple(slice(0, s) for s in index.shape)])
    idx[axis] = index
    xp.add.at(out, tuple(idx), g)
    return out


# nx: NumPy plus the helpers above, used as ``xp`` by first-order backward formulas.
nx = types.ModuleType("ember._backend.nx")
nx.__dict__.update({k: v for k, v in xp.__dict__.items() if not k.startswith("__")})
nx.sum_to = lambda g, shape: _sum_to(g, shape, xp)
nx.add_at = _add_at
nx.put_at = _put_at
nx.scatter_add_along = _scatter_add_along
nx.graph = False
