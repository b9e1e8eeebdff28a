"""ember.distributions against torch.distributions: the base class, constraints, the KL
registry and the families of the base (Normal, Uniform, Bernoulli, Categorical). Other
families have their own test files built on tests/_dist_check.py."""
import math
import warnings

import numpy as np
import pytest

import ember
from _dist_check import Case, check_case, check_kl

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
R = np.random.default_rng(7)
F32 = np.float32

CASES = [
    Case("Normal", dict(loc=R.normal(size=3).astype(F32), scale=R.uniform(.5, 2, 3).astype(F32)),
         lambda lib, p: lib.distributions.Normal(p["loc"], p["scale"]),
         lambda lib: lib.tensor([0.3, -1.0, 2.0]), grad=("loc", "scale")),
    Case("Normal-scalar", {}, lambda lib, p: lib.distributions.Normal(0.5, 2.0),
         lambda lib: lib.tensor(1.5)),
    Case("Normal-f64-batch", dict(loc=R.normal(size=(2, 1)), scale=R.uniform(.5, 2, (1, 3))),
         lambda lib, p: lib.distributions.Normal(p["loc"], p["scale"]),
         lambda lib: lib.tensor(np.zeros((2, 3))), grad=("loc", "scale")),
    Case("Uniform", dict(low=np.array([0., -1.], F32), high=np.array([1., 3.], F32)),
         lambda lib, p: lib.distributions.Uniform(p["low"], p["high"]),
         lambda lib: lib.tensor([0.5, 2.5]), grad=("low", "high")),
    Case("Uniform-scalar", {}, lambda lib, p: lib.distributions.Uniform(-2.0, 5.0),
         lambda lib: lib.tensor(0.0)),
    Case("Bernoulli-probs", dict(probs=np.array([0.1, 0.5, 0.9], F32)),
         lambda lib, p: lib.distributions.Bernoulli(probs=p["probs"]),
         lambda lib: lib.tensor([1., 0., 1.]), grad=("probs",)),
    Case("Bernoulli-logits", dict(logits=R.normal(size=(2, 3)).astype(F32)),
         lambda lib, p: lib.distributions.Bernoulli(logits=p["logits"]),
         lambda lib: lib.tensor([1., 0., 1.]), grad=("logits",)),
    Case("Bernoulli-scalar", {}, lambda lib, p: lib.distributions.Bernoulli(0.3),
         lambda lib: lib.tensor(1.)),
    Case("Categorical-probs", dict(probs=R.uniform(0.1, 1, (2, 4)).astype(F32)),
         lambda lib, p: lib.distributions.Categorical(probs=p["probs"]),
         lambda lib: lib.tensor([3, 0]), grad=("probs",)),
    Case("Categorical-logits", dict(logits=R.normal(size=5).astype(F32)),
         lambda lib, p: lib.distributions.Categorical(logits=p["logits"]),
         lambda lib: lib.tensor([[1], [4]]), grad=("logits",)),
    Case("Categorical-f64", dict(logits=R.normal(size=(3, 2, 3))),
         lambda lib, p: lib.distributions.Categorical(logits=p["logits"]),
         lambda lib: lib.tensor(2), grad=("logits",)),
]


@needs_torch
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_family_matches_torch(case):
    check_case(case)


KL_PAIRS = [(0, 0), (0, 2), (3, 3), (3, 1), (4, 1), (5, 5), (5, 6), (8, 8), (0, 5), (5, 0),
            (4, 0), (1, 3)]


@needs_torch
@pytest.mark.parametrize("i,j", KL_PAIRS, ids=lambda v: str(v))
def test_kl_matches_torch(i, j):
    p, q = CASES[i], CASES[j]
    if (p.name, q.name) in {("Bernoulli-probs", "Bernoulli-logits")}:
        q = Case(q.name, dict(logits=q.arrays["logits"][0]), q.make)
    check_kl(p, q)


@needs_torch
def test_expfamily_bregman_entropy_and_kl_match_closed_forms():
    """ExponentialFamily's generic entropy/KL (autograd through the log normalizer) equal the
    closed forms, for Normal and Bernoulli, as torch computes them."""
    for lib in (ember, torch):
        D = lib.distributions
        n1, n2 = D.Normal(lib.tensor([0.3, 1.]), lib.tensor([1.5, .7])), D.Normal(0., 1.)
        generic = D.ExponentialFamily.entropy(n1)
        np.testing.assert_allclose(generic.detach().numpy(), n1.entropy().numpy(), rtol=1e-5)
        kl = D.kl._kl_expfamily_expfamily(n1, D.Normal(lib.tensor([0., 0.]),
                                                          lib.tensor([1., 1.])))
        np.testing.assert_allclose(kl.detach().numpy(), D.kl_divergence(n1, n2).numpy(),
                                   rtol=1e-4, atol=1e-6)


@needs_torch
@pytest.mark.parametrize("build", [
    lambda D, lib: D.Normal(lib.tensor([0.]), lib.tensor([-1.])),
    lambda D, lib: D.Normal(lib.tensor([0.]), lib.tensor([0.])),
    lambda D, lib: D.Uniform(lib.tensor([1.]), lib.tensor([0.])),
    lambda D, lib: D.Bernoulli(probs=lib.tensor([1.5])),
    lambda D, lib: D.Categorical(probs=lib.tensor([[0.5, -0.2]])),
    lambda D, lib: D.Categorical(probs=lib.tensor(0.5)),
    lambda D, lib: D.Categorical(logits=lib.tensor([1.]), probs=lib.tensor([1.])),
    lambda D, lib: D.Bernoulli(),
    lambda D, lib: D.Normal(0., 1.).log_prob(lib.tensor([1.0, 2.0]).expand(2, 2)[None].
                                             expand(3, 2, 2)).sum() + D.Normal(
        lib.tensor([0., 1.]), 1.).log_prob(lib.tensor([1., 2., 3.])),
    lambda D, lib: D.Categorical(logits=lib.zeros(3)).log_prob(lib.tensor(3)),
    lambda D, lib: D.Bernoulli(0.3).log_prob(lib.tensor(0.5)),
    lambda D, lib: D.Uniform(0., 1.).log_prob(lib.tensor(2.)),
    lambda D, lib: D.Normal(0., 1.).log_prob([1.0]),
    lambda D, lib: D.kl_divergence(D.Normal(0., 1.), D.Bernoulli(0.5)),
    lambda D, lib: D.kl_divergence(D.Bernoulli(0.5), D.Categorical(logits=lib.zeros(2))),
    lambda D, lib: D.register_kl(int, D.Normal),
    lambda D, lib: D.register_kl(3, D.Normal),
    lambda D, lib: D.Distribution.set_default_validate_args(3),
    lambda D, lib: D.Categorical(logits=lib.zeros(3)).icdf(lib.tensor(0.5)),
    lambda D, lib: D.Categorical(logits=lib.zeros(3)).rsample(),
])
def test_errors_match_torch(build):
    got = []
    for lib in (ember, torch):
        try:
            build(lib.distributions, lib)
            got.append((None, ""))
        except Exception as e:  # noqa: BLE001 - comparing the class and the text
            got.append((type(e).__name__, str(e)))
    assert got[0] == got[1]


@needs_torch
def test_validate_args_switches_match_torch():
    for lib in (ember, torch):
        D = lib.distributions
        D.Normal(lib.tensor([0.]), lib.tensor([-1.]), validate_args=False)  # no error
        D.Distribution.set_default_validate_args(False)
        try:
            d = D.Normal(lib.tensor([0.]), lib.tensor([-1.]))
            assert not d._validate_args
        finally:
            D.Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):
            D.Normal(lib.tensor([0.]), lib.tensor([-1.]))


@needs_torch
def test_constraints_match_torch():
    vals = np.array([[-1., 0., 0.5, 1., 2., np.nan], [0., 0., 1., 0., 1., 3.]])
    for name in ["real", "positive", "nonnegative", "unit_interval", "boolean",
                 "nonnegative_integer", "positive_integer", "simplex", "one_hot", "real_vector"]:
        e = getattr(ember.distributions.constraints, name)
        t = getattr(torch.distributions.constraints, name)
        assert repr(e) == repr(t) and e.event_dim == t.event_dim and e.is_discrete == t.is_discrete
        np.testing.assert_array_equal(e.check(ember.tensor(vals)).numpy(),
                                      t.check(torch.tensor(vals)).numpy())
    for build in [lambda c: c.interval(0., 1.), lambda c: c.half_open_interval(0, 1),
                  lambda c: c.greater_than(0.5), lambda c: c.greater_than_eq(0.5),
                  lambda c: c.less_than(1), lambda c: c.integer_interval(0, 2),
                  lambda c: c.independent(c.positive, 1), lambda c: c.multinomial(3),
                  lambda c: c.cat([c.real, c.positive], 1, [3, 3]),
                  lambda c: c.stack([c.real, c.boolean], 0)]:
        e, t = build(ember.distributions.constraints), build(torch.distributions.constraints)
        assert repr(e) == repr(t) and e.event_dim == t.event_dim and e.is_discrete == t.is_discrete
        np.testing.assert_array_equal(e.check(ember.tensor(vals)).numpy(),
                                      t.check(torch.tensor(vals)).numpy())
    mats = np.array([[[2., 0.], [1., 3.]], [[1., 2.], [2., 1.]], [[1., 0.], [0., -1.]]])
    for name in ["lower_triangular", "lower_cholesky", "square", "symmetric",
                 "positive_definite", "positive_semidefinite", "corr_cholesky"]:
        e = getattr(ember.distributions.constraints, name)
        t = getattr(torch.distributions.constraints, name)
        assert repr(e) == repr(t) and e.event_dim == t.event_dim
        np.testing.assert_array_equal(e.check(ember.tensor(mats)).numpy(),
                                      t.check(torch.tensor(mats)).numpy())
    for lib in (ember, torch):
        c = lib.distributions.constraints
        with pytest.raises(ValueError, match="Cannot determine validity of dependent"):
            c.dependent.check(lib.zeros(1))
        with pytest.raises(NotImplementedError, match="cannot be determined statically"):
            c.dependent.event_dim
        assert c.is_dependent(lib.distributions.Uniform.support)
        assert c.dependent(is_discrete=True, event_dim=1).event_dim == 1


@needs_torch
def test_utils_match_torch():
    p = np.array([[0.2, 0.3, 0.5], [1e-9, 0.5, 0.5 - 1e-9]], np.float32)
    for fn in ["probs_to_logits", "clamp_probs"]:
        a = getattr(ember.distributions.utils, fn)(ember.tensor(p))
        b = getattr(torch.distributions.utils, fn)(torch.tensor(p))
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    a = ember.distributions.utils.probs_to_logits(ember.tensor(p), is_binary=True)
    b = torch.distributions.utils.probs_to_logits(torch.tensor(p), is_binary=True)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5)
    x = np.arange(10.).reshape(1, 10)
    for diag in (0, -1):
        n = 4 if diag == 0 else 5
        a = ember.distributions.utils.vec_to_tril_matrix(ember.tensor(x), diag)
        b = torch.distributions.utils.vec_to_tril_matrix(torch.tensor(x), diag)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a.shape[-1] == n
        np.testing.assert_array_equal(
            ember.distributions.utils.tril_matrix_to_vec(a, diag).numpy(), x)
    a, b = (lib.distributions.utils.broadcast_all(lib.tensor([1., 2.], dtype=lib.float64), 3)
            for lib in (ember, torch))
    assert [str(t.dtype) for t in a] == [str(t.dtype) for t in b]
    with pytest.raises(ValueError, match="must all be instances of numbers.Number"):
        ember.distributions.utils.broadcast_all("a")


@needs_torch
def test_register_kl_dispatch_and_ambiguity_warning_match_torch():
    out = []
    for lib in (ember, torch):
        D = lib.distributions

        class A(D.Normal):
            pass

        class B(D.Normal):
            pass

        @D.register_kl(A, D.Normal)
        def _a(p, q):
            return lib.tensor(1.)

        @D.register_kl(D.Normal, B)
        def _b(p, q):
            return lib.tensor(2.)

        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            v = D.kl_divergence(A(0., 1.), B(0., 1.)).item()
        out.append((v, [(x.category.__name__, str(x.message)) for x in w],
                    D.kl_divergence(A(0., 1.), D.Normal(0., 1.)).item(),
                    D.kl_divergence(D.Normal(0., 2.), D.Normal(0., 1.)).item()))
    assert out[0][0] == out[1][0] and out[0][1] == out[1][1]
    assert out[0][2:] == pytest.approx(out[1][2:])


@needs_torch
def test_sample_n_warns_like_torch():
    for lib in (ember, torch):
        lib.manual_seed(0)
        with pytest.warns(FutureWarning, match="sample_n"):
            s = lib.distributions.Normal(0., 1.).sample_n(3)
        assert tuple(s.shape) == (3,)


@needs_torch
def test_policy_gradient_step_matches_torch():
    """The REINFORCE pattern of RL scripts: Categorical(logits=net(x)), sample, log_prob,
    loss = -(log_prob * return).mean(), backward, optimizer step — same actions, same loss,
    same updated weights."""
    rng = np.random.default_rng(3)
    w0 = rng.normal(size=(4, 3)).astype(np.float32)
    obs = rng.normal(size=(16, 4)).astype(np.float32)
    ret = rng.normal(size=16).astype(np.float32)
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        w = lib.tensor(w0, requires_grad=True)
        opt = lib.optim.Adam([w], lr=1e-2)
        hist = []
        for _ in range(5):
            dist = lib.distributions.Categorical(logits=lib.tensor(obs) @ w)
            a = dist.sample()
            loss = -(dist.log_prob(a) * lib.tensor(ret)).mean() - 0.01 * dist.entropy().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist.append((a.tolist(), loss.item()))
        res.append((hist, w.detach().numpy().copy()))
    assert [h[0] for h in res[0][0]] == [h[0] for h in res[1][0]]
    np.testing.assert_allclose([h[1] for h in res[0][0]], [h[1] for h in res[1][0]], rtol=1e-5)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-5, atol=1e-6)


@needs_torch
def test_graph_of_log_prob_matches_torch():
    names = []
    for lib in (ember, torch):
        loc = lib.tensor([0., 1.], requires_grad=True)
        lp = lib.distributions.Normal(loc, 1.).log_prob(lib.tensor([1., 1.]))
        names.append(type(lp.grad_fn).__name__)
        nf = [type(f).__name__ if f is not None else None for f, _ in lp.grad_fn.next_functions]
        names.append(nf)
    assert names[:2] == names[2:]


def test_math_constants():
    assert ember.distributions.utils.euler_constant == pytest.approx(0.5772156649015329)
    assert math.isfinite(ember.distributions.Normal(0., 1.).entropy().item())
