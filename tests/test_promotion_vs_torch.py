"""Type promotion, integer/bool kernels and their errors, checked against torch.

Each test runs the same calls in ember and torch over a sample of operand combinations drawn
from {bool, uint8, int8, int16, int32, int64, float16, float32, float64} x {1-D tensor, 0-d
tensor} and Python scalars (bool, int, float), and compares the result dtype, shape and values,
or the exception class and first line of its message.  ``tests/sweep_dtype_vs_torch.py`` runs
the full cross product (a local tool, minutes); these samples keep the suite fast.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

DT = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
_VALS = {  # first operand / second operand (no zero divisors in the second)
    "a": {"bool": [True, False, True, False], "uint": [5, 3, 2, 0], "int": [5, -3, 2, 0],
          "float": [5.5, -3.25, 2.0, 0.0]},
    "b": {"bool": [True, True, False, True], "uint": [2, 3, 1, 4], "int": [2, 3, -1, 4],
          "float": [2.0, 3.5, -1.5, 4.0]},
}
SCALARS = [True, 2, -3, 2.5]


def _kind(dt):
    return ("bool" if dt == "bool" else "uint" if dt == "uint8" else
            "int" if dt.startswith("int") else "float")


class A:
    """An operand: a 1-D tensor ('T'), a 0-d tensor ('Z'), or a Python scalar ('S')."""

    def __init__(self, kind, dt=None, which="a", shape=None, value=None):
        self.kind, self.dt, self.which, self.shape, self.value = kind, dt, which, shape, value

    def build(self, lib):
        if self.kind == "S":
            return self.value
        vals = _VALS[self.which][_kind(self.dt)]
        if self.shape is not None:
            n = int(np.prod(self.shape))
            vals = (vals * (n // 4 + 1))[:n]
        arr = np.asarray(vals, dtype=self.dt)
        if self.kind == "Z":
            arr = arr[:1].reshape(())
        elif self.shape is not None:
            arr = arr.reshape(self.shape)
        return lib.tensor(arr)

    def __repr__(self):
        if self.kind == "S":
            return repr(self.value)
        return f"{self.dt}{'[]' if self.kind == 'Z' else list(self.shape or (4,))}"


def T(dt, which="a", shape=None):
    return A("T", dt, which, shape)


def Z(dt, which="a"):
    return A("Z", dt, which)


def S(v):
    return A("S", value=v)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t._array)


def _msg(e):
    s = str(e).strip()
    return s.splitlines()[0].replace("torch", "ember") if s else ""


def _same(e, t):
    """None when ember's result ``e`` matches torch's ``t``, else a description."""
    if isinstance(t, (tuple, list)):
        for i, (x, y) in enumerate(zip(e, t)):
            r = _same(x, y)
            if r:
                return f"[{i}] {r}"
        return None
    if not isinstance(e, ember.Tensor):
        return f"ember gave {type(e).__name__}"
    ea, ta = _np(e), _np(t)
    if ea.dtype.name not in DT:
        return f"ember array dtype {ea.dtype} (no torch dtype)"
    if str(e.dtype) != str(t.dtype):
        return f"dtype {e.dtype} vs {t.dtype}"
    if ea.shape != ta.shape:
        return f"shape {ea.shape} vs {ta.shape}"
    if ta.dtype.kind == "f":
        tol = 2e-3 if ta.dtype == np.float16 else 1e-5
        ok = np.allclose(ea.astype(np.float64), ta.astype(np.float64), rtol=tol, atol=tol,
                         equal_nan=True)
    else:
        ok = np.array_equal(ea, ta)
    return None if ok else f"values {ea.tolist()} vs {ta.tolist()}"


def _diff(fn, args, text=True):
    """Run ``fn(lib, *args)`` in both libraries: None if they agree, else a description."""
    out = {}
    for name, lib in (("ember", ember), ("torch", torch)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[name] = (True, fn(lib, *[a.build(lib) if isinstance(a, A) else a
                                             for a in args]))
        except Exception as ex:  # noqa: BLE001 - the class is what is compared
            out[name] = (False, ex)
    (eok, e), (tok, t) = out["ember"], out["torch"]
    if not eok and not tok:
        if type(e) is not type(t):
            return f"{type(e).__name__}: {_msg(e)} vs {type(t).__name__}: {_msg(t)}"
        if text and _msg(e) != _msg(t):
            return f"text {_msg(e)!r} vs {_msg(t)!r}"
        return None
    if not eok:
        return f"ember raised {type(e).__name__}: {_msg(e)}"
    if not tok:
        return f"torch raised {type(t).__name__}: {_msg(t)}"
    return _same(e, t)


def _check(fn, cases, text=True):
    bad = []
    for args in cases:
        r = _diff(fn, args, text)
        if r:
            bad.append(f"{args}: {r}")
    assert not bad, f"{len(bad)} mismatches:\n" + "\n".join(bad[:20])


# a fixed sample of operand pairs: every dtype against float32/int64/bool/its own kind, 0-d
# tensors of other dtypes, and Python scalars
_FIRST = [T(d) for d in DT]
_PAIRS = (
    [(T(d), T(e, "b")) for d in DT for e in ("bool", "uint8", "int32", "float16", "float64")]
    + [(T(d), Z(e, "b")) for d in DT for e in ("int64", "float64", "bool")]
    + [(Z(d), T(e, "b")) for d in ("bool", "int8", "float64") for e in ("uint8", "float32")]
    + [(T(d), S(s)) for d in DT for s in SCALARS]
)

BINARY = {
    "add": lambda L, a, b: L.add(a, b),
    "sub": lambda L, a, b: L.sub(a, b),
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "div_trunc": lambda L, a, b: L.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda L, a, b: L.div(a, b, rounding_mode="floor"),
    "floor_divide": lambda L, a, b: a // b,
    "remainder": lambda L, a, b: a % b,
    "fmod": lambda L, a, b: L.fmod(a, b),
    "pow": lambda L, a, b: a ** b,
    "atan2": lambda L, a, b: L.atan2(a, b),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "fmin": lambda L, a, b: L.fmin(a, b),
    "lt": lambda L, a, b: a < b,
    "eq": lambda L, a, b: L.eq(a, b),
    "logical_and": lambda L, a, b: L.logical_and(a, b),
    "bitwise_and": lambda L, a, b: a & b,
    "bitwise_xor": lambda L, a, b: L.bitwise_xor(a, b),
    "isclose": lambda L, a, b: L.isclose(a, b),
    "where": lambda L, a, b: L.where(L.tensor([True, False, True, False]), a, b),
    "clamp_min": lambda L, a, b: L.clamp(a, min=b),
    "clamp_max_": lambda L, a, b: a.clone().clamp_max_(b),
    "iadd": lambda L, a, b: a.clone().add_(b),
    "isub": lambda L, a, b: a.clone().sub_(b),
    "imul": lambda L, a, b: a.clone().mul_(b),
    "idiv": lambda L, a, b: a.clone().div_(b),
}


@needs_torch
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_promotion_and_errors(name):
    """Result dtype and values (or error class and text) of binary ops and their in-place
    forms over tensor/0-d/scalar operands of every dtype."""
    _check(BINARY[name], _PAIRS)


@needs_torch
@pytest.mark.parametrize("name", ["radd", "rsub", "rmul", "rdiv", "rpow", "rmod", "rand"])
def test_reflected_scalar_ops(name):
    op = {"radd": lambda s, t: s + t, "rsub": lambda s, t: s - t, "rmul": lambda s, t: s * t,
          "rdiv": lambda s, t: s / t, "rpow": lambda s, t: s ** t, "rmod": lambda s, t: s % t,
          "rand": lambda s, t: s & t}[name]
    _check(lambda L, s, t: op(s, t), [(S(s), T(d, "b")) for d in DT for s in SCALARS])


@needs_torch
def test_integer_scalars_wrap_into_the_tensor_dtype():
    """torch casts a Python int to the computation dtype (uint8 + -3 adds 253); NumPy raises
    OverflowError."""
    u8 = lambda: T("uint8")  # noqa: E731
    cases = [lambda L, a: a + (-3), lambda L, a: a * -3, lambda L, a: a - 300,
             lambda L, a: a < -3, lambda L, a: a & -3, lambda L, a: a // -3,
             lambda L, a: L.div(a, -3, rounding_mode="trunc"), lambda L, a: a % -3,
             lambda L, a: L.clamp(a, -3), lambda L, a: L.where(L.tensor([True] * 4), a, -3),
             lambda L, a: L.where(L.tensor([True] * 4), a, 300), lambda L, a: L.clamp(a, 300)]
    for f in cases:
        _check(f, [(u8(),), (T("int8"),)])


@needs_torch
def test_alpha_rules():
    """add/sub/rsub with alpha: rsub(t, 2, alpha=3) = 2 - 3 t; bool alpha only for bool
    results; no float alpha for integral results; alpha does not promote."""
    fns = [lambda L, a, b, al: L.add(a, b, alpha=al), lambda L, a, b, al: L.sub(a, b, alpha=al),
           lambda L, a, b, al: L.rsub(a, b, alpha=al),
           lambda L, a, b, al: a.clone().add_(b, alpha=al)]
    cases = [(T(d), o, al) for d in ("bool", "uint8", "int16", "float16", "float32")
             for o in (T("bool", "b"), T("int8", "b"), T("float16", "b"), S(2), S(2.5), S(True))
             for al in (3, 1.5, True, 0)]
    for f in fns:
        _check(f, cases)


UNARY = ["exp", "log1p", "sqrt", "sigmoid", "tanh", "erf", "reciprocal", "rsqrt", "abs", "neg",
         "sign", "sgn", "square", "floor", "ceil", "trunc", "frac", "round", "relu",
         "nan_to_num", "logit", "bitwise_not", "logical_not", "isnan", "signbit"]


@needs_torch
@pytest.mark.parametrize("name", UNARY)
def test_unary_on_every_dtype(name):
    _check(lambda L, a: getattr(L, name)(a), [(T(d),) for d in DT] + [(Z(d),) for d in DT])


@needs_torch
def test_unary_extras_on_every_dtype():
    fns = [lambda L, a: L.round(a, decimals=1), lambda L, a: L.round(a, decimals=0),
           lambda L, a: a.round(), lambda L, a: ~a, lambda L, a: abs(a), lambda L, a: -a,
           lambda L, a: a ** 2, lambda L, a: a ** -1, lambda L, a: a ** 0.5, lambda L, a: a ** True,
           lambda L, a: a ** False, lambda L, a: 2 ** a, lambda L, a: True ** a,
           lambda L, a: L.clamp(a, -1, 3), lambda L, a: L.clamp(a, 0.5, 1.5),
           lambda L, a: L.clamp(a, True, True), lambda L, a: a.clone().clamp_(0.5, 1.5),
           lambda L, a: a.clone().sign_(), lambda L, a: a.clone().abs_(),
           lambda L, a: a.clone().floor_(), lambda L, a: a.clone().exp_()]
    for f in fns:
        _check(f, [(T(d),) for d in DT])


ACTIVATIONS = ["relu", "relu6", "hardtanh", "leaky_relu", "elu", "selu", "celu", "gelu", "silu",
               "mish", "hardsigmoid", "hardswish", "softplus", "softsign", "tanhshrink",
               "logsigmoid", "hardshrink", "softshrink", "glu", "rrelu"]


@needs_torch
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_on_integer_and_bool_tensors(name):
    """torch keeps integer dtypes (relu, relu6, hardtanh, threshold) or raises its kernel's
    NotImplementedError; bool mostly raises."""
    _check(lambda L, a: getattr(L.nn.functional, name)(a), [(T(d),) for d in DT])


@needs_torch
def test_activation_parameters_and_inplace_on_integers():
    fns = [lambda L, a: L.nn.functional.hardtanh(a, -1.5, 1.5),
           lambda L, a: L.nn.functional.hardtanh(a, 1, 3),
           lambda L, a: L.nn.functional.hardtanh(a, -1000, 1000),
           lambda L, a: L.nn.functional.threshold(a, 1.5, 7.9),
           lambda L, a: L.nn.functional.threshold(a, 2, -1),
           lambda L, a: L.nn.functional.relu6(a.clone(), inplace=True),
           lambda L, a: L.nn.functional.hardtanh_(a.clone()),
           lambda L, a: L.nn.functional.leaky_relu_(a.clone()),
           lambda L, a: L.nn.functional.threshold_(a.clone(), 1, 0)]
    for f in fns:
        _check(f, [(T(d),) for d in DT if d != "float16"])
    # random noise: only the integer/bool errors are comparable
    _check(lambda L, a: L.nn.functional.rrelu(a, training=True), [(T(d),) for d in DT[:6]])


REDUCTIONS = {
    "sum": lambda L, a: a.sum(), "sum_dim": lambda L, a: L.sum(a, 1),
    "sum_dtype": lambda L, a: L.sum(a, dtype=L.int32), "nansum": lambda L, a: L.nansum(a),
    "mean": lambda L, a: a.mean(), "mean_dtype": lambda L, a: L.mean(a, 0, dtype=L.float64),
    "nanmean": lambda L, a: L.nanmean(a), "prod": lambda L, a: a.prod(),
    "prod_dim_dtype": lambda L, a: L.prod(a, 1, dtype=L.int32),
    "cumsum": lambda L, a: L.cumsum(a, 1), "cumprod": lambda L, a: L.cumprod(a, 0),
    "cumprod_dtype": lambda L, a: L.cumprod(a, 1, dtype=L.int16),
    "max": lambda L, a: a.max(), "max_dim": lambda L, a: tuple(L.max(a, 1)),
    "amin": lambda L, a: L.amin(a, 0), "argmax": lambda L, a: L.argmax(a),
    "argmin_dim": lambda L, a: L.argmin(a, 1), "var": lambda L, a: a.var(),
    "std_mean": lambda L, a: L.std_mean(a), "var_mean": lambda L, a: L.var_mean(a),
    "norm": lambda L, a: a.norm(), "logsumexp": lambda L, a: L.logsumexp(a, 1),
    "softmax": lambda L, a: L.softmax(a, 1), "softmax0": lambda L, a: L.softmax(a, 0),
    "log_softmax_dtype": lambda L, a: L.log_softmax(a, 1, dtype=L.float64),
    "all": lambda L, a: a.all(), "any_dim": lambda L, a: L.any(a, 0),
    "count_nonzero": lambda L, a: L.count_nonzero(a, 1), "topk": lambda L, a: tuple(L.topk(a, 2)),
    "sort": lambda L, a: tuple(L.sort(a, 1)), "median": lambda L, a: L.median(a),
    "median_dim": lambda L, a: tuple(L.median(a, 1)), "kthvalue": lambda L, a: tuple(
        L.kthvalue(a, 1, 1)), "cummax": lambda L, a: tuple(L.cummax(a, 1)),
    "max_bool_dim": lambda L, a: L.max(a, True),
}


@needs_torch
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reductions_on_every_dtype(name):
    """Integral and bool sum/prod/cumsum/cumprod are int64 (never NumPy's uint64); all/any keep
    uint8; mean/var/std/norm/softmax/argmax/topk/median refuse the dtypes torch refuses."""
    _check(REDUCTIONS[name], [(T(d, shape=(2, 3)),) for d in DT])


@needs_torch
def test_ternary_promotion():
    """clamp with tensor bounds, addcmul/addcdiv (value cast to the result dtype), lerp."""
    rng = np.random.default_rng(0)
    triples = [tuple(rng.choice(DT, 3)) for _ in range(40)] + [(d, d, d) for d in DT]
    _check(lambda L, a, lo, hi: L.clamp(a, lo, hi),
           [(T(d0), T(d1, "b"), Z(d2, "b")) for d0, d1, d2 in triples]
           + [(T(d), Z("float64"), Z("float64")) for d in DT]
           + [(T(d), T("bool", "b"), T("bool", "b")) for d in DT])
    for v in (1, 2, 0.5, True):
        _check(lambda L, a, b, c: L.addcmul(a, b, c, value=v),
               [(T(d0), T(d1, "b"), T(d2, "b")) for d0, d1, d2 in triples])
        _check(lambda L, a, b, c: L.addcdiv(a, b, c, value=v),
               [(T(d0), T(d1, "b"), T(d2, "b")) for d0, d1, d2 in triples])
    _check(lambda L, a, b: a.clone().addcmul_(b, b), [(T(d0), T(d1, "b")) for d0, d1, _ in
                                                     triples])
    _check(lambda L, a, b, w: L.lerp(a, b, w),
           [(T(d0), T(d1, "b"), w) for d0, d1 in itertools.product(DT, ("float32", "int64"))
            for w in (S(0.5), Z("float64"), T(d1, "b"), S(2))])


@needs_torch
def test_where_condition_and_scalars():
    _check(lambda L, c: L.where(c, L.ones(4), L.zeros(4)), [(T(d),) for d in DT])
    _check(lambda L, a, b: L.where(L.tensor([True, False, True, False]), a, b),
           [(S(x), S(y)) for x in SCALARS for y in SCALARS]
           + [(Z(d), S(s)) for d in DT for s in SCALARS])


@needs_torch
def test_cat_and_stack_promote_over_all_inputs():
    """The result dtype comes from every input, empty legacy 1-D tensors included; cat's
    ``out=`` refuses a lower category."""
    pairs = list(itertools.product(DT, ("bool", "uint8", "int64", "float16", "float64")))
    _check(lambda L, a, b: L.cat([a, b]), [(T(d0), T(d1, "b")) for d0, d1 in pairs])
    _check(lambda L, a, b: L.cat([a, b]),
           [(T(d0, shape=(2, 2)), T(d1, shape=(0,))) for d0, d1 in pairs]
           + [(T(d0, shape=(0,)), T(d1, shape=(2, 2))) for d0, d1 in pairs])
    _check(lambda L, a, b: L.stack([a, b]), [(Z(d0), Z(d1, "b")) for d0, d1 in pairs])
    _check(lambda L, a, b: L.cat([a, b], out=L.empty(8, dtype=a.dtype)),
           [(T(d0), T(d1, "b")) for d0, d1 in pairs])
    # the values of the empty-input promotion: float32 data in a float64 result
    e = ember.cat([ember.tensor([[1.5, 2.0]]), ember.tensor([], dtype=ember.float64)])
    assert e.dtype == ember.float64 and e.tolist() == [[1.5, 2.0]]


@needs_torch
@pytest.mark.parametrize("call", [
    lambda L: L.bitwise_and(L.ones(2), L.ones(2)),
    lambda L: L.bitwise_or(L.ones(2, dtype=L.float16), L.ones(2, dtype=L.int64)),
    lambda L: L.bitwise_xor(L.ones(2, dtype=L.int64), 2.5),
    lambda L: L.bitwise_not(L.ones(2, dtype=L.float64)),
    lambda L: L.rand(2, dtype=L.int64), lambda L: L.randn(2, dtype=L.uint8),
    lambda L: L.normal(0.0, 1.0, size=(2,), dtype=L.int32),
    lambda L: L.zeros(2, dtype=L.int64).normal_(),
    lambda L: L.zeros(2, dtype=L.bool).uniform_(),
    lambda L: L.nn.functional.avg_pool2d(L.ones(1, 1, 4, 4, dtype=L.int32), 2),
    lambda L: L.abs(L.ones(2, dtype=L.bool)),
    lambda L: L.frac(L.ones(2, dtype=L.int16)),
    lambda L: L.remainder(L.ones(2, dtype=L.bool), L.ones(2, dtype=L.bool)),
    lambda L: L.lerp(L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64), 0.5),
    lambda L: L.median(L.ones(2, dtype=L.bool)),
    lambda L: L.softmax(L.ones(2, 2, dtype=L.int64), 0),
    lambda L: L.addcmul(L.ones(2, dtype=L.bool), L.ones(2, dtype=L.bool),
                        L.ones(2, dtype=L.bool)),
])
def test_missing_kernels_raise_not_implemented_error(call):
    """'"<kernel>" not implemented for <Dtype>' is a NotImplementedError in torch."""
    r = _diff(lambda L: call(L), ())
    assert r is None, r


def _grad_info(lib, fn, dt):
    x = lib.tensor(np.array([0.3, -1.2, 2.5, 0.7], dtype=dt), requires_grad=True)
    out = fn(lib, x)
    name = None if out.grad_fn is None else (  # with the edges: None or the next node's name
        type(out.grad_fn).__name__,
        tuple(None if f is None else type(f).__name__ for f, _ in out.grad_fn.next_functions))
    try:
        out.sum().backward()
        bw = None
        g = x.grad
        if g is not None and getattr(g, "_is_zerotensor", lambda: False)():
            g = lib.zeros(4, dtype=g.dtype)
        grad = None if g is None else (g.numpy() if lib is torch else np.asarray(g._array))
    except Exception as ex:  # noqa: BLE001 - the class is what is compared
        bw, grad = (type(ex).__name__, _msg(ex)), None
    return out.requires_grad, name, bw, grad


GRAD_CASES = {
    "floor_divide": lambda L, x: L.floor_divide(x, 2.0),
    "floordiv_op": lambda L, x: x // (x.detach().abs() + 1),
    "rremainder": lambda L, x: 1.5 % x,
    "sub_inplace": lambda L, x: (x * 1).sub_(x.detach(), alpha=2),
    "sub_inplace_number": lambda L, x: (x * 1).sub_(1.5),
    "rsub_alpha": lambda L, x: L.rsub(x, 2, alpha=3),
    "add_alpha_int": lambda L, x: L.add(x, L.tensor([1, 2, 3, 4]), alpha=2),
    "div_floor": lambda L, x: L.div(x, 2.0, rounding_mode="floor"),
    "div_trunc": lambda L, x: L.div(x, x.detach() + 3, rounding_mode="trunc"),
    "sgn": lambda L, x: L.sgn(x), "sign": lambda L, x: x.sign(),
    "median": lambda L, x: L.median(L.cat([x, x[:1]])),
    "median_dim": lambda L, x: L.median(x.reshape(2, 2), 1).values,
    "kthvalue": lambda L, x: L.kthvalue(x, 2).values,
    "cummax": lambda L, x: L.cummax(x, 0).values,
    "rrelu": lambda L, x: L.nn.functional.rrelu(x),
    "logit": lambda L, x: L.logit(x),
    "round_decimals": lambda L, x: L.round(x, decimals=1),
    "round_method": lambda L, x: x.round(),
    "clamp_mixed": lambda L, x: L.clamp(x, L.tensor(-0.5, dtype=L.float64), 0.5),
    "lerp_0d_weight": lambda L, x: L.lerp(x, x.detach() * 2, L.tensor(0.3, dtype=L.float64)),
    "addcmul_mixed": lambda L, x: L.addcmul(x, x, L.tensor([1, 2, 3, 4])),
}


@needs_torch
@pytest.mark.parametrize("name", list(GRAD_CASES))
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_differentiability_matches_torch(name, dt):
    """requires_grad, grad_fn class and its edges, whether backward raises (and how), and the
    gradient."""
    e = _grad_info(ember, GRAD_CASES[name], dt)
    t = _grad_info(torch, GRAD_CASES[name], dt)
    assert e[:3] == t[:3], (e[:3], t[:3])
    if t[3] is None:
        assert e[3] is None
    else:
        np.testing.assert_allclose(e[3], t[3], rtol=1e-5, atol=1e-6)
