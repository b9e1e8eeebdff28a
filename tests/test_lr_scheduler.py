"""ember.optim.lr_scheduler: lr (and momentum) sequences identical to torch's over 60+ steps,
state_dict round trips, closed forms with step(epoch), warnings and errors."""

import math
import warnings

import numpy as np
import pytest

import ember
import ember.optim as eoptim
from ember.nn import Parameter
from ember.optim import lr_scheduler as elrs

torch = pytest.importorskip("torch")
tlrs = torch.optim.lr_scheduler

STEPS = 60


def _opts(opt_name="SGD", **kw):
    kw = kw or ({"lr": 0.1, "momentum": 0.9} if opt_name == "SGD" else {"lr": 0.1})
    ep = [Parameter(ember.ones(2)), Parameter(ember.ones(3))]
    tp = [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(3))]
    eo = getattr(eoptim, opt_name)([{"params": ep[:1]}, {"params": ep[1:], "lr": 0.05}], **kw)
    to = getattr(torch.optim, opt_name)([{"params": tp[:1]}, {"params": tp[1:], "lr": 0.05}],
                                        **kw)
    return eo, to


def _groups_view(opt):
    keys = ("lr", "momentum", "betas")
    return [{k: g[k] for k in keys if k in g} for g in opt.param_groups]


def _step_pair(eo, to, es, ts, metric=None):
    eo.step()
    to.step()
    if metric is None:
        es.step()
        ts.step()
    else:
        es.step(metric)
        ts.step(metric)


def _compare(make, opt_name="SGD", steps=STEPS, metrics=None, opt_kw=None):
    eo, to = _opts(opt_name, **(opt_kw or {}))
    es, ts = make(elrs, eo), make(tlrs, to)
    assert es.get_last_lr() == ts.get_last_lr()
    assert _groups_view(eo) == _groups_view(to)
    for k in range(steps):
        _step_pair(eo, to, es, ts, None if metrics is None else metrics[k])
        assert es.get_last_lr() == ts.get_last_lr(), f"step {k}"
        assert _groups_view(eo) == _groups_view(to), f"step {k}"
        assert getattr(es, "last_epoch", None) == getattr(ts, "last_epoch", None)
    return eo, to, es, ts


class _Scale:
    """A callable object (its __dict__ goes into the state dict)."""

    def __init__(self, f):
        self.f = f

    def __call__(self, e):
        return self.f ** e


SCHEDULERS = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), _Scale(0.9)]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97),
    "StepLR": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=8),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=17),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=13, eta_min=0.001),
    "CosineAnnealingLR-0": lambda m, o: m.CosineAnnealingLR(o, T_max=20),
    "WarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2,
                                                               eta_min=1e-4),
    "WarmRestarts-1": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7),
    "CyclicLR": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6),
    "CyclicLR-tri2": lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.2,
                                             step_size_up=4, step_size_down=9,
                                             mode="triangular2", base_momentum=0.7),
    "CyclicLR-exp": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                            mode="exp_range", gamma=0.97,
                                            cycle_momentum=False),
    "CyclicLR-fn": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                           scale_fn=lambda x: 1 / (1 + x),
                                           scale_mode="iterations"),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS),
    "OneCycleLR-3": lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.3], epochs=6,
                                              steps_per_epoch=11, three_phase=True,
                                              anneal_strategy="linear", pct_start=0.25),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=40, power=2.0),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=10),
            m.CosineAnnealingLR(o, T_max=20), m.ExponentialLR(o, gamma=0.9)],
        milestones=[10, 35]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=6), m.ExponentialLR(o, gamma=0.95),
         m.StepLR(o, step_size=9, gamma=0.7)]),
    "Sequential-of-chained": lambda m, o: m.SequentialLR(
        o, [m.ChainedScheduler([m.LinearLR(o, total_iters=4), m.ExponentialLR(o, 0.99)]),
            m.MultiStepLR(o, [20, 40])], milestones=[15]),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _compare(SCHEDULERS[name])


@pytest.mark.parametrize("name", ["CyclicLR", "OneCycleLR", "OneCycleLR-3"])
def test_beta1_cycling_with_adam(name):
    _compare(SCHEDULERS[name], opt_name="Adam")


def test_cycle_momentum_requires_momentum():
    eo, to = _opts("Adagrad", lr=0.1)
    for m, o in ((elrs, eo), (tlrs, to)):
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            m.CyclicLR(o, 0.01, 0.1)


def test_reduce_lr_on_plateau_matches_torch():
    rng = np.random.default_rng(0)
    metrics = list(np.maximum.accumulate(rng.random(70))[::-1] + 0.01 * rng.random(70))
    for kw in (dict(patience=3, factor=0.5),
               dict(mode="max", patience=2, threshold=0.1, threshold_mode="abs", cooldown=3,
                    min_lr=[0.01, 0.02]),
               dict(patience=0, factor=0.1, min_lr=1e-3, eps=1e-5)):
        _compare(lambda m, o: m.ReduceLROnPlateau(o, **kw), steps=70, metrics=metrics)
    eo, _ = _opts()
    s = elrs.ReduceLROnPlateau(eo)
    s.step(ember.tensor(1.5))  # a 1-element tensor metric
    assert s.best == 1.5
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        elrs.ReduceLROnPlateau(eo, factor=1.0)
    with pytest.raises(ValueError, match="mode foo is unknown!"):
        elrs.ReduceLROnPlateau(eo, mode="foo")


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
                                  "ExponentialLR", "CosineAnnealingLR", "PolynomialLR",
                                  "WarmRestarts", "LambdaLR"])
def test_step_with_epoch_uses_closed_form(name):
    eo, to = _opts()
    es, ts = SCHEDULERS[name](elrs, eo), SCHEDULERS[name](tlrs, to)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [3, 10, 4, 25, 26, 50, 7]:
            eo.step()
            to.step()
            es.step(epoch)
            ts.step(epoch)
            assert es.get_last_lr() == ts.get_last_lr(), epoch


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_state_dict_round_trip(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eo, _ = _opts()
        es = SCHEDULERS[name](elrs, eo)
        for _ in range(23):
            eo.step()
            es.step()
        osd, ssd = eo.state_dict(), es.state_dict()
        assert "optimizer" not in ssd
        ref = [es.get_last_lr()]
        for _ in range(20):
            eo.step()
            es.step()
            ref.append(es.get_last_lr())
        eo2, _ = _opts()
        es2 = SCHEDULERS[name](elrs, eo2)
        eo2.load_state_dict(osd)
        es2.load_state_dict(ssd)
        got = [es2.get_last_lr()]
        for _ in range(20):
            eo2.step()
            es2.step()
            got.append(es2.get_last_lr())
    assert got == ref


def test_state_dict_keys_match_torch():
    for name in ("StepLR", "CosineAnnealingLR", "OneCycleLR", "LambdaLR-list",
                 "SequentialLR", "CyclicLR"):
        eo, to = _opts()
        es, ts = SCHEDULERS[name](elrs, eo), SCHEDULERS[name](tlrs, to)
        esd, tsd = es.state_dict(), ts.state_dict()
        assert set(esd) == set(tsd), name
        for k, v in tsd.items():
            if isinstance(v, (int, float, str, bool)) and k != "_step_count":
                assert esd[k] == v, (name, k)


def test_lambda_state_dict_keeps_callable_object_state():
    eo, to = _opts()
    es = elrs.LambdaLR(eo, [lambda e: 1.0, _Scale(0.9)])
    ts = tlrs.LambdaLR(to, [lambda e: 1.0, _Scale(0.9)])
    assert es.state_dict()["lr_lambdas"] == ts.state_dict()["lr_lambdas"] == [None, {"f": 0.9}]


def test_resume_with_last_epoch():
    eo, to = _opts()
    for o in (eo, to):
        for g in o.param_groups:
            g["initial_lr"] = g["lr"]
    es = elrs.CosineAnnealingLR(eo, T_max=10, last_epoch=4)
    ts = tlrs.CosineAnnealingLR(to, T_max=10, last_epoch=4)
    assert es.get_last_lr() == ts.get_last_lr()
    for _ in range(15):
        _step_pair(eo, to, es, ts)
        assert es.get_last_lr() == ts.get_last_lr()
    eo2, _ = _opts()
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in "
                                       "param_groups\\[0\\]"):
        elrs.StepLR(eo2, 3, last_epoch=2)


def test_order_warnings():
    eo, _ = _opts()
    s = elrs.StepLR(eo, 3)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before "
                                         "`optimizer.step\\(\\)`"):
        s.step()
    eo, _ = _opts()
    s = elrs.StepLR(eo, 3)
    eo.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        s.get_lr()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        s.step(5)


def test_constructor_errors_match_torch():
    eo, to = _opts()
    cases = [lambda m, o: m.ConstantLR(o, factor=2.0),
             lambda m, o: m.LinearLR(o, start_factor=0),
             lambda m, o: m.LinearLR(o, end_factor=2),
             lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
             lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
             lambda m, o: m.OneCycleLR(o, max_lr=0.1),
             lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=2.0),
             lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="x"),
             lambda m, o: m.CyclicLR(o, 0.1, 0.2, mode="bogus"),
             lambda m, o: m.LambdaLR(o, [lambda e: 1.0]),
             lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2)], milestones=[3]),
             lambda m, o: m.SequentialLR(o, [], milestones=[]),
             lambda m, o: m.ChainedScheduler([m.ReduceLROnPlateau(o)]),
             lambda m, o: m.StepLR(object(), 3)]
    for make in cases:
        with pytest.raises(Exception) as te:
            make(tlrs, to)
        with pytest.raises(Exception) as ee:
            make(elrs, eo)
        assert type(ee.value) is type(te.value)
        assert str(ee.value) == str(te.value)


def test_one_cycle_overstep_raises():
    eo, to = _opts()
    es = elrs.OneCycleLR(eo, max_lr=0.1, total_steps=3)
    ts = tlrs.OneCycleLR(to, max_lr=0.1, total_steps=3)
    for _ in range(3):
        _step_pair(eo, to, es, ts)
    with pytest.raises(ValueError) as ee:
        eo.step()
        es.step()
    with pytest.raises(ValueError) as te:
        to.step()
        ts.step()
    assert str(ee.value) == str(te.value)


def test_scheduler_drives_training_like_torch():
    """Adam + OneCycleLR (betas cycling) on a quadratic: the same weights as torch."""
    init = np.linspace(-1, 1, 6).astype(np.float32)
    ep = Parameter(ember.tensor(init))
    tp = torch.nn.Parameter(torch.tensor(init))
    eo, to = eoptim.Adam([ep], lr=0.01), torch.optim.Adam([tp], lr=0.01)
    es = elrs.OneCycleLR(eo, max_lr=0.1, total_steps=30)
    ts = tlrs.OneCycleLR(to, max_lr=0.1, total_steps=30)
    for _ in range(30):
        eo.zero_grad()
        ((ep - 0.3) ** 2).sum().backward()
        eo.step()
        es.step()
        to.zero_grad()
        ((tp - 0.3) ** 2).sum().backward()
        to.step()
        ts.step()
        np.testing.assert_allclose(ep._array, tp.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert eo.param_groups[0]["betas"] == to.param_groups[0]["betas"]


def test_tensor_lr_is_updated_in_place():
    p = Parameter(ember.ones(2))
    lr = ember.tensor(0.1)
    o = eoptim.SGD([p], lr=lr)
    s = elrs.ExponentialLR(o, gamma=0.5)
    o.step()
    s.step()
    assert o.param_groups[0]["lr"] is lr
    assert math.isclose(lr.item(), 0.05, rel_tol=1e-6)
    assert isinstance(s.get_last_lr()[0], ember.Tensor)
