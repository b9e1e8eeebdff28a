"""RNN/LSTM/GRU and cells vs torch (weights copied via NumPy): outputs, final states, input and
parameter gradients, state_dict names; gradcheck/gradgradcheck of the fused layer ops."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck, gradgradcheck
from ember.autograd.function import _apply
from ember._ops import rnn as R

from _nn_helpers import close, copy_module_params

torch = pytest.importorskip("torch")


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _flat(out):
    o, h = out
    return [o] + (list(h) if isinstance(h, tuple) else [h])


def _check(kind, T=5, B=3, I=4, H=6, hx=False, **kw):
    tm = getattr(torch.nn, kind)(I, H, **kw).double()
    em = getattr(nn, kind)(I, H, **kw).double()
    assert list(em.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        assert tuple(em.state_dict()[k].shape) == tuple(v.shape), k
    copy_module_params(tm, em)
    bf = kw.get("batch_first", False)
    x = rnd(B, T, I) if bf else rnd(T, B, I)
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    args_t, args_e = [xt], [xe]
    if hx:
        L = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
        Hr = kw.get("proj_size", 0) or H
        h0 = rnd(L, B, Hr, seed=3)
        if kind == "LSTM":
            c0 = rnd(L, B, H, seed=4)
            args_t.append((torch.tensor(h0), torch.tensor(c0)))
            args_e.append((ember.tensor(h0), ember.tensor(c0)))
        else:
            args_t.append(torch.tensor(h0))
            args_e.append(ember.tensor(h0))
    ot, oe = _flat(tm(*args_t)), _flat(em(*args_e))
    lt = sum((o * (i + 1.0)).sum() for i, o in enumerate(ot))
    le = sum((o * (i + 1.0)).sum() for i, o in enumerate(oe))
    for a, b in zip(oe, ot):
        close(a, b, 1e-9, 1e-10)
    lt.backward()
    le.backward()
    close(xe.grad, xt.grad, 1e-9, 1e-10)
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        close(p.grad, q.grad, 1e-8, 1e-10)
    tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in em.state_dict().items()})
    return em, tm


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, bidirectional=True, batch_first=True),
                                dict(bias=False), dict(num_layers=2, hx=True)])
def test_recurrent_matches_torch(kind, kw):
    _check(kind, **kw)


def test_rnn_relu_and_lstm_proj():
    _check("RNN", nonlinearity="relu", num_layers=2)
    _check("LSTM", proj_size=3, num_layers=2, hx=True)


def test_reprs_and_init_bounds():
    for kind, kw in [("LSTM", dict(num_layers=2, batch_first=True)),
                     ("GRU", dict(bidirectional=True, dropout=0.5, num_layers=2)),
                     ("RNN", dict(nonlinearity="relu", bias=False))]:
        assert repr(getattr(nn, kind)(3, 4, **kw)) == repr(getattr(torch.nn, kind)(3, 4, **kw))
    m = nn.LSTM(3, 16)
    for p in m.parameters():
        a = p.detach().numpy()
        assert np.abs(a).max() <= 0.25 and a.std() > 0.05
    for kind in ("LSTMCell", "GRUCell", "RNNCell"):
        assert repr(getattr(nn, kind)(3, 4)) == repr(getattr(torch.nn, kind)(3, 4))


def test_unbatched_input():
    em, tm = _check("GRU", B=1)
    x = rnd(5, 4)
    close(em(ember.tensor(x))[0], tm(torch.tensor(x))[0], 1e-9, 1e-10)


def test_dropout_between_layers_only_in_training():
    m = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = ember.randn(5, 2, 3)
    m.eval()
    a = m(x)[0].detach().numpy()
    b = m(x)[0].detach().numpy()
    np.testing.assert_array_equal(a, b)
    m.train()
    ember.manual_seed(0)
    c = m(x)[0].detach().numpy()
    assert not np.allclose(a, c)


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cells_match_torch(kind):
    tm, em = getattr(torch.nn, kind)(4, 5).double(), getattr(nn, kind)(4, 5).double()
    assert list(em.state_dict()) == list(tm.state_dict())
    copy_module_params(tm, em)
    x, h = rnd(3, 4), rnd(3, 5, seed=1)
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    if kind == "LSTMCell":
        ot = tm(xt, (torch.tensor(h), torch.tensor(h * 0.5)))
        oe = em(xe, (ember.tensor(h), ember.tensor(h * 0.5)))
        ot, oe = ot[0] * 2 + ot[1], oe[0] * 2 + oe[1]
    else:
        ot, oe = tm(xt, torch.tensor(h)), em(xe, ember.tensor(h))
    close(oe, ot, 1e-9, 1e-10)
    ot.sum().backward()
    oe.sum().backward()
    close(xe.grad, xt.grad, 1e-9, 1e-10)
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        close(p.grad, q.grad, 1e-9, 1e-10)
    # no state given, unbatched
    close(em(ember.tensor(x[0]))[0] if kind == "LSTMCell" else em(ember.tensor(x[0])),
          tm(torch.tensor(x[0]))[0] if kind == "LSTMCell" else tm(torch.tensor(x[0])),
          1e-9, 1e-10)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_packed_sequences_match_torch(kind):
    tm = getattr(torch.nn, kind)(4, 5, bidirectional=True).double()
    em = getattr(nn, kind)(4, 5, bidirectional=True).double()
    copy_module_params(tm, em)
    x, lengths = rnd(6, 3, 4), [6, 4, 2]
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    to, th = tm(torch.nn.utils.rnn.pack_padded_sequence(xt, lengths))
    eo, eh = em(nn.utils.rnn.pack_padded_sequence(xe, lengths))
    if kind == "LSTM":
        th, eh = th[0] + th[1], eh[0] + eh[1]
    close(eo.data, to.data, 1e-9, 1e-10)
    close(eh, th, 1e-9, 1e-10)
    (to.data.sum() + th.sum()).backward()
    (eo.data.sum() + eh.sum()).backward()
    close(xe.grad, xt.grad, 1e-9, 1e-10)


def test_error_texts():
    def same(fe, ft):
        with pytest.raises(Exception) as te:
            ft()
        with pytest.raises(type(te.value)) as ee:
            fe()
        assert str(ee.value) == str(te.value)

    same(lambda: nn.LSTM(3, 4)(ember.zeros(5, 2, 4)), lambda: torch.nn.LSTM(3, 4)(
        torch.zeros(5, 2, 4)))
    same(lambda: nn.LSTM(3, 4)(ember.zeros(5, 2, 3), (ember.zeros(1, 3, 4), ember.zeros(1, 2, 4))),
         lambda: torch.nn.LSTM(3, 4)(torch.zeros(5, 2, 3), (torch.zeros(1, 3, 4),
                                                            torch.zeros(1, 2, 4))))
    same(lambda: nn.GRU(3, 4)(ember.zeros(5, 2, 3), ember.zeros(1, 3, 4)),
         lambda: torch.nn.GRU(3, 4)(torch.zeros(5, 2, 3), torch.zeros(1, 3, 4)))
    same(lambda: nn.LSTMCell(3, 4)(ember.zeros(2, 4)),
         lambda: torch.nn.LSTMCell(3, 4)(torch.zeros(2, 4)))


def _d(*shape, seed=0):
    return ember.tensor(rnd(*shape, seed=seed), requires_grad=True)


def test_fused_ops_gradcheck_and_gradgradcheck():
    def lstm(xw, w, h, c):
        o, hT, cT = _apply(R.LSTMLayer, (xw, w, h, c), {}, None)
        return o.sum() + (hT * hT).sum() + (cT * cT).sum()

    def gru(xw, w, b, h):
        o, hT = _apply(R.GRULayer, (xw, w, b, h), {}, None)
        return (o * o).sum() + hT.sum()

    def rnn(xw, w, h):
        o, hT = _apply(R.RNNLayer, (xw, w, h, False), {}, None)
        return (o * o).sum() + hT.sum()

    cases = [(lstm, (_d(3, 2, 8), _d(8, 2, seed=1), _d(2, 2, seed=2), _d(2, 2, seed=3))),
             (gru, (_d(3, 2, 6), _d(6, 2, seed=1), _d(2, seed=2), _d(2, 2, seed=3))),
             (rnn, (_d(3, 2, 2), _d(2, 2, seed=1), _d(2, 2, seed=2)))]
    for fn, args in cases:
        assert gradcheck(fn, args)
        assert gradgradcheck(fn, args)


def test_module_gradcheck():
    m = nn.GRU(2, 3, bidirectional=True).double()
    x = _d(3, 2, 2)
    assert gradcheck(lambda a: m(a)[0], (x,))
    m = nn.LSTM(2, 2).double()
    assert gradcheck(lambda a: m(a)[1][1], (x,))


def test_fused_lstm_seq_gradcheck_and_gradgradcheck():
    # the fused layer with the input projection inside (nn.LSTM / nn.LSTMCell fast path)
    def seq(x, wi, wh, bi, bh, h, c):
        o, hT, cT = _apply(R.LSTMSeq, (x, wi, wh, bi, bh, h, c), {}, None)
        return (o * o).sum() + (hT * hT).sum() + (cT * cT).sum()

    def seq_nobias(x, wi, wh, h, c):
        o, hT, cT = _apply(R.LSTMSeq, (x, wi, wh, None, None, h, c), {}, None)
        return (o * o).sum() + hT.sum() + (cT * cT).sum()

    x, wi, wh = _d(3, 2, 3), _d(8, 3, seed=1), _d(8, 2, seed=2)
    bi, bh, h, c = _d(8, seed=3), _d(8, seed=4), _d(2, 2, seed=5), _d(2, 2, seed=6)
    for fn, args in [(seq, (x, wi, wh, bi, bh, h, c)), (seq_nobias, (x, wi, wh, h, c))]:
        assert gradcheck(fn, args)
        assert gradgradcheck(fn, args)


def test_fused_lstm_matches_torch_with_state_grads():
    m = nn.LSTM(3, 5, bias=True).double()
    tm = torch.nn.LSTM(3, 5).double()
    tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in m.state_dict().items()})
    xs, h0, c0 = rnd(4, 2, 3, seed=1), rnd(1, 2, 5, seed=2), rnd(1, 2, 5, seed=3)
    res = []
    for lib, mod in ((ember, m), (torch, tm)):
        x, h, c = (lib.tensor(a, requires_grad=True) for a in (xs, h0, c0))
        out, (hn, cn) = mod(x, (h, c))
        ((out * out).sum() + (hn * 2).sum() + (cn * cn).sum()).backward()
        res.append([out, hn, cn, x.grad, h.grad, c.grad] + [p.grad for p in mod.parameters()])
    for a, b in zip(*res):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_fused_scratch_buffers_not_shared_between_live_graphs(kind):
    # the fast paths reuse scratch arrays between calls: two live graphs of the same shape
    # (and a retained one) must keep their own outputs and saved activations (sizes above the
    # pool's 64 KiB minimum)
    m = getattr(nn, kind)(3, 32).double()
    xs = [ember.tensor(rnd(40, 16, 3, seed=s), requires_grad=True) for s in (1, 2)]

    def grads(o, x, **kw):
        for p in m.parameters():
            p.grad = None
        x.grad = None
        (o * o).sum().backward(**kw)
        return [x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in m.parameters()]

    ref = []
    for x in xs:
        o, _ = m(x)
        ref.append((o.detach().numpy().copy(), grads(o, x)))
    o1, _ = m(xs[0])
    o2, _ = m(xs[1])
    np.testing.assert_array_equal(o1.detach().numpy(), ref[0][0])
    np.testing.assert_array_equal(o2.detach().numpy(), ref[1][0])
    for _ in range(2):
        for g, r in zip(grads(o2, xs[1], retain_graph=True), ref[1][1]):
            np.testing.assert_allclose(g, r, rtol=1e-12)
        m(xs[0])  # another call in between: its buffers come and go
    for g, r in zip(grads(o1, xs[0]), ref[0][1]):
        np.testing.assert_allclose(g, r, rtol=1e-12)


@pytest.mark.parametrize("layers,sorted_", [(1, True), (2, False)])
def test_packed_lstm_fused_matches_torch(layers, sorted_):
    # the fused layer with per-sequence final states: outputs, h_n and c_n (weighted
    # differently, so a swapped gradient shows), input and parameter gradients
    tm = torch.nn.LSTM(4, 5, num_layers=layers, bidirectional=True).double()
    em = nn.LSTM(4, 5, num_layers=layers, bidirectional=True).double()
    copy_module_params(tm, em)
    x, lengths = rnd(7, 4, 4), ([7, 5, 3, 1] if sorted_ else [3, 7, 1, 5])
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    pt = torch.nn.utils.rnn.pack_padded_sequence(xt, lengths, enforce_sorted=sorted_)
    pe = nn.utils.rnn.pack_padded_sequence(xe, lengths, enforce_sorted=sorted_)
    to, (th, tc) = tm(pt)
    eo, (eh, ec) = em(pe)
    close(eo.data, to.data, 1e-9, 1e-10)
    close(eh, th, 1e-9, 1e-10)
    close(ec, tc, 1e-9, 1e-10)
    w = rnd(*to.data.shape, seed=5)
    ((to.data * torch.tensor(w)).sum() + (th * 2).sum() + (tc * tc).sum()).backward()
    ((eo.data * ember.tensor(w)).sum() + (eh * 2).sum() + (ec * ec).sum()).backward()
    close(xe.grad, xt.grad, 1e-9, 1e-10)
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        close(p.grad, q.grad, 1e-9, 1e-10)
