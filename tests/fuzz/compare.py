"""How an ember result is judged against torch's: the outcome kinds, the float tolerances and
the error classification.  This is the one home of every comparison rule; the CI test and the
long-run CLI both go through ``runner.check``, which calls only what is here.
"""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

import numpy as np

# ------------------------------------------------------------------------------ outcome kinds

KINDS = {
    "match": "match",
    "value": "wrong value",
    "dtype": "wrong dtype (or result type)",
    "shape": "wrong shape (or output structure)",
    "requires_grad": "wrong requires_grad",
    "grad": "wrong grad",
    "grad2": "wrong 2nd-order grad",
    "missing_error": "missing error (torch raised, ember did not)",
    "spurious_error": "spurious error (ember raised, torch did not)",
    "error_class": "error class differs",
    "numpy_leak": "NumPy exception leaked",
}
MISMATCH_KINDS = tuple(k for k in KINDS if k != "match")


@dataclass
class Outcome:
    kind: str                 # a key of KINDS
    detail: str = ""
    stage: str = "forward"    # forward | grad | grad2

    @property
    def ok(self) -> bool:
        return self.kind == "match"

    def __str__(self):
        return f"{KINDS[self.kind]} [{self.stage}]: {self.detail}" if not self.ok else "match"


MATCH = Outcome("match")

# ------------------------------------------------------------------------------ tolerances
#
# Both libraries get bit-identical inputs, so any difference comes from the implementations.
# Base (rtol, atol) per result dtype, for one elementwise function of O(1) inputs:
# - float64: NumPy calls glibc's libm, torch calls Sleef (both <= 1 ulp, ~2.2e-16); composite
#   formulas (logit, softplus, erfinv, ...) add a few ulps.  1e-9 leaves a wide margin over
#   that while still catching a float64 op that computes in float32 (errors ~1e-7).
# - float32: the same reasoning at eps 1.2e-7; ember's erf is documented at ~4e-7 relative
#   (README, "Where ember deliberately differs").  1e-5 is ~80 ulps.
# - float16: eps 9.8e-4.  torch computes half ops in float32 and rounds once; NumPy's float16
#   loops do the same for most ufuncs but ember's composite formulas round between steps, so
#   a few ulps apart is normal: 1e-2 (~10 ulps) and an absolute 1e-3 near zero.
# The absolute term also absorbs results that are ~0 by cancellation (sin(pi), x - x*1).
BASE_TOL = {
    "float64": (1e-9, 1e-12),
    "float32": (1e-5, 1e-6),
    "float16": (1e-2, 1e-3),
}


@dataclass(frozen=True)
class Tol:
    """How an op's float results may differ between two correct implementations.

    ``deg`` 0: each output element is a function of O(1) input elements (elementwise ops);
    ``deg`` k >= 1: an output is a sum of up to n terms, each a product of k inputs (sum: 1,
    matmul/var: 2).  Summation order differs between NumPy (pairwise) and torch (vectorised
    lanes), so the error bound of a sum applies: ``n * eps * max|term|``; we take
    ``rtol * n * S**deg`` with S the largest finite input magnitude (at least 1) and n the
    largest input numel.  ``scale`` widens both terms for ops whose formula is long (losses,
    normalisation, interpolation).  ``exact``: results are copies of input elements (shape
    ops, indexing, min/max, sort): no tolerance at all, but nan positions still compared."""
    deg: int = 0
    scale: float = 1.0
    exact: bool = False

    def bounds(self, dtype: str, n: int, S: float, extra_deg: int = 0):
        if self.exact and not extra_deg:
            return 0.0, 0.0
        rtol, atol = BASE_TOL[dtype]
        deg = self.deg + extra_deg
        rtol, atol = rtol * self.scale, atol * self.scale
        if deg:
            # gradients (extra_deg > 0) are sums over broadcast/reduced positions too
            atol = atol + rtol * max(n, 1) * min(S, 1e30) ** deg
            rtol = rtol * 4
        return rtol, atol


EXACT = Tol(exact=True)
ELEM = Tol()
ELEM_LOOSE = Tol(scale=10.0)        # composite formulas (gelu, mish, logit, erfinv ...)
ACCUM1 = Tol(deg=1)
ACCUM2 = Tol(deg=2)
ACCUM_LOOSE = Tol(deg=2, scale=10.0)  # losses, normalisation, conv: long formulas of sums

# ------------------------------------------------------------------------------ values


def _fmt(v):
    return repr(v.item() if hasattr(v, "item") else v)


_PRECISION = ("float16", "float32", "float64")


def coarsest(*dtypes) -> str | None:
    """The least precise of these float dtype names (others ignored), or None."""
    found = [d for d in dtypes if d in _PRECISION]
    return min(found, key=_PRECISION.index) if found else None


def compare_arrays(e: np.ndarray, t: np.ndarray, tol: Tol, n: int, S: float,
                   extra_deg: int = 0, floor: str | None = None) -> str | None:
    """None when the values agree, else a one-line description of the first difference.
    Shapes and dtypes are compared by the caller.  ``floor``: a less precise dtype the values
    went through (a gradient of a float32 input flowing back through a float16 result is
    float16 arithmetic): its tolerance applies when coarser than the result's."""
    if e.dtype.kind in "biu" or t.dtype.kind in "biu" or e.size == 0:
        if e.dtype.kind == "f":  # caller reports the dtype; compare what is comparable
            e = e.astype(np.float64)
        if not np.array_equal(e, t):
            idx = tuple(int(i) for i in np.argwhere(e != t)[0])
            return f"at {idx}: ember {_fmt(e[idx])}, torch {_fmt(t[idx])}"
        return None
    dt = coarsest(str(t.dtype), floor) or "float32"
    rtol, atol = tol.bounds(dt, n, S, extra_deg)
    e64, t64 = e.astype(np.float64), t.astype(np.float64)
    if dt == "float16" and tol.deg + extra_deg >= 1:
        # float16 sums, products and gradients: torch accumulates some of them in float16
        # (prod, double backward formulas) and others in float32, NumPy mostly in float32, so
        # an intermediate overflow (inf, then inf - inf = nan) on one side only is a matter of
        # accumulation precision, not a defect: such positions are not compared
        one_sided = np.isfinite(e64) != np.isfinite(t64)
        e64, t64 = np.where(one_sided, 0.0, e64), np.where(one_sided, 0.0, t64)
    en, tn = np.isnan(e64), np.isnan(t64)
    if (en != tn).any():
        idx = tuple(int(i) for i in np.argwhere(en != tn)[0])
        return f"nan mismatch at {idx}: ember {_fmt(e[idx])}, torch {_fmt(t[idx])}"
    ei, ti = np.isinf(e64), np.isinf(t64)
    # an inf against a finite value is tolerated only at the edge of the dtype's range (the
    # finite one within rtol of overflowing: exp(88.72) in float32 rounds either way)
    fmax = float(np.finfo(t.dtype).max)
    edge = (ei ^ ti) & (np.abs(np.where(ei, t64, e64)) >= fmax / (1 + 2 * rtol + 1e-12))
    bad_inf = ((ei | ti) & ~edge & ((ei != ti) | (np.sign(e64) != np.sign(t64))))
    if bad_inf.any():
        idx = tuple(int(i) for i in np.argwhere(bad_inf)[0])
        return f"inf mismatch at {idx}: ember {_fmt(e[idx])}, torch {_fmt(t[idx])}"
    fin = ~(ei | ti | en)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(fin, np.abs(e64 - t64), 0.0)
    bad = diff > atol + rtol * np.abs(np.where(fin, t64, 0.0))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return (f"at {idx}: ember {_fmt(e[idx])}, torch {_fmt(t[idx])} "
                f"(|diff| {diff[idx]:.3g} > atol {atol:.2g} + rtol {rtol:.2g} * |torch|)")
    return None


def _category(x):
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, numbers.Integral):
        return "int"
    if isinstance(x, numbers.Real):
        return "float"
    if isinstance(x, numbers.Complex):
        return "complex"
    if isinstance(x, str):
        return "str"
    if x is None:
        return "None"
    if isinstance(x, tuple):   # torch.Size / ember.Size / plain tuples of ints
        return "tuple"
    if isinstance(x, list):
        return "list"
    return type(x).__name__


def _scalar_equal(e, t):
    if isinstance(t, float) and isinstance(e, numbers.Real):
        return (math.isnan(t) and math.isnan(float(e))) or float(e) == t or \
            abs(float(e) - t) <= 1e-6 * max(abs(t), 1e-30)
    return e == t


def compare_outputs(e_out: list, t_out: list, is_tensor_e, is_tensor_t, to_numpy, tol: Tol,
                    n: int, S: float, *, what: str = "output", extra_deg: int = 0,
                    requires_grad: str = "strict", floor: str | None = None
                    ) -> tuple[str, str] | None:
    """Compare flat lists of results; returns (kind, detail) of the first difference.
    Order of precedence per output: structure/shape, dtype, value, requires_grad.
    ``requires_grad``: "strict" compares it, "lost" flags only ember False where torch is
    True (gradients under create_graph: torch may keep a graph for a constant derivative;
    ember losing a graph torch keeps is what breaks second derivatives), "no" ignores it.
    ``floor``: see compare_arrays."""
    if len(e_out) != len(t_out):
        return "shape", f"{len(e_out)} {what}s, torch {len(t_out)}"
    later = None
    for i, (e, t) in enumerate(zip(e_out, t_out)):
        name = f"{what} {i}" if len(t_out) > 1 else what
        try:
            bad = _compare_one(e, t, name, is_tensor_e, is_tensor_t, to_numpy, tol, n, S,
                               extra_deg, floor)
        except Exception as exc:  # noqa: BLE001 - ember's result object itself is broken
            return "dtype", f"{name}: reading ember's result raised {_exc(exc)}"
        if bad is not None:
            return bad
        if is_tensor_t(t) and later is None and requires_grad != "no":
            er, tr = bool(e.requires_grad), bool(t.requires_grad)
            if er != tr and (requires_grad == "strict" or tr):
                later = ("requires_grad", f"{name}: ember {er}, torch {tr}")
    return later


def _compare_one(e, t, name, is_tensor_e, is_tensor_t, to_numpy, tol, n, S, extra_deg, floor):
    te, tt = is_tensor_e(e), is_tensor_t(t)
    if te != tt:
        return "dtype", f"{name}: ember returned {type(e).__name__}, torch {type(t).__name__}"
    if not tt:
        if t is None or e is None:
            if (e is None) != (t is None):
                return "value", f"{name}: ember {e!r}, torch {t!r}"
            return None
        if _category(e) != _category(t):
            return "dtype", f"{name}: ember {type(e).__name__} {e!r}, torch " \
                            f"{type(t).__name__} {t!r}"
        if _category(t) in ("tuple", "list") and tuple(e) != tuple(t):
            return "shape" if _category(t) == "tuple" else "value", \
                f"{name}: ember {tuple(e)}, torch {tuple(t)}"
        if not _scalar_equal(e, t):
            return "value", f"{name}: ember {e!r}, torch {t!r}"
        return None
    if tuple(e.shape) != tuple(t.shape):
        return "shape", f"{name}: ember {tuple(e.shape)}, torch {tuple(t.shape)}"
    if str(e.dtype) != str(t.dtype):
        return "dtype", f"{name}: ember {e.dtype}, torch {t.dtype}"
    msg = compare_arrays(to_numpy(e), to_numpy(t), tol, n, S, extra_deg, floor)
    if msg is not None:
        return "value", f"{name} {msg}"
    return None


# ------------------------------------------------------------------------------ errors

# NumPy's vocabulary: torch's messages talk about tensors and dimensions, never about these
_NUMPY_WORDS = re.compile(r"\b(ufunc|numpy|ndarray|array|arrays|axis|axes|operands?|casting "
                          r"rule|np\.|Python integer -?\d+ out of bounds)\b", re.IGNORECASE)


def numpy_origin(exc: BaseException) -> bool:
    """The exception came out of NumPy rather than ember's own checks: a NumPy class, raised in
    a NumPy source file, or NumPy's wording in the message."""
    if type(exc).__module__.split(".")[0] == "numpy":
        return True
    tb, last = exc.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if last is not None and "/numpy/" in last.tb_frame.f_code.co_filename.replace("\\", "/"):
        return True
    return bool(_NUMPY_WORDS.search(str(exc)))


def _exc(e):
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__module__}.{type(e).__name__}: {text[:200]}".replace("builtins.", "")


def classify_errors(e_err: BaseException | None, t_err: BaseException | None) -> Outcome | None:
    """None when neither raised; otherwise the outcome of the error comparison."""
    if e_err is None and t_err is None:
        return None
    if e_err is None:
        return Outcome("missing_error", f"torch raised {_exc(t_err)}")
    if t_err is None:
        return Outcome("spurious_error", f"ember raised {_exc(e_err)}")
    same = type(e_err) is type(t_err) or (type(e_err).__name__ == type(t_err).__name__)
    if numpy_origin(e_err) and not (same and str(e_err) == str(t_err)):  # (torch's own words)
        return Outcome("numpy_leak", f"ember raised {_exc(e_err)}; torch raised {_exc(t_err)}")
    if not same:
        return Outcome("error_class", f"ember raised {_exc(e_err)}; torch raised {_exc(t_err)}")
    return MATCH


def describe_error(e) -> str:
    return _exc(e)
