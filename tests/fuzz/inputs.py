"""Drawing cases: the ``Builder`` turns hypothesis draws into case source (see runner.py).

Every input is a NumPy literal turned into a tensor by ``lib.tensor`` (bit-identical in both
libraries), optionally seen through a view (transposed, stepped slice, expanded) so that ops
also meet non-contiguous inputs.  Shapes include 0-d, size-1 and 0-size dims; values include
0, -0, +-inf, nan, the largest and smallest normal and subnormal floats and the integer
extremes.  Hypothesis shrinks every choice towards the first alternative: float32, the
smallest shape, plain small values, contiguous, no requires_grad.
"""
from __future__ import annotations

import functools
import math
import re

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOATS = ("float32", "float64", "float16")
INTS = ("int64", "int32", "int16", "int8", "uint8")
DTYPES = FLOATS + INTS + ("bool",)
UNIQUE_OK = FLOATS + ("int64", "int32", "int16")   # enough distinct values for unique=True
_WIDTH = {"float16": 16, "float32": 32, "float64": 64}

# value profiles (see Builder.tensor): which magnitudes an array may hold
#   full:  everything, up to the dtype's max (overflow, inf - inf, ...)
#   tame:  |x| <= 8 plus 0, -0, +-inf, nan, tiny and subnormal values: for sums and products,
#          whose results with huge finite inputs depend on the summation order (see compare.Tol)
#   small: |x| <= 2 plus the same specials: products of many terms (prod, cumprod, pow)
#   cast:  finite, in [0, 100]: float -> int conversions of nan/inf/out-of-range values are
#          undefined behaviour in C++, so torch's result there is not a spec
#   nonan: tame without nan/inf (index-like data, losses that need finite targets)
PROFILES = ("full", "tame", "small", "cast", "nonan")


def _lit(x) -> str:
    if isinstance(x, float):
        return repr(x)  # 'nan', 'inf', '-0.0' (the runner and reproducers define nan/inf)
    return repr(x)


def np_literal(arr: np.ndarray) -> str:
    """Source of a NumPy expression that rebuilds ``arr`` exactly."""
    dt = arr.dtype.name
    if arr.ndim == 0:
        return f"np.array({_lit(arr.item())}, dtype='{dt}')"
    items = ", ".join(_lit(x) for x in arr.ravel().tolist())
    s = f"np.array([{items}], dtype='{dt}')"
    if arr.ndim != 1:
        s += f".reshape({tuple(int(d) for d in arr.shape)})"
    return s


def _float_specials(dtype, profile):
    fi = np.finfo(dtype)
    sub = float(fi.smallest_subnormal)
    out = [-0.0, math.inf, -math.inf, math.nan, float(fi.tiny), sub, -sub]
    if profile == "full":
        big = float(fi.max)
        out += [big, -big, float(np.asarray(big / 3, dtype)), 2.0 ** (fi.maxexp // 2), 1e4]
    if profile == "nonan":
        out = [-0.0, float(fi.tiny), sub, -sub]
    return out


@functools.lru_cache(maxsize=None)
def float_elements(dtype, profile, edgy):
    w = _WIDTH[dtype]
    hi = {"small": 2.0, "cast": 100.0}.get(profile, 8.0 if profile != "full" else 16.0)
    lo = 0.0 if profile == "cast" else -hi
    nice = st.one_of(st.integers(int(lo), int(hi)).map(float),
                     st.floats(lo, hi, width=w, allow_subnormal=False))
    if not edgy or profile == "cast":
        return nice
    specials = [float(np.asarray(v, dtype)) for v in _float_specials(dtype, profile)]
    return st.one_of(nice, st.sampled_from(specials))


@functools.lru_cache(maxsize=None)
def int_elements(dtype, edgy, no_min=False):
    ii = np.iinfo(dtype)
    lo, hi = max(-3, int(ii.min)), min(5, int(ii.max))
    nice = st.integers(lo, hi)
    if not edgy:
        return nice
    extremes = [int(ii.min), int(ii.max), int(ii.min) + 1, int(ii.max) - 1]
    if no_min:  # torch dies of SIGFPE on INT_MIN / -1 in integer division
        extremes = [v for v in extremes if v != ii.min]
    return st.one_of(nice, st.sampled_from(extremes), st.integers(int(ii.min) + 1, int(ii.max)))


# one dim: mostly 1-3, sometimes 0 (empty), sometimes 4-5
SIDE = st.one_of(st.integers(1, 3), st.just(0), st.integers(4, 5))


@functools.lru_cache(maxsize=None)
def _ints(lo, hi):
    return st.integers(lo, hi)


_SAMPLED: dict = {}


def _sampled(options: tuple):
    """sampled_from, cached by repr (1, 1.0 and True are equal as keys, not as options)."""
    key = repr(options)
    if key not in _SAMPLED:
        _SAMPLED[key] = st.sampled_from(options)
    return _SAMPLED[key]


@functools.lru_cache(maxsize=None)
def _arrays(dtype, shape, elements, unique=False):
    return hnp.arrays(np.dtype(dtype), shape, elements=elements, fill=st.nothing(),
                      unique=unique)


@functools.lru_cache(maxsize=None)
def _prefer(prefer, allowed):
    return st.one_of(st.sampled_from(prefer), st.sampled_from(allowed))


_BOOLS = st.booleans()


_S_INTS = st.one_of(st.integers(-3, 5), st.sampled_from([255, 256, -129, 2 ** 31, -2 ** 31 - 1,
                                                       2 ** 62]))
_S_FLOATS = st.one_of(st.integers(-8, 8).map(lambda i: i / 2),
                      st.sampled_from([0.1, -0.0, math.inf, -math.inf, math.nan, 1e300, 1e-300,
                                       1e-40, 7e4]))
_SCALARS = {"int": _S_INTS, "float": _S_FLOATS, "bool": _BOOLS,
            "any": st.one_of(_S_INTS, _S_FLOATS, _BOOLS), "num": st.one_of(_S_INTS, _S_FLOATS)}


class Builder:
    """Collects the source lines of one case while drawing its inputs."""

    def __init__(self, draw, op):
        self.draw = draw
        self.op = op
        self.lines: list[str] = []
        self.leaves: list[str] = []
        self.label = None   # the function actually called, when the op draws among several
        self._names = iter("abcdefghijkmnpqrstuvwxyz")

    # ---------------------------------------------------------------- plain draws
    def __call__(self, strategy):
        return self.draw(strategy)

    def rarely(self, one_in=8) -> bool:
        return self.draw(_ints(0, one_in - 1)) == one_in - 1

    def often(self, one_in=4) -> bool:
        """True except one time in ``one_in``; shrinks to True."""
        return self.draw(_ints(0, one_in - 1)) != one_in - 1

    def choice(self, options):
        return self.draw(_sampled(tuple(options)))

    def int(self, lo, hi) -> int:
        return self.draw(_ints(lo, hi))

    def name(self) -> str:
        return next(self._names)

    def stmt(self, line: str):
        self.lines.append(line)

    # ---------------------------------------------------------------- shapes and dims
    def shape(self, min_dims=0, max_dims=4, max_numel=48, min_side=0) -> tuple:
        nd = self.int(min_dims, max_dims)
        dims = []
        for _ in range(nd):
            d = self.draw(SIDE)
            if d < min_side:
                d = min_side
            if math.prod(dims) * d > max_numel:
                d = min(d, 1) if min_side <= 1 else min_side
            dims.append(d)
        return tuple(dims)

    def broadcast_shapes(self, k=2, max_dims=4, mismatch=True) -> list[tuple]:
        """``k`` shapes that broadcast together (sometimes, when ``mismatch``, ones that do
        not: torch must raise and so must ember)."""
        full = self.shape(max_dims=max_dims)
        out = []
        for _ in range(k):
            drop = self.int(0, len(full))
            s = list(full[drop:])
            for i in range(len(s)):
                if self.rarely(3):
                    s[i] = 1
            out.append(tuple(s))
        if mismatch and self.rarely(12):
            j = self.int(0, k - 1)
            s = list(out[j])
            if s:
                i = self.int(0, len(s) - 1)
                s[i] = s[i] + 2 if s[i] != 1 else 3
                out[j] = tuple(s)
        return out

    def dim(self, ndim, bad=True) -> int:
        """A dim index valid for ``ndim`` (0-d tensors accept 0 and -1), rarely one out of range."""
        n = max(ndim, 1)
        if bad and self.rarely(16):
            return self.choice([n, -n - 1])
        return self.int(-n, n - 1)

    def dims(self, ndim) -> tuple:
        """A tuple of distinct dims (possibly empty, possibly negative)."""
        n = max(ndim, 1)
        picks = self.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
        return tuple(p - n if self.rarely(3) else p for p in picks)

    # ---------------------------------------------------------------- dtypes and values
    def dtype(self, allowed=DTYPES, prefer=None) -> str:
        """A dtype from ``allowed``; with ``prefer``, half of the draws come from it."""
        if prefer is not None:
            return self.draw(_prefer(tuple(prefer), tuple(allowed)))
        return self.choice(allowed)

    def array(self, shape, dtype, profile="full", no_int_min=False, unique=False) -> np.ndarray:
        edgy = self.rarely(4) if profile not in ("cast",) else False
        if unique:  # enough distinct values, no nan (nan ties are unordered too)
            el = float_elements(dtype, "nonan", edgy) if dtype in FLOATS else \
                _ints(int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
        elif dtype == "bool":
            el = _BOOLS
        elif dtype in FLOATS:
            el = float_elements(dtype, profile, edgy)
        else:
            if profile == "cast":
                el = _ints(0, 100)
            else:
                el = int_elements(dtype, edgy, no_min=no_int_min)
        return self.draw(_arrays(dtype, tuple(shape), el, unique))

    # ---------------------------------------------------------------- tensors
    def tensor(self, shape=None, dtype=None, *, grad=None, layout=True, profile=None,
               no_int_min=False, name=None, values=None, unique=False) -> str:
        """Draw a tensor input, emit its source and return its variable name.

        ``grad``: None draws requires_grad (float dtypes, differentiable ops only), or bool.
        ``layout``: allow non-contiguous views (transposed, stepped slice, expanded).
        ``values``: a fixed NumPy array instead of drawn values (the table family).
        ``unique``: no two elements equal (ops whose index results are unspecified among
        ties: topk, kthvalue, median, unstable sort); needs a non-bool dtype."""
        if shape is None:
            shape = self.shape() if values is None else values.shape
        shape = tuple(shape)
        if dtype is None:
            dtype = self.dtype() if values is None else values.dtype.name
        profile = profile or getattr(self.op, "values", "full")
        name = name or self.name()
        if grad is None:
            grad = dtype in FLOATS and self.op.grad and self.often()
        grad = bool(grad) and dtype in FLOATS
        kinds = ["contig", "permute", "step"] + ([] if unique else ["expand"])
        kind = self.choice(kinds) if layout and shape else "contig"
        base_shape, view = self._layout(kind, shape)
        if values is not None:
            arr = np.asarray(values, dtype=dtype)
            if view is not None:  # keep the given values: lay them out through the view
                arr = self._fill_base(arr, kind, base_shape, view, shape)
        else:
            arr = self.array(base_shape, dtype, profile, no_int_min, unique)
        src = f"lib.tensor({np_literal(arr)}" + (", requires_grad=True)" if grad else ")")
        if view is None:
            self.stmt(f"{name} = {src}")
            if grad:
                self.leaves.append(name)
        else:
            self.stmt(f"{name}0 = {src}")
            self.stmt(f"{name} = {name}0{view}")
            if grad:
                self.leaves.append(name + "0")
        return name

    def _layout(self, kind, shape):
        nd = len(shape)
        if kind == "permute" and nd >= 2:
            perm = list(self.draw(st.permutations(range(nd))))
            if perm == list(range(nd)):
                perm = perm[1:] + perm[:1]
            inv = [perm.index(i) for i in range(nd)]  # base dim i holds result dim perm[i]
            base = tuple(shape[p] for p in perm)
            return base, f".permute{tuple(inv)}"
        if kind == "step":
            base, idx = [], []
            for d in shape:
                step, start = self.int(1, 3), self.int(0, 1)
                if step == 1 and start == 0:
                    base.append(d)
                    idx.append(":")
                else:
                    base.append(start + (d - 1) * step + 1 if d else start)
                    idx.append(f"{start or ''}::{step}" if step > 1 else f"{start}:")
            if all(i == ":" for i in idx):
                return shape, None
            return tuple(base), "[" + ", ".join(idx) + "]"
        if kind == "expand":
            cand = [i for i, d in enumerate(shape) if d != 1]
            if not cand:
                return shape, None
            picks = [i for i in cand if self.often(2)] or cand[:1]
            base = tuple(1 if i in picks else d for i, d in enumerate(shape))
            return base, f".expand{tuple(shape)}"
        return shape, None

    def _fill_base(self, arr, kind, base_shape, view, shape):
        """A base array whose view equals ``arr`` (for fixed sample values)."""
        if kind == "permute":
            inv = [int(i) for i in re.findall(r"\d+", view)]
            return np.ascontiguousarray(np.transpose(arr, [inv.index(i) for i in range(len(inv))]))
        if kind == "step":
            base = np.zeros(base_shape, arr.dtype)
            exec(f"base{view} = arr", {"base": base, "arr": arr})  # noqa: S102
            return base
        # expand: the fixed values are not constant along the expanded dims: keep one slice
        idx = tuple(slice(0, 1) if b == 1 and s != 1 else slice(None)
                    for b, s in zip(base_shape, shape))
        return np.ascontiguousarray(arr[idx])

    def index_tensor(self, shape, high, low=None, dtype="int64", name=None) -> str:
        """An integer tensor of indices in [low, high) (default: also negative ones)."""
        low = -high if low is None else low
        name = name or self.name()
        if high <= low:
            arr = np.zeros(shape, dtype)
            if arr.size:  # no valid index: the op must raise (and does in torch)
                arr[...] = high
        else:
            arr = self.draw(_arrays(dtype, tuple(shape), _ints(low, high - 1)))
        self.stmt(f"{name} = lib.tensor({np_literal(arr)})")
        return name

    def mask(self, shape, name=None) -> str:
        name = name or self.name()
        arr = self.draw(_arrays("bool", tuple(shape), _BOOLS))
        self.stmt(f"{name} = lib.tensor({np_literal(arr)})")
        return name

    # ---------------------------------------------------------------- Python scalars
    def scalar(self, kind="any") -> str:
        """A Python scalar literal: small ints/floats, bools, and edge values (ints beyond
        int32/uint8, inf, nan, huge and tiny floats)."""
        return repr(self.draw(_SCALARS[kind]))

    # ---------------------------------------------------------------- the case
    def code(self, expr: str) -> str:
        return "\n".join(self.lines + [f"out = {expr}",
                                       "leaves = [" + ", ".join(self.leaves) + "]"]) + "\n"
