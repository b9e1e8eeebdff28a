"""Random numbers: ember's own streams (NumPy's PCG64), torch's names and distributions.

``manual_seed`` makes runs reproducible; the numbers are not the same bits as PyTorch's.
"""
from __future__ import annotations

import json

from . import _dtype as D
from ._backend import xp
from ._tensor import Tensor, _make

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator", "rand", "randn", "randint", "randperm", "normal", "bernoulli",
           "multinomial", "rand_like", "randn_like", "randint_like", "poisson"]


class Generator:
    """``torch.Generator``: an independent random stream."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = xp.random.Generator(xp.random.PCG64(self._seed))
        self.device = device

    def manual_seed(self, seed):
        seed = int(seed)
        self._seed = seed
        self._rng = xp.random.Generator(xp.random.PCG64(seed & ((1 << 128) - 1)))
        return self

    def seed(self):
        import os
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The stream's state as a uint8 tensor (JSON bytes: safe to load from a file)."""
        raw = json.dumps(self._rng.bit_generator.state).encode()
        return _make(xp.frombuffer(raw, dtype=xp.uint8).copy(), False, None, 0, None)

    def set_state(self, new_state):
        try:
            state = json.loads(new_state._array.astype(xp.uint8).tobytes().decode())
            self._rng.bit_generator.state = state
        except (ValueError, TypeError, KeyError) as e:
            raise RuntimeError(f"Generator.set_state: not a state from get_state() ({e})") \
                from None
        return self


default_generator = Generator()


def _rng(generator):
    return (generator or default_generator)._rng


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)) or \
            len(size) == 1 and hasattr(size[0], "__iter__"):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _fdt(dtype, kernel="check_uniform_bounds"):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if not dt.is_floating_point:
        from ._ops._utils import not_implemented
        raise not_implemented(kernel, dt.np)
    return dt


def _out(arr, requires_grad):
    t = _make(arr, False, None, 0, None)
    if requires_grad:
        t.requires_grad = True
    return t


def sample(kind, shape, npdtype, a, b, generator):
    """Arrays for the in-place fills (uniform_, normal_, ...)."""
    rng = _rng(generator)
    if kind == "uniform":
        return (a + (b - a) * rng.random(shape)).astype(npdtype)
    if kind == "normal":
        return (a + b * rng.standard_normal(shape)).astype(npdtype)
    if kind == "bernoulli":
        p = a._array if isinstance(a, Tensor) else a
        return (rng.random(shape) < p).astype(npdtype)
    if kind == "exponential":
        return rng.exponential(1.0 / a, shape).astype(npdtype)
    if kind == "random":
        hi = b if b is not None else (2 ** 24 if xp.dtype(npdtype).kind == "f" else
                                      xp.iinfo(npdtype).max)
        return rng.integers(a, hi, shape).astype(npdtype)
    raise ValueError(kind)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    dt = _fdt(dtype)
    return _out(_rng(generator).random(_shape(size), dtype=xp.float64).astype(dt.np),
                requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    dt = _fdt(dtype, "normal_kernel_cpu")
    return _out(_rng(generator).standard_normal(_shape(size)).astype(dt.np), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _out(_rng(generator).integers(low, high, tuple(size)).astype(dt.np), requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _out(_rng(generator).permutation(int(n)).astype(dt.np), requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    rng = _rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._array if isinstance(mean, Tensor) else mean
        s = std._array if isinstance(std, Tensor) else std
        shape = xp.broadcast_shapes(xp.shape(m), xp.shape(s))
        dtn = (mean if isinstance(mean, Tensor) else std)._array.dtype
        return _out((m + s * rng.standard_normal(shape)).astype(dtn), requires_grad)
    dt = _fdt(dtype, "normal_kernel_cpu")
    return _out((mean + std * rng.standard_normal(_shape((size,)))).astype(dt.np),
                requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input._array if p is None else xp.full(input._array.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return _out((_rng(generator).random(input._array.shape) < probs).astype(input._array.dtype),
                False)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    w = input._array.astype(xp.float64)
    if (w < 0).any() or not xp.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rng = _rng(generator)
    rows = w.reshape(-1, w.shape[-1])
    res = []
    for r in rows:
        tot = r.sum()
        if tot <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and num_samples > (r > 0).sum():
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        res.append(rng.choice(r.size, size=num_samples, replace=replacement, p=r / tot))
    arr = xp.asarray(res, dtype=xp.int64)
    if w.ndim == 1:
        arr = arr[0]
    return _out(arr, False)


def poisson(input, generator=None):
    return _out(_rng(generator).poisson(input._array).astype(input._array.dtype), False)


def rand_like(input, *, dtype=None, requires_grad=False, **kw):
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **kw):
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, **kw):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype)
