"""torch.optim.swa_utils on ember against torch: a short SWA/EMA training run from the same
initial weights gives the same averaged weights, BatchNorm statistics and learning rates."""
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))


def _same_init(em, tm):
    tm.load_state_dict({k: torch.tensor(v.detach().numpy().copy())
                        for k, v in em.state_dict().items()})


def _data():
    rng = np.random.default_rng(0)
    return [(rng.standard_normal((6, 4)).astype(np.float32),
             rng.standard_normal((6, 2)).astype(np.float32)) for _ in range(5)]


def _run(lib, model, kind, anneal):
    su = lib.optim.swa_utils
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    if kind == "swa":
        avg = su.AveragedModel(model)
    elif kind == "ema_multi":
        avg = su.AveragedModel(model, multi_avg_fn=su.get_ema_multi_avg_fn(0.9), use_buffers=True)
    elif kind == "ema":
        avg = su.AveragedModel(model, avg_fn=su.get_ema_avg_fn(0.8))
    else:
        avg = su.AveragedModel(model, multi_avg_fn=su.get_swa_multi_avg_fn())
    sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    swa_sched = su.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy=anneal)
    lrs = []
    data = [(lib.tensor(x), lib.tensor(y)) for x, y in _data()]
    for epoch in range(8):
        for x, y in data:
            opt.zero_grad()
            lib.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
        if epoch >= 3:
            avg.update_parameters(model)
            swa_sched.step()
        else:
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    su.update_bn([x for x, _ in data], avg)
    out = avg(data[0][0])
    return ({k: v.detach().numpy().copy() for k, v in avg.state_dict().items()}, lrs,
            out.detach().numpy(), swa_sched.state_dict())


@needs_torch
@pytest.mark.parametrize("kind,anneal", [("swa", "cos"), ("ema_multi", "linear"),
                                          ("ema", "cos"), ("swa_multi", "linear")])
def test_swa_run_matches_torch(kind, anneal):
    ember.manual_seed(0)
    em = _model(ember)
    tm = _model(torch)
    _same_init(em, tm)
    e_sd, e_lrs, e_out, e_sched = _run(ember, em, kind, anneal)
    t_sd, t_lrs, t_out, t_sched = _run(torch, tm, kind, anneal)
    assert list(e_sd) == list(t_sd)
    for k in e_sd:
        assert e_sd[k].dtype == t_sd[k].dtype, k
        np.testing.assert_allclose(e_sd[k], t_sd[k], rtol=1e-5, atol=1e-6, err_msg=k)
    np.testing.assert_allclose(e_lrs, t_lrs, rtol=1e-12)
    np.testing.assert_allclose(e_out, t_out, rtol=1e-5, atol=1e-6)
    assert sorted(e_sched) == sorted(t_sched)


@needs_torch
def test_errors_match_torch():
    for lib in (ember, torch):
        su = lib.optim.swa_utils
        with pytest.raises(ValueError, match="Invalid decay value 1.5 provided"):
            su.get_ema_avg_fn(1.5)
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            su.AveragedModel(lib.nn.Linear(1, 1), avg_fn=su.get_swa_avg_fn(),
                             multi_avg_fn=su.get_swa_multi_avg_fn())
        opt = lib.optim.SGD(lib.nn.Linear(1, 1).parameters(), lr=0.1)
        with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
            su.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
        with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
            su.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
        s = su.SWALR(opt, swa_lr=0.1)
        with pytest.warns(UserWarning, match="please use `get_last_lr"):
            s.get_lr()
    assert set(ember.optim.swa_utils.__all__) == set(torch.optim.swa_utils.__all__)


@needs_torch
def test_averaged_model_state_dict_keys_and_n_averaged_as_torch():
    em, tm = ember.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    ea, ta = ember.optim.swa_utils.AveragedModel(em), torch.optim.swa_utils.AveragedModel(tm)
    assert list(ea.state_dict()) == list(ta.state_dict())
    ea.update_parameters(em)
    ta.update_parameters(tm)
    assert ea.n_averaged.item() == ta.n_averaged.item() == 1
    assert ea.n_averaged.dtype == ember.int64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(ea).splitlines()[0] == repr(ta).splitlines()[0]
