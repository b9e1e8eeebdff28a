"""torch's native RNN functions (torch.lstm/gru/rnn_tanh/rnn_relu, padded and packed forms),
the native torch.embedding_bag 4-tuple and F.conv_tbc against torch."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

_GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def _params(rng, name, L, dirs, NI, H, bias):
    G = _GATES[name]
    ps = []
    for layer in range(L):
        for _ in range(dirs):
            ii = NI if layer == 0 else H * dirs
            ps += [rng.standard_normal((G * H, ii)) * 0.5, rng.standard_normal((G * H, H)) * 0.5]
            if bias:
                ps += [rng.standard_normal(G * H) * 0.5, rng.standard_normal(G * H) * 0.5]
    return ps


def _run(lib, name, x, hs, ps, bias, L, bidir, bf, packed=None):
    t = [lib.tensor(a, requires_grad=True) for a in [x] + hs + ps]
    xt, hts, pts = t[0], t[1:1 + len(hs)], t[1 + len(hs):]
    hx = tuple(hts) if name == "lstm" else hts[0]
    fn = getattr(lib, name)
    if packed is None:
        out = fn(xt, hx, pts, bias, L, 0.0, True, bidir, bf)
    else:
        out = fn(xt, lib.tensor(packed), hx, pts, bias, L, 0.0, True, bidir)
    sum((o * (k + 1)).sum() for k, o in enumerate(out)).backward()
    return out, t


@needs_torch
@pytest.mark.parametrize("name", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.parametrize("bidir,bf,bias", [(False, False, True), (True, True, True),
                                           (True, False, False)])
def test_native_rnn_padded(name, bidir, bf, bias):
    rng = np.random.default_rng(3)
    L, NI, H, dirs = 2, 3, 4, 2 if bidir else 1
    x = rng.standard_normal((2, 5, NI) if bf else (5, 2, NI))
    hs = [rng.standard_normal((L * dirs, 2, H)) for _ in range(2 if name == "lstm" else 1)]
    ps = _params(rng, name, L, dirs, NI, H, bias)
    eo, et = _run(ember, name, x, hs, ps, bias, L, bidir, bf)
    to, tt = _run(torch, name, x, hs, ps, bias, L, bidir, bf)
    assert len(eo) == len(to)
    for a, b in zip(eo, to):
        assert a.shape == tuple(b.shape) and str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10)
    for a, b in zip(et, tt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("name", ["lstm", "gru", "rnn_tanh"])
def test_native_rnn_packed(name):
    rng = np.random.default_rng(4)
    L, NI, H = 1, 3, 4
    batch_sizes = np.array([3, 2, 2, 1])
    x = rng.standard_normal((int(batch_sizes.sum()), NI))
    hs = [rng.standard_normal((2 * L, 3, H)) for _ in range(2 if name == "lstm" else 1)]
    ps = _params(rng, name, L, 2, NI, H, True)
    eo, et = _run(ember, name, x, hs, ps, True, L, True, False, batch_sizes)
    to, tt = _run(torch, name, x, hs, ps, True, L, True, False, batch_sizes)
    for a, b in zip(eo, to):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10)
    for a, b in zip(et, tt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


@needs_torch
def test_native_lstm_graph_is_the_modules():
    """torch.lstm is what nn.LSTM runs: the same grad_fn, and the module's values."""
    ember.manual_seed(0)
    m = ember.nn.LSTM(3, 4, 2)
    x = ember.randn(5, 2, 3)
    h = (ember.zeros(2, 2, 4), ember.zeros(2, 2, 4))
    out, hn, cn = ember.lstm(x, h, m._flat_weights, True, 2, 0.0, False, False, False)
    mo, (mh, mc) = m(x, h)
    assert type(out.grad_fn).__name__ == type(mo.grad_fn).__name__
    assert ember.equal(out, mo) and ember.equal(hn, mh) and ember.equal(cn, mc)


@needs_torch
def test_native_rnn_float32_and_errors():
    rng = np.random.default_rng(5)
    ps = _params(rng, "gru", 1, 1, 3, 4, True)
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    h = np.zeros((1, 2, 4), np.float32)
    outs = []
    for lib in (ember, torch):
        pt = [lib.tensor(p.astype(np.float32)) for p in ps]
        outs.append(lib.gru(lib.tensor(x), lib.tensor(h), pt, True, 1, 0.0, False, False, False))
        with pytest.raises(IndexError, match="Dimension out of range"):
            lib.gru(lib.tensor(x[0]), lib.tensor(h), pt, True, 1, 0.0, False, False, False)
    for a, b in zip(*outs):
        assert str(a.dtype) == "torch.float32"
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------ embedding_bag

@needs_torch
@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("pad,ilo,psw", [(None, False, False), (2, False, False),
                                         (None, True, False), (None, False, True)])
def test_native_embedding_bag(mode, dtype, pad, ilo, psw):
    if psw and mode != 0:
        pytest.skip("per_sample_weights is only for mode sum")
    rng = np.random.default_rng(6)
    w = rng.standard_normal((10, 3)).astype(dtype)
    idx = np.array([1, 2, 4, 5, 4, 3, 2, 9])
    offs = np.array([0, 4, 4, 6] + ([8] if ilo else []))
    sw = rng.random(8).astype(dtype)
    res = []
    for lib in (ember, torch):
        wt = lib.tensor(w, requires_grad=True)
        out = lib.embedding_bag(wt, lib.tensor(idx), lib.tensor(offs), False, mode, False,
                                lib.tensor(sw) if psw else None, ilo, pad)
        out[0].sum().backward()
        res.append((out, wt.grad))
    (eo, eg), (to, tg) = res
    assert len(eo) == 4
    np.testing.assert_allclose(eo[0].detach().numpy(), to[0].detach().numpy(), rtol=1e-5)
    for a, b in zip(eo[1:], to[1:]):
        assert str(a.dtype) == str(b.dtype)
        assert a.tolist() == b.tolist()
    np.testing.assert_allclose(eg.numpy(), tg.numpy(), rtol=1e-5)


@needs_torch
def test_native_embedding_bag_int32_indices():
    w = np.arange(30.0).reshape(10, 3)
    outs = [lib.embedding_bag(lib.tensor(w), lib.tensor(np.array([1, 2, 3], np.int32)),
                              lib.tensor(np.array([0, 1], np.int32)), False, 1)
            for lib in (ember, torch)]
    for a, b in zip(*outs):
        assert str(a.dtype) == str(b.dtype)
        assert a.tolist() == b.tolist()


# ------------------------------------------------------------------------------ conv_tbc

@needs_torch
def test_conv_tbc_errors():
    cases = [lambda lib: (lib.randn(5, 2), lib.randn(3, 3, 4), lib.randn(4)),
             lambda lib: (lib.randn(5, 2, 3), lib.randn(3, 3, 4), lib.randn(4, 1)),
             lambda lib: (lib.randn(5, 2, 3), lib.randn(3, 2, 4), lib.randn(4)),
             lambda lib: (lib.randn(5, 2, 3), lib.randn(3, 3, 4), lib.randn(5)),
             lambda lib: (lib.randn(5, 2, 3).double(), lib.randn(3, 3, 4), lib.randn(4)),
             lambda lib: (lib.randn(5, 2, 3), lib.randn(9, 3, 4), lib.randn(4))]
    for case in cases:
        msgs = []
        for lib in (ember, torch):
            with pytest.raises(RuntimeError) as e:
                lib.nn.functional.conv_tbc(*case(lib))
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


@needs_torch
def test_conv_tbc_matches_conv1d_program():
    """fairseq's use: conv_tbc over (time, batch, channel) with padding (k - 1) // 2."""
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((7, 2, 4)), rng.standard_normal((3, 4, 5)), rng.standard_normal(5)
    res = []
    for lib in (ember, torch):
        xt, wt, bt = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        y = lib.nn.functional.conv_tbc(xt.float(), wt.float(), bt.float(), 1)
        (y * y).sum().backward()
        assert type(y.grad_fn).__name__ == "ConvTbcBackward0"
        res.append((y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@needs_torch
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_functional_embedding_bag_leaves_padding_out(mode):
    """F.embedding_bag with padding_idx: the padding entries are not in the bags (2-D and
    1-D input; torch's forward, not embedding's weight[padding_idx] row)."""
    rng = np.random.default_rng(8)
    w = rng.standard_normal((10, 3))
    i2 = np.array([[1, 2, 2, 5], [2, 2, 2, 2], [3, 4, 2, 9]])
    res = []
    for lib in (ember, torch):
        wt = lib.tensor(w, requires_grad=True)
        a = lib.nn.functional.embedding_bag(lib.tensor(i2), wt, mode=mode, padding_idx=2)
        b = lib.nn.functional.embedding_bag(lib.tensor(i2.reshape(-1)), wt,
                                            lib.tensor(np.array([0, 3, 7])), mode=mode,
                                            padding_idx=2)
        (a.sum() + (b * b).sum()).backward()
        res.append((a.detach().numpy(), b.detach().numpy(), wt.grad.numpy()))
    for x, y in zip(*res):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12)
