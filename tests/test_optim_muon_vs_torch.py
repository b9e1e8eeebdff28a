"""torch.optim.Muon (torch 2.13) against torch: the bfloat16 Newton-Schulz update bit for bit,
trajectories, state_dict, argument errors."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


@needs_torch
@pytest.mark.parametrize("shape", [(8, 5), (5, 8), (16, 16), (64, 32)])
def test_newton_schulz_is_torchs_bfloat16(shape):
    from torch.optim._muon import _zeropower_via_newtonschulz as tz

    from ember.optim.muon import _zeropower_via_newtonschulz as ez
    g = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    coeffs = (3.4445, -4.775, 2.0315)
    e, t = ez(g, coeffs, 5, 1e-7), tz(torch.tensor(g), coeffs, 5, 1e-7).float().numpy()
    if max(shape) <= 16:  # bit for bit
        np.testing.assert_array_equal(e, t)
    else:  # larger products: torch's bfloat16 GEMM may sum in another order (1 bf16 ulp)
        np.testing.assert_allclose(e, t, atol=2e-3)


@needs_torch
@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.02, "nesterov": False},
                                    {"lr": 0.01, "adjust_lr_fn": "match_rms_adamw",
                                     "weight_decay": 0.0, "ns_steps": 3},
                                    {"lr": 0.05, "momentum": 0.8, "eps": 1e-5}])
def test_trajectory_matches_torch(kwargs):
    rng = np.random.default_rng(1)
    arrs = [rng.standard_normal(s).astype(np.float32) for s in [(6, 4), (3, 7)]]
    ep = [ember.nn.Parameter(ember.tensor(a.copy())) for a in arrs]
    tp = [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrs]
    eo, to = ember.optim.Muon(ep, **kwargs), torch.optim.Muon(tp, **kwargs)
    for k in range(20):
        for ps, lib in ((ep, ember), (tp, torch)):
            for p in ps:
                a = p.detach().numpy().astype(np.float64)
                p.grad = lib.tensor((2 * (a - 0.5) + 0.3 * np.sin(3 * a + k)).astype(np.float32))
        eo.step()
        to.step()
        for e, t in zip(ep, tp):
            np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-5,
                                       atol=1e-6, err_msg=f"step {k}")
    esd, tsd = eo.state_dict(), to.state_dict()
    assert esd["param_groups"] == tsd["param_groups"]
    for k in tsd["state"]:
        np.testing.assert_allclose(esd["state"][k]["momentum_buffer"].numpy(),
                                   tsd["state"][k]["momentum_buffer"].numpy(), rtol=1e-5)


@needs_torch
def test_muon_errors():
    for lib in (ember, torch):
        w = lib.nn.Parameter(lib.zeros(3, 3))
        for kw, text in [({"lr": -1.0}, "Learning rate should be >= 0"),
                         ({"momentum": -1.0}, "momentum should be >= 0"),
                         ({"weight_decay": -1.0}, "weight decay should be >= 0"),
                         ({"adjust_lr_fn": "x"}, "Adjust learning rate function x is not")]:
            with pytest.raises(ValueError, match=text):
                lib.optim.Muon([w], **kw)
        with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
            lib.optim.Muon([lib.nn.Parameter(lib.zeros(3))])


@needs_torch
def test_muon_with_adamw_on_a_model():
    """The documented use: Muon for the 2-D weights, AdamW for the rest."""
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 2))
        muon_params = [p for p in model.parameters() if p.ndim == 2]
        other = [p for p in model.parameters() if p.ndim != 2]
        om = lib.optim.Muon(muon_params, lr=0.02, momentum=0.95)
        oa = lib.optim.AdamW(other, lr=3e-4, weight_decay=0.01)
        x = lib.tensor(np.random.default_rng(3).standard_normal((16, 4)).astype(np.float32))
        y = lib.tensor(np.random.default_rng(4).standard_normal((16, 2)).astype(np.float32))
        losses = []
        for _ in range(10):
            om.zero_grad()
            oa.zero_grad()
            loss = lib.nn.functional.mse_loss(model(x), y)
            loss.backward()
            om.step()
            oa.step()
            losses.append(loss.item())
        res.append(losses)
    np.testing.assert_allclose(res[0], res[1], rtol=1e-4)
