"""Private helpers for the layers' default initialisation (PyTorch's distributions, drawn from
ember's generator so ``manual_seed`` makes them reproducible)."""
from __future__ import annotations

import math

from ..._random import _rng


def uniform_(t, a, b):
    arr = t._array
    arr[...] = _rng(None).uniform(a, b, arr.shape).astype(arr.dtype, copy=False)
    t._vc[0] += 1
    return t


def fill_(t, v):
    t._array[...] = v
    t._vc[0] += 1
    return t


def fan_in(weight_shape):
    """torch's fan_in: size(1) * prod(size(2:))."""
    return weight_shape[1] * math.prod(weight_shape[2:]) if len(weight_shape) > 1 else \
        weight_shape[0]


def kaiming_uniform_a_sqrt5_(w):
    """kaiming_uniform_(w, a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    fi = fan_in(tuple(w.shape))
    bound = 1.0 / math.sqrt(fi) if fi > 0 else 0.0
    return uniform_(w, -bound, bound)


def new_param(shape, dtype=None):
    from ..._creation import empty
    from ..parameter import Parameter
    return Parameter(empty(*shape, dtype=dtype) if shape else empty((), dtype=dtype))
