"""PyTorch's tensor printing: ``repr(tensor)``, ``set_printoptions`` and ``get_printoptions``.

The text is PyTorch's, character for character (``torch/_tensor_str.py`` is the reference):
the same choice between fixed, integer-valued and scientific notation, the same column widths,
line wrapping, ``...`` summaries and ``dtype=`` / ``requires_grad=`` / ``grad_fn=`` suffixes.

Only NumPy is needed.  A tensor is read through three attributes: ``_array`` (an ndarray,
possibly 0-d), ``_requires_grad`` and ``grad_fn``.  The nested text is built bottom-up, one
dimension at a time, without recursion.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

__all__ = ["tensor_repr", "set_printoptions", "get_printoptions", "printoptions"]

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}
_PROFILES = {
    "default": dict(_DEFAULTS),
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_OPTS = dict(_DEFAULTS, sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Set printing options (PyTorch's semantics: a profile first, then explicit values;
    ``sci_mode`` is always reset to the given value, ``None`` meaning automatic)."""
    if profile is not None and profile in _PROFILES:
        _OPTS.update(_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _OPTS[key] = value
    _OPTS["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """The current options, as a dict that ``set_printoptions(**d)`` accepts."""
    return {k: _OPTS[k] for k in ("precision", "threshold", "edgeitems", "linewidth",
                                  "sci_mode")}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (``torch._tensor_str.printoptions``)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def _default_float_name() -> str:
    """Name of the default floating dtype ('float32' unless ember's default was changed)."""
    try:
        if __package__:
            from ._dtype import get_default_dtype
        else:  # loaded by file path (tests): use ember's module only if already imported
            import sys
            mod = sys.modules.get("ember._dtype")
            if mod is None:
                return "float32"
            get_default_dtype = mod.get_default_dtype
        return np.dtype(get_default_dtype().np).name
    except Exception:  # pragma: no cover - ember half-written
        return "float32"


# ---------------------------------------------------------------------------------------------
# element formatting
# ---------------------------------------------------------------------------------------------
class _Formatter:
    """Chooses notation and column width from the (summarized) values, like torch's."""

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        self.prec = _OPTS["precision"]
        flat = values.reshape(-1)
        if flat.size == 0:
            return
        if not floating:
            if flat.dtype == np.bool_:
                self.width = 5 if not flat.all() else 4
            else:
                lo, hi = int(flat.min()), int(flat.max())
                self.width = max(1, len(str(lo)), len(str(hi)))
            return
        vals = flat.astype(np.float64)
        with np.errstate(invalid="ignore"):
            vals = vals[np.isfinite(vals) & (vals != 0)]
        if vals.size == 0:
            return
        absv = np.abs(vals)
        vmin, vmax = float(absv.min()), float(absv.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        sci = _OPTS["sci_mode"]
        if sci is None:
            sci = vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4
        self.sci_mode = bool(sci)
        # The widest text comes from an extreme of each sign (text length is monotone in |x|).
        cands = []
        for part in (vals[vals > 0], vals[vals < 0]):
            if part.size:
                cands += [float(part.min()), float(part.max())]
        p = self.prec
        if self.sci_mode:
            self.width = max(len(f"{c:.{p}e}") for c in cands)
        elif self.int_mode:
            self.width = max(len(f"{c:.0f}") + 1 for c in cands)
        else:
            self.width = max(len(f"{c:.{p}f}") for c in cands)
        self.width = max(1, self.width)

    def format(self, value) -> str:
        if self.floating:
            value = float(value)
            if self.sci_mode:
                s = f"{value:{self.width}.{self.prec}e}"
            elif self.int_mode:
                s = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    s += "."
            else:
                s = f"{value:.{self.prec}f}"
        elif isinstance(value, (bool, np.bool_)):
            s = "True" if value else "False"
        else:
            s = str(int(value))
        return s.rjust(self.width)


def _complex_join(real_str: str, imag_str: str) -> str:
    imag_str = (imag_str + "j").lstrip()
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


# ---------------------------------------------------------------------------------------------
# layout
# ---------------------------------------------------------------------------------------------
def _shown_indices(n: int, summarize: bool, edge: int):
    """Indices shown along a dimension of size n, and where '...' goes (None if nowhere)."""
    if summarize and n > 2 * edge:
        return list(range(edge)) + list(range(n - edge, n)), edge
    return list(range(n)), None


def _body(arr: np.ndarray, indent: int) -> str:
    """The bracketed contents of a non-empty tensor (torch's ``_tensor_str``)."""
    summarize = arr.size > _OPTS["threshold"]
    edge = _OPTS["edgeitems"]
    is_complex = arr.dtype.kind == "c"
    floating = arr.dtype.kind in "fc" or arr.dtype.name == "bfloat16"

    if arr.ndim == 0:
        return _scalar(arr, is_complex, floating)
    if summarize and not edge:
        return "[...]"

    plan = [_shown_indices(n, summarize, edge) for n in arr.shape]
    shown = arr[np.ix_(*[idx for idx, _ in plan])] if summarize else arr
    if is_complex:
        f1 = _Formatter(shown.real, True)
        f2 = _Formatter(shown.imag, True)
        elem_len = f1.width + 2 + f2.width + 1
        fmt = lambda v: _complex_join(f1.format(v.real), f2.format(v.imag))  # noqa: E731
    else:
        f1 = _Formatter(shown, floating)
        elem_len = f1.width + 2
        fmt = f1.format

    ndim = arr.ndim
    # innermost vectors
    vec_indent = indent + ndim - 1
    per_line = max(1, math.floor((_OPTS["linewidth"] - vec_indent) / elem_len))
    last_cut = plan[-1][1]
    row_sep = ",\n" + " " * (vec_indent + 1)
    rows = shown.reshape(-1, shown.shape[-1])
    level = []
    for row in rows.tolist():
        data = [fmt(v) for v in row]
        if last_cut is not None:
            data.insert(last_cut, " ...")
        lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
        level.append("[" + row_sep.join(lines) + "]")
    # fold the outer dimensions, innermost first
    for d in range(ndim - 2, -1, -1):
        k = len(plan[d][0])
        cut = plan[d][1]
        sep = "," + "\n" * (ndim - d - 1) + " " * (indent + d + 1)
        folded = []
        for start in range(0, len(level), k):
            group = level[start:start + k]
            if cut is not None:
                group.insert(cut, "...")
            folded.append("[" + sep.join(group) + "]")
        level = folded
    return level[0]


def _scalar(arr: np.ndarray, is_complex: bool, floating: bool) -> str:
    if is_complex:
        f1 = _Formatter(arr.real, True)
        f2 = _Formatter(arr.imag, True)
        v = arr.item()
        return _complex_join(f1.format(v.real), f2.format(v.imag))
    return _Formatter(arr, floating).format(arr.item())


def _add_suffixes(text: str, suffixes, indent: int) -> str:
    parts = [text]
    last_len = len(text) - text.rfind("\n") + 1  # torch's arithmetic, off-by-two included
    width = _OPTS["linewidth"]
    for s in suffixes:
        if last_len + len(s) + 2 > width:
            parts.append(",\n" + " " * indent + s)
            last_len = indent + len(s)
        else:
            parts.append(", " + s)
            last_len += len(s) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, prefix: str = "tensor(") -> str:
    """``repr(t)`` exactly as PyTorch prints it."""
    arr = t._array
    if not isinstance(arr, np.ndarray):
        arr = np.asarray(arr)
    name = arr.dtype.name
    default = _default_float_name()
    default_complex = "complex128" if default == "float64" else "complex64"
    indent = len(prefix)
    suffixes = []
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append("size=" + str(tuple(int(n) for n in arr.shape)))
        if name != default:
            suffixes.append("dtype=torch." + name)
        text = "[]"
    else:
        if not _OPTS["edgeitems"]:
            suffixes.append("size=" + str(tuple(int(n) for n in arr.shape)))
        if name not in (default, default_complex, "int64", "bool"):
            suffixes.append("dtype=torch." + name)
        text = _body(arr, indent)
    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(grad_fn).__name__}>")
    elif getattr(t, "_requires_grad", False):
        suffixes.append("requires_grad=True")
    from .autograd import forward_ad  # a dual tensor shows its tangent, as torch's
    if forward_ad._current_level >= 0 and forward_ad._get(t) is not None:
        suffixes.append("tangent=" + repr(forward_ad._get(t)))
    return _add_suffixes(prefix + text, suffixes, indent)
