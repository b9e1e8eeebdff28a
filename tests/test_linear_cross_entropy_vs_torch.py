"""F.linear_cross_entropy / nn.LinearCrossEntropyLoss / nn.LinearCrossEntropyOptions (torch
2.13) against torch: the reference path and the chunked one, values and gradients."""
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _run(lib, x, w, t, b=None, cw=None, opts=None, **kw):
    xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
    bt = None if b is None else lib.tensor(b, requires_grad=True)
    o = None if opts is None else lib.nn.LinearCrossEntropyOptions(**opts)
    y = lib.nn.functional.linear_cross_entropy(
        xt, wt, lib.tensor(t), linear_bias=bt, weight=None if cw is None else lib.tensor(cw),
        options=o, **kw)
    (y * y).sum().backward()
    return y, [y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()] + (
        [] if b is None else [bt.grad.numpy()])


@needs_torch
@pytest.mark.parametrize("opts", [None, {}, {"batch_chunk_size": 3},
                                  {"chunking_method": "aspect_ratio"}])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("extra", ["plain", "bias_weight_ignore", "unbatched"])
def test_linear_cross_entropy(opts, reduction, extra):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((7, 4)), rng.standard_normal((10, 4))
    t = rng.integers(0, 10, 7)
    kw = {}
    b = cw = None
    if extra == "bias_weight_ignore":
        b, cw = rng.standard_normal(10), rng.random(10) + 0.5
        t[2] = -100
        kw["ignore_index"] = -100
    if extra == "unbatched":
        x, t = x[0], t[0]
    ey, e = _run(ember, x, w, t, b, cw, opts, reduction=reduction, **kw)
    ty, tt = _run(torch, x, w, t, b, cw, opts, reduction=reduction, **kw)
    assert type(ey.grad_fn).__name__ == type(ty.grad_fn).__name__
    assert tuple(ey.shape) == tuple(ty.shape)
    for a, c in zip(e, tt):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)


@needs_torch
def test_k_dimensional_probabilities_smoothing_and_module():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5))
    res = []
    for lib in (ember, torch):
        lib.manual_seed(283)
        loss = lib.nn.LinearCrossEntropyLoss(5, 10, out_features=(4, 3), bias=True,
                                             label_smoothing=0.1)
        inp = lib.tensor(x, requires_grad=True)
        target = lib.tensor(rng.integers(0, 10, (3, 4, 3)))
        out = loss(inp.float(), target)
        prob = lib.tensor(np.random.default_rng(2).random((3, 10, 4, 3))).float().softmax(1)
        out2 = loss(inp.float(), prob)
        (out + out2).backward()
        res.append((repr(loss), list(loss.state_dict()), out.item(), out2.item(),
                    inp.grad.numpy(), loss.linear.weight.grad.numpy()))
        rng = np.random.default_rng(1)
        rng.standard_normal((3, 5))
    assert res[0][0] == res[1][0] and res[0][1] == res[1][1]
    for a, b in zip(res[0][2:], res[1][2:]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@needs_torch
def test_options_checks_and_second_backward():
    for lib in (ember, torch):
        Opts = lib.nn.LinearCrossEntropyOptions
        for bad in ({"acc_policy": "x"}, {"chunking_method": "other"},
                    {"batch_chunk_size": 0}):
            with pytest.raises(ValueError):
                Opts(**bad)
        x = lib.randn(6, 4, requires_grad=True)
        w = lib.randn(10, 4, requires_grad=True)
        t = lib.randint(0, 10, (6,))
        y = lib.nn.functional.linear_cross_entropy(x, w, t, options=Opts())
        y.backward(retain_graph=True)
        with pytest.raises(RuntimeError, match="chunked backward called twice"):
            y.backward()
        y = lib.nn.functional.linear_cross_entropy(x, w, t, options=Opts(allow_retain_graph=True))
        y.backward(retain_graph=True)
        y.backward()
        with pytest.raises(ValueError, match="give different chunk sizes"):
            lib.nn.functional.linear_cross_entropy(
                x, w, t, options=Opts(batch_chunk_size=5, chunking_method="aspect_ratio"))
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            lib.nn.functional.linear_cross_entropy(x, w, t, label_smoothing=0.1, options=Opts())
        assert "options`` ignored" in str(rec[0].message)
        with pytest.raises(RuntimeError, match="expected input with dimensionality 1 or 2"):
            lib.nn.functional.linear_cross_entropy(lib.randn(2, 3, 4), w, t)
