"""torch computes inf and NaN silently: ember must not leak NumPy's floating-point warnings
("divide by zero", "invalid value", "overflow encountered") where torch emits none."""
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

SPECIAL = np.array([0.0, -1.0, 1.0, 2.0, -0.0, 100.0], dtype=np.float32)

CASES = {
    "log": lambda lib, x: lib.log(x),
    "log2": lambda lib, x: lib.log2(x),
    "log1p": lambda lib, x: lib.log1p(x - 1),
    "sqrt": lambda lib, x: lib.sqrt(x),
    "rsqrt": lambda lib, x: lib.rsqrt(x),
    "reciprocal": lambda lib, x: lib.reciprocal(x),
    "exp_overflow": lambda lib, x: lib.exp(x),
    "asin": lambda lib, x: lib.asin(x),
    "acosh": lambda lib, x: lib.acosh(x),
    "atanh": lambda lib, x: lib.atanh(x),
    "div_by_zero": lambda lib, x: x / lib.zeros_like(x),
    "pow_tensor": lambda lib, x: x ** (x - 1),
    "pow_scalar": lambda lib, x: x ** -1.5,
    "pow_half": lambda lib, x: x ** 0.5,
    "rpow_zero": lambda lib, x: 0.0 ** (x - 1),
    "logit": lambda lib, x: lib.logit(x),
    "lerp_inf": lambda lib, x: lib.lerp(x, lib.full_like(x, float("inf")), 0.25),
    "lerp_inf_tensor_w": lambda lib, x: lib.lerp(lib.full_like(x, -float("inf")),
                                                 lib.full_like(x, float("inf")),
                                                 lib.full_like(x, 0.75)),
    "mean_empty": lambda lib, x: x[:0].mean(),
    "mean_empty_dim": lambda lib, x: x[:0].reshape(0, 2).mean(0),
    "logsumexp_all_neg_inf": lambda lib, x: lib.logsumexp(lib.full_like(x, -float("inf")), 0),
    "logsumexp_empty": lambda lib, x: lib.logsumexp(x[:0], 0),
    "var_with_inf": lambda lib, x: lib.var(lib.full_like(x, float("inf"))),
    "copy_nan_to_int": lambda lib, x: lib.zeros(6, dtype=lib.int64).copy_(x.log()),
    "copy_overflow_to_half": lambda lib, x: lib.zeros(6, dtype=lib.float16).copy_(
        x.double() * 1e300),
}


def _quiet_run(fn, lib, arr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(lib, lib.tensor(arr))


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_gives_inf_nan_silently_like_torch(name):
    fn = CASES[name]
    t = _quiet_run(fn, torch, SPECIAL)  # the oracle: no warning
    e = _quiet_run(fn, ember, SPECIAL)  # ember: none either
    assert e.dtype.__repr__().split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, equal_nan=True)


# (no .sum(): ember's sum of +inf and -inf still warns, see test_nn_functional_vs_torch)
GRAD_CASES = {
    "log": lambda lib, x: lib.log(x),
    "pow_tensor": lambda lib, x: x ** (x - 1),
    "atan2": lambda lib, x: lib.atan2(x * 0, x * 0),
    "reciprocal": lambda lib, x: lib.reciprocal(x),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(GRAD_CASES))
@pytest.mark.parametrize("create_graph", [False, True])
def test_backward_gives_inf_nan_silently_like_torch(name, create_graph):
    fn = GRAD_CASES[name]
    res = []
    for lib in (torch, ember):
        x = lib.tensor(SPECIAL.astype(np.float64), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = fn(lib, x)
            (g,) = lib.autograd.grad(y, x, lib.ones_like(y), create_graph=create_graph)
            if create_graph:
                (g,) = lib.autograd.grad(g, x, lib.ones_like(g), allow_unused=True,
                                         materialize_grads=True)
        res.append(g.detach().numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-12, equal_nan=True)


def test_no_global_numpy_state_change():
    """quiet() and the backward pass restore the caller's NumPy error state."""
    before = np.geterr()
    x = ember.tensor(SPECIAL, requires_grad=True)
    ember.log(x).sum().backward()
    ember.tensor(SPECIAL) / 0
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        np.log(np.zeros(1))
