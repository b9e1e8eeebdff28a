"""Differential sweep of ember's dtype behaviour against torch (a local tool, not a test).

For every elementwise/reduction op ember exposes and every operand combination drawn from
{bool, uint8, int8, int16, int32, int64, float16, float32, float64} x {1-D tensor, 0-d tensor}
plus Python scalars (bool, int, float), run the op in ember and in torch and compare: the result
dtype, shape and values, or the exception class (and text).  A second part compares autograd
metadata (requires_grad, grad_fn name, whether backward raises) for float inputs that require
grad.

    cd <worktree> && python tests/sweep_dtype_vs_torch.py [-v] [--filter SUBSTR] [--msgs]

Prints a summary by category and op; ``-v`` lists every mismatch.
"""
from __future__ import annotations

import argparse
import collections
import itertools
import os
import random
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402

warnings.filterwarnings("ignore")

DT = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

A_VALS = {"int": [5, -3, 2, 0], "uint": [5, 3, 2, 0], "bool": [True, False, True, False],
          "float": [5.5, -3.25, 2.0, 0.0]}
B_VALS = {"int": [2, 3, -1, 4], "uint": [2, 3, 1, 4], "bool": [True, True, False, True],
          "float": [2.0, 3.5, -1.5, 4.0]}
U_VALS = {"int": [5, -3, 2, 0], "uint": [5, 3, 200, 0], "bool": [True, False, True, False],
          "float": [0.5, -0.25, 2.0, 0.0]}
SCALARS = [True, 2, -3, 2.5]


def _kind(dt):
    if dt == "bool":
        return "bool"
    if dt == "uint8":
        return "uint"
    if dt.startswith("int"):
        return "int"
    return "float"


class Arg:
    """An operand spec: ('T', dtype, vals) 1-D, ('Z', dtype, vals) 0-d, ('S', value),
    ('M', dtype, shape, vals) any shape."""

    def __init__(self, kind, dt=None, value=None, vals=None, shape=None):
        self.kind, self.dt, self.value, self.vals, self.shape = kind, dt, value, vals, shape

    def build(self, L):
        if self.kind == "S":
            return self.value
        arr = np.asarray(self.vals, dtype=self.dt)
        if self.kind == "Z":
            arr = arr.reshape(-1)[:1].reshape(())
        elif self.shape is not None:
            arr = arr.reshape(self.shape)
        return L.tensor(arr)

    def __repr__(self):
        if self.kind == "S":
            return f"{type(self.value).__name__}({self.value!r})"
        if self.kind == "Z":
            return f"{self.dt}[]"
        return f"{self.dt}{list(self.shape) if self.shape else [len(self.vals)]}"


def T(dt, which="a"):
    table = {"a": A_VALS, "b": B_VALS, "u": U_VALS}[which]
    return Arg("T", dt, vals=table[_kind(dt)])


def Z(dt, which="a"):
    table = {"a": A_VALS, "b": B_VALS, "u": U_VALS}[which]
    return Arg("Z", dt, vals=table[_kind(dt)])


def S(v):
    return Arg("S", value=v)


def M(dt, shape, which="a"):
    table = {"a": A_VALS, "b": B_VALS, "u": U_VALS}[which]
    n = int(np.prod(shape))
    base = table[_kind(dt)]
    vals = (base * (n // len(base) + 1))[:n]
    return Arg("M", dt, vals=vals, shape=shape)


def E(dt):
    """An empty legacy 1-D tensor (torch.tensor([]) cast)."""
    return Arg("M", dt, vals=[], shape=(0,))


# ------------------------------------------------------------------------------ comparison


def _np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x._array)


def _dtname(x):
    d = x.dtype
    return str(d).replace("torch.", "")


def _norm_msg(s):
    return s.strip().splitlines()[0].replace("torch", "ember") if s.strip() else ""


def compare(e_out, t_out):
    """None if same, else a (category, detail) pair."""
    if isinstance(t_out, torch.Tensor):
        if not isinstance(e_out, ember.Tensor):
            return "type", f"ember {type(e_out).__name__} vs torch Tensor"
        try:
            ed = _dtname(e_out)
        except Exception as ex:  # noqa: BLE001
            return "dtype", f"ember dtype raises {type(ex).__name__}: {ex}"
        td = _dtname(t_out)
        ea, ta = _np(e_out), _np(t_out)
        if ea.dtype.name not in DT + ["complex64", "complex128"]:
            return "dtype", f"ember numpy dtype {ea.dtype} (not a torch dtype)"
        if ed != td:
            return "dtype", f"ember {ed} vs torch {td}"
        if tuple(ea.shape) != tuple(ta.shape):
            return "shape", f"ember {ea.shape} vs torch {ta.shape}"
        if ta.dtype.kind in "fc":
            tol = {"float16": 2e-3, "float32": 1e-5}.get(ta.dtype.name, 1e-10)
            ok = np.allclose(ea.astype(np.float64), ta.astype(np.float64), rtol=tol, atol=tol,
                             equal_nan=True)
        else:
            ok = np.array_equal(ea, ta)
        if not ok:
            return "value", f"ember {ea.tolist()} vs torch {ta.tolist()}"
        if e_out.requires_grad != t_out.requires_grad:
            return "requires_grad", f"ember {e_out.requires_grad} vs torch {t_out.requires_grad}"
        return None
    if isinstance(t_out, (tuple, list)):
        if not isinstance(e_out, (tuple, list)) or len(e_out) != len(t_out):
            return "type", f"ember {type(e_out).__name__} vs torch {type(t_out).__name__}"
        for i, (a, b) in enumerate(zip(e_out, t_out)):
            r = compare(a, b)
            if r is not None:
                return r[0], f"[{i}] {r[1]}"
        return None
    if isinstance(e_out, ember.Tensor):
        return "type", f"ember Tensor vs torch {type(t_out).__name__}"
    if type(e_out) is not type(t_out):
        return "type", f"ember {type(e_out).__name__} vs torch {type(t_out).__name__}"
    if e_out != t_out and not (e_out != e_out and t_out != t_out):
        return "value", f"ember {e_out!r} vs torch {t_out!r}"
    return None


def run_case(fn, args):
    """Run ``fn(L, *built args)`` in both libraries; return None or (category, detail)."""
    res = {}
    for name, L in (("ember", ember), ("torch", torch)):
        try:
            built = [a.build(L) if isinstance(a, Arg) else a for a in args]
            res[name] = ("ok", fn(L, *built))
        except Exception as ex:  # noqa: BLE001
            res[name] = ("err", ex)
    (ek, ev), (tk, tv) = res["ember"], res["torch"]
    if ek == "err" and isinstance(ev, AttributeError) and "ember" in str(ev) and \
            "has no attribute" in str(ev):
        return "missing-op", str(ev)
    if ek == "err" and tk == "err":
        ec, tc = type(ev).__name__, type(tv).__name__
        if ec != tc:
            return "error-class", f"ember {ec}: {_norm_msg(str(ev))} | torch {tc}: " \
                                  f"{_norm_msg(str(tv))}"
        if _norm_msg(str(ev)) != _norm_msg(str(tv)):
            return "error-text", f"ember {_norm_msg(str(ev))!r} | torch {_norm_msg(str(tv))!r}"
        return None
    if ek == "err":
        return "ember-raises", f"{type(ev).__name__}: {_norm_msg(str(ev))}"
    if tk == "err":
        return "torch-raises", f"torch {type(tv).__name__}: {_norm_msg(str(tv))}; ember gives " \
                               f"{_summ(ev)}"
    try:
        return compare(ev, tv)
    except Exception as ex:  # noqa: BLE001
        return "compare-crash", f"{type(ex).__name__}: {ex}"


def _summ(x):
    if isinstance(x, ember.Tensor):
        try:
            return f"{x.dtype} {list(x.shape)}"
        except Exception:  # noqa: BLE001
            return f"<np {x._array.dtype}>"
    if isinstance(x, tuple):
        return "(" + ", ".join(_summ(y) for y in x) + ")"
    return repr(x)


# ------------------------------------------------------------------------------ the cases


def F(L):
    return L.nn.functional


BINARY = {
    "add": lambda L, a, b: L.add(a, b),
    "add_alpha2": lambda L, a, b: L.add(a, b, alpha=2),
    "add_alpha1.5": lambda L, a, b: L.add(a, b, alpha=1.5),
    "add_alphaTrue": lambda L, a, b: L.add(a, b, alpha=True),
    "sub": lambda L, a, b: L.sub(a, b),
    "sub_alpha2": lambda L, a, b: L.sub(a, b, alpha=2),
    "sub_alpha1.5": lambda L, a, b: L.sub(a, b, alpha=1.5),
    "rsub": lambda L, a, b: L.rsub(a, b),
    "rsub_alpha3": lambda L, a, b: L.rsub(a, b, alpha=3),
    "mul": lambda L, a, b: L.mul(a, b),
    "div": lambda L, a, b: L.div(a, b),
    "div_trunc": lambda L, a, b: L.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda L, a, b: L.div(a, b, rounding_mode="floor"),
    "true_divide": lambda L, a, b: L.true_divide(a, b),
    "floor_divide": lambda L, a, b: L.floor_divide(a, b),
    "remainder": lambda L, a, b: L.remainder(a, b),
    "fmod": lambda L, a, b: L.fmod(a, b),
    "pow": lambda L, a, b: L.pow(a, b),
    "float_power": lambda L, a, b: L.float_power(a, b),
    "atan2": lambda L, a, b: L.atan2(a, b),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "fmax": lambda L, a, b: L.fmax(a, b),
    "fmin": lambda L, a, b: L.fmin(a, b),
    "max2": lambda L, a, b: L.max(a, b),
    "min2": lambda L, a, b: L.min(a, b),
    "eq": lambda L, a, b: L.eq(a, b),
    "ne": lambda L, a, b: L.ne(a, b),
    "lt": lambda L, a, b: L.lt(a, b),
    "le": lambda L, a, b: L.le(a, b),
    "gt": lambda L, a, b: L.gt(a, b),
    "ge": lambda L, a, b: L.ge(a, b),
    "logical_and": lambda L, a, b: L.logical_and(a, b),
    "logical_or": lambda L, a, b: L.logical_or(a, b),
    "logical_xor": lambda L, a, b: L.logical_xor(a, b),
    "bitwise_and": lambda L, a, b: L.bitwise_and(a, b),
    "bitwise_or": lambda L, a, b: L.bitwise_or(a, b),
    "bitwise_xor": lambda L, a, b: L.bitwise_xor(a, b),
    "isclose": lambda L, a, b: L.isclose(a, b),
    "clamp_min": lambda L, a, b: L.clamp(a, min=b),
    "clamp_max": lambda L, a, b: L.clamp(a, max=b),
    "clamp_both": lambda L, a, b: L.clamp(a, b, b),
    "clamp_min_fn": lambda L, a, b: L.clamp_min(a, b),
    "lerp_w.5": lambda L, a, b: L.lerp(a, b, 0.5),
    "where_ab": lambda L, a, b: L.where(L.tensor([True, False, True, False]), a, b),
    "where_ba": lambda L, a, b: L.where(L.tensor([True, False, True, False]), b, a),
    "xlogy": lambda L, a, b: L.xlogy(a, b),
    "hypot": lambda L, a, b: L.hypot(a, b),
    "copysign": lambda L, a, b: L.copysign(a, b),
    "heaviside": lambda L, a, b: L.heaviside(a, b),
}
OPERATORS = {
    "op+": lambda L, a, b: a + b,
    "op-": lambda L, a, b: a - b,
    "op*": lambda L, a, b: a * b,
    "op/": lambda L, a, b: a / b,
    "op//": lambda L, a, b: a // b,
    "op%": lambda L, a, b: a % b,
    "op**": lambda L, a, b: a ** b,
    "op&": lambda L, a, b: a & b,
    "op|": lambda L, a, b: a | b,
    "op^": lambda L, a, b: a ^ b,
    "op==": lambda L, a, b: a == b,
    "op<": lambda L, a, b: a < b,
    "op>=": lambda L, a, b: a >= b,
}
INPLACE = {
    "add_": lambda L, a, b: a.clone().add_(b),
    "add_alpha2_": lambda L, a, b: a.clone().add_(b, alpha=2),
    "sub_": lambda L, a, b: a.clone().sub_(b),
    "mul_": lambda L, a, b: a.clone().mul_(b),
    "div_": lambda L, a, b: a.clone().div_(b),
    "div_floor_": lambda L, a, b: a.clone().div_(b, rounding_mode="floor"),
    "pow_": lambda L, a, b: a.clone().pow_(b),
    "clamp_": lambda L, a, b: a.clone().clamp_(b, None),
    "clamp_max_": lambda L, a, b: a.clone().clamp_max_(b),
    "lerp_": lambda L, a, b: a.clone().lerp_(b, 0.5),
    "iadd": lambda L, a, b: _iop(a.clone(), b, "+"),
    "imul": lambda L, a, b: _iop(a.clone(), b, "*"),
    "itruediv": lambda L, a, b: _iop(a.clone(), b, "/"),
}


def _iop(a, b, op):
    if op == "+":
        a += b
    elif op == "*":
        a *= b
    else:
        a /= b
    return a


UNARY = {n: (lambda n: lambda L, a: getattr(L, n)(a))(n) for n in [
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square",
    "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
    "acosh", "atanh", "sigmoid", "erf", "erfc", "erfinv", "abs", "neg", "sign", "sgn", "floor",
    "ceil", "trunc", "fix", "frac", "relu", "round", "logit", "nan_to_num", "isnan", "isinf",
    "isfinite", "isposinf", "isneginf", "signbit", "logical_not", "bitwise_not", "clone",
    "positive", "deg2rad", "rad2deg", "i0", "sinc", "lgamma", "digamma", "angle"]}
UNARY.update({
    "round_dec1": lambda L, a: L.round(a, decimals=1),
    "nan_to_num_args": lambda L, a: L.nan_to_num(a, nan=1.0, posinf=2.0, neginf=-2.0),
    "clamp_s_int": lambda L, a: L.clamp(a, -1, 3),
    "clamp_s_float": lambda L, a: L.clamp(a, -1.5, 3.5),
    "clamp_s_min_float": lambda L, a: L.clamp(a, min=0.5),
    "pow_neg_int": lambda L, a: L.pow(a, -2),
    "pow_0": lambda L, a: L.pow(a, 0),
    "pow_2": lambda L, a: L.pow(a, 2),
    "pow_half": lambda L, a: L.pow(a, 0.5),
    "pow_true": lambda L, a: L.pow(a, True),
    "rpow_2": lambda L, a: 2 ** a,
    "rpow_2.5": lambda L, a: 2.5 ** a,
    "rpow_true": lambda L, a: True ** a,
    "neg_op": lambda L, a: -a,
    "abs_op": lambda L, a: abs(a),
    "invert_op": lambda L, a: ~a,
    "relu6": lambda L, a: F(L).relu6(a),
    "hardtanh": lambda L, a: F(L).hardtanh(a),
    "hardtanh_int": lambda L, a: F(L).hardtanh(a, -1, 1),
    "threshold": lambda L, a: F(L).threshold(a, 1.0, 0.0),
    "threshold_int": lambda L, a: F(L).threshold(a, 1, 0),
    "leaky_relu": lambda L, a: F(L).leaky_relu(a),
    "elu": lambda L, a: F(L).elu(a),
    "selu": lambda L, a: F(L).selu(a),
    "celu": lambda L, a: F(L).celu(a),
    "gelu": lambda L, a: F(L).gelu(a),
    "silu": lambda L, a: F(L).silu(a),
    "mish": lambda L, a: F(L).mish(a),
    "hardsigmoid": lambda L, a: F(L).hardsigmoid(a),
    "hardswish": lambda L, a: F(L).hardswish(a),
    "softplus": lambda L, a: F(L).softplus(a),
    "softsign": lambda L, a: F(L).softsign(a),
    "tanhshrink": lambda L, a: F(L).tanhshrink(a),
    "logsigmoid": lambda L, a: F(L).logsigmoid(a),
    "hardshrink": lambda L, a: F(L).hardshrink(a),
    "softshrink": lambda L, a: F(L).softshrink(a),
    "F.relu": lambda L, a: F(L).relu(a),
    "F.sigmoid": lambda L, a: F(L).sigmoid(a),
    "F.tanh": lambda L, a: F(L).tanh(a),
    "F.rrelu": lambda L, a: F(L).rrelu(a),
    "F.glu": lambda L, a: F(L).glu(a),
    "F.softmax": lambda L, a: F(L).softmax(a, 0),
    "F.log_softmax": lambda L, a: F(L).log_softmax(a, 0),
    "F.softmin": lambda L, a: F(L).softmin(a, 0),
    "F.normalize": lambda L, a: F(L).normalize(a, dim=0),
    "relu_": lambda L, a: a.clone().relu_(),
    "neg_": lambda L, a: a.clone().neg_(),
    "abs_": lambda L, a: a.clone().abs_(),
    "exp_": lambda L, a: a.clone().exp_(),
    "sqrt_": lambda L, a: a.clone().sqrt_(),
    "sigmoid_": lambda L, a: a.clone().sigmoid_(),
    "floor_": lambda L, a: a.clone().floor_(),
    "round_": lambda L, a: a.clone().round_(),
    "sign_": lambda L, a: a.clone().sign_(),
    "reciprocal_": lambda L, a: a.clone().reciprocal_(),
    "square_": lambda L, a: a.clone().square_(),
    "clamp_float_": lambda L, a: a.clone().clamp_(0.5, 1.5),
    "relu6_inplace": lambda L, a: F(L).relu6(a.clone(), inplace=True),
    "hardtanh_": lambda L, a: F(L).hardtanh_(a.clone()),
    "leaky_relu_": lambda L, a: F(L).leaky_relu_(a.clone()),
    "elu_": lambda L, a: F(L).elu_(a.clone()),
    "threshold_": lambda L, a: F(L).threshold_(a.clone(), 1, 0),
    "fill_float": lambda L, a: a.clone().fill_(1.5),
    "zero_": lambda L, a: a.clone().zero_(),
    "addcmul_self": lambda L, a: L.addcmul(a, a, a),
    "addcdiv_self": lambda L, a: L.addcdiv(a, a, a),
    "addcmul_v2": lambda L, a: L.addcmul(a, a, a, value=2),
    "addcmul_v.5": lambda L, a: L.addcmul(a, a, a, value=0.5),
    "to_float": lambda L, a: a.float(),
    "to_long": lambda L, a: a.long(),
    "to_bool": lambda L, a: a.bool(),
    "to_byte": lambda L, a: a.byte(),
    "to_half": lambda L, a: a.half(),
})

REDUCE = {
    "sum": lambda L, a: L.sum(a),
    "sum_dim": lambda L, a: L.sum(a, 0),
    "sum_dim_keep": lambda L, a: L.sum(a, -1, keepdim=True),
    "sum_dtype_f64": lambda L, a: L.sum(a, dtype=L.float64),
    "sum_dtype_i32": lambda L, a: L.sum(a, dtype=L.int32),
    "sum_dtype_u8": lambda L, a: L.sum(a, dtype=L.uint8),
    "sum_dim_dtype_f32": lambda L, a: L.sum(a, 1, dtype=L.float32),
    "nansum": lambda L, a: L.nansum(a),
    "nansum_dim": lambda L, a: L.nansum(a, 0),
    "mean": lambda L, a: L.mean(a),
    "mean_dim": lambda L, a: L.mean(a, 0),
    "mean_dtype": lambda L, a: L.mean(a, dtype=L.float64),
    "nanmean": lambda L, a: L.nanmean(a),
    "prod": lambda L, a: L.prod(a),
    "prod_dim": lambda L, a: L.prod(a, 1),
    "prod_dtype": lambda L, a: L.prod(a, dtype=L.float64),
    "prod_dim_dtype": lambda L, a: L.prod(a, 1, dtype=L.int32),
    "cumsum": lambda L, a: L.cumsum(a, 1),
    "cumsum_dtype": lambda L, a: L.cumsum(a, 0, dtype=L.float32),
    "cumprod": lambda L, a: L.cumprod(a, 1),
    "cumprod_dtype": lambda L, a: L.cumprod(a, 1, dtype=L.int16),
    "cummax": lambda L, a: L.cummax(a, 1),
    "max": lambda L, a: L.max(a),
    "max_dim": lambda L, a: L.max(a, 1),
    "min": lambda L, a: L.min(a),
    "min_dim": lambda L, a: L.min(a, 0),
    "amax": lambda L, a: L.amax(a),
    "amax_dim": lambda L, a: L.amax(a, 1),
    "amin": lambda L, a: L.amin(a, 0),
    "aminmax": lambda L, a: tuple(L.aminmax(a)),
    "argmax": lambda L, a: L.argmax(a),
    "argmax_dim": lambda L, a: L.argmax(a, 1),
    "argmin": lambda L, a: L.argmin(a, 0),
    "var": lambda L, a: L.var(a),
    "var_dim": lambda L, a: L.var(a, 1),
    "std": lambda L, a: L.std(a),
    "var_mean": lambda L, a: L.var_mean(a),
    "std_mean": lambda L, a: L.std_mean(a, 1),
    "norm": lambda L, a: L.norm(a),
    "norm1": lambda L, a: L.norm(a, 1),
    "norm_dim": lambda L, a: L.norm(a, dim=1),
    "logsumexp": lambda L, a: L.logsumexp(a, 1),
    "softmax": lambda L, a: L.softmax(a, 1),
    "softmax_dtype": lambda L, a: L.softmax(a, 1, dtype=L.float64),
    "log_softmax": lambda L, a: L.log_softmax(a, 1),
    "all": lambda L, a: L.all(a),
    "all_dim": lambda L, a: L.all(a, 1),
    "any": lambda L, a: L.any(a),
    "any_dim": lambda L, a: L.any(a, 0),
    "count_nonzero": lambda L, a: L.count_nonzero(a),
    "count_nonzero_dim": lambda L, a: L.count_nonzero(a, 1),
    "sort": lambda L, a: tuple(L.sort(a, 1)),
    "sort_desc": lambda L, a: tuple(L.sort(a, 1, descending=True)),
    "argsort": lambda L, a: L.argsort(a, 1),
    "topk": lambda L, a: tuple(L.topk(a, 2)),
    "msort": lambda L, a: L.msort(a),
    "median": lambda L, a: L.median(a),
    "median_dim": lambda L, a: tuple(L.median(a, 1)),
    "kthvalue": lambda L, a: tuple(L.kthvalue(a, 2, 1)),
    "mode": lambda L, a: tuple(L.mode(a, 1)),
    "nanmedian": lambda L, a: L.nanmedian(a),
    "unique": lambda L, a: L.unique(a),
    "bincount": lambda L, a: L.bincount(a.reshape(-1)),
    "histc": lambda L, a: L.histc(a, 4),
    "m.sum": lambda L, a: a.sum(),
    "m.mean": lambda L, a: a.mean(),
    "m.prod": lambda L, a: a.prod(),
    "m.nansum": lambda L, a: a.nansum(),
    "m.all": lambda L, a: a.all(),
    "m.any": lambda L, a: a.any(),
    "m.max": lambda L, a: a.max(),
    "m.norm": lambda L, a: a.norm(),
    "m.cumsum": lambda L, a: a.cumsum(0),
    "m.cumprod": lambda L, a: a.cumprod(0),
    "m.std": lambda L, a: a.std(),
    "m.var": lambda L, a: a.var(),
    "m.logsumexp": lambda L, a: a.logsumexp(1),
    "m.softmax": lambda L, a: a.softmax(1),
}


def binary_cases():
    firsts = [T(d) for d in DT] + [Z(d) for d in DT]
    seconds = [T(d, "b") for d in DT] + [Z(d, "b") for d in DT] + [S(v) for v in SCALARS]
    for name, fn in BINARY.items():
        for a, b in itertools.product(firsts, seconds):
            yield f"{name}({a}, {b})", fn, (a, b)
    for name, fn in OPERATORS.items():
        for a, b in itertools.product(firsts, seconds):
            yield f"{name}({a}, {b})", fn, (a, b)
        for s, b in itertools.product([S(v) for v in SCALARS], firsts):
            yield f"{name}({s}, {b})", fn, (s, b)
    for name, fn in INPLACE.items():
        for a, b in itertools.product(firsts, seconds):
            yield f"{name}({a}, {b})", fn, (a, b)


def scalar_first_cases():
    names = ["add", "sub", "mul", "div", "pow", "remainder", "fmod", "maximum", "atan2",
             "eq", "bitwise_and", "logical_and", "floor_divide"]
    seconds = [T(d, "b") for d in DT]
    for name in names:
        for s, b in itertools.product([S(v) for v in SCALARS], seconds):
            yield f"{name}({s}, {b})", BINARY[name], (s, b)


def unary_cases():
    for name, fn in UNARY.items():
        for d in DT:
            for a in (T(d, "u"), Z(d, "u")):
                yield f"{name}({a})", fn, (a,)


def reduce_cases():
    for name, fn in REDUCE.items():
        for d in DT:
            yield f"{name}({d}[2,3])", fn, (M(d, (2, 3)),)


def ternary_cases():
    rng = random.Random(0)
    operands = [T(d) for d in DT] + [Z(d) for d in DT]
    scal = [S(v) for v in SCALARS]
    # clamp with tensor/scalar bounds of another dtype
    for a in [T(d) for d in DT] + [Z(d) for d in DT]:
        for lo in operands + scal:
            for hi_same in (True, False):
                hi = lo if hi_same else (Z("float64") if lo.kind != "S" else S(4.5))
                yield (f"clamp({a}, {lo}, {hi})", lambda L, x, lo_, hi_: L.clamp(x, lo_, hi_),
                       (a, lo, hi))
    # addcmul / addcdiv: all dtype triples would be 729 x 2 kinds; sample
    triples = list(itertools.product(DT, DT, DT))
    picked = [t for t in triples if t[1] == t[2]] + rng.sample(triples, 250)
    for d0, d1, d2 in picked:
        for v in (1, 2, 0.5, True):
            for nm, f in (("addcmul", lambda L, x, y, z, v: L.addcmul(x, y, z, value=v)),
                          ("addcdiv", lambda L, x, y, z, v: L.addcdiv(x, y, z, value=v))):
                yield (f"{nm}({d0}, {d1}, {d2}, value={v!r})", f,
                       (T(d0), T(d1, "b"), T(d2, "b"), v))
    for d0, d1, d2 in picked[:120]:
        for nm, f in (("addcmul_", lambda L, x, y, z: x.clone().addcmul_(y, z)),
                      ("addcdiv_", lambda L, x, y, z: x.clone().addcdiv_(y, z, value=2))):
            yield f"{nm}({d0}, {d1}, {d2})", f, (T(d0), T(d1, "b"), T(d2, "b"))
        yield (f"addcmul({d0}, {d1}[], {d2}[])", lambda L, x, y, z: L.addcmul(x, y, z),
               (T(d0), Z(d1, "b"), Z(d2, "b")))
    # lerp: start, end, weight
    for d0, d1 in itertools.product(DT, DT):
        for w in (S(0.5), S(2), T(d1, "b"), Z("float64"), Z(d0, "b")):
            yield (f"lerp({d0}, {d1}, {w})", lambda L, x, y, z: L.lerp(x, y, z),
                   (T(d0), T(d1, "b"), w))
    # where: scalars, 0-d and tensors
    for a, b in itertools.product(operands + scal, operands + scal):
        if a.kind == "S" and b.kind == "S" and rng.random() > 0.5:
            continue
        yield (f"where(c, {a}, {b})",
               lambda L, x, y: L.where(L.tensor([True, False, True, False]), x, y), (a, b))
    # where with a non-bool condition
    for d in DT:
        yield (f"where(cond {d}, f32, f32)",
               lambda L, c: L.where(c, L.ones(4), L.zeros(4)), (T(d),))
    # cat / stack: pairs of dtypes, 1-D and with an empty legacy 1-D tensor
    for d0, d1 in itertools.product(DT, DT):
        yield f"cat({d0}, {d1})", lambda L, x, y: L.cat([x, y]), (T(d0), T(d1, "b"))
        yield (f"cat({d0}[2,2], {d1}[0])", lambda L, x, y: L.cat([x, y]),
               (M(d0, (2, 2)), E(d1)))
        yield (f"cat({d0}[0], {d1}[2,2])", lambda L, x, y: L.cat([x, y]),
               (E(d0), M(d1, (2, 2))))
        yield (f"cat({d0}[0], {d1}[0])", lambda L, x, y: L.cat([x, y]), (E(d0), E(d1)))
        yield f"stack({d0}, {d1})", lambda L, x, y: L.stack([x, y]), (T(d0), T(d1, "b"))
        yield f"stack({d0}[], {d1}[])", lambda L, x, y: L.stack([x, y]), (Z(d0), Z(d1, "b"))
        yield (f"hstack({d0}, {d1})", lambda L, x, y: L.hstack([x, y]), (T(d0), T(d1, "b")))
        yield (f"vstack({d0}, {d1})", lambda L, x, y: L.vstack([x, y]), (T(d0), T(d1, "b")))
        yield (f"cat_out({d0}, {d1})",
               lambda L, x, y: L.cat([x, y], out=L.empty(8, dtype=x.dtype)),
               (T(d0), T(d1, "b")))


# ------------------------------------------------------------------------------ autograd part

GRAD_OPS = {}
for _n in ["exp", "log", "sqrt", "abs", "neg", "sign", "sgn", "floor", "ceil", "trunc", "frac",
           "round", "sigmoid", "tanh", "relu", "sin", "erf", "erfinv", "reciprocal", "square",
           "rsqrt", "logit", "nan_to_num", "clone", "exp2", "expm1", "log1p", "positive"]:
    GRAD_OPS[_n] = (lambda n: lambda L, a: getattr(L, n)(a))(_n)
GRAD_OPS.update({
    "round_dec": lambda L, a: L.round(a, decimals=1),
    "floor_divide": lambda L, a: L.floor_divide(a, 2.0),
    "floor_divide_t": lambda L, a: L.floor_divide(a, a.detach() + 1),
    "div_floor": lambda L, a: L.div(a, 2.0, rounding_mode="floor"),
    "div_trunc": lambda L, a: L.div(a, 2.0, rounding_mode="trunc"),
    "op//": lambda L, a: a // 2,
    "remainder": lambda L, a: L.remainder(a, 1.5),
    "remainder_t": lambda L, a: L.remainder(a, a.detach() + 2),
    "fmod": lambda L, a: L.fmod(a, 1.5),
    "fmod_t": lambda L, a: L.fmod(a, a.detach() + 2),
    "heaviside": lambda L, a: L.heaviside(a, L.tensor(0.5, dtype=a.dtype)),
    "histc": lambda L, a: L.histc(a, 4),
    "bucketize": lambda L, a: L.bucketize(a, L.tensor([0.0, 1.0], dtype=a.dtype)),
    "searchsorted": lambda L, a: L.searchsorted(L.tensor([0.0, 1.0], dtype=a.dtype), a),
    "unique": lambda L, a: L.unique(a),
    "unique_inverse": lambda L, a: L.unique(a, return_inverse=True)[0],
    "unique_consecutive": lambda L, a: L.unique_consecutive(a),
    "argmax": lambda L, a: L.argmax(a),
    "argsort": lambda L, a: L.argsort(a),
    "sort": lambda L, a: L.sort(a).values,
    "topk": lambda L, a: L.topk(a, 2).values,
    "max_dim": lambda L, a: L.max(a, 0).values,
    "median": lambda L, a: L.median(a),
    "median_dim": lambda L, a: L.median(a, 0).values,
    "kthvalue": lambda L, a: L.kthvalue(a, 2).values,
    "mode": lambda L, a: L.mode(a).values,
    "nanmedian": lambda L, a: L.nanmedian(a),
    "cummax": lambda L, a: L.cummax(a, 0).values,
    "msort": lambda L, a: L.msort(a),
    "isnan": lambda L, a: L.isnan(a),
    "eq": lambda L, a: L.eq(a, 1.0),
    "signbit": lambda L, a: L.signbit(a),
    "count_nonzero": lambda L, a: L.count_nonzero(a),
    "all": lambda L, a: L.all(a),
    "clamp": lambda L, a: L.clamp(a, -0.5, 0.5),
    "clamp_t": lambda L, a: L.clamp(a, L.tensor(-0.5, dtype=a.dtype), L.tensor(0.5, dtype=a.dtype)),
    "maximum": lambda L, a: L.maximum(a, a.detach().flip(0)),
    "fmax": lambda L, a: L.fmax(a, a.detach().flip(0)),
    "where": lambda L, a: L.where(a > 0, a, 0.0),
    "masked_fill": lambda L, a: a.masked_fill(a > 0, 1.0),
    "pow_t": lambda L, a: L.pow(a.abs() + 1, a),
    "rpow": lambda L, a: 2 ** a,
    "float_power": lambda L, a: L.float_power(a, 2),
    "atan2": lambda L, a: L.atan2(a, a.detach() + 1),
    "lerp": lambda L, a: L.lerp(a, a.detach() * 2, 0.3),
    "addcdiv": lambda L, a: L.addcdiv(a, a, a.detach() + 3),
    "sum": lambda L, a: L.sum(a),
    "prod": lambda L, a: L.prod(a),
    "cumprod": lambda L, a: L.cumprod(a, 0),
    "norm": lambda L, a: L.norm(a),
    "std": lambda L, a: L.std(a),
    "logsumexp": lambda L, a: L.logsumexp(a, 0),
    "amax": lambda L, a: L.amax(a),
    "to_int": lambda L, a: a.long(),
    "to_bool": lambda L, a: a.bool(),
    "to_f64": lambda L, a: a.double(),
    "relu6": lambda L, a: F(L).relu6(a),
    "hardtanh": lambda L, a: F(L).hardtanh(a),
    "threshold": lambda L, a: F(L).threshold(a, 0.1, 20.0),
    "hardshrink": lambda L, a: F(L).hardshrink(a),
    "rrelu": lambda L, a: F(L).rrelu(a),
    "one_hot_of_argmax": lambda L, a: F(L).one_hot(L.argmax(a), 4),
    "trace": lambda L, a: L.trace(a.reshape(2, 2)),
    "diff": lambda L, a: L.diff(a),
    "bincount_w": lambda L, a: L.bincount(L.tensor([0, 1, 1, 3]), weights=a),
    "cross_bool": lambda L, a: a > 0.1,
    "nonzero": lambda L, a: L.nonzero(a),
    "argwhere": lambda L, a: L.argwhere(a),
    "masked_select": lambda L, a: L.masked_select(a, a > 0),
    "gather": lambda L, a: L.gather(a, 0, L.tensor([1, 0])),
    "index_select": lambda L, a: L.index_select(a, 0, L.tensor([1, 0])),
    "take": lambda L, a: L.take(a, L.tensor([1, 0])),
    "scatter_reduce": lambda L, a: L.zeros(4, dtype=a.dtype).scatter_reduce(
        0, L.tensor([0, 1, 1, 2]), a, "amax"),
    "cdist": lambda L, a: L.cdist(a.reshape(2, 2), a.reshape(2, 2) + 1),
})


def grad_case(fn, dt):
    res = {}
    vals = np.array([0.3, -1.2, 2.5, 0.7], dtype=dt)
    for name, L in (("ember", ember), ("torch", torch)):
        info = {}
        try:
            x = L.tensor(vals, requires_grad=True)
            out = fn(L, x)
            info["req"] = out.requires_grad
            gf = out.grad_fn
            info["grad_fn"] = None if gf is None else type(gf).__name__
            info["dtype"] = str(out.dtype).replace("torch.", "")
            try:
                if out.dtype.is_floating_point:
                    out.sum().backward()
                    g = x.grad
                    if g is not None and getattr(g, "_is_zerotensor", lambda: False)():
                        g = torch.zeros(g.shape, dtype=g.dtype)  # torch's ZeroTensor (sgn)
                    info["grad"] = None if g is None else np.asarray(
                        g.numpy() if hasattr(g, "numpy") else g._array)
                else:
                    out.sum().backward()
                    info["backward"] = "ok"
            except Exception as ex:  # noqa: BLE001
                info["backward"] = f"{type(ex).__name__}: {_norm_msg(str(ex))}"
        except Exception as ex:  # noqa: BLE001
            info["fwd"] = f"{type(ex).__name__}: {_norm_msg(str(ex))}"
        res[name] = info
    e, t = res["ember"], res["torch"]
    if "has no attribute" in e.get("fwd", "") and "ember" in e.get("fwd", ""):
        return [("missing-op", e["fwd"])]
    out = []
    for k in ("fwd", "req", "grad_fn", "dtype", "backward"):
        if k == "grad_fn" and e.get(k) and t.get(k) and e[k] != t[k]:
            out.append(("grad_fn-name", f"ember {e[k]} vs torch {t[k]}"))
        elif e.get(k) != t.get(k):
            kk = k
            if k == "backward":
                eb, tb = e.get(k), t.get(k)
                if eb and tb and eb.split(":")[0] == tb.split(":")[0]:
                    kk = "backward-text"
            out.append((kk, f"ember {e.get(k)!r} vs torch {t.get(k)!r}"))
    eg, tg = e.get("grad"), t.get("grad")
    if (eg is None) != (tg is None):
        out.append(("grad", f"ember {eg} vs torch {tg}"))
    elif eg is not None and not np.allclose(eg, tg, equal_nan=True, atol=1e-5, rtol=1e-4):
        out.append(("grad-value", f"ember {eg.tolist()} vs torch {tg.tolist()}"))
    return out


def grad_cases():
    for name, fn in GRAD_OPS.items():
        for dt in ("float32", "float64"):
            yield f"grad:{name}({dt})", fn, dt


# ------------------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", action="store_true", help="list every mismatch")
    ap.add_argument("--filter", default="", help="only cases whose label contains this")
    ap.add_argument("--cat", default="", help="only list mismatches of this category")
    ap.add_argument("--part", default="all", help="binary,scalar,unary,reduce,ternary,grad")
    ap.add_argument("--text", action="store_true", help="count error-text mismatches too")
    args = ap.parse_args()
    parts = {"binary": binary_cases, "scalar": scalar_first_cases, "unary": unary_cases,
             "reduce": reduce_cases, "ternary": ternary_cases}
    sel = parts if args.part == "all" else {k: parts[k] for k in args.part.split(",") if k in parts}
    total = 0
    mism = []
    for pname, gen in sel.items():
        for label, fn, a in gen():
            if args.filter and args.filter not in label:
                continue
            total += 1
            r = run_case(fn, a)
            if r is not None:
                mism.append((label, r[0], r[1]))
    if args.part == "all" or "grad" in args.part:
        for label, fn, dt in grad_cases():
            if args.filter and args.filter not in label:
                continue
            total += 1
            for cat, det in grad_case(fn, dt):
                mism.append((label, "grad/" + cat, det))
    missing = sorted({m[2] for m in mism if m[1].endswith("missing-op")})
    mism = [m for m in mism if not m[1].endswith("missing-op")]
    if not args.text:
        mism = [m for m in mism if m[1] not in ("error-text", "grad/backward-text")]
    by_cat = collections.Counter(m[1] for m in mism)
    by_op = collections.Counter((m[0].split("(")[0], m[1]) for m in mism)
    print(f"cases: {total}, mismatching cases: {len({m[0] for m in mism})}, "
          f"mismatches: {len(mism)}")
    for c, n in by_cat.most_common():
        print(f"  {c}: {n}")
    print("ops ember lacks (not counted):", "; ".join(missing))
    print("by op:")
    for (op, c), n in sorted(by_op.items()):
        print(f"  {op:22s} {c:16s} {n}")
    if args.v:
        for label, c, det in mism:
            if args.cat and args.cat != c:
                continue
            print(f"{c:14s} {label}: {det}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
