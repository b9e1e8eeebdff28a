"""ember.utils.checkpoint vs torch.utils.checkpoint 2.13: gradients equal to the plain run,
recomputation counts, warnings, errors, dropout masks replayed from the saved RNG state."""
import warnings

import numpy as np
import pytest

import ember
import ember.utils.checkpoint as ecp
from ember import nn

from _nn_helpers import close, copy_module_params

torch = pytest.importorskip("torch")
import torch.utils.checkpoint as tcp  # noqa: E402

X = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)


def _setup(lib):
    lin = (torch.nn if lib is torch else nn).Linear(4, 4)
    count = [0]

    def f(x, scale=2.0):
        count[0] += 1
        return lib.tanh(lin(x)) * scale
    return lin, count, f


def _run(lib, cp, reent, x_req=True, **kw):
    lin, count, f = _setup(lib)
    if lib is ember:
        copy_module_params(_run.tlin, lin)
    else:
        _run.tlin = lin
    x = lib.tensor(X, requires_grad=x_req)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        if reent is None:
            y = cp.checkpoint(f, x, **kw)
        else:
            y = cp.checkpoint(f, x, use_reentrant=reent, **kw)
    fwd = count[0]
    res = {"warn": [(m.category, str(m.message)) for m in w], "fwd": fwd,
           "req": y.requires_grad, "y": y.detach().numpy()}
    if y.requires_grad:
        (y ** 2).sum().backward()
        res.update(bwd=count[0], xg=None if x.grad is None else x.grad.numpy(),
                   wg=lin.weight.grad.numpy(), bg=lin.bias.grad.numpy())
    return res


@pytest.mark.parametrize("reent", [None, True, False])
@pytest.mark.parametrize("x_req", [True, False])
def test_checkpoint_grads_counts_and_warnings(reent, x_req):
    rt = _run(torch, tcp, reent, x_req)
    re_ = _run(ember, ecp, reent, x_req)
    assert re_["warn"] == rt["warn"]
    assert (re_["fwd"], re_["req"], re_.get("bwd")) == (rt["fwd"], rt["req"], rt.get("bwd"))
    close(re_["y"], rt["y"], 1e-5, 1e-6)
    for k in ("xg", "wg", "bg"):
        if k in rt:
            assert (re_[k] is None) == (rt[k] is None)
            if rt[k] is not None:
                close(re_[k], rt[k], 1e-4, 1e-5)


def test_checkpoint_matches_plain_gradients_and_grad_fn():
    lin, count, f = _setup(ember)
    x1 = ember.tensor(X, requires_grad=True)
    (f(x1) ** 2).sum().backward()
    plain = (x1.grad.numpy(), lin.weight.grad.numpy())
    for reent in (True, False):
        lin.zero_grad()
        x = ember.tensor(X, requires_grad=True)
        y = ecp.checkpoint(f, x, use_reentrant=reent)
        if reent:
            assert type(y.grad_fn).__name__ == "CheckpointFunctionBackward"
        (y ** 2).sum().backward()
        close(x.grad, plain[0], 1e-6, 1e-7)
        close(lin.weight.grad, plain[1], 1e-6, 1e-7)


def test_non_reentrant_with_autograd_grad_and_kwargs():
    tlin = None
    for lib, cp in ((torch, tcp), (ember, ecp)):
        lin, count, f = _setup(lib)
        if lib is ember:
            copy_module_params(tlin, lin)
        tlin = lin
        x = lib.tensor(X, requires_grad=True)
        y = cp.checkpoint(f, x, use_reentrant=False, scale=3.0)
        g, = lib.autograd.grad(y.sum(), x)
        if lib is torch:
            gt, ct = g, count[0]
        else:
            close(g, gt, 1e-5, 1e-6)
            assert count[0] == ct == 2


@pytest.mark.parametrize("reent", [True, False])
def test_dropout_mask_is_replayed(reent):
    drop = nn.Dropout(0.5)
    x = ember.tensor(np.abs(X) + 1, requires_grad=True)
    ember.manual_seed(0)
    y = ecp.checkpoint(lambda t: drop(t) * t, x, use_reentrant=reent)
    state_after = ember.get_rng_state()
    y.sum().backward()
    kept = y.detach().numpy() != 0
    assert 0 < kept.sum() < kept.size
    # d/dx (mask * 2x * x) = 4x where kept: the recomputation drew the forward's mask
    close(x.grad, np.where(kept, 4 * x.detach().numpy(), 0), 1e-6, 1e-6)
    # the backward restored the RNG state it found
    assert np.array_equal(ember.get_rng_state().numpy(), state_after.numpy())


def test_preserve_rng_state_false_redraws():
    drop = nn.Dropout(0.5)
    x = ember.tensor(np.ones((64,), np.float32), requires_grad=True)
    ember.manual_seed(0)
    y = ecp.checkpoint(drop, x, use_reentrant=False, preserve_rng_state=False)
    y.sum().backward()
    # the recomputed mask (a fresh draw) decides the gradient, not the forward's
    assert not np.array_equal(x.grad.numpy() != 0, y.detach().numpy() != 0)


@pytest.mark.parametrize("reent", [True, False])
def test_tuple_outputs_and_non_tensor_outputs(reent):
    res = []
    for lib, cp in ((torch, tcp), (ember, ecp)):
        a = lib.tensor(X, requires_grad=True)
        b = lib.tensor(X * 2, requires_grad=True)
        o1, o2, k = cp.checkpoint(lambda p, q: (p * q, p + q, 3), a, b, use_reentrant=reent)
        (o1.sum() + (o2 ** 2).sum()).backward()
        res.append((k, a.grad.numpy(), b.grad.numpy(), o1.requires_grad))
    assert res[0][0] == res[1][0] and res[0][3] == res[1][3]
    close(res[1][1], res[0][1], 1e-5, 1e-6)
    close(res[1][2], res[0][2], 1e-5, 1e-6)


def test_checkpoint_sequential():
    def make(L):
        return L.Sequential(L.Linear(4, 5), L.ReLU(), L.Linear(5, 5), L.Tanh(), L.Linear(5, 2))
    tm, em = make(torch.nn), make(nn)
    copy_module_params(tm, em)
    for reent in (True, False):
        tm.zero_grad()
        em.zero_grad()
        xt = torch.tensor(X, requires_grad=True)
        xe = ember.tensor(X, requires_grad=True)
        yt = tcp.checkpoint_sequential(tm, 2, xt, use_reentrant=reent)
        ye = ecp.checkpoint_sequential(em, 2, xe, use_reentrant=reent)
        close(ye, yt, 1e-5, 1e-6)
        yt.sum().backward()
        ye.sum().backward()
        close(xe.grad, xt.grad, 1e-5, 1e-6)
        close(em[0].weight.grad, tm[0].weight.grad, 1e-5, 1e-6)
    msgs = []
    for cp, m, x in ((tcp, tm, xt), (ecp, em, xe)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            cp.checkpoint_sequential(m, 2, x)
        msgs.append([str(i.message) for i in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) >= 1


@pytest.mark.parametrize("kw", [dict(use_reentrant=True, scale=3.0),
                                dict(use_reentrant=True, debug=True),
                                dict(use_reentrant=False, determinism_check="x")])
def test_checkpoint_argument_errors(kw):
    errs = []
    for lib, cp in ((torch, tcp), (ember, ecp)):
        _, _, f = _setup(lib)
        with pytest.raises(ValueError) as ei:
            cp.checkpoint(f, lib.tensor(X, requires_grad=True), **kw)
        errs.append(str(ei.value))
    assert errs[0] == errs[1]


def test_context_fn_and_determinism_check():
    seen = []

    class Tag:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            seen.append(self.name)

        def __exit__(self, *a):
            return False

    x = ember.tensor(X, requires_grad=True)
    y = ecp.checkpoint(lambda t: t.sin(), x, use_reentrant=False,
                       context_fn=lambda: (Tag("fwd"), Tag("recompute")))
    y.sum().backward()
    assert seen == ["fwd", "recompute"]
    close(x.grad, np.cos(X), 1e-6, 1e-6)
    calls = [0]

    def changing(t):
        calls[0] += 1
        return t.sum() if calls[0] > 1 else t * 2
    y = ecp.checkpoint(changing, ember.tensor(X, requires_grad=True), use_reentrant=False)
    with pytest.raises(ecp.CheckpointError, match="different metadata"):
        y.sum().backward()
    assert issubclass(ecp.CheckpointError, RuntimeError)


def test_reentrant_backward_needs_an_output_with_grad():
    x = ember.tensor(X, requires_grad=True)
    y = ecp.checkpoint(lambda t: t.detach() * 2 + t, x, use_reentrant=True)
    y.sum().backward()
    close(x.grad, np.ones_like(X))
    errs = []
    for lib, cp in ((torch, tcp), (ember, ecp)):
        x = lib.tensor(X, requires_grad=True)
        y = cp.checkpoint(lambda t: t.detach() * 2, x, use_reentrant=True)
        with pytest.raises(RuntimeError) as ei:
            y.sum().backward()
        errs.append(str(ei.value))
    assert errs[0] == errs[1] == ("none of output has requires_grad=True, this checkpoint() is "
                                  "not necessary")
    assert ember.utils.checkpoint is ecp


def test_non_reentrant_keeps_torch_graph_and_drops_saved_values():
    res = []
    for lib, cp in ((torch, tcp), (ember, ecp)):
        w = lib.tensor(X[0], requires_grad=True)
        h = w * 3  # a captured non-leaf from outside the segment
        x = lib.tensor(X, requires_grad=True)
        y = cp.checkpoint(lambda t: (t * h).exp().sum(0), x, use_reentrant=False)
        names = [type(y.grad_fn).__name__,
                 [type(n).__name__ for n, _ in y.grad_fn.next_functions]]
        y.sum().backward(retain_graph=True)
        g1 = (x.grad.numpy().copy(), w.grad.numpy().copy())
        y.sum().backward()
        with pytest.raises(RuntimeError) as ei:
            y.sum().backward()
        res.append((names, g1, x.grad.numpy(), str(ei.value)[:60]))
    assert res[0][0] == res[1][0] == ["SumBackward1", ["ExpBackward0"]]
    assert res[0][3] == res[1][3]
    for i in range(2):
        close(res[1][1][i], res[0][1][i], 1e-5, 1e-5)
    close(res[1][2], res[0][2], 1e-5, 1e-5)
    x = ember.tensor(X, requires_grad=True)
    y = ecp.checkpoint(lambda t: t.exp(), x, use_reentrant=False)
    assert y.grad_fn._saved is ecp._PENDING  # the forward kept nothing for backward


def test_get_device_states_of_cpu_tensors():
    x = np.ones(2, np.float32)
    assert ecp.get_device_states(ember.tensor(x), 3) == tcp.get_device_states(
        torch.tensor(x), 3) == ([], [])
