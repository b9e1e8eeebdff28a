"""ember.optim: every optimizer's trajectory against torch.optim, state_dict round trips and
interoperability, param-group handling and errors, hooks.

Trajectories: both libraries start from the same NumPy weights; at every step each library's
gradient is the same deterministic NumPy function of its own current weights (so only the
optimizer math differs), and the weights are compared after each of 25+ steps."""

import copy
import pickle

import numpy as np
import pytest

import ember
import ember.optim as eoptim
from ember.nn import Parameter

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (5,), ()]


def _init(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _grad_fn(a, k):
    """A deterministic, non-linear gradient (quadratic + Rosenbrock-ish coupling + drift)."""
    a64 = a.astype(np.float64)
    g = 2.0 * (a64 - 0.5) + 0.3 * np.sin(3.0 * a64) + 0.05 * np.cos(0.7 * k + a64)
    return g.astype(a.dtype)


def _ember_params(arrs):
    return [Parameter(ember.tensor(a.copy())) for a in arrs]


def _torch_params(arrs):
    return [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrs]


def _set_grads(params, k, lib, skip=None):
    for i, p in enumerate(params):
        if skip is not None and i == skip:
            p.grad = None
            continue
        a = p.detach().numpy() if lib == "torch" else p._array
        g = _grad_fn(a, k)
        p.grad = torch.tensor(g) if lib == "torch" else ember.tensor(g)


def _assert_close(ep, tp, rtol=1e-5, atol=1e-6, msg=""):
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e._array, t.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=msg)


def _run_both(name, kwargs, steps=25, dtype=np.float32, skip_every=0, rtol=1e-5, atol=1e-6,
              groups=False):
    arrs = _init(1, dtype)
    ep, tp = _ember_params(arrs), _torch_params(arrs)
    if groups:
        eo = getattr(eoptim, name)([{"params": ep[:1]}, {"params": ep[1:], "lr": 0.05}],
                                   **kwargs)
        to = getattr(torch.optim, name)([{"params": tp[:1]}, {"params": tp[1:], "lr": 0.05}],
                                        **kwargs)
    else:
        eo, to = getattr(eoptim, name)(ep, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    for k in range(steps):
        skip = (k % len(SHAPES)) if skip_every and k % skip_every == 0 else None
        _set_grads(ep, k, "ember", skip)
        _set_grads(tp, k, "torch", skip)
        eo.step()
        to.step()
        _assert_close(ep, tp, rtol, atol, msg=f"{name} {kwargs} step {k}")
    return eo, to, ep, tp


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, betas=(0.3, 0.5), eps=1e-3, maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True, maximize=True)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, weight_decay=0.1, betas=(0.5, 0.9), maximize=True)),
    ("NAdam", dict(lr=0.02)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.9, 0.8), weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, betas=(0.9, 0.8), weight_decay=0.1, decoupled_weight_decay=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.5, momentum=0.5, maximize=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.3, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, eps=1e-3, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1, maximize=True)),
    ("Adafactor", dict()),  # issue 13 (infra)
    ("Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps=(1e-4, 1e-2), d=1.5, weight_decay=0.1,
                       maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                   enumerate(CASES)])
def test_trajectory_matches_torch(name, kwargs):
    _run_both(name, kwargs, steps=30)


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9)),
                                         ("Adam", dict(lr=0.05, amsgrad=True)),
                                         ("RMSprop", dict(lr=0.01, momentum=0.5)),
                                         ("Adagrad", dict(lr=0.1)),
                                         ("NAdam", dict(lr=0.05))])
def test_trajectory_with_groups_and_missing_grads(name, kwargs):
    eo, to, _, _ = _run_both(name, kwargs, steps=25, skip_every=2, groups=True)
    esd, tsd = eo.state_dict(), to.state_dict()
    assert esd["param_groups"] == tsd["param_groups"]
    assert sorted(esd["state"]) == sorted(tsd["state"])


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
                                         ("Adam", dict(lr=0.05)),
                                         ("RAdam", dict(lr=0.05)),
                                         ("Adadelta", dict(lr=0.5))])
def test_trajectory_float64(name, kwargs):
    _run_both(name, kwargs, steps=25, dtype=np.float64, rtol=1e-12, atol=1e-13)


def test_real_autograd_training_matches_torch():
    """A small MLP trained with each library's own autograd: the same loss curve."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((16, 4)).astype(np.float32)
    Y = rng.standard_normal((16, 1)).astype(np.float32)
    W1 = (rng.standard_normal((4, 8)) * 0.5).astype(np.float32)
    W2 = (rng.standard_normal((8, 1)) * 0.5).astype(np.float32)
    for name, kw in [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01)),
                     ("RMSprop", dict(lr=0.01)), ("Adagrad", dict(lr=0.05))]:
        ep, tp = _ember_params([W1, W2]), _torch_params([W1, W2])
        eo, to = getattr(eoptim, name)(ep, **kw), getattr(torch.optim, name)(tp, **kw)
        ex, ey, tx, ty = ember.tensor(X), ember.tensor(Y), torch.tensor(X), torch.tensor(Y)
        for _ in range(20):
            eo.zero_grad()
            eloss = ((ember.tanh(ex @ ep[0]) @ ep[1] - ey) ** 2).mean()
            eloss.backward()
            eo.step()
            to.zero_grad()
            tloss = ((torch.tanh(tx @ tp[0]) @ tp[1] - ty) ** 2).mean()
            tloss.backward()
            to.step()
            assert abs(eloss.item() - tloss.item()) <= 1e-5 * max(1.0, abs(tloss.item()))
        _assert_close(ep, tp, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------- LBFGS
_A = np.diag([1.0, 3.0, 0.5, 2.0, 1.5, 0.8])


def _np_loss_grad(a):
    x = a.astype(np.float64).ravel()
    f = 0.5 * x @ _A @ x + 0.1 * np.sum(x ** 4) + np.sum(np.sin(3 * x))
    g = _A @ x + 0.4 * x ** 3 + 3 * np.cos(3 * x)
    return np.float32(f), g.astype(np.float32).reshape(a.shape)


def _np_closure(opt, p, lib):
    """The same float32 loss and gradient in both libraries (only LBFGS's math differs)."""
    def closure():
        opt.zero_grad()
        a = p.detach().numpy() if lib == "torch" else p._array
        f, g = _np_loss_grad(a)
        p.grad = torch.tensor(g) if lib == "torch" else ember.tensor(g)
        return torch.tensor(f) if lib == "torch" else ember.tensor(f)
    return closure


def _rosen_closure(opt, p, lib):
    def closure():
        opt.zero_grad()
        x, y = p[0], p[1]
        loss = ((1 - x) ** 2 + 10 * (y - x ** 2) ** 2).sum()
        loss.backward()
        return loss
    return closure


LBFGS_CASES = [dict(), dict(line_search_fn="strong_wolfe"),
               dict(lr=0.5, history_size=3, max_iter=7),
               dict(line_search_fn="strong_wolfe", history_size=2, max_iter=5,
                    tolerance_change=1e-7),
               dict(lr=0.5, max_iter=4, max_eval=6, tolerance_grad=1e-3)]


@pytest.mark.parametrize("kwargs", LBFGS_CASES)
def test_lbfgs_matches_torch(kwargs):
    init = np.array([[1.0, -2.0, 0.5], [1.5, -1.0, 2.0]], dtype=np.float32)
    ep = Parameter(ember.tensor(init))
    tp = torch.nn.Parameter(torch.tensor(init))
    eo, to = eoptim.LBFGS([ep], **kwargs), torch.optim.LBFGS([tp], **kwargs)
    ec, tc = _np_closure(eo, ep, "ember"), _np_closure(to, tp, "torch")
    for k in range(6):
        el, tl = eo.step(ec), to.step(tc)
        np.testing.assert_allclose(el.item(), tl.item(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ep._array, tp.detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=f"step {k}")
        es, ts = eo.state[ep], to.state[tp]
        assert es["func_evals"] == ts["func_evals"] and es["n_iter"] == ts["n_iter"]
    assert len(es["old_dirs"]) == len(ts["old_dirs"])
    assert set(es) == set(ts)


@pytest.mark.parametrize("ls", [None, "strong_wolfe"])
def test_lbfgs_rosenbrock_with_autograd(ls):
    """Through each library's own autograd (ulp-level gradient differences get amplified on
    Rosenbrock, so the check is convergence and a loose agreement)."""
    init = np.array([[-1.2, 1.0], [0.5, -0.3]], dtype=np.float32).T.copy()
    ep = Parameter(ember.tensor(init))
    tp = torch.nn.Parameter(torch.tensor(init))
    eo = eoptim.LBFGS([ep], line_search_fn=ls, max_iter=50)
    to = torch.optim.LBFGS([tp], line_search_fn=ls, max_iter=50)
    for _ in range(4):
        el = eo.step(_rosen_closure(eo, ep, "ember"))
        tl = to.step(_rosen_closure(to, tp, "torch"))
    np.testing.assert_allclose(el.item(), tl.item(), rtol=1e-2, atol=1e-4)
    np.testing.assert_allclose(ep._array, tp.detach().numpy(), rtol=1e-2, atol=1e-3)
    if ls:
        np.testing.assert_allclose(ep._array, np.ones((2, 2)), atol=1e-3)


def test_lbfgs_rejects_groups_and_bad_line_search():
    p = Parameter(ember.ones(2))
    with pytest.raises(ValueError, match="per-parameter options"):
        eoptim.LBFGS([{"params": [p]}, {"params": [Parameter(ember.ones(1))]}])
    o = eoptim.LBFGS([p], line_search_fn="bogus")

    def closure():
        o.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        o.step(closure)


# ------------------------------------------------------------------------------- state dicts
STATEFUL = [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.05, amsgrad=True)),
            ("AdamW", dict(lr=0.05)), ("Adamax", dict(lr=0.05)), ("NAdam", dict(lr=0.02)),
            ("RAdam", dict(lr=0.05)), ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
            ("Adagrad", dict(lr=0.1, lr_decay=0.01)), ("Adadelta", dict()),
            ("Rprop", dict(lr=0.01)), ("ASGD", dict(lr=0.05, t0=3)),
            ("Adafactor", dict(lr=0.05))]  # issue 13 (infra)


@pytest.mark.parametrize("name,kwargs", STATEFUL, ids=[n for n, _ in STATEFUL])
def test_state_dict_structure_matches_torch(name, kwargs):
    eo, to, _, _ = _run_both(name, kwargs, steps=3)
    esd, tsd = eo.state_dict(), to.state_dict()
    assert esd["param_groups"] == tsd["param_groups"]
    assert esd["state"].keys() == tsd["state"].keys()
    for k in tsd["state"]:
        assert list(esd["state"][k]) == list(tsd["state"][k])
        for key, tv in tsd["state"][k].items():
            ev = esd["state"][k][key]
            assert isinstance(ev, ember.Tensor)
            assert str(ev.dtype) == str(tv.dtype) and tuple(ev.shape) == tuple(tv.shape)
            np.testing.assert_allclose(ev._array, tv.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", STATEFUL, ids=[n for n, _ in STATEFUL])
def test_state_dict_round_trip_continues_trajectory(name, kwargs):
    arrs = _init(2)
    ep = _ember_params(arrs)
    eo = getattr(eoptim, name)(ep, **kwargs)
    for k in range(5):
        _set_grads(ep, k, "ember")
        eo.step()
    sd = copy.deepcopy(eo.state_dict())
    ep2 = _ember_params([p._array for p in ep])
    eo2 = getattr(eoptim, name)(ep2, lr=123.0)  # hyperparameters come from the state dict
    eo2.load_state_dict(sd)
    assert eo2.param_groups[0]["lr"] == kwargs.get("lr", eo.defaults["lr"])
    for k in range(5, 15):
        _set_grads(ep, k, "ember")
        _set_grads(ep2, k, "ember")
        eo.step()
        eo2.step()
        for a, b in zip(ep, ep2):
            np.testing.assert_array_equal(a._array, b._array)


def _torch_sd_to_ember(sd):
    def conv(v):
        if isinstance(v, torch.Tensor):
            return ember.tensor(v.detach().numpy().copy())
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return conv(sd)


def _ember_sd_to_torch(sd):
    def conv(v):
        if isinstance(v, ember.Tensor):
            return torch.tensor(v._array.copy())
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return conv(sd)


@pytest.mark.parametrize("name,kwargs", STATEFUL, ids=[n for n, _ in STATEFUL])
def test_torch_state_dict_loads_into_ember_and_back(name, kwargs):
    arrs = _init(4)
    tp = _torch_params(arrs)
    to = getattr(torch.optim, name)(tp, **kwargs)
    for k in range(6):
        _set_grads(tp, k, "torch")
        to.step()
    ep = _ember_params([p.detach().numpy() for p in tp])
    eo = getattr(eoptim, name)(ep, **kwargs)
    eo.load_state_dict(_torch_sd_to_ember(to.state_dict()))
    # and an ember state dict loads into a fresh torch optimizer
    tp2 = _torch_params([p.detach().numpy() for p in tp])
    to2 = getattr(torch.optim, name)(tp2, **kwargs)
    to2.load_state_dict(_ember_sd_to_torch(eo.state_dict()))
    for k in range(6, 26):
        for params, lib in ((tp, "torch"), (ep, "ember"), (tp2, "torch")):
            _set_grads(params, k, lib)
        to.step()
        eo.step()
        to2.step()
        _assert_close(ep, tp, msg=f"{name} step {k}")
        for a, b in zip(tp, tp2):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5,
                                       atol=1e-6)


def test_lbfgs_state_dict_interop():
    init = np.array([1.0, -2.0, 0.5, 1.5, -1.0, 2.0], dtype=np.float32)
    tp = torch.nn.Parameter(torch.tensor(init))
    to = torch.optim.LBFGS([tp], max_iter=4, history_size=3)
    to.step(_np_closure(to, tp, "torch"))
    ep = Parameter(ember.tensor(tp.detach().numpy().copy()))
    eo = eoptim.LBFGS([ep], max_iter=4, history_size=3)
    eo.load_state_dict(_torch_sd_to_ember(to.state_dict()))
    for _ in range(3):
        to.step(_np_closure(to, tp, "torch"))
        eo.step(_np_closure(eo, ep, "ember"))
        np.testing.assert_allclose(ep._array, tp.detach().numpy(), rtol=1e-4, atol=1e-5)
    esd = eo.state_dict()
    assert set(esd["state"][0]) == set(to.state_dict()["state"][0])
    assert isinstance(esd["state"][0]["d"], ember.Tensor)
    assert all(isinstance(v, ember.Tensor) for v in esd["state"][0]["old_dirs"])


def test_state_dict_save_load_through_files(tmp_path):
    """ember.save of an optimizer state -> torch.load -> torch continues; and back."""
    arrs = _init(5)
    ep = _ember_params(arrs)
    eo = eoptim.Adam(ep, lr=0.05)
    for k in range(4):
        _set_grads(ep, k, "ember")
        eo.step()
    path = tmp_path / "opt.pt"
    ember.save(eo.state_dict(), str(path))
    tsd = torch.load(str(path), weights_only=True)
    assert tsd["state"][0]["step"].dtype == torch.float32 and tsd["state"][0]["step"].dim() == 0
    tp = _torch_params([p._array for p in ep])
    to = torch.optim.Adam(tp, lr=0.05)
    to.load_state_dict(tsd)
    torch.save(to.state_dict(), str(tmp_path / "t.pt"))
    ep2 = _ember_params([p._array for p in ep])
    eo2 = eoptim.Adam(ep2, lr=0.05)
    eo2.load_state_dict(ember.load(str(tmp_path / "t.pt")))
    for k in range(4, 20):
        for params, lib in ((ep, "ember"), (tp, "torch"), (ep2, "ember")):
            _set_grads(params, k, lib)
        eo.step()
        to.step()
        eo2.step()
        _assert_close(ep, tp)
        _assert_close(ep2, tp)


def test_load_state_dict_errors_and_casting():
    p = [Parameter(ember.ones(2)), Parameter(ember.ones(3))]
    o = eoptim.SGD(p, lr=0.1, momentum=0.9)
    sd = o.state_dict()
    o2 = eoptim.SGD([{"params": p[:1]}, {"params": p[1:]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        o2.load_state_dict(sd)
    o3 = eoptim.SGD(p[:1], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        o3.load_state_dict(sd)
    # a float64 state tensor is cast to the parameter's dtype; 'step' keeps its own
    a = Parameter(ember.ones(2))
    oa = eoptim.Adam([a])
    oa.load_state_dict({"state": {0: {"step": ember.tensor(3.0),
                                      "exp_avg": ember.zeros(2, dtype=ember.float64),
                                      "exp_avg_sq": ember.zeros(2, dtype=ember.float64)}},
                        "param_groups": [dict(oa.state_dict()["param_groups"][0])]})
    assert oa.state[a]["exp_avg"].dtype == ember.float32
    assert oa.state[a]["step"].dtype == ember.float32


def test_state_dict_hooks_and_pickle():
    p = Parameter(ember.ones(2))
    o = eoptim.Adam([p], lr=0.1)
    calls = []
    o.register_state_dict_pre_hook(lambda opt: calls.append("pre"))
    o.register_state_dict_post_hook(lambda opt, sd: calls.append("post"))
    o.register_load_state_dict_pre_hook(lambda opt, sd: calls.append("lpre"))
    o.register_load_state_dict_post_hook(lambda opt: calls.append("lpost"))
    o.load_state_dict(o.state_dict())
    assert calls == ["pre", "post", "lpre", "lpost"]
    p.grad = ember.ones(2)
    o.step()
    o2 = pickle.loads(pickle.dumps(o))
    assert o2.param_groups[0]["lr"] == 0.1 and len(o2.state) == 1


# ------------------------------------------------------------------------------- base class
def test_param_group_errors_match_torch():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        eoptim.SGD([], lr=0.1)
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        eoptim.SGD([x * 2], lr=0.1)
    p = Parameter(ember.ones(2))
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter "
                                         "group"):
        eoptim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(TypeError, match="params argument given to the optimizer should be an "
                                        "iterable of Tensors or dicts, but got "
                                        "torch.FloatTensor"):
        eoptim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        eoptim.SGD([1.0], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        eoptim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        eoptim.Adam([p], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero "
                                         "dampening"):
        eoptim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        eoptim.Adam([p], betas=(0.9, 1.0))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        eoptim.SGD([p, p], lr=0.1)


def test_torch_errors_are_the_same_texts():
    tp = torch.nn.Parameter(torch.ones(2))
    ep = Parameter(ember.ones(2))
    for build in (lambda m, p: m.SGD([], lr=0.1),
                  lambda m, p: m.SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
                  lambda m, p: m.RMSprop([p], alpha=-1),
                  lambda m, p: m.Adagrad([p], lr_decay=-1),
                  lambda m, p: m.Adadelta([p], rho=2),
                  lambda m, p: m.NAdam([p], momentum_decay=-1)):
        with pytest.raises(Exception) as te:
            build(torch.optim, tp)
        with pytest.raises(Exception) as ee:
            build(eoptim, ep)
        assert type(ee.value) is type(te.value) and str(ee.value) == str(te.value)


def test_add_param_group_defaults_and_repr():
    a, b = Parameter(ember.ones(2)), Parameter(ember.ones(3))
    ta, tb = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(3))
    eo, to = eoptim.Adam([a], lr=0.01), torch.optim.Adam([ta], lr=0.01)
    eo.add_param_group({"params": b, "lr": 0.5})
    to.add_param_group({"params": tb, "lr": 0.5})
    assert eo.param_groups[1]["params"] == [b] and eo.param_groups[1]["lr"] == 0.5
    assert eo.param_groups[1]["betas"] == (0.9, 0.999)
    assert repr(eo) == repr(to)
    for name in ("SGD", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam", "Adamax", "AdamW",
                 "LBFGS", "Rprop", "ASGD"):
        kw = {"lr": 0.1}
        assert repr(getattr(eoptim, name)([a], **kw)) == repr(getattr(torch.optim, name)(
            [ta], **kw))
        assert getattr(eoptim, name)([a], **kw).defaults == getattr(torch.optim, name)(
            [ta], **kw).defaults


def test_named_parameters():
    a, b = Parameter(ember.ones(2)), Parameter(ember.ones(3))
    o = eoptim.SGD([("w", a), ("b", b)], lr=0.1)
    assert o.param_groups[0]["param_names"] == ["w", "b"]
    assert o.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    with pytest.raises(ValueError, match="with/without names"):
        o.add_param_group({"params": [Parameter(ember.ones(1))]})


def test_zero_grad():
    p = Parameter(ember.ones(3))
    o = eoptim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    o.zero_grad(set_to_none=False)
    assert p.grad is not None and np.all(p.grad._array == 0)
    o.zero_grad()
    assert p.grad is None


def test_step_updates_version_and_skips_params_without_grad():
    p, q = Parameter(ember.ones(2)), Parameter(ember.ones(2))
    o = eoptim.Adam([p, q], lr=0.1)
    v = p._version if hasattr(p, "_version") else p._version_counter[0]
    p.grad = ember.ones(2)
    o.step()
    assert p._version_counter[0] == v + 1
    assert np.all(q._array == 1) and len(o.state[q]) == 0
    np.testing.assert_allclose(p._array, [0.9, 0.9], rtol=1e-6)


def test_step_runs_without_grad_and_closure_with_grad():
    p = Parameter(ember.tensor([1.0, -2.0]))
    o = eoptim.SGD([p], lr=0.1)
    seen = []

    def closure():
        seen.append(ember.is_grad_enabled())
        o.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    with ember.no_grad():
        loss = o.step(closure)
    assert seen == [True] and loss.item() == 5.0
    np.testing.assert_allclose(p._array, [0.8, -1.6], rtol=1e-6)
    assert not p.grad.requires_grad


def test_step_hooks():
    p = Parameter(ember.ones(2))
    o = eoptim.SGD([p], lr=0.1)
    calls = []
    h1 = o.register_step_pre_hook(lambda opt, a, k: calls.append(("pre", opt is o)))
    h2 = o.register_step_post_hook(lambda opt, a, k: calls.append(("post", opt is o)))
    from ember.optim.optimizer import register_optimizer_step_pre_hook
    hg = register_optimizer_step_pre_hook(lambda opt, a, k: calls.append(("global", 1)))
    p.grad = ember.ones(2)
    o.step()
    assert calls == [("global", 1), ("pre", True), ("post", True)]
    h1.remove()
    h2.remove()
    hg.remove()
    o.step()
    assert len(calls) == 3


def test_custom_optimizer_subclass():
    class MySGD(eoptim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        def step(self, closure=None):
            for g in self.param_groups:
                for p in g["params"]:
                    if p.grad is not None:
                        with ember.no_grad():
                            p.sub_(g["lr"] * p.grad)
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1

    p = Parameter(ember.ones(2))
    o = MySGD([p])
    calls = []
    o.register_step_post_hook(lambda *a: calls.append(1))
    p.grad = ember.ones(2)
    o.step()
    np.testing.assert_allclose(p._array, [0.9, 0.9], rtol=1e-6)
    assert calls == [1] and o.state_dict()["state"] == {0: {"n": 1}}


def test_tensor_lr_and_plain_leaf_tensors():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    o = eoptim.Adam([x], lr=ember.tensor(0.1))
    x.grad = ember.tensor([1.0, -1.0])
    o.step()
    np.testing.assert_allclose(x._array, [0.9, 2.1], rtol=1e-6)


def test_optimizer_math_is_fast():
    """The update is NumPy-speed: no Tensor ops in the hot path (smoke bound, generous)."""
    import time
    ps = [Parameter(ember.randn(64, 64)) for _ in range(20)]
    for p in ps:
        p.grad = ember.randn(64, 64)
    o = eoptim.Adam(ps, lr=1e-3)
    o.step()
    t0 = time.perf_counter()
    for _ in range(20):
        o.step()
    per_step = (time.perf_counter() - t0) / 20
    assert per_step < 0.05


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9)),
                                         ("Adam", dict(lr=0.05, amsgrad=True)),
                                         ("AdamW", dict(lr=0.05)), ("Adamax", dict(lr=0.05)),
                                         ("NAdam", dict(lr=0.02)), ("RAdam", dict(lr=0.05)),
                                         ("RMSprop", dict(lr=0.01, centered=True,
                                                          momentum=0.5)),
                                         ("Adagrad", dict(lr=0.1)), ("Adadelta", dict()),
                                         ("Rprop", dict()), ("ASGD", dict(t0=4))])
def test_complex_parameters_match_torch(name, kwargs):
    """Complex parameters are updated on their (re, im) view like PyTorch's view_as_real."""
    rng = np.random.default_rng(7)
    init = [(rng.standard_normal(s) + 1j * rng.standard_normal(s)).astype(np.complex64)
            for s in [(3, 2), (), (4,)]]
    ep = [Parameter(ember.tensor(a.copy())) for a in init]
    tp = [torch.nn.Parameter(torch.tensor(a.copy())) for a in init]
    eo, to = getattr(eoptim, name)(ep, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    for k in range(20):
        for e, t in zip(ep, tp):
            a = e._array
            g = (_grad_fn(a.real.copy(), k) + 1j * _grad_fn(a.imag.copy(), k + 1)).astype(
                np.complex64)
            e.grad = ember.tensor(g)
            t.grad = torch.tensor(g)
        eo.step()
        to.step()
        for e, t in zip(ep, tp):
            np.testing.assert_allclose(e._array, t.detach().numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name} step {k}")
