"""Gradients of complex inputs follow torch's convention (grad * conj(f'(z)) for holomorphic
f, the Wirtinger pair for sgn/abs/angle), compared with torch for every elementwise function
that accepts complex tensors, at first and second order, and by ember's own gradcheck."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

Z = np.array([0.5 + 0.3j, -1.2 + 0.7j, 0.3 - 0.8j, -0.4 - 0.2j])
C = np.array([1 + 2j, 0.5 - 1j, -0.3 + 0.2j, 2 - 0.5j])
UNARY = ["exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "sqrt", "rsqrt",
         "reciprocal", "sigmoid", "square", "asin", "acos", "atan", "asinh", "acosh", "atanh",
         "log1p", "expm1", "log2", "log10", "abs", "angle", "sgn", "neg", "exp2", "sinc"]
BINARY = {
    "pow_scalar": lambda t, z, w: z ** 2.5,
    "pow_2": lambda t, z, w: z ** 2,
    "pow_complex_scalar": lambda t, z, w: z ** (1 + 1j),
    "pow_tensor": lambda t, z, w: z ** w,
    "rpow": lambda t, z, w: 2.0 ** z,
    "mul": lambda t, z, w: z * w,
    "div": lambda t, z, w: z / w,
}


def _loss(lib, out):
    c = lib.tensor(C.astype(np.complex128))
    if out.is_complex():
        return (out * c).real.sum() + (out * out).imag.sum()
    return (out * c.real).sum()


def _grads(lib, fn, create_graph=False):
    z = lib.tensor(Z, requires_grad=True)
    w = lib.tensor(Z[::-1] * 0.7 + 0.5, requires_grad=True)
    out = fn(lib, z, w)
    leaves = [z] + ([w] if out.grad_fn is not None and _uses(out, w) else [])
    gs = lib.autograd.grad(_loss(lib, out), leaves, create_graph=create_graph,
                           allow_unused=True)
    if create_graph:
        s = sum((g.abs() ** 2).sum() for g in gs if g is not None)
        gs = lib.autograd.grad(s, leaves, allow_unused=True)
    return [None if g is None else g.detach().numpy() for g in gs]


def _uses(out, w):
    seen, stack = set(), [out.grad_fn]
    while stack:
        f = stack.pop()
        if f is None or id(f) in seen:
            continue
        seen.add(id(f))
        if getattr(f, "variable", None) is w:
            return True
        stack.extend(n for n, _ in f.next_functions)
    return False


CASES = {**{n: (lambda lib, z, w, n=n: getattr(lib, n)(z)) for n in UNARY}, **BINARY}


@needs_torch
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_gradients_match_torch(name, order):
    e = _grads(ember, CASES[name], create_graph=order == 2)
    t = _grads(torch, CASES[name], create_graph=order == 2)
    assert len(e) == len(t)
    for a, b in zip(e, t):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("name", ["exp", "log", "sin", "tanh", "sqrt", "reciprocal", "acosh",
                                  "sgn", "abs", "angle", "pow_tensor", "rpow", "pow_scalar"])
def test_complex_gradient_is_dL_dx_plus_i_dL_dy(name):
    """For a real loss L of complex z = x + iy, torch's (and ember's) grad is dL/dx + i dL/dy:
    checked against central differences in float64, without the oracle."""
    fn = CASES[name]
    w = ember.tensor(Z[::-1] * 0.7 + 0.5)

    def loss(zarr):
        with ember.no_grad():
            return _loss(ember, fn(ember, ember.tensor(zarr), w)).item()

    z = ember.tensor(Z, requires_grad=True)
    (g,) = ember.autograd.grad(_loss(ember, fn(ember, z, w)), [z])
    h = 1e-6
    num = np.zeros_like(Z)
    for k in range(Z.size):
        for unit in (1, 1j):
            d = np.zeros_like(Z)
            d[k] = h * unit
            num[k] += unit * (loss(Z + d) - loss(Z - d)) / (2 * h)
    np.testing.assert_allclose(g.numpy(), num, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["exp", "log", "sin", "tanh", "sqrt", "reciprocal", "acosh",
                                  "sgn", "abs", "angle", "pow_tensor", "rpow", "mul", "div"])
def test_gradcheck_and_gradgradcheck_accept_complex(name):
    """gradcheck works in real coordinates for complex inputs and outputs, as torch's does."""
    fn = CASES[name]
    z = ember.tensor(Z, requires_grad=True)
    w = ember.tensor(Z[::-1] * 0.7 + 0.5, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: fn(ember, a, b), (z, w))
    assert ember.autograd.gradgradcheck(lambda a, b: fn(ember, a, b), (z, w))


@needs_torch
def test_gradcheck_rejects_unconjugated_backward_like_torch():
    res = []
    for lib in (ember, torch):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.exp()

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * x.exp()  # missing conj: wrong for complex x

        z = lib.tensor(Z, requires_grad=True)
        res.append((lib.autograd.gradcheck(Bad.apply, (z,), raise_exception=False),
                    lib.autograd.gradcheck(lib.exp, (z,), raise_exception=False)))
    assert res[0] == res[1] == (False, True)
