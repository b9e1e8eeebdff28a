"""ember.distributions against torch.distributions for h15-dist-a's part: the transforms
(forward, inverse, log-determinant, shapes, caching, repr, equality), biject_to/transform_to,
TransformedDistribution, Independent, the univariate / discrete / relaxed families (through
tests/_dist_check.py) and their KL closed forms."""
import numpy as np
import pytest

import ember
from _dist_check import Case, check_case, check_kl

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
R = np.random.default_rng(11)
F32 = np.float32


def _pos(shape, lo=0.5, hi=2.0, dtype=F32):
    return R.uniform(lo, hi, shape).astype(dtype)


def _D(lib):
    return lib.distributions


CASES = [
    Case("Exponential", dict(rate=_pos(3)), lambda lib, p: _D(lib).Exponential(p["rate"]),
         lambda lib: lib.tensor([0.3, 1.0, 2.0]), grad=("rate",)),
    Case("Exponential-scalar", {}, lambda lib, p: _D(lib).Exponential(1.5),
         lambda lib: lib.tensor(0.7)),
    Case("Exponential-f64", dict(rate=_pos((2, 3), dtype=np.float64)),
         lambda lib, p: _D(lib).Exponential(p["rate"]),
         lambda lib: lib.tensor(np.full((2, 3), 0.4)), grad=("rate",)),
    Case("Laplace", dict(loc=R.normal(size=3).astype(F32), scale=_pos(3)),
         lambda lib, p: _D(lib).Laplace(p["loc"], p["scale"]),
         lambda lib: lib.tensor([0.3, -1.0, 2.0]), grad=("loc", "scale")),
    Case("Laplace-f64-scalar", {}, lambda lib, p: _D(lib).Laplace(0.5, 2.0),
         lambda lib: lib.tensor(1.5)),
    Case("Cauchy", dict(loc=R.normal(size=(2, 2)).astype(F32), scale=_pos((2, 2))),
         lambda lib, p: _D(lib).Cauchy(p["loc"], p["scale"]),
         lambda lib: lib.tensor([0.3, -1.0]), grad=("loc", "scale")),
    Case("Cauchy-scalar", {}, lambda lib, p: _D(lib).Cauchy(0., 1.), lambda lib: lib.tensor(3.)),
    Case("Gumbel", dict(loc=R.normal(size=3).astype(F32), scale=_pos(3)),
         lambda lib, p: _D(lib).Gumbel(p["loc"], p["scale"]),
         lambda lib: lib.tensor([0.3, -1.0, 2.0]), grad=("loc", "scale")),
    Case("Gumbel-scalar", {}, lambda lib, p: _D(lib).Gumbel(1., 2.),
         lambda lib: lib.tensor(0.5)),
    Case("Gumbel-f64", dict(loc=R.normal(size=(2, 1)), scale=_pos((2, 1), dtype=np.float64)),
         lambda lib, p: _D(lib).Gumbel(p["loc"], p["scale"]),
         lambda lib: lib.tensor(np.zeros((2, 1))), grad=("loc", "scale")),
    Case("HalfNormal", dict(scale=_pos(3)), lambda lib, p: _D(lib).HalfNormal(p["scale"]),
         lambda lib: lib.tensor([0.3, 1.0, 2.0]), grad=("scale",)),
    Case("HalfNormal-scalar", {}, lambda lib, p: _D(lib).HalfNormal(2.),
         lambda lib: lib.tensor(0.5)),
    Case("HalfCauchy", dict(scale=_pos((2, 2), dtype=np.float64)),
         lambda lib, p: _D(lib).HalfCauchy(p["scale"]),
         lambda lib: lib.tensor(np.array([0.3, 1.0])), grad=("scale",)),
    Case("LogNormal", dict(loc=R.normal(size=3).astype(F32), scale=_pos(3)),
         lambda lib, p: _D(lib).LogNormal(p["loc"], p["scale"]),
         lambda lib: lib.tensor([0.3, 1.0, 2.0]), grad=("loc", "scale")),
    Case("LogNormal-f64-scalar", {}, lambda lib, p: _D(lib).LogNormal(0., 0.5),
         lambda lib: lib.tensor(1.2)),
    Case("Weibull", dict(scale=_pos(3), concentration=_pos(3, 0.8, 3.0)),
         lambda lib, p: _D(lib).Weibull(p["scale"], p["concentration"]),
         lambda lib: lib.tensor([0.3, 1.0, 2.0]), grad=("scale", "concentration"), rtol=2e-5),
    Case("Weibull-f64", dict(scale=_pos((2, 2), dtype=np.float64),
                             concentration=_pos((2, 2), 1.2, 3.0, dtype=np.float64)),
         lambda lib, p: _D(lib).Weibull(p["scale"], p["concentration"]),
         lambda lib: lib.tensor(np.array([0.5, 1.5])), grad=("scale", "concentration")),
    Case("Pareto", dict(scale=_pos(3), alpha=_pos(3, 0.5, 4.0)),
         lambda lib, p: _D(lib).Pareto(p["scale"], p["alpha"]),
         lambda lib: lib.tensor([2.5, 3.0, 4.0]), grad=("scale", "alpha")),
    Case("Pareto-scalar", {}, lambda lib, p: _D(lib).Pareto(1., 3.), lambda lib: lib.tensor(2.)),
    Case("Kumaraswamy", dict(a=_pos(3, 0.5, 3.0), b=_pos(3, 0.5, 3.0)),
         lambda lib, p: _D(lib).Kumaraswamy(p["a"], p["b"]),
         lambda lib: lib.tensor([0.3, 0.5, 0.9]), grad=("a", "b"), rtol=1e-4, atol=1e-5),
    Case("Kumaraswamy-f64", dict(a=_pos((2, 2), 1.5, 3.0, dtype=np.float64),
                                 b=_pos((2, 2), 1.5, 3.0, dtype=np.float64)),
         lambda lib, p: _D(lib).Kumaraswamy(p["a"], p["b"]),
         lambda lib: lib.tensor(np.array([0.3, 0.6])), grad=("a", "b")),
    Case("LogisticNormal", dict(loc=R.normal(size=(2, 3)).astype(F32), scale=_pos((2, 3))),
         lambda lib, p: _D(lib).LogisticNormal(p["loc"], p["scale"]),
         lambda lib: lib.tensor([0.1, 0.2, 0.3, 0.4]), grad=("loc", "scale"), skip=("entropy",)),
    Case("LogisticNormal-scalar", {}, lambda lib, p: _D(lib).LogisticNormal(0., 1.),
         lambda lib: lib.tensor([0.3, 0.7])),
    Case("Geometric-probs", dict(probs=np.array([0.2, 0.5, 0.9], F32)),
         lambda lib, p: _D(lib).Geometric(probs=p["probs"]),
         lambda lib: lib.tensor([0., 3., 1.]), grad=("probs",)),
    Case("Geometric-logits", dict(logits=R.normal(size=(2, 2))),
         lambda lib, p: _D(lib).Geometric(logits=p["logits"]),
         lambda lib: lib.tensor(np.array([2., 0.])), grad=("logits",)),
    Case("Geometric-scalar", {}, lambda lib, p: _D(lib).Geometric(0.3), lambda lib: lib.tensor(2.)),
    Case("Poisson", dict(rate=np.array([0.5, 3.0, 20.0], F32)),
         lambda lib, p: _D(lib).Poisson(p["rate"]),
         lambda lib: lib.tensor([0., 3., 17.]), grad=("rate",), skip=("entropy",)),
    Case("Poisson-f64", dict(rate=_pos((2, 2), 1.0, 9.0, dtype=np.float64)),
         lambda lib, p: _D(lib).Poisson(p["rate"]),
         lambda lib: lib.tensor(np.array([1., 4.])), grad=("rate",), skip=("entropy",)),
    Case("OneHotCategorical", dict(probs=_pos((2, 4))),
         lambda lib, p: _D(lib).OneHotCategorical(probs=p["probs"]),
         lambda lib: lib.tensor([[0., 0., 1., 0.], [1., 0., 0., 0.]]), grad=("probs",)),
    Case("OneHotCategorical-logits-f64", dict(logits=R.normal(size=3)),
         lambda lib, p: _D(lib).OneHotCategorical(logits=p["logits"]),
         lambda lib: lib.tensor(np.array([0., 1., 0.])), grad=("logits",)),
    Case("OneHotCategoricalStraightThrough", dict(logits=R.normal(size=(2, 3)).astype(F32)),
         lambda lib, p: _D(lib).OneHotCategoricalStraightThrough(logits=p["logits"]),
         lambda lib: lib.tensor([0., 1., 0.]), grad=("logits",)),
    Case("RelaxedBernoulli", dict(t=np.array(0.7, F32), probs=np.array([0.2, 0.5, 0.9], F32)),
         lambda lib, p: _D(lib).RelaxedBernoulli(p["t"], probs=p["probs"]),
         lambda lib: lib.tensor([0.3, 0.5, 0.9]), grad=("t", "probs"), rtol=1e-4, atol=1e-5),
    Case("RelaxedBernoulli-logits-f64", dict(t=np.array(0.3), logits=R.normal(size=(2, 2))),
         lambda lib, p: _D(lib).RelaxedBernoulli(p["t"], logits=p["logits"]),
         lambda lib: lib.tensor(np.array([0.3, 0.6])), grad=("t", "logits")),
    Case("RelaxedOneHotCategorical", dict(t=np.array(0.5, F32), probs=_pos((2, 3))),
         lambda lib, p: _D(lib).RelaxedOneHotCategorical(p["t"], probs=p["probs"]),
         lambda lib: lib.tensor([0.2, 0.3, 0.5]), grad=("t", "probs"), rtol=1e-4, atol=1e-5),
    Case("RelaxedOneHotCategorical-f64", dict(t=np.array(1.5), logits=R.normal(size=4)),
         lambda lib, p: _D(lib).RelaxedOneHotCategorical(p["t"], logits=p["logits"]),
         lambda lib: lib.tensor(np.array([0.1, 0.2, 0.3, 0.4])), grad=("t", "logits")),
    Case("LogitRelaxedBernoulli", dict(t=np.array(0.7, F32), logits=R.normal(size=3).astype(F32)),
         lambda lib, p: lib.distributions.relaxed_bernoulli.LogitRelaxedBernoulli(
             p["t"], logits=p["logits"]),
         lambda lib: lib.tensor([0.3, -0.5, 2.0]), grad=("t", "logits")),
    Case("ExpRelaxedCategorical", dict(t=np.array(0.6), probs=_pos((2, 3), dtype=np.float64)),
         lambda lib, p: lib.distributions.relaxed_categorical.ExpRelaxedCategorical(
             p["t"], probs=p["probs"]),
         lambda lib: lib.tensor(np.log([0.2, 0.3, 0.5])), grad=("t", "probs")),
    Case("ContinuousBernoulli", dict(probs=np.array([0.2, 0.5, 0.9], F32)),
         lambda lib, p: _D(lib).ContinuousBernoulli(probs=p["probs"]),
         lambda lib: lib.tensor([0.3, 0.5, 0.9]), grad=("probs",), rtol=1e-4, atol=1e-5),
    Case("ContinuousBernoulli-logits-f64", dict(logits=R.normal(size=(2, 2))),
         lambda lib, p: _D(lib).ContinuousBernoulli(logits=p["logits"]),
         lambda lib: lib.tensor(np.array([0.25, 0.75])), grad=("logits",)),
    Case("GeneralizedPareto", dict(loc=R.normal(size=3).astype(F32), scale=_pos(3),
                                   c=np.array([0.0, 0.3, -0.2], F32)),
         lambda lib, p: _D(lib).GeneralizedPareto(p["loc"], p["scale"], p["c"]),
         lambda lib: lib.tensor([2.5, 3.0, 2.6]), grad=("loc", "scale", "c")),
    Case("GeneralizedPareto-f64-scalar", {}, lambda lib, p: _D(lib).GeneralizedPareto(0., 1., .2),
         lambda lib: lib.tensor(1.5, dtype=lib.float64)),
    Case("Independent-Normal", dict(loc=R.normal(size=(2, 3)).astype(F32), scale=_pos((2, 3))),
         lambda lib, p: _D(lib).Independent(_D(lib).Normal(p["loc"], p["scale"]), 1),
         lambda lib: lib.tensor([0.3, -1.0, 2.0]), grad=("loc", "scale")),
    Case("Independent-Bernoulli-0", dict(probs=_pos((2, 3), 0.1, 0.9)),
         lambda lib, p: _D(lib).Independent(_D(lib).Bernoulli(p["probs"]), 0),
         lambda lib: lib.tensor([1., 0., 1.]), grad=("probs",)),
    Case("TransformedDistribution-affine-tanh",
         dict(loc=R.normal(size=3).astype(F32), scale=_pos(3)),
         lambda lib, p: _D(lib).TransformedDistribution(
             _D(lib).Normal(p["loc"], p["scale"]),
             [_D(lib).AffineTransform(0.5, 2.0), _D(lib).TanhTransform()]),
         lambda lib: lib.tensor([0.3, -0.5, 0.9]), grad=("loc", "scale"), rtol=1e-4,
         atol=1e-5),
    Case("TransformedDistribution-logistic", {},
         lambda lib, p: _D(lib).TransformedDistribution(
             _D(lib).Uniform(0., 1.), [_D(lib).SigmoidTransform().inv,
                                        _D(lib).AffineTransform(1., -2.)]),
         lambda lib: lib.tensor(0.4)),
    Case("TransformedDistribution-stick", dict(loc=R.normal(size=(2, 3)), scale=_pos((2, 3))),
         lambda lib, p: _D(lib).TransformedDistribution(
             _D(lib).Normal(p["loc"], p["scale"]), _D(lib).StickBreakingTransform()),
         lambda lib: lib.tensor(np.array([0.1, 0.2, 0.3, 0.4])), grad=("loc", "scale")),
]


@needs_torch
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_family_matches_torch(case):
    check_case(case)


_BY = {c.name: c for c in CASES}


def _c(name, **arrays):
    c = _BY[name]
    return Case(c.name, arrays or c.arrays, c.make, grad=c.grad if not arrays else ())


KL_PAIRS = [
    ("Exponential", "Exponential"), ("Laplace", "Laplace"), ("Cauchy", "Cauchy"),
    ("Gumbel", "Gumbel"), ("HalfNormal", "HalfNormal"), ("Pareto", "Pareto"),
    ("Geometric-probs", "Geometric-probs"), ("Poisson", "Poisson"),
    ("OneHotCategorical", "OneHotCategorical"), ("LogNormal", "LogNormal"),
    ("ContinuousBernoulli", "ContinuousBernoulli"),
    ("Independent-Normal", "Independent-Normal"),
    ("Exponential", "Gumbel"), ("Exponential", "Pareto"), ("Exponential", "Uniform"),
    ("Gumbel", "Exponential"), ("Laplace", "Pareto"), ("Pareto", "Exponential"),
    ("ContinuousBernoulli", "Exponential"), ("ContinuousBernoulli", "Pareto"),
    ("Exponential", "ContinuousBernoulli"), ("Uniform", "Exponential"), ("Uniform", "Gumbel"),
    ("Uniform", "Pareto"), ("Uniform", "ContinuousBernoulli"), ("ContinuousBernoulli", "Uniform"),
    ("Poisson", "Bernoulli"), ("Bernoulli", "Poisson"), ("Normal", "Gumbel"),
    ("Normal", "Laplace"), ("Exponential", "Normal"), ("Gumbel", "Normal"),
    ("Laplace", "Normal"), ("Pareto", "Normal"), ("ContinuousBernoulli", "Normal"),
    ("Normal", "Exponential"), ("Normal", "Pareto"), ("Laplace", "Exponential"),
    ("Weibull", "Weibull"), ("Cauchy", "Normal"), ("Independent-Normal", "Normal"),
]
_EXTRA = {
    "Uniform": Case("Uniform", dict(low=np.array([0.1, 0.2, 0.3], F32),
                                    high=np.array([0.5, 0.9, 0.8], F32)),
                    lambda lib, p: _D(lib).Uniform(p["low"], p["high"]), grad=("low", "high")),
    "Normal": Case("Normal", dict(loc=R.normal(size=3).astype(F32), scale=_pos(3)),
                   lambda lib, p: _D(lib).Normal(p["loc"], p["scale"]), grad=("loc", "scale")),
    "Bernoulli": Case("Bernoulli", dict(probs=np.array([0.1, 0.5, 0.9], F32)),
                      lambda lib, p: _D(lib).Bernoulli(p["probs"]), grad=("probs",)),
}


def _case(name, other):
    c = _EXTRA.get(name) or _BY[name]
    if other:  # a second parameter set of the same family for q
        return Case(c.name + "'", {k: (np.asarray(v) * 1.3 + 0.05).astype(np.asarray(v).dtype)
                                   if k not in ("probs", "c") else np.asarray(v)[::-1].copy()
                                   for k, v in c.arrays.items()}, c.make)
    return c


@needs_torch
@pytest.mark.parametrize("p,q", KL_PAIRS, ids=lambda v: str(v))
def test_kl_matches_torch(p, q):
    check_kl(_case(p, False), _case(q, p == q), rtol=1e-4, atol=1e-5)


# ---- transforms ----

def _transforms(lib):
    D = lib.distributions
    T = D.transforms
    return [
        ("exp", T.ExpTransform(), (3,), "real"),
        ("affine", T.AffineTransform(lib.tensor([1., 2., 3.]), lib.tensor([2., -0.5, 1.])),
         (3,), "real"),
        ("affine-num", T.AffineTransform(1., -2.), (2, 3), "real"),
        ("affine-ev1", T.AffineTransform(0.5, lib.tensor([2., 3.]), event_dim=1), (4, 2),
         "real"),
        ("power", T.PowerTransform(lib.tensor(2.5)), (3,), "pos"),
        ("power-neg", T.PowerTransform(-1.5), (2, 2), "pos"),
        ("sigmoid", T.SigmoidTransform(), (4,), "real"),
        ("softplus", T.SoftplusTransform(), (4,), "real"),
        ("tanh", T.TanhTransform(), (2, 3), "real"),
        ("abs", T.AbsTransform(), (3,), "real"),
        ("softmax", T.SoftmaxTransform(), (2, 4), "real"),
        ("stick", T.StickBreakingTransform(), (2, 3), "real"),
        ("corrchol", T.CorrCholeskyTransform(), (2, 6), "real"),
        ("lowerchol", T.LowerCholeskyTransform(), (2, 3, 3), "real"),
        ("posdef", T.PositiveDefiniteTransform(), (3, 3), "real"),
        ("reshape", T.ReshapeTransform((2, 3), (6,)), (4, 2, 3), "real"),
        ("compose", T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1., 2.)]), (3,),
         "real"),
        ("compose-ev", T.ComposeTransform([T.AffineTransform(0., 2.),
                                           T.StickBreakingTransform()]), (2, 3), "real"),
        ("independent", T.IndependentTransform(T.SigmoidTransform(), 1), (2, 3), "real"),
        ("cat", T.CatTransform([T.ExpTransform(), T.identity_transform, T.TanhTransform()],
                               dim=1, lengths=[1, 2, 1]), (3, 4), "real"),
        ("cat-dim0", T.CatTransform([T.ExpTransform(), T.SigmoidTransform()], dim=0,
                                    lengths=[2, 1]), (3, 2), "real"),
        ("stack", T.StackTransform([T.ExpTransform(), T.SoftplusTransform()], dim=1), (3, 2),
         "real"),
        ("cdf", T.CumulativeDistributionTransform(D.Normal(0., 1.)), (3,), "real"),
        ("inv-exp", T.ExpTransform().inv, (3,), "pos"),
        ("identity", T.identity_transform, (3,), "real"),
    ]


@needs_torch
@pytest.mark.parametrize("idx", range(len(_transforms(ember))),
                         ids=[t[0] for t in _transforms(ember)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_transform_matches_torch(idx, dtype):
    out = []
    for lib in (ember, torch):
        name, t, shape, dom = _transforms(lib)[idx]
        rng = np.random.default_rng(idx)
        x = rng.normal(size=shape)
        if dom == "pos":
            x = np.abs(x) + 0.3
        x = lib.tensor(x.astype(dtype), requires_grad=True)
        y = t(x)
        xi = t.inv(y)
        res = [y, xi]
        if t.bijective or name in ("cdf",):
            ladj = t.log_abs_det_jacobian(x, y)
            res.append(ladj)
            g = lib.autograd.grad((y.sum() + ladj.sum()), [x])[0]
            res.append(g)
        info = (repr(t), t.bijective, tuple(t.forward_shape(lib.Size(shape))),
                tuple(t.inverse_shape(t.forward_shape(lib.Size(shape)))),
                repr(t.domain), repr(t.codomain), t.domain.event_dim, t.codomain.event_dim,
                repr(t.inv), t == t, t.inv.inv is t, type(y.grad_fn).__name__)
        try:
            info += (t.sign if isinstance(t.sign, int) else t.sign.tolist(),)
        except NotImplementedError:
            info += ("nosign",)
        out.append((info, [r.detach().numpy() for r in res]))
    assert out[0][0] == out[1][0]
    for a, b in zip(out[0][1], out[1][1]):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=2e-5 if dtype == "float32" else 1e-10,
                                   atol=1e-6 if dtype == "float32" else 1e-12)


@needs_torch
def test_transform_caching_equality_and_errors_match_torch():
    for lib in (ember, torch):
        T = lib.distributions.transforms
        t = T.ExpTransform(cache_size=1)
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = t(x)
        assert t.inv(y) is x and t(x) is y
        t0 = T.ExpTransform()
        assert t0.inv(t0(x)) is not x
        assert t0.with_cache(1)._cache_size == 1 and t0.with_cache(0) is t0
        with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
            T.ExpTransform(cache_size=2)
        c = T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1., 2.)], cache_size=1)
        assert all(p._cache_size == 1 for p in c.parts)
        assert c.inv.inv is c
        assert T.AffineTransform(1., 2.) == T.AffineTransform(1., 2.)
        assert T.AffineTransform(1., 2.) != T.AffineTransform(1., 3.)
        assert T.AffineTransform(lib.tensor([1.]), 2.) == T.AffineTransform(lib.tensor([1.]), 2.)
        assert T.ExpTransform() == T.ExpTransform() and T.ExpTransform() != T.TanhTransform()
        assert T.ExpTransform().inv == T.ExpTransform().inv
        assert T.PowerTransform(2.) == T.PowerTransform(2.)
        assert T.ComposeTransform([T.ExpTransform()]) == T.ComposeTransform([T.ExpTransform()])
        with pytest.raises(TypeError, match="unhashable"):
            hash(T.ExpTransform())
        with pytest.raises(NotImplementedError):
            T.AbsTransform().sign
        with pytest.raises(ValueError, match="Please use either"):
            T.StickBreakingTransform().event_dim if False else \
                T.ComposeTransform([T.ReshapeTransform((4,), (2, 2))]).event_dim
        with pytest.raises(ValueError, match="different numbers of elements"):
            T.ReshapeTransform((2, 3), (5,))
        with pytest.raises(ValueError, match="Shape mismatch"):
            T.ReshapeTransform((2, 3), (6,)).forward_shape(lib.Size((3, 3)))
        with pytest.raises(ValueError, match="not a flattened lower-diagonal"):
            T.CorrCholeskyTransform().forward_shape((4,))
        with pytest.raises(NotImplementedError, match="with_cache is not implemented"):
            class My(T.Transform):
                def __init__(self, a, cache_size=0):
                    super().__init__(cache_size)
            My(1).with_cache(1)
        assert T.AffineTransform(1., -2.).sign == -1
        assert repr(T.ComposeTransform([T.ExpTransform(), T.TanhTransform()]).inv) == \
            "ComposeTransform(\n    _InverseTransform(TanhTransform()),\n    " \
            "_InverseTransform(ExpTransform())\n)"


def _constraints(lib):
    c = lib.distributions.constraints
    return [c.real, c.positive, c.nonnegative, c.greater_than(1.5), c.greater_than_eq(-1.),
            c.less_than(2.), c.unit_interval, c.interval(-2., 3.), c.half_open_interval(0., 2.),
            c.simplex, c.real_vector, c.independent(c.positive, 1), c.corr_cholesky,
            c.lower_cholesky, c.positive_definite, c.positive_semidefinite,
            c.cat([c.real, c.positive], 0, [2, 1]), c.stack([c.positive, c.unit_interval], 0),
            c.interval(lib.tensor([0., 1.]), lib.tensor([1., 3.])), c.boolean,
            c.integer_interval(0, 3), c.dependent]


@needs_torch
@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("idx", range(len(_constraints(ember))))
def test_biject_to_transform_to_match_torch(registry, idx):
    shapes = {9: (4,), 10: (3,), 11: (3,), 12: (3, 3), 13: (3, 3), 14: (3, 3), 15: (3, 3),
              16: (3,), 17: (2,), 18: (2,)}
    res = []
    for lib in (ember, torch):
        cons = _constraints(lib)[idx]
        try:
            t = getattr(lib.distributions, registry)(cons)
        except NotImplementedError as e:
            res.append(("NotImplementedError", str(e)))
            continue
        shape = shapes.get(idx, (3,))
        x = lib.tensor(np.random.default_rng(idx).normal(size=t.inverse_shape(shape)))
        y = t(x)
        ok = cons.check(y).all().item()
        vals = [y.numpy()]
        if t.bijective:
            vals.append(t.log_abs_det_jacobian(x, y).numpy())
            vals.append(t.inv(y).numpy())
        res.append((repr(t), ok, vals))
    assert res[0][:2] == res[1][:2]
    if len(res[0]) == 3:
        for a, b in zip(res[0][2], res[1][2]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@needs_torch
def test_constraint_registry_register_matches_torch():
    for lib in (ember, torch):
        D = lib.distributions
        reg = D.constraint_registry.ConstraintRegistry()
        with pytest.raises(TypeError, match="Expected constraint to be either"):
            reg.register(3, lambda c: None)

        @reg.register(D.constraints.positive)
        def _f(c):
            return D.transforms.SoftplusTransform()
        assert isinstance(reg(D.constraints.greater_than(2.)), D.transforms.SoftplusTransform)
        with pytest.raises(NotImplementedError, match="Cannot transform _Real constraints"):
            reg(D.constraints.real)


@needs_torch
@pytest.mark.parametrize("build", [
    lambda D, lib: D.TransformedDistribution(D.Normal(0., 1.), 3),
    lambda D, lib: D.TransformedDistribution(D.Normal(0., 1.), [3]),
    lambda D, lib: D.TransformedDistribution(D.Normal(0., 1.), D.StickBreakingTransform()),
    lambda D, lib: D.Independent(D.Normal(0., 1.), 1),
    lambda D, lib: D.Independent(D.Normal(lib.zeros(2, 2), 1.), 1).enumerate_support(),
    lambda D, lib: D.Geometric(probs=lib.tensor([0., 0.5])),
    lambda D, lib: D.Geometric(),
    lambda D, lib: D.Exponential(lib.tensor([-1.])),
    lambda D, lib: D.Exponential(lib.tensor([1.])).log_prob(lib.tensor([-1.])),
    lambda D, lib: D.Poisson(lib.tensor([1.])).log_prob(lib.tensor([0.5])),
    lambda D, lib: D.LogNormal(0., 1.).log_prob(lib.tensor(-1.)),
    lambda D, lib: D.Pareto(1., 2.).log_prob(lib.tensor(0.5)),
    lambda D, lib: D.ContinuousBernoulli(probs=lib.tensor([1.5]), validate_args=True),
    lambda D, lib: D.OneHotCategorical(probs=lib.tensor([0.5, 0.5])).log_prob(
        lib.tensor([1., 1.])),
    lambda D, lib: D.kl_divergence(D.Independent(D.Normal(lib.zeros(2, 2), 1.), 1),
                                   D.Independent(D.Normal(lib.zeros(2, 2), 1.), 2)),
    lambda D, lib: D.kl_divergence(D.TransformedDistribution(D.Normal(0., 1.),
                                                             D.ExpTransform()),
                                   D.TransformedDistribution(D.Normal(0., 1.),
                                                             D.TanhTransform())),
    lambda D, lib: D.kl_divergence(D.Exponential(1.), D.Laplace(0., 1.)),
    lambda D, lib: D.RelaxedBernoulli(lib.tensor(0.5)),
    lambda D, lib: D.Weibull(lib.tensor([1.]), lib.tensor([0.])),
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
def test_graphs_and_straight_through_match_torch():
    names = []
    for lib in (ember, torch):
        D = lib.distributions
        loc = lib.tensor([0., 1.], requires_grad=True)
        lp = D.LogNormal(loc, 1.).log_prob(lib.tensor([1., 2.]))
        names.append(type(lp.grad_fn).__name__)
        names.append([type(f).__name__ if f is not None else None
                      for f, _ in lp.grad_fn.next_functions])
        logits = lib.tensor([[0.1, 0.5, -0.2]], requires_grad=True)
        lib.manual_seed(1)
        s = D.OneHotCategoricalStraightThrough(logits=logits).rsample()
        (s * lib.tensor([1., 2., 3.])).sum().backward()
        names.append((s.tolist(), np.round(logits.grad.numpy(), 6).tolist()))
    assert names[:3] == names[3:]


@needs_torch
def test_tanh_squashed_gaussian_policy_matches_torch():
    """The SAC policy pattern: Normal -> TanhTransform (cache_size=1), rsample, log_prob of the
    same sample, loss backward through both, three Adam steps; same actions, log-probs and
    weights."""
    rng = np.random.default_rng(5)
    w0 = rng.normal(size=(4, 4)).astype(np.float32) * 0.3
    obs = rng.normal(size=(8, 4)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        D = lib.distributions
        lib.manual_seed(0)
        w = lib.tensor(w0, requires_grad=True)
        opt = lib.optim.Adam([w], lr=1e-2)
        hist = []
        for _ in range(3):
            out = lib.tensor(obs) @ w
            mu, log_std = out[:, :2], out[:, 2:].clamp(-5, 2)
            dist = D.TransformedDistribution(D.Normal(mu, log_std.exp()),
                                             [D.TanhTransform(cache_size=1)])
            a = dist.rsample()
            logp = dist.log_prob(a).sum(-1)
            loss = (logp - (a ** 2).sum(-1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist.append((a.detach().numpy().copy(), loss.item()))
        res.append((hist, w.detach().numpy().copy()))
    for (a1, l1), (a2, l2) in zip(res[0][0], res[1][0]):
        np.testing.assert_allclose(a1, a2, rtol=1e-5, atol=1e-6)
        assert l1 == pytest.approx(l2, rel=1e-5)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-5, atol=1e-6)


@needs_torch
def test_user_transform_subclass_sac_actor_matches_torch():
    """pytorch_sac's pattern: a user-defined Transform subclass (cache_size=1) inside a
    TransformedDistribution subclass with its own __init__ and ``mean``; rsample, log_prob of
    the cached sample, an actor update — same numbers as torch."""
    import math
    rng = np.random.default_rng(9)
    w0 = (rng.normal(size=(3, 4)) * 0.4).astype(np.float32)
    obs = rng.normal(size=(16, 3)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        D = lib.distributions
        softplus = lib.nn.functional.softplus

        class Tanh(D.transforms.Transform):
            domain = D.constraints.real
            codomain = D.constraints.interval(-1.0, 1.0)
            bijective = True
            sign = +1

            def __init__(self, cache_size=1):
                super().__init__(cache_size=cache_size)

            def __eq__(self, other):
                return isinstance(other, Tanh)

            def _call(self, x):
                return x.tanh()

            def _inverse(self, y):
                return 0.5 * (y.log1p() - (-y).log1p())

            def log_abs_det_jacobian(self, x, y):
                return 2. * (math.log(2.) - x - softplus(-2. * x))

        class SquashedNormal(D.transformed_distribution.TransformedDistribution):
            def __init__(self, loc, scale):
                self.loc, self.scale = loc, scale
                self.base_dist = D.Normal(loc, scale)
                super().__init__(self.base_dist, [Tanh()])

            @property
            def mean(self):
                mu = self.loc
                for tr in self.transforms:
                    mu = tr(mu)
                return mu

        lib.manual_seed(0)
        w = lib.tensor(w0, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        hist = []
        for _ in range(3):
            mu, log_std = (lib.tensor(obs) @ w).chunk(2, dim=-1)
            dist = SquashedNormal(mu, log_std.tanh().exp())
            a = dist.rsample()
            lp = dist.log_prob(a).sum(-1)
            loss = (0.1 * lp + ((a - 0.5) ** 2).sum(-1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist.append((loss.item(), dist.mean.detach().numpy().copy(), tuple(dist.batch_shape),
                         tuple(dist.event_shape), repr(dist.support)))
        res.append((hist, w.detach().numpy().copy()))
    for h1, h2 in zip(res[0][0], res[1][0]):
        assert h1[0] == pytest.approx(h2[0], rel=1e-5) and h1[2:] == h2[2:]
        np.testing.assert_allclose(h1[1], h2[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-5, atol=1e-6)


_CROSS_B = [("Beta", "ContinuousBernoulli"), ("Beta", "Pareto"), ("Beta", "Exponential"),
            ("Exponential", "Beta"), ("Gumbel", "Beta"), ("Laplace", "Beta"), ("Pareto", "Beta"),
            ("Exponential", "Gamma"), ("Gamma", "ContinuousBernoulli"), ("Gamma", "Pareto"),
            ("Gamma", "Exponential"), ("Gamma", "Gumbel"), ("Gumbel", "Gamma"),
            ("Laplace", "Gamma"), ("Pareto", "Gamma"), ("Poisson", "Binomial")]


@needs_torch
@pytest.mark.parametrize("p,q", _CROSS_B, ids=lambda v: str(v))
def test_kl_cross_b_families_match_torch(p, q):
    """KL pairs between this area's families and h15-dist-b's (active after the merge)."""
    for name in (p, q):
        if not hasattr(ember.distributions, name):
            pytest.skip(f"ember.distributions.{name} comes with h15-dist-b")
    extra = {
        "Beta": Case("Beta", dict(a=_pos(3, 0.5, 3.0), b=_pos(3, 0.5, 3.0)),
                     lambda lib, p: _D(lib).Beta(p["a"], p["b"]), grad=("a", "b")),
        "Gamma": Case("Gamma", dict(c=_pos(3, 0.5, 3.0), r=_pos(3)),
                      lambda lib, p: _D(lib).Gamma(p["c"], p["r"]), grad=("c", "r")),
        "Binomial": Case("Binomial", dict(probs=np.array([0.2, 0.5, 0.9], F32)),
                         lambda lib, p: _D(lib).Binomial(5, p["probs"])),
    }
    cp = extra.get(p) or _case(p, False)
    cq = extra.get(q) or _case(q, False)
    check_kl(cp, Case(cq.name, cq.arrays, cq.make), rtol=1e-4, atol=1e-5)


@needs_torch
def test_variational_inference_with_biject_to_matches_torch():
    """Stochastic VI: priors Normal/HalfCauchy, guide Normal/LogNormal with positive scales via
    biject_to, an Independent likelihood, a KL term; ELBO and parameters after Adam steps."""
    res = []
    for lib in (ember, torch):
        D = lib.distributions
        lib.manual_seed(0)
        data = D.Normal(1.5, 0.7).sample((50,))
        params = [lib.zeros(()).requires_grad_(), lib.zeros(()).requires_grad_(),
                  lib.zeros(()).requires_grad_(), lib.tensor(-1.0).requires_grad_()]
        to_pos = D.biject_to(D.constraints.positive)
        opt = lib.optim.Adam(params, lr=0.05)
        elbos = []
        for _ in range(15):
            q_mu = D.Normal(params[0], to_pos(params[1]))
            q_sigma = D.LogNormal(params[2], to_pos(params[3]))
            mu, sigma = q_mu.rsample((4,)), q_sigma.rsample((4,))
            lik = D.Independent(D.Normal(mu[:, None], sigma[:, None]).expand((4, 50)), 1)
            elbo = (lik.log_prob(data) + D.HalfCauchy(2.).log_prob(sigma)
                    - q_sigma.log_prob(sigma)).mean() - D.kl_divergence(q_mu, D.Normal(0., 10.))
            opt.zero_grad()
            (-elbo).backward()
            opt.step()
            elbos.append(elbo.item())
        res.append((elbos, [p.item() for p in params]))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-5)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-5, atol=1e-6)


@needs_torch
@pytest.mark.parametrize("build", [
    lambda D, lib: D.Exponential(lib.tensor([0.5, 2.])),
    lambda D, lib: D.Laplace(lib.tensor([0., 1.]), lib.tensor([1., 0.5])),
    lambda D, lib: D.Gumbel(lib.tensor([0., 1.]), lib.tensor([1., 0.5])),
    lambda D, lib: D.HalfNormal(lib.tensor([1., 2.])),
    lambda D, lib: D.LogNormal(lib.tensor([0., 0.3]), lib.tensor([0.3, 0.5])),
    lambda D, lib: D.Weibull(lib.tensor([1., 2.]), lib.tensor([1.5, 3.])),
    lambda D, lib: D.Pareto(lib.tensor([1., 2.]), lib.tensor([5., 6.])),
    lambda D, lib: D.Kumaraswamy(lib.tensor([0.7, 2.]), lib.tensor([1.5, 3.])),
    lambda D, lib: D.Geometric(lib.tensor([0.3, 0.8])),
    lambda D, lib: D.Poisson(lib.tensor([0.7, 12.])),
    lambda D, lib: D.OneHotCategorical(lib.tensor([0.2, 0.3, 0.5])),
    lambda D, lib: D.ContinuousBernoulli(lib.tensor([0.2, 0.5, 0.9])),
    lambda D, lib: D.GeneralizedPareto(lib.tensor([0., 1.]), lib.tensor([1., 2.]),
                                       lib.tensor([0., 0.2])),
    lambda D, lib: D.Independent(D.Normal(lib.zeros(2, 2), lib.ones(2, 2)), 1),
])
def test_sample_moments_match_the_distribution(build):
    """Sample mean and variance of 40000 float64 draws lie within 6 standard errors of the
    distribution's own ``mean``/``variance`` (seeded, so deterministic), in ember as in torch."""
    for lib in (ember, torch):
        lib.manual_seed(1)
        lib.set_default_dtype(lib.float64)
        try:
            d = build(lib.distributions, lib)
            s = d.sample((40000,)).numpy()
            mean, var = d.mean.numpy(), d.variance.numpy()
        finally:
            lib.set_default_dtype(lib.float32)
        se_mean = np.sqrt(var / s.shape[0])
        assert np.all(np.abs(s.mean(0) - mean) < 6 * se_mean + 1e-12), lib.__name__
        fourth = ((s - s.mean(0)) ** 4).mean(0)
        se_var = np.sqrt(np.maximum(fourth - var ** 2, 0) / s.shape[0])
        assert np.all(np.abs(s.var(0) - var) < 6 * se_var + 1e-12), lib.__name__
