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
