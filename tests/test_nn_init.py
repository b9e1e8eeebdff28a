"""nn.init: gains, fans, and the distributions' bounds and moments (not bits)."""
import math

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn import init


def _w(*shape, dtype=ember.float32):
    return nn.Parameter(ember.empty(*shape, dtype=dtype))


def test_calculate_gain_matches_torch_table():
    torch = pytest.importorskip("torch")
    for nl, p in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                  ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None),
                  ("leaky_relu", 3)]:
        assert init.calculate_gain(nl, p) == torch.nn.init.calculate_gain(nl, p)
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fans():
    assert init._calculate_fan_in_and_fan_out(ember.empty(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(ember.empty(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor "
                                         "with fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ember.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported, please use one of"):
        init.kaiming_uniform_(ember.empty(3, 3), mode="fan_avg")


def test_uniform_normal_constant():
    w = _w(300, 300)
    r = init.uniform_(w, -0.5, 2.0)
    assert r is w and w.requires_grad and w.grad_fn is None
    a = w.detach().numpy()
    assert a.min() >= -0.5 and a.max() <= 2.0 and abs(a.mean() - 0.75) < 0.02
    init.normal_(w, 1.0, 0.5)
    a = w.detach().numpy()
    assert abs(a.mean() - 1.0) < 0.01 and abs(a.std() - 0.5) < 0.01
    init.constant_(w, 0.3)
    assert np.all(w.detach().numpy() == np.float32(0.3))
    init.ones_(w)
    assert float(w.sum()) == 90000
    init.zeros_(w)
    assert float(w.abs().sum()) == 0


@pytest.mark.parametrize("mode,nl,a", [("fan_in", "leaky_relu", 0), ("fan_out", "relu", 0),
                                       ("fan_in", "leaky_relu", math.sqrt(5))])
def test_kaiming(mode, nl, a):
    w = _w(256, 128, 3)
    fan = 128 * 3 if mode == "fan_in" else 256 * 3
    std = init.calculate_gain(nl, a) / math.sqrt(fan)
    init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nl)
    x = w.detach().numpy()
    bound = math.sqrt(3) * std
    assert np.abs(x).max() <= bound * (1 + 1e-6) and np.abs(x).max() > 0.98 * bound
    assert abs(x.std() - std) < 0.03 * std
    init.kaiming_normal_(w, a=a, mode=mode, nonlinearity=nl)
    x = w.detach().numpy()
    assert abs(x.std() - std) < 0.03 * std and abs(x.mean()) < 0.05 * std


def test_xavier():
    w = _w(200, 300)
    std = 1.5 * math.sqrt(2.0 / 500)
    init.xavier_uniform_(w, gain=1.5)
    x = w.detach().numpy()
    assert np.abs(x).max() <= math.sqrt(3) * std * (1 + 1e-6)
    assert abs(x.std() - std) < 0.03 * std
    init.xavier_normal_(w, gain=1.5)
    assert abs(w.detach().numpy().std() - std) < 0.03 * std


def test_trunc_normal():
    w = _w(400, 400)
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(_w(3), mean=10.0)
    init.trunc_normal_(w, mean=0.5, std=1.0, a=-1.0, b=1.5)
    x = w.detach().numpy()
    assert x.min() >= -1.0 and x.max() <= 1.5
    # mean of N(0.5, 1) truncated to [-1, 1.5] (computed from the pdf)
    from math import erf, exp, pi, sqrt
    al, be = -1.5, 1.0
    phi = lambda z: exp(-z * z / 2) / sqrt(2 * pi)  # noqa: E731
    Phi = lambda z: 0.5 * (1 + erf(z / sqrt(2)))  # noqa: E731
    mean = 0.5 + (phi(al) - phi(be)) / (Phi(be) - Phi(al))
    assert abs(x.mean() - mean) < 0.01


def test_eye_dirac_orthogonal_sparse():
    w = _w(3, 5)
    init.eye_(w)
    np.testing.assert_array_equal(w.detach().numpy(), np.eye(3, 5))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(_w(2, 2, 2))
    c = _w(4, 2, 3, 3)
    init.dirac_(c, groups=2)
    x = c.detach().numpy()
    assert x.sum() == 4 and x[0, 0, 1, 1] == 1 and x[1, 1, 1, 1] == 1 and x[2, 0, 1, 1] == 1
    for shape in [(6, 4), (4, 6), (3, 2, 2)]:
        q = _w(*shape)
        init.orthogonal_(q, gain=2.0)
        m = q.detach().numpy().reshape(shape[0], -1).astype(np.float64)
        small = m @ m.T if shape[0] <= m.shape[1] else m.T @ m
        np.testing.assert_allclose(small, 4 * np.eye(small.shape[0]), atol=1e-5)
    s = _w(10, 6)
    init.sparse_(s, 0.3, std=0.5)
    x = s.detach().numpy()
    assert ((x == 0).sum(0) >= 3).all()


def test_generator_reproducible():
    g1 = ember.Generator().manual_seed(3)
    g2 = ember.Generator().manual_seed(3)
    a, b = _w(4, 4), _w(4, 4)
    init.kaiming_uniform_(a, generator=g1)
    init.kaiming_uniform_(b, generator=g2)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_init_runs_under_no_grad_on_parameters():
    m = nn.Linear(3, 3)
    init.normal_(m.weight)
    assert m.weight.grad_fn is None and m.weight.is_leaf
    init.zeros_(m.bias)
    y = m(ember.ones(1, 3)).sum()
    y.backward()
    assert m.weight.grad is not None


def test_float64_init_keeps_dtype():
    w = _w(5, 5, dtype=ember.float64)
    init.xavier_uniform_(w)
    init.orthogonal_(w)
    init.trunc_normal_(w)
    assert w.dtype == ember.float64
