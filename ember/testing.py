"""``ember.testing.assert_close``: torch.testing.assert_close's checks, tolerances and messages."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ._backend import xp
from ._tensor import Tensor

__all__ = ["assert_close"]

# torch's default (rtol, atol) per dtype; integer and bool dtypes compare exactly
_TOLS = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
         "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}


class _Fail(Exception):
    def __init__(self, msg, exc=AssertionError):
        super().__init__(msg)
        self.exc = exc


def _tols(name, rtol, atol):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    return _TOLS.get(name, (0.0, 0.0))


def _mismatch_msg(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def line(kind, diff, idx, tol):
        m = (f"{kind.title()} difference: {diff}" if idx is None else
             f"Greatest {kind} difference: {diff} at index {idx}")
        return m + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None,
                         atol, rel_diff, None, rtol)


def _close_mask(a, e, rtol, atol, equal_nan):
    if a.dtype.kind == "b":
        return a == e
    with xp.errstate(invalid="ignore", over="ignore"):
        return xp.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)


def _compare_numbers(a, e, rtol, atol, equal_nan, check_dtype):
    if isinstance(a, bool) or isinstance(e, bool):
        if a is not e and a != e:
            raise _Fail(f"Booleans mismatch: {a} is not {e}")
        return
    if check_dtype and type(a) is not type(e):
        raise _Fail(f"The (d)types do not match: {type(a)} != {type(e)}.")
    name = "float64" if isinstance(a, float) or isinstance(e, float) else \
        "complex128" if isinstance(a, complex) or isinstance(e, complex) else "int64"
    rtol, atol = _tols(name, rtol, atol)
    if a == e or (equal_nan and a != a and e != e):
        return
    if abs(a - e) <= atol + rtol * abs(e):
        return
    raise _Fail(_scalar_msg(a, e, rtol, atol))


def _compare_tensors(at, et, rtol, atol, equal_nan, check_dtype):
    a, e = at._array, et._array
    if a.shape != e.shape:
        raise _Fail(f"The values for attribute 'shape' do not match: {at.shape} != {et.shape}.")
    if a.dtype != e.dtype:
        if check_dtype:
            raise _Fail(f"The values for attribute 'dtype' do not match: {at.dtype} != "
                        f"{et.dtype}.")
        from ._dtype import promote_types
        dt = promote_types(at.dtype, et.dtype)
        a, e = at.to(dt)._array, et.to(dt)._array
    rtol, atol = _tols(a.dtype.name, rtol, atol)
    matches = _close_mask(a, e, rtol, atol, equal_nan)
    if bool(matches.all()):
        return
    if a.ndim == 0:
        raise _Fail(_scalar_msg(a.item(), e.item(), rtol, atol))
    raise _Fail(_tensor_msg(a, e, matches, rtol, atol))


def _tensor_msg(a, e, matches, rtol, atol):
    n = matches.size
    bad = n - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    af, ef, mf = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if af.dtype.kind not in "fc":
        af, ef = af.astype(xp.int64), ef.astype(xp.int64)
    with xp.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = xp.abs(af - ef)
        abs_diff[mf] = 0
        rel_diff = abs_diff / xp.abs(ef)
    rel_diff[mf] = 0
    ia, ir = int(xp.argmax(abs_diff)), int(xp.argmax(rel_diff))

    def idx(k):
        return tuple(int(i) for i in xp.unravel_index(k, a.shape))

    return _mismatch_msg("Tensor-likes", extra, abs_diff[ia].item(), idx(ia), atol,
                         rel_diff[ir].item(), idx(ir), rtol)


def _is_number(x):
    return isinstance(x, (bool, int, float, complex)) or isinstance(x, xp.generic)


def _compare(a, e, rtol, atol, equal_nan, check_dtype):
    """Compare one leaf pair; (sub-pairs, None) for containers."""
    if isinstance(a, Tensor) and isinstance(e, Tensor):
        _compare_tensors(a, e, rtol, atol, equal_nan, check_dtype)
    elif isinstance(a, xp.ndarray) and isinstance(e, xp.ndarray):
        from ._creation import from_numpy
        _compare_tensors(from_numpy(a), from_numpy(e), rtol, atol, equal_nan, check_dtype)
    elif _is_number(a) and _is_number(e) and not isinstance(a, Tensor):
        a = a.item() if isinstance(a, xp.generic) else a
        e = e.item() if isinstance(e, xp.generic) else e
        _compare_numbers(a, e, rtol, atol, equal_nan, check_dtype)
    elif isinstance(a, Mapping) and isinstance(e, Mapping):
        if set(a.keys()) != set(e.keys()):
            raise _Fail(f"The keys of the mappings do not match:\n"
                        f"Missing keys in the actual mapping: {sorted(set(e) - set(a))}\n"
                        f"Extra keys in the actual mapping: {sorted(set(a) - set(e))}")
        return [(k, a[k], e[k]) for k in e.keys()]
    elif (isinstance(a, Sequence) and isinstance(e, Sequence) and not isinstance(a, str)
          and not isinstance(e, str)):
        if len(a) != len(e):
            raise _Fail(f"The length of the sequences mismatch: {len(a)} != {len(e)}")
        return [(i, x, y) for i, (x, y) in enumerate(zip(a, e))]
    else:
        raise _Fail(f"No comparison pair was able to handle inputs of type {type(a)} and "
                    f"{type(e)}.", TypeError)
    return []


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError (torch's message) unless ``actual`` and ``expected`` are close:
    ``|actual - expected| <= atol + rtol * |expected|`` elementwise, with per-dtype defaults."""
    _tols("float32", rtol, atol)  # both-or-neither check up front
    stack = [((), actual, expected)]
    while stack:  # iterative walk over nested sequences/mappings
        path, a, e = stack.pop()
        try:
            subs = _compare(a, e, rtol, atol, equal_nan, check_dtype)
        except _Fail as f:
            text = str(f)
            if path and f.exc is AssertionError:
                text += "\n\nThe failure occurred for item " + "".join(f"[{k!r}]" for k in path)
            if msg is not None and f.exc is AssertionError:
                text = msg(text) if callable(msg) else msg
            raise f.exc(text) from None
        stack.extend((path + (k,), x, y) for k, x, y in reversed(subs))


# issue 13 (infra): make_tensor and the deprecated assert_allclose, as torch.testing has them
__all__ += ["make_tensor", "assert_allclose"]


def _dtype_groups():
    import ember as E
    integral = [E.uint8, E.int8, E.int16, E.int32, E.int64]
    floating = [E.float16, E.float32, E.float64]
    try:
        floating.insert(1, E.bfloat16)
    except (AttributeError, ImportError):  # ml_dtypes absent: no bfloat16
        pass
    return integral, floating, [E.complex64, E.complex128]


def _low_high(dtype, float_like, bool_or_int, low, high, *, lowest_inclusive,
              highest_exclusive, default_low, default_high):
    """make_tensor's checked, clamped ``[low, high)`` (torch's rules and messages)."""
    import math
    import warnings
    low = low if low is not None else default_low
    high = high if high is not None else default_high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low!r} and "
                         f"high={high!r}")
    elif low == high and dtype in float_like:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                      "complex types is deprecated since 2.1 and will be removed in 2.3. "
                      "Use `torch.full(...)` instead.", FutureWarning, stacklevel=4)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest_inclusive or low >= highest_exclusive:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, "
                         f"{high}), but {dtype} only supports [{lowest_inclusive}, "
                         f"{highest_exclusive})")
    low = min(max(low, lowest_inclusive), highest_exclusive)
    high = min(max(high, lowest_inclusive), highest_exclusive)
    if dtype in bool_or_int:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` filled with random values drawn as torch's ``make_tensor``
    draws them (so a seeded ember program gets torch's values): integers uniform in
    ``[low, high)`` (default ``[-9, 10)``), floats and complex parts uniform in ``[low, high)``
    (default ``[-9, 9)``), bools 0/1; ``noncontiguous`` gives a strided view, ``exclude_zero``
    replaces zeros by 1 (integers) or the dtype's ``tiny``."""
    import collections.abc
    import functools

    import ember as E
    integral, floating, complexes = _dtype_groups()
    bool_or_int = [E.bool, *integral]

    def modify_low_high(low, high, **bounds):
        return _low_high(dtype, floating + complexes, bool_or_int, low, high, **bounds)

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous!r} and "
                         f"memory_format={memory_format!r}")
    if requires_grad and dtype in bool_or_int:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={dtype!r}")
    noncontiguous = noncontiguous and functools.reduce(lambda x, y: x * y, shape, 1) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype is E.bool:
        low, high = modify_low_high(low, high, lowest_inclusive=0, highest_exclusive=2,
                                    default_low=0, default_high=2)
        result = E.randint(low, high, shape, dtype=dtype)
    elif dtype in integral:
        info = E.iinfo(dtype)
        low, high = modify_low_high(low, high, lowest_inclusive=info.min,
                                    highest_exclusive=info.max + (dtype is not E.int64),
                                    default_low=-9, default_high=10)
        result = E.randint(low, high, shape, dtype=dtype)
    elif dtype in floating + complexes:
        real = {E.complex64: E.float32, E.complex128: E.float64}.get(dtype, dtype)
        info = E.finfo(dtype)
        low, high = modify_low_high(low, high, lowest_inclusive=info.min,
                                    highest_exclusive=info.max, default_low=-9, default_high=9)
        # complex: the real view (..., 2) is filled, as torch fills view_as_real(result)
        fill = E.empty(*shape, 2, dtype=real) if dtype in complexes else \
            E.empty(*shape, dtype=dtype)
        if high - low >= E.finfo(fill.dtype).max:
            fill.uniform_(low / 2, high / 2).mul_(2)
        else:
            fill.uniform_(low, high)
        result = E.from_numpy(fill.numpy().view(dtype.np).reshape(shape)) \
            if dtype in complexes else fill
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "torch.testing.make_tensor(). To request support, file an issue at: "
                        "https://github.com/pytorch/pytorch/issues")
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if dtype in bool_or_int else E.finfo(dtype).tiny
    if dtype in floating + complexes:
        result.requires_grad = requires_grad
    return result


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated since torch 1.12 (``FutureWarning``): ``assert_close`` without the dtype
    check, with this function's older default tolerances (float32: rtol 1e-4, atol 1e-5)."""
    import warnings

    import ember as E
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be "
                  "removed in a future release. Please use `torch.testing.assert_close()` "
                  "instead. You can find detailed upgrade instructions in "
                  "https://github.com/pytorch/pytorch/issues/61844.", FutureWarning,
                  stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = E.tensor(actual)
    if not isinstance(expected, Tensor):
        expected = E.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        table = {E.float16: (1e-3, 1e-3), E.float32: (1e-4, 1e-5), E.float64: (1e-5, 1e-8)}
        pairs = [table.get(t.dtype, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)
