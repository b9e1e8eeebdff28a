"""The sampling kernels torch.distributions draws through (issue 15): ``_standard_gamma``,
``_sample_dirichlet``, ``binomial`` (and ``poisson``, ``multinomial``) give torch's numbers bit
for bit after the same seed and leave the generator where torch leaves it; the gradient kernels
``_standard_gamma_grad`` and ``_dirichlet_grad`` give torch's values; graphs and error texts are
torch's.  The implicit reparameterisation gradient is checked against finite differences of the
Gamma quantile (scipy, test-only)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None
try:
    from scipy import special as sps
    from scipy import stats
except ImportError:  # pragma: no cover - scipy is optional
    sps = stats = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
needs_scipy = pytest.mark.skipif(sps is None, reason="scipy not installed")
DTYPES = ["float32", "float64"]


def _both(fn, seed, *arrays):
    """``fn(lib, *tensors)`` in ember and torch after ``manual_seed(seed)``; the results as
    arrays, and one value drawn afterwards by each (the generators' positions)."""
    out = []
    for lib in (ember, torch):
        lib.manual_seed(seed)
        r = fn(lib, *[lib.tensor(a) for a in arrays])
        out.append((r.detach().numpy(), r.dtype, lib.rand(3, dtype=lib.float64).numpy()))
    (e, edt, enext), (t, tdt, tnext) = out
    assert str(edt) == str(tdt)
    return e, t, enext, tnext


def _exact(fn, seed, *arrays):
    e, t, enext, tnext = _both(fn, seed, *arrays)
    assert e.shape == t.shape
    np.testing.assert_array_equal(e, t)
    np.testing.assert_array_equal(enext, tnext)  # the same number of draws used


_ALPHAS = [0.0, 1e-3, 0.05, 0.3, 0.999, 1.0, 1.5, 2.5, 7.9, 8.1, 30.0, 1e3, 1e6]


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("seed", [0, 1, 7, 123])
def test_standard_gamma_is_torchs_bit_for_bit(dt, seed):
    rng = np.random.default_rng(seed)
    alpha = np.concatenate([_ALPHAS, rng.uniform(0, 4, 300), rng.uniform(0, 0.1, 50)])
    _exact(lambda lib, a: lib._standard_gamma(a), seed, alpha.astype(dt).reshape(33, 11))


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
def test_standard_gamma_odd_concentrations(dt):
    """Negative and NaN concentrations draw and give the dtype's tiny, as torch's kernel."""
    a = np.array([-1.0, np.nan, -0.5, np.inf, 0.0, 2.0], dt)
    _exact(lambda lib, x: lib._standard_gamma(x), 3, a)
    _exact(lambda lib, x: lib._standard_gamma(x), 3, np.zeros((0, 3), dt))
    _exact(lambda lib, x: lib._standard_gamma(x), 3, np.array(2.5, dt))


@needs_torch
def test_generator_argument_and_noncontiguous_input():
    a = np.random.default_rng(0).uniform(0.2, 3, (4, 5))
    ge, gt = ember.Generator().manual_seed(11), torch.Generator().manual_seed(11)
    e = ember._standard_gamma(ember.tensor(a).t(), generator=ge)
    t = torch._standard_gamma(torch.tensor(a).t(), generator=gt)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    e = ember._sample_dirichlet(ember.tensor(a).expand(3, 4, 5), generator=ge)
    t = torch._sample_dirichlet(torch.tensor(a).expand(3, 4, 5), generator=gt)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    np.testing.assert_array_equal(ge.get_state().numpy(), gt.get_state().numpy())


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("k", [1, 2, 3, 5, 17, 50, 300])
def test_sample_dirichlet_is_torchs_bit_for_bit(dt, k):
    conc = np.random.default_rng(k).uniform(0.01, 5, (6, k)).astype(dt)
    _exact(lambda lib, a: lib._sample_dirichlet(a), k, conc)
    _exact(lambda lib, a: lib._sample_dirichlet(a), k, np.full((2, k), 1e-3, dt))


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("scale", [5, 40, 1000, 1e6])
def test_binomial_is_torchs_bit_for_bit(dt, scale):
    rng = np.random.default_rng(int(scale))
    count = np.floor(rng.uniform(0, scale, 400)).astype(dt)
    prob = rng.uniform(0, 1, 400).astype(dt)
    _exact(lambda lib, c, p: lib.binomial(c, p), 2, count, prob)


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
def test_binomial_edges_and_broadcasting(dt):
    count = np.array([-5.0, 0.0, 3.0, 10.0, 2.5, 3.7, 100.0, 30.0, 55.5, 3e7, 3e7 + 3, 77.25], dt)
    prob = np.array([0.3, 0.5, -0.5, 1.5, 0.3, 0.6, np.nan, 0.9, 0.5, 0.4, 0.7, 0.8], dt)
    _exact(lambda lib, c, p: lib.binomial(c, p), 4, count, prob)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn that the output was resized
        _exact(lambda lib, c, p: lib.binomial(c, p), 4, np.array([[5.0], [30.0]], dt),
               np.array([0.2, 0.7, 0.95], dt))
    _exact(lambda lib, c, p: lib.binomial(c, p), 4, np.array([5.0, 30.0], dt),
           np.array(0.4, dt))


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
def test_poisson_and_multinomial_are_torchs(dt):
    rng = np.random.default_rng(5)
    lam = np.concatenate([rng.uniform(0, 3, 100), rng.uniform(10, 500, 100), [0.0]]).astype(dt)
    _exact(lambda lib, a: lib.poisson(a), 9, lam)
    w = rng.uniform(0, 1, (3, 6)).astype(dt)
    for n, rep in ((1, False), (4, False), (1, True), (25, True)):
        _exact(lambda lib, a: lib.multinomial(a, n, rep), 9, w)


# ------------------------------------------------------------------------------ gradients


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
def test_standard_gamma_grad_values(dt):
    rng = np.random.default_rng(3)
    alpha = np.concatenate([rng.uniform(0.01, 20, 300), rng.uniform(8, 200, 100)]).astype(dt)
    x = np.concatenate([rng.gamma(alpha[:300]), alpha[300:] * rng.uniform(0.5, 1.5, 100)])
    x = np.concatenate([x[:380], rng.uniform(0, 0.8, 20)]).astype(dt)
    e = ember._standard_gamma_grad(ember.tensor(alpha), ember.tensor(x)).numpy()
    t = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)).numpy()
    assert e.dtype == t.dtype
    np.testing.assert_allclose(e, t, rtol=1e-12 if dt == "float64" else 1e-6, atol=0)


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("k", [2, 3, 5, 50])
def test_dirichlet_grad_values(dt, k):
    rng = np.random.default_rng(k)
    conc = rng.uniform(0.05, 10, (40, k))
    conc[:5] *= 30  # both concentrations large: the saddle-point branch
    torch.manual_seed(k)
    x = torch._sample_dirichlet(torch.tensor(conc)).numpy().astype(dt)
    conc = conc.astype(dt)
    total = np.broadcast_to(conc.sum(-1, keepdims=True), conc.shape).copy()
    e = ember._dirichlet_grad(*[ember.tensor(v) for v in (x, conc, total)]).numpy()
    t = torch._dirichlet_grad(*[torch.tensor(v) for v in (x, conc, total)]).numpy()
    assert e.dtype == t.dtype
    if dt == "float64":
        np.testing.assert_allclose(e, t, rtol=1e-12, atol=0)
    else:  # the float series as torch's; C's logf is the rounded double log but in ~1/1000
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=0)
        assert (e != t).mean() < 0.01


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
def test_rsample_gradient_and_graph_are_torchs(dt):
    """Gamma(alpha, rate).rsample() as torch.distributions writes it: the sample and the
    gradient through StandardGammaBackward0 are torch's, bit for bit."""
    a = np.array([[0.3, 1.0, 2.5], [7.0, 9.0, 40.0]], dt)
    rate = np.array([0.5, 2.0, 3.0], dt)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        alpha, r = lib.tensor(a, requires_grad=True), lib.tensor(rate, requires_grad=True)
        s = lib._standard_gamma(alpha.expand(4, 2, 3)) / r
        loss = (s * s).sum()
        loss.backward()
        node = s.grad_fn.next_functions[0][0]
        res.append((s.detach().numpy(), alpha.grad.numpy(), r.grad.numpy(),
                    type(node).__name__, [type(n).__name__ for n, _ in node.next_functions]))
    (se, ae, re, ne, nfe), (st, at, rt, nt, nft) = res
    np.testing.assert_array_equal(se, st)
    np.testing.assert_allclose(ae, at, rtol=1e-6 if dt == "float32" else 1e-12)
    np.testing.assert_allclose(re, rt, rtol=1e-6 if dt == "float32" else 1e-12)
    assert (ne, nfe) == (nt, nft) == ("StandardGammaBackward0", ["ExpandBackward0"])


@needs_torch
def test_graphs_and_backward_errors_are_torchs():
    vals = np.array([1.0, 2.0])
    for name, fn in (
            ("_sample_dirichlet", lambda lib, a: lib._sample_dirichlet(a)),
            ("binomial", lambda lib, a: lib.binomial(a * 5, a / 3)),
            ("_dirichlet_grad", lambda lib, a: lib._dirichlet_grad(a / 4, a, a * 2)),
            ("_standard_gamma_grad", lambda lib, a: lib._standard_gamma_grad(a, a)),
            ("poisson", lambda lib, a: lib.poisson(a))):
        got = []
        for lib in (ember, torch):
            a = lib.tensor(vals, requires_grad=True)
            out = fn(lib, a)
            names = [type(n).__name__ for n, _ in out.grad_fn.next_functions]
            try:
                out.sum().backward()
                err = a.grad.numpy().tolist()
            except (RuntimeError, NotImplementedError) as e:
                err = (type(e).__name__, str(e).split("\n")[0])
            got.append((type(out.grad_fn).__name__, names, out.requires_grad, err))
        assert got[0] == got[1], name


@needs_scipy
@pytest.mark.parametrize("alpha", [0.05, 0.4, 1.0, 3.0, 7.5, 8.5, 25.0, 300.0])
def test_standard_gamma_grad_is_the_quantiles_derivative(alpha):
    """The implicit reparameterisation: d/dalpha of the Gamma(alpha) quantile at a fixed CDF
    level, by central differences in float64 (scipy's gammaincinv), equals
    ``_standard_gamma_grad(alpha, sample)`` (torch's approximations: ~1e-3 relative)."""
    u = np.array([0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
    x = sps.gammaincinv(alpha, u)
    h = 1e-6 * alpha
    fd = (sps.gammaincinv(alpha + h, u) - sps.gammaincinv(alpha - h, u)) / (2 * h)
    g = ember._standard_gamma_grad(ember.tensor(np.full(7, alpha)), ember.tensor(x)).numpy()
    np.testing.assert_allclose(g, fd, rtol=5e-3, atol=1e-8)


@needs_scipy
def test_dirichlet_grad_is_the_beta_quantiles_derivative():
    """``_dirichlet_grad(x, a, a + b) * (1 - x)`` is d/da of the Beta(a, b) quantile."""
    for a, b in ((0.5, 0.7), (2.0, 3.0), (8.0, 9.0), (1.5, 30.0)):
        u = np.array([0.05, 0.3, 0.5, 0.7, 0.95])
        x = sps.betaincinv(a, b, u)
        h = 1e-6 * a
        fd = (sps.betaincinv(a + h, b, u) - sps.betaincinv(a - h, b, u)) / (2 * h)
        g = ember._dirichlet_grad(ember.tensor(x), ember.tensor(np.full(5, a)),
                                  ember.tensor(np.full(5, a + b))).numpy() * (1 - x)
        np.testing.assert_allclose(g, fd, rtol=2e-2, atol=1e-6)


@needs_scipy
def test_samples_follow_their_distributions():
    """Statistical sanity (a KS test at a fixed seed, and moments)."""
    ember.manual_seed(2024)
    s = ember._standard_gamma(ember.full((4000,), 2.5, dtype=ember.float64)).numpy()
    assert stats.kstest(s, stats.gamma(2.5).cdf).pvalue > 1e-3
    b = ember.binomial(ember.full((4000,), 50.0), ember.full((4000,), 0.3)).numpy()
    assert abs(b.mean() - 15.0) < 0.2 and abs(b.var() - 10.5) < 1.0
    d = ember._sample_dirichlet(ember.tensor([[1.0, 2.0, 3.0]]).expand(4000, 3)).numpy()
    np.testing.assert_allclose(d.mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.01)


# ------------------------------------------------------------------------------ errors


def _err(lib, fn):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the class and text are what is compared
        return type(e).__name__, str(e).split("\n")[0]
    return None


@needs_torch
@pytest.mark.parametrize("case", [
    lambda lib: lib.binomial(lib.tensor([5.0]), lib.tensor([0.3], dtype=lib.float64)),
    lambda lib: lib.binomial(lib.tensor([5]), lib.tensor([0.3])),
    lambda lib: lib.binomial(lib.tensor([5.0]), lib.tensor([1])),
    lambda lib: lib.binomial(lib.tensor([5.0]).half(), lib.tensor([0.3]).half()),
    lambda lib: lib.binomial(lib.tensor([5.0]), 0.5),
    lambda lib: lib._sample_dirichlet(lib.tensor([1.0, 2.0]).half()),
    lambda lib: lib._standard_gamma(lib.tensor([1, 2])),
    lambda lib: lib._standard_gamma(lib.tensor([1.0, 2.0]).half()),
    lambda lib: lib._sample_dirichlet(lib.tensor([1, 2])),
    lambda lib: lib._standard_gamma_grad(lib.tensor([1.0]), lib.tensor([1.0], dtype=lib.float64)),
    lambda lib: lib._standard_gamma_grad(lib.tensor([1, 2]), lib.tensor([1, 2])),
    lambda lib: lib._dirichlet_grad(lib.tensor([0.1]), lib.tensor([1.0]),
                                    lib.tensor([3.0], dtype=lib.float64)),
    lambda lib: lib._dirichlet_grad(lib.tensor([1]), lib.tensor([1]), lib.tensor([3])),
    lambda lib: lib.poisson(lib.tensor([-1.0])),
    lambda lib: lib.poisson(lib.tensor([1, 2])),
])
def test_errors_are_torchs(case):
    assert _err(ember, case) == _err(torch, case) is not None


@needs_torch
def test_resize_warning_is_torchs():
    got = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = lib._standard_gamma_grad(lib.tensor([1.0, 2.0]), lib.tensor([[1.0], [2.0]]))
        got.append((tuple(r.shape), [str(x.message).split(" (Triggered")[0] for x in w]))
    assert got[0] == got[1]
