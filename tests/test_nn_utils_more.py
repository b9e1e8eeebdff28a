"""nn.utils.parametrize / parametrizations / prune, the hooks-based weight_norm and spectral_norm,
fusion, stateless.functional_call and skip_init against torch 2.13 (weights copied through
NumPy; ember's RNG differs from torch's, so random masks and power-iteration starts are copied
or checked by their properties)."""

import collections
import copy
import re
import warnings

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn.utils import parametrizations as eP
from ember.nn.utils import parametrize as ePz
from ember.nn.utils import prune as eprune

from _nn_helpers import close, copy_module_params, e

torch = pytest.importorskip("torch")
tP = torch.nn.utils.parametrizations
tPz = torch.nn.utils.parametrize
import torch.nn.utils.prune as tprune  # noqa: E402

RNG = np.random.default_rng(0)


def _x(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _pair(make):
    """The same module in torch and ember, with torch's weights."""
    tm, em = make(torch.nn), make(nn)
    copy_module_params(tm, em)
    return tm, em


def _sd_to_ember(sd):
    out = collections.OrderedDict(
        (k, ember.tensor(v.detach().numpy().copy())) for k, v in sd.items()
    )
    if hasattr(sd, "_metadata"):
        out._metadata = copy.deepcopy(sd._metadata)
    return out


def _err(fn):
    try:
        fn()
    except Exception as ex:  # noqa: BLE001 - the class is what is compared
        return type(ex).__name__, str(ex).replace("torch.nn.utils", "X").replace(
            "ember.nn.utils", "X"
        )
    return None


# ------------------------------------------------------------------------- parametrize
def _param_classes(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    class Skew(lib.nn.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu(1)

    class Split(lib.nn.Module):
        def forward(self, a, b):
            return a + 2 * b

        def right_inverse(self, X):
            return X * 0.5, X * 0.25

    class Cayley(lib.nn.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("Id", lib.eye(n))

        def forward(self, X):
            return lib.linalg.solve(self.Id - X, self.Id + X)

    return Symmetric, Skew, Split, Cayley


def test_register_parametrization_structure_values_and_grads():
    results = []
    for lib, mod in ((torch, torch), (ember, ember)):
        Symmetric, Skew, _, _ = _param_classes(lib)
        pz = tPz if lib is torch else ePz
        layer = lib.nn.Linear(3, 3)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(_x(3, 3)))
            layer.bias.copy_(lib.tensor(_x(3)))
        pz.register_parametrization(layer, "weight", Symmetric())
        r = [
            repr(layer),
            repr(layer.parametrizations),
            type(layer).__name__,
            type(layer).__bases__[0].__name__,
            pz.type_before_parametrizations(layer).__name__,
            list(layer.state_dict()),
            [n for n, _ in layer.named_parameters()],
            pz.is_parametrized(layer),
            pz.is_parametrized(layer, "weight"),
            pz.is_parametrized(layer, "bias"),
            isinstance(layer, lib.nn.Linear),
        ]
        w = layer.weight
        y = layer(lib.tensor(_x(2, 3)))
        (y**2).sum().backward()
        results.append(
            (
                r,
                w.detach().numpy(),
                y.detach().numpy(),
                layer.parametrizations.weight.original.grad.numpy(),
                type(w.grad_fn).__name__,
            )
        )
    (rt, wt, yt, gt, ft), (re_, we, ye, ge, fe) = results
    assert rt == re_
    np.testing.assert_allclose(we, wt, rtol=1e-6)
    np.testing.assert_allclose(ye, yt, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ge, gt, rtol=1e-5, atol=1e-5)
    assert fe == ft == "AddBackward0"


def test_chained_parametrizations_right_inverse_and_state_dict_roundtrip():
    outs = []
    for lib in (torch, ember):
        _, Skew, _, Cayley = _param_classes(lib)
        pz = tPz if lib is torch else ePz
        layer = lib.nn.Linear(3, 3)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(_x(3, 3)))
        pz.register_parametrization(layer, "weight", Skew())
        pz.register_parametrization(layer, "weight", Cayley(3))
        W = layer.weight
        orth = float(((W.T @ W) - lib.eye(3)).abs().max().detach())
        X = _x(3, 3, seed=5)
        X = X - X.T
        layer2 = lib.nn.Linear(3, 3)
        pz.register_parametrization(layer2, "weight", Skew())
        layer2.weight = lib.tensor(X)
        outs.append(
            (
                repr(layer),
                list(layer.state_dict()),
                orth < 1e-5,
                layer2.weight.detach().numpy(),
                layer.weight.detach().numpy(),
            )
        )
    assert outs[0][:3] == outs[1][:3]
    np.testing.assert_allclose(outs[1][3], outs[0][3], rtol=1e-6)
    np.testing.assert_allclose(outs[1][4], outs[0][4], rtol=1e-5, atol=1e-6)
    # a torch state_dict loads into the ember parametrized module
    _, Skew_t, _, Cayley_t = _param_classes(torch)
    _, Skew_e, _, Cayley_e = _param_classes(ember)
    tl, el = torch.nn.Linear(3, 3), nn.Linear(3, 3)
    for pz, m, sk, ca in ((tPz, tl, Skew_t, Cayley_t), (ePz, el, Skew_e, Cayley_e)):
        pz.register_parametrization(m, "weight", sk())
        pz.register_parametrization(m, "weight", ca(3))
    el.load_state_dict(_sd_to_ember(tl.state_dict()))
    close(el.weight, tl.weight)


def test_cached_computes_once_and_tuple_right_inverse():
    calls = {"t": 0, "e": 0}
    for lib, key in ((torch, "t"), (ember, "e")):
        pz = tPz if lib is torch else ePz

        class Noisy(lib.nn.Module):
            def forward(self, X):
                calls[key] += 1
                return X

        layer = lib.nn.Linear(4, 4)
        pz.register_parametrization(layer, "weight", Noisy())
        calls[key] = 0
        _ = layer.weight + layer.weight.T
        with pz.cached():
            _ = layer.weight + layer.weight.T
            _ = layer.weight.sum()
    assert calls["t"] == calls["e"] == 3
    res = []
    for lib in (torch, ember):
        _, _, Split, _ = _param_classes(lib)
        pz = tPz if lib is torch else ePz
        layer = lib.nn.Linear(3, 2)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(_x(2, 3)))
        pz.register_parametrization(layer, "weight", Split())
        pl = layer.parametrizations.weight
        layer(lib.tensor(_x(4, 3))).sum().backward()
        res.append(
            (
                list(layer.state_dict()),
                pl.ntensors,
                pl.is_tensor,
                pl.original0.detach().numpy(),
                pl.original1.detach().numpy(),
                pl.original1.grad.numpy(),
                layer.weight.detach().numpy(),
                _err(lambda: pz.remove_parametrizations(layer, "weight", leave_parametrized=False)),
            )
        )
        pz.remove_parametrizations(layer, "weight")
        res[-1] += (
            type(layer).__name__,
            [n for n, _ in layer.named_parameters()],
            layer.weight.detach().numpy(),
        )
    t, m = res
    assert t[:3] == m[:3] and t[7:9] == m[7:9] and t[9] == m[9]
    for i in (3, 4, 5, 6, 10):
        np.testing.assert_allclose(m[i], t[i], rtol=1e-5, atol=1e-6)


def test_remove_parametrizations_both_modes_and_errors():
    for leave in (True, False):
        res = []
        for lib in (torch, ember):
            _, Skew, _, _ = _param_classes(lib)
            pz = tPz if lib is torch else ePz
            layer = lib.nn.Linear(3, 3)
            with lib.no_grad():
                layer.weight.copy_(lib.tensor(_x(3, 3)))
            w0 = layer.weight
            pz.register_parametrization(layer, "weight", Skew())
            pz.remove_parametrizations(layer, "weight", leave_parametrized=leave)
            res.append(
                (
                    repr(layer),
                    type(layer).__name__,
                    hasattr(layer, "parametrizations"),
                    layer.weight is w0,
                    type(layer.weight).__name__,
                    layer.weight.detach().numpy(),
                )
            )
        assert res[0][:5] == res[1][:5]
        np.testing.assert_allclose(res[1][5], res[0][5], rtol=1e-6)
    errs = []
    for lib in (torch, ember):
        Symmetric, Skew, _, _ = _param_classes(lib)
        pz = tPz if lib is torch else ePz

        class Shrink(lib.nn.Module):
            def forward(self, X):
                return X[0]

        class ToDouble(lib.nn.Module):
            def forward(self, X):
                return X.double()

        lin = lib.nn.Linear(3, 3)
        errs.append(
            [
                _err(lambda: pz.register_parametrization(lin, "foo", Skew()))[0],
                _err(lambda: pz.remove_parametrizations(lin, "weight"))[0],
                _err(lambda: pz.register_parametrization(lib.nn.Linear(3, 3), "weight", Shrink())),
                _err(
                    lambda: pz.register_parametrization(lib.nn.Linear(3, 3), "weight", ToDouble())
                ),
            ]
        )
        pz.register_parametrization(lin, "weight", Symmetric())
        errs[-1].append(_err(lambda: pz.register_parametrization(lin, "weight", Shrink())))
        errs[-1].append(
            _err(
                lambda: pz.register_parametrization(
                    lib.nn.Linear(3, 3), "bias", Shrink(), unsafe=True
                )
            )
        )
    assert errs[0] == errs[1]


def test_parametrized_buffer_deepcopy_and_pickle_error():
    import pickle

    res = []
    for lib in (torch, ember):
        Symmetric, _, _, _ = _param_classes(lib)
        pz = tPz if lib is torch else ePz
        bn = lib.nn.BatchNorm1d(3)
        m = lib.nn.Linear(3, 3)
        m.register_buffer("extra", lib.tensor(_x(3, 3)))
        pz.register_parametrization(m, "extra", Symmetric())
        c = copy.deepcopy(m)
        res.append(
            (
                list(m.state_dict()),
                [n for n, _ in m.named_buffers()],
                type(c).__name__,
                c.extra.detach().numpy(),
                _err(lambda: pickle.dumps(m))[0],
                type(bn).__name__,
            )
        )
    assert res[0][:3] == res[1][:3] and res[0][4:] == res[1][4:]
    np.testing.assert_allclose(res[1][3], res[0][3])


# ------------------------------------------------------------------------- parametrizations
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_parametrization(dim):
    tm = tP.weight_norm(torch.nn.Linear(5, 3), dim=dim)
    em = eP.weight_norm(nn.Linear(5, 3), dim=dim)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.parametrizations.weight.original0.shape == tm.parametrizations.weight.original0.shape
    copy_module_params(tm, em)
    close(em.weight, tm.weight)
    x = _x(4, 5)
    (tm(torch.tensor(x)) ** 2).sum().backward()
    (em(e(x)) ** 2).sum().backward()
    for k in ("original0", "original1"):
        close(
            getattr(em.parametrizations.weight, k).grad,
            getattr(tm.parametrizations.weight, k).grad,
            1e-4,
            1e-5,
        )


def test_weight_norm_parametrization_loads_old_state_dict():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Conv1d(2, 3, 3))
    tm = tP.weight_norm(torch.nn.Conv1d(2, 3, 3))
    em = eP.weight_norm(nn.Conv1d(2, 3, 3))
    tm.load_state_dict(old.state_dict())
    em.load_state_dict(_sd_to_ember(old.state_dict()))
    close(em.weight, tm.weight)
    close(em.parametrizations.weight.original0, tm.parametrizations.weight.original0)


@pytest.mark.parametrize(
    "make",
    [lambda L: L.Linear(5, 3), lambda L: L.Conv2d(2, 3, 3), lambda L: L.ConvTranspose2d(2, 3, 3)],
)
@pytest.mark.parametrize("n_iter", [1, 3])
def test_spectral_norm_parametrization(make, n_iter):
    tm = tP.spectral_norm(make(torch.nn), n_power_iterations=n_iter)
    em = eP.spectral_norm(make(nn), n_power_iterations=n_iter)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.parametrizations.weight[0].dim == tm.parametrizations.weight[0].dim
    copy_module_params(tm, em)  # also copies torch's _u/_v
    for _ in range(3):  # training: each access runs the power iteration in place
        close(em.weight, tm.weight, 1e-5, 1e-6)
        close(em.parametrizations.weight[0]._u, tm.parametrizations.weight[0]._u, 1e-5, 1e-6)
        close(em.parametrizations.weight[0]._v, tm.parametrizations.weight[0]._v, 1e-5, 1e-6)
    tm.eval()
    em.eval()
    u0 = em.parametrizations.weight[0]._u.clone()
    close(em.weight, tm.weight, 1e-5, 1e-6)
    close(em.parametrizations.weight[0]._u, u0, 0, 0)  # eval: no update
    tm.weight.sum().backward()
    em.weight.sum().backward()
    close(
        em.parametrizations.weight.original.grad,
        tm.parametrizations.weight.original.grad,
        1e-4,
        1e-5,
    )
    # the initial u/v (15 power iterations from a random start) give sigma close to the true one
    em2 = eP.spectral_norm(make(nn))
    w = em2.parametrizations.weight.original.detach().numpy()
    d = em2.parametrizations.weight[0].dim
    mat = np.moveaxis(w, d, 0).reshape(w.shape[d], -1)
    em2.eval()
    sig = np.linalg.norm(mat, 2)
    np.testing.assert_allclose(
        np.linalg.norm(np.moveaxis(em2.weight.detach().numpy(), d, 0).reshape(w.shape[d], -1), 2),
        1.0,
        rtol=0.1,
    )
    assert sig > 0


def test_spectral_norm_parametrization_errors_and_1d():
    for args in [dict(n_power_iterations=0), dict(dim=3)]:
        assert _err(lambda: tP.spectral_norm(torch.nn.Linear(3, 2), **args)) == _err(
            lambda: eP.spectral_norm(nn.Linear(3, 2), **args)
        )
    tm, em = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    copy_module_params(tm, em)
    tP.spectral_norm(tm, "bias")
    eP.spectral_norm(em, "bias")
    close(em.bias, tm.bias)
    assert list(em.state_dict()) == list(tm.state_dict())


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 3, 3)])
def test_orthogonal_cayley(shape):
    def make(lib):
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(lib.zeros(*shape))
        return m

    tm, em = make(torch), make(ember)
    w = _x(*shape, seed=3)
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(w))
    with ember.no_grad():
        em.weight.copy_(e(w))
    tP.orthogonal(tm, orthogonal_map="cayley")
    eP.orthogonal(em, orthogonal_map="cayley")
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em).replace("ember", "torch") == repr(tm)
    W = em.weight.detach().numpy()
    m = W if shape[-2] >= shape[-1] else np.swapaxes(W, -1, -2)
    np.testing.assert_allclose(
        np.swapaxes(m, -1, -2) @ m,
        np.broadcast_to(np.eye(m.shape[-1]), m.shape[:-2] + (m.shape[-1],) * 2),
        atol=1e-5,
    )
    if shape[-2] == shape[-1]:  # no random completion: same starting point as torch
        close(em.weight, tm.weight, 1e-4, 1e-5)
    copy_module_params(tm, em)  # original + base
    close(em.weight, tm.weight, 1e-4, 1e-5)
    tm.weight.sum().backward()
    em.weight.sum().backward()
    close(
        em.parametrizations.weight.original.grad,
        tm.parametrizations.weight.original.grad,
        1e-3,
        1e-4,
    )
    # assigning an orthogonal matrix goes through right_inverse
    q = np.linalg.qr(_x(max(shape[-2:]), max(shape[-2:]), seed=9))[0][: shape[-2], : shape[-1]]
    q = np.broadcast_to(q, shape).astype(np.float32).copy()
    em.weight = e(q)
    close(em.weight, q, 1e-4, 1e-5)


def test_orthogonal_errors_and_missing_linalg_functions():
    for kw in [dict(orthogonal_map="foo")]:
        assert _err(lambda: tP.orthogonal(torch.nn.Linear(3, 3), **kw)) == _err(
            lambda: eP.orthogonal(nn.Linear(3, 3), **kw)
        )
    assert _err(lambda: tP.orthogonal(torch.nn.Linear(3, 3), "bias")) == _err(
        lambda: eP.orthogonal(nn.Linear(3, 3), "bias")
    )
    for name, kw, shape in (("matrix_exp", {}, (3, 3)), ("householder_product", {}, (3, 5))):
        em = eP.orthogonal(nn.Linear(shape[1], shape[0]), **kw)
        if getattr(ember.linalg, name, None) is None and getattr(ember, name, None) is None:
            with pytest.raises(NotImplementedError, match=name):
                em.weight
        else:
            tm = tP.orthogonal(torch.nn.Linear(shape[1], shape[0]), **kw)
            copy_module_params(tm, em)
            close(em.weight, tm.weight, 1e-4, 1e-5)


# ------------------------------------------------------------------------- hooks-based norms
def test_old_weight_norm_warning_names_values_and_remove():
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        tm = torch.nn.utils.weight_norm(torch.nn.Linear(5, 3), dim=1)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        em = nn.utils.weight_norm(nn.Linear(5, 3), dim=1)
    assert [(w.category, str(w.message)) for w in we] == [(w.category, str(w.message)) for w in wt]
    assert list(em.state_dict()) == list(tm.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert em.weight_g.shape == tm.weight_g.shape
    copy_module_params(tm, em)
    x = _x(4, 5)
    close(em(e(x)), tm(torch.tensor(x)))
    tm(torch.tensor(x)).pow(2).sum().backward()
    em(e(x)).pow(2).sum().backward()
    close(em.weight_g.grad, tm.weight_g.grad, 1e-4, 1e-5)
    close(em.weight_v.grad, tm.weight_v.grad, 1e-4, 1e-5)
    assert _err(lambda: torch.nn.utils.weight_norm(tm, dim=1)) == _err(
        lambda: nn.utils.weight_norm(em, dim=1)
    )
    torch.nn.utils.remove_weight_norm(tm)
    nn.utils.remove_weight_norm(em)
    assert list(em.state_dict()) == list(tm.state_dict())
    close(em.weight, tm.weight)
    assert _err(lambda: torch.nn.utils.remove_weight_norm(tm)) == _err(
        lambda: nn.utils.remove_weight_norm(em)
    )


@pytest.mark.parametrize(
    "make",
    [lambda L: L.Linear(5, 3), lambda L: L.Conv1d(2, 4, 3), lambda L: L.ConvTranspose1d(2, 4, 3)],
)
def test_old_spectral_norm_buffers_hooks_and_state_dict(make):
    tm = torch.nn.utils.spectral_norm(make(torch.nn))
    em = nn.utils.spectral_norm(make(nn))
    sdt, sde = tm.state_dict(), em.state_dict()
    assert list(sde) == list(sdt)
    assert sde._metadata == sdt._metadata
    copy_module_params(tm, em)
    x = _x(2, 5) if isinstance(tm, torch.nn.Linear) else _x(2, 2, 6)
    for _ in range(3):
        close(em(e(x)), tm(torch.tensor(x)), 1e-5, 1e-5)
        close(em.weight_u, tm.weight_u, 1e-5, 1e-6)
        close(em.weight_v, tm.weight_v, 1e-5, 1e-6)
    tm(torch.tensor(x)).sum().backward()
    em(e(x)).sum().backward()
    close(em.weight_orig.grad, tm.weight_orig.grad, 1e-4, 1e-5)
    tm.eval()
    em.eval()
    close(em(e(x)), tm(torch.tensor(x)), 1e-5, 1e-5)
    assert _err(lambda: torch.nn.utils.spectral_norm(tm)) == _err(
        lambda: nn.utils.spectral_norm(em)
    )
    torch.nn.utils.remove_spectral_norm(tm)
    nn.utils.remove_spectral_norm(em)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert not em._state_dict_hooks and not em._load_state_dict_pre_hooks
    close(em.weight, tm.weight, 1e-5, 1e-6)


def test_old_spectral_norm_upgrades_version0_state_dict():
    tm = torch.nn.utils.spectral_norm(torch.nn.Linear(5, 3).double())
    sd = tm.state_dict()
    old = collections.OrderedDict((k, v) for k, v in sd.items() if k != "weight_v")
    old["weight"] = tm.weight.detach()
    old._metadata = collections.OrderedDict({"": {"version": 1}})
    t2 = torch.nn.utils.spectral_norm(torch.nn.Linear(5, 3).double())
    e2 = nn.utils.spectral_norm(nn.Linear(5, 3).double())
    t2.load_state_dict(old)
    e2.load_state_dict(_sd_to_ember(old))
    close(e2.weight_v, t2.weight_v, 1e-6, 1e-8)


# ------------------------------------------------------------------------- prune
def _lenet(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.nn.Conv2d(1, 6, 3)
            self.fc1 = lib.nn.Linear(6 * 3 * 3, 12)
            self.fc2 = lib.nn.Linear(12, 4)

        def forward(self, x):
            x = lib.nn.functional.relu(self.conv1(x)).flatten(1)
            return self.fc2(lib.nn.functional.relu(self.fc1(x)))

    return Net()


def _pruned_pair():
    tm, em = _lenet(torch), _lenet(ember)
    copy_module_params(tm, em)
    return tm, em


def _same_masks(tm, em):
    tb, eb = dict(tm.named_buffers()), dict(em.named_buffers())
    assert list(eb) == list(tb)
    for k in tb:
        close(eb[k], tb[k], 0, 0)


def test_prune_l1_ln_iterative_container_and_remove():
    tm, em = _pruned_pair()
    for lib, P, m in ((torch, tprune, tm), (ember, eprune, em)):
        P.l1_unstructured(m.conv1, name="weight", amount=0.3)
        P.l1_unstructured(m.conv1, name="bias", amount=3)
        P.ln_structured(m.conv1, name="weight", amount=0.5, n=2, dim=0)
        P.l1_unstructured(m.conv1, name="weight", amount=4)
        P.ln_structured(m.fc1, name="weight", amount=3, n=1, dim=1)
        P.ln_structured(m.fc1, name="weight", amount=0.25, n=float("inf"), dim=-1)
    _same_masks(tm, em)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    hooks_t = [type(h).__name__ for h in tm.conv1._forward_pre_hooks.values()]
    hooks_e = [type(h).__name__ for h in em.conv1._forward_pre_hooks.values()]
    assert hooks_e == hooks_t == ["L1Unstructured", "PruningContainer"]
    cont_t = [h for h in tm.conv1._forward_pre_hooks.values() if h._tensor_name == "weight"][0]
    cont_e = [h for h in em.conv1._forward_pre_hooks.values() if h._tensor_name == "weight"][0]
    assert [type(h).__name__ for h in cont_e] == [type(h).__name__ for h in cont_t]
    close(em.conv1.weight, tm.conv1.weight, 0, 0)
    x = _x(2, 1, 5, 5)
    yt, ye = tm(torch.tensor(x)), em(e(x))
    close(ye, yt, 1e-5, 1e-5)
    yt.sum().backward()
    ye.sum().backward()
    close(em.conv1.weight_orig.grad, tm.conv1.weight_orig.grad, 1e-4, 1e-5)
    assert eprune.is_pruned(em) is tprune.is_pruned(tm) is True
    for P, m in ((tprune, tm), (eprune, em)):
        P.remove(m.conv1, "weight")
        P.remove(m.conv1, "bias")
        P.remove(m.fc1, "weight")
    assert list(em.state_dict()) == list(tm.state_dict())
    assert eprune.is_pruned(em) is tprune.is_pruned(tm) is False
    assert isinstance(em.conv1.weight, nn.Parameter)
    close(em.conv1.weight, tm.conv1.weight, 0, 0)


def test_prune_global_custom_mask_importance_scores_and_custom_method():
    tm, em = _pruned_pair()
    for P, m in ((tprune, tm), (eprune, em)):
        params = ((m.conv1, "weight"), (m.fc1, "weight"), (m.fc2, "weight"))
        P.l1_unstructured(m.fc2, "weight", amount=5)
        P.global_unstructured(params, pruning_method=P.L1Unstructured, amount=0.4)
    mask = (np.arange(12) % 3 == 0).astype(np.float32)
    tprune.custom_from_mask(tm.fc1, "bias", mask=torch.tensor(mask))
    eprune.custom_from_mask(em.fc1, "bias", mask=e(mask))
    scores = np.abs(_x(4, 12, seed=7))
    tprune.l1_unstructured(tm.fc2, "bias", amount=2, importance_scores=torch.tensor(scores[:, 0]))
    eprune.l1_unstructured(em.fc2, "bias", amount=2, importance_scores=e(scores[:, 0]))
    _same_masks(tm, em)
    for P, m in ((tprune, tm), (eprune, em)):

        class EveryOther(P.BasePruningMethod):
            PRUNING_TYPE = "unstructured"

            def compute_mask(self, t, default_mask):
                mask = default_mask.clone()
                mask.view(-1)[::2] = 0
                return mask

        EveryOther.apply(m.fc2, "bias")
        P.identity(m.conv1, "bias")
    _same_masks(tm, em)
    # prune() on a bare tensor and a method's compute_mask
    t = _x(3, 4, seed=11)
    close(
        eprune.L1Unstructured(amount=5).prune(e(t)),
        tprune.L1Unstructured(amount=5).prune(torch.tensor(t)),
        0,
        0,
    )
    close(
        eprune.LnStructured(amount=1, n=2, dim=0).compute_mask(e(t), ember.ones(3, 4)),
        tprune.LnStructured(amount=1, n=2, dim=0).compute_mask(torch.tensor(t), torch.ones(3, 4)),
        0,
        0,
    )


def test_prune_random_methods_properties():
    em = _lenet(ember)
    eprune.random_unstructured(em.fc1, "weight", amount=0.3)
    m = em.fc1.weight_mask.numpy()
    assert m.sum() == m.size - round(0.3 * m.size)
    eprune.random_unstructured(em.fc1, "weight", amount=10)  # of the remaining entries only
    m2 = em.fc1.weight_mask.numpy()
    assert m2.sum() == m.sum() - 10 and np.all(m2 <= m)
    eprune.random_structured(em.fc2, "weight", amount=2, dim=0)
    rows = em.fc2.weight_mask.numpy().sum(1)
    assert sorted(rows.tolist()) == [0, 0, 12, 12]
    eprune.random_structured(em.conv1, "weight", amount=0.5, dim=0)
    ch = em.conv1.weight_mask.numpy().reshape(6, -1).sum(1)
    assert (ch == 0).sum() == 3 and (ch == 9).sum() == 3
    np.testing.assert_array_equal(
        em.conv1.weight.detach().numpy(),
        (em.conv1.weight_orig * em.conv1.weight_mask).detach().numpy(),
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda P, m: P.l1_unstructured(m.fc1, "weight", amount=-1),
        lambda P, m: P.l1_unstructured(m.fc1, "weight", amount=1.5),
        lambda P, m: P.l1_unstructured(m.fc1, "weight", amount="a"),
        lambda P, m: P.l1_unstructured(m.fc1, "weight", amount=100000),
        lambda P, m: P.random_unstructured(m.fc1, "weight", amount=-0.1),
        lambda P, m: P.ln_structured(m.fc1, "bias", amount=1, n=2, dim=0),
        lambda P, m: P.ln_structured(m.fc1, "weight", amount=1, n=2, dim=2),
        lambda P, m: P.random_structured(m.fc1, "weight", amount=20, dim=0),
        lambda P, m: P.remove(m.fc1, "weight"),
        lambda P, m: P.global_unstructured(
            [(m.fc1, "weight")], pruning_method=P.LnStructured, amount=1, n=2, dim=0
        ),
        lambda P, m: P.global_unstructured(5, pruning_method=P.L1Unstructured, amount=1),
        lambda P, m: P.global_unstructured(
            [(m.fc1, "weight")], pruning_method=P.L1Unstructured, importance_scores=[1], amount=1
        ),
        lambda P, m: P.PruningContainer(P.L1Unstructured(0.1)),
    ],
)
def test_prune_errors_match_torch(call):
    tm, em = _pruned_pair()
    et, ee = _err(lambda: call(tprune, tm)), _err(lambda: call(eprune, em))
    assert ee is not None and et is not None
    assert ee[0] == et[0]
    assert ee[1].split(" of module ")[0] == et[1].split(" of module ")[0]
    # a failed apply leaves the module as it was
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]


# ------------------------------------------------------------------------- fusion & co.
@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval(transpose):
    def make(L):
        conv = L.nn.ConvTranspose2d(3, 4, 3) if transpose else L.nn.Conv2d(3, 4, 3)
        bn = L.nn.BatchNorm2d(4)
        return L.nn.Sequential(conv, bn)

    tm, em = _pair(lambda L: make(torch if L is torch.nn else ember))
    with torch.no_grad():
        tm[1].running_mean.copy_(torch.tensor(_x(4, seed=2)))
        tm[1].running_var.copy_(torch.tensor(np.abs(_x(4, seed=3)) + 0.5))
        tm[1].weight.copy_(torch.tensor(_x(4, seed=4)))
        tm[1].bias.copy_(torch.tensor(_x(4, seed=5)))
    copy_module_params(tm, em)
    tm.eval()
    em.eval()
    tf = torch.nn.utils.fuse_conv_bn_eval(tm[0], tm[1], transpose=transpose)
    ef = nn.utils.fuse_conv_bn_eval(em[0], em[1], transpose=transpose)
    assert type(ef).__name__ == type(tf).__name__ and ef is not em[0]
    close(ef.weight, tf.weight, 1e-5, 1e-6)
    close(ef.bias, tf.bias, 1e-5, 1e-6)
    assert isinstance(ef.weight, nn.Parameter) and ef.weight.requires_grad
    x = _x(2, 3, 6, 6)
    close(ef(e(x)), em(e(x)), 1e-4, 1e-5)
    em.train()
    assert _err(lambda: nn.utils.fuse_conv_bn_eval(em[0], em[1])) == (
        "AssertionError",
        "Fusion only for eval!",
    )


def test_fuse_linear_bn_eval_and_weights():
    tm, em = _pair(lambda L: L.Sequential(L.Linear(3, 4), L.BatchNorm1d(4)))
    with torch.no_grad():
        tm[1].running_mean.copy_(torch.tensor(_x(4, seed=2)))
        tm[1].running_var.copy_(torch.tensor(np.abs(_x(4, seed=3)) + 0.5))
    copy_module_params(tm, em)
    tm.eval()
    em.eval()
    tf = torch.nn.utils.fuse_linear_bn_eval(tm[0], tm[1])
    ef = nn.utils.fuse_linear_bn_eval(em[0], em[1])
    close(ef.weight, tf.weight, 1e-5, 1e-6)
    close(ef.bias, tf.bias, 1e-5, 1e-6)
    x = _x(5, 3)
    close(ef(e(x)), em(e(x)), 1e-4, 1e-5)
    bad_t = torch.nn.BatchNorm1d(3).eval()
    bad_e = nn.BatchNorm1d(3).eval()
    assert _err(lambda: torch.nn.utils.fuse_linear_bn_eval(tm[0], bad_t)) == _err(
        lambda: nn.utils.fuse_linear_bn_eval(em[0], bad_e)
    )


def test_functional_call_and_skip_init():
    tm, em = _pair(lambda L: L.Sequential(L.Linear(3, 4), L.ReLU(), L.Linear(4, 2)))
    w = _x(4, 3, seed=8)
    x = _x(5, 3)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        yt = torch.nn.utils.stateless.functional_call(
            tm, {"0.weight": torch.tensor(w)}, (torch.tensor(x),)
        )
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        ye = nn.utils.stateless.functional_call(em, {"0.weight": e(w)}, (e(x),))
    assert [str(m.message) for m in we] == [str(m.message) for m in wt]
    close(ye, yt, 1e-5, 1e-6)
    close(em[0].weight, tm[0].weight)  # restored after the call
    assert isinstance(em[0].weight, nn.Parameter)
    wg = e(w, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        nn.utils.stateless.functional_call(em, {"0.weight": wg}, e(x)).sum().backward()
        assert (
            _err(
                lambda: nn.utils.stateless.functional_call(
                    em, {"0.weight": e(w), "nope": e(w)}, e(x), strict=True
                )
            )[0]
            == "RuntimeError"
        )
    assert wg.grad is not None and em[0].weight.grad is None
    m = nn.utils.skip_init(nn.Linear, 6, 3)
    assert type(m) is nn.Linear and m.weight.shape == (3, 6) and m.bias.shape == (3,)
    assert isinstance(m.weight, nn.Parameter)
    assert (
        _err(lambda: nn.utils.skip_init(nn.ReLU))[0]
        == _err(lambda: torch.nn.utils.skip_init(torch.nn.ReLU))[0]
    )


def test_transfer_parametrizations_and_params():
    res = []
    for lib in (torch, ember):
        pz = tPz if lib is torch else ePz

        class Double(lib.nn.Module):
            def forward(self, X):
                return X * 2

            def right_inverse(self, X):
                return X / 2

        a, b = lib.nn.Linear(3, 3), lib.nn.Linear(3, 3)
        with lib.no_grad():
            a.weight.copy_(lib.tensor(np.arange(9.0).reshape(3, 3).astype(np.float32)))
        pz.register_parametrization(a, "weight", Double())
        pz.transfer_parametrizations_and_params(a, b)
        c = lib.nn.Linear(3, 3)
        del c.weight
        pz.transfer_parametrizations_and_params(a, c, "weight")
        res.append(
            [
                (
                    type(m).__name__,
                    list(m.state_dict()),
                    m.weight.detach().numpy().tolist(),
                    m.parametrizations.weight.original is a.parametrizations.weight.original,
                )
                for m in (b, c)
            ]
        )
    assert res[0] == res[1]


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_parametrized_and_pruned_recurrent_weights(kind):
    x = _x(5, 2, 3)
    tm, em = getattr(torch.nn, kind)(3, 4), getattr(nn, kind)(3, 4)
    for P, m in ((tP, tm), (eP, em)):
        P.weight_norm(m, "weight_hh_l0")
        P.spectral_norm(m, "weight_ih_l0")
    assert list(em.state_dict()) == list(tm.state_dict())
    copy_module_params(tm, em)
    yt, ye = tm(torch.tensor(x))[0], em(e(x))[0]
    close(ye, yt, 1e-5, 1e-5)
    yt.sum().backward()
    ye.sum().backward()
    close(
        em.parametrizations.weight_hh_l0.original1.grad,
        tm.parametrizations.weight_hh_l0.original1.grad,
        1e-4,
        1e-5,
    )
    e2 = copy.deepcopy(em).double()
    assert type(e2).__name__ == "Parametrized" + kind and e2.weight_hh_l0.dtype == ember.float64
    tp, ep = getattr(torch.nn, kind)(3, 4), getattr(nn, kind)(3, 4)
    copy_module_params(tp, ep)
    tprune.l1_unstructured(tp, "weight_hh_l0", 0.5)
    eprune.l1_unstructured(ep, "weight_hh_l0", 0.5)
    close(ep(e(x))[0], tp(torch.tensor(x))[0], 1e-5, 1e-5)


# ------------------------------------------------------------------------- tutorials
# The PyTorch "Parametrizations" and "Pruning" tutorials (pytorch/tutorials,
# intermediate_source/), with seeded NumPy weights instead of each library's RNG and
# torch.linalg.solve for the removed torch.solve: run under both, same printout.
def _parametrizations_tutorial(torch, nn, parametrize):
    rng = np.random.default_rng(0)

    def setw(m):
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
        return m

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    class Skew(nn.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu(1)

    layer = setw(nn.Linear(3, 3))
    print(f"Unparametrized:\n{layer}")
    parametrize.register_parametrization(layer, "weight", Symmetric())
    print(f"\nParametrized:\n{layer}")
    print(layer.parametrizations)
    print(layer.parametrizations.weight)
    print(layer.parametrizations.weight[0])
    print(dict(layer.named_parameters()))
    print(layer.parametrizations.weight.original)
    print(
        type(layer).__name__,
        type(layer).__mro__[1].__name__,
        parametrize.type_before_parametrizations(layer).__name__,
    )
    print(list(layer.state_dict().keys()))
    print(layer.weight)
    x = torch.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    layer(x).sum().backward()
    print(layer.parametrizations.weight.original.grad)

    class Noisy(nn.Module):
        def forward(self, X):
            print("Computing the Parametrization")
            return X

    layer = setw(nn.Linear(4, 4))
    parametrize.register_parametrization(layer, "weight", Noisy())
    layer.weight + layer.weight.T
    with parametrize.cached():
        layer.weight + layer.weight.T
        layer.weight.sum()

    class CayleyMap(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("Id", torch.eye(n))

        def forward(self, X):
            return torch.linalg.solve(self.Id - X, self.Id + X)

        def right_inverse(self, A):
            return torch.linalg.solve(A + self.Id, self.Id - A)

    layer = setw(nn.Linear(3, 3))
    parametrize.register_parametrization(layer, "weight", Skew())
    parametrize.register_parametrization(layer, "weight", CayleyMap(3))
    X = layer.weight
    print((X.T @ X - torch.eye(3)).norm() < 1e-5)
    print(layer)
    print(list(layer.state_dict().keys()))
    q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    if np.linalg.det(q) < 0:
        q = -q
    Q = torch.tensor(q.astype(np.float32))
    layer.weight = Q
    print((layer.weight - Q).norm() < 1e-5)
    layer = setw(nn.Linear(3, 3))
    parametrize.register_parametrization(layer, "weight", Skew())
    print(parametrize.is_parametrized(layer), parametrize.is_parametrized(layer, "bias"))
    parametrize.remove_parametrizations(layer, "weight")
    print(layer)
    print(layer.weight)
    print(type(layer).__name__)
    layer = setw(nn.Linear(3, 3))
    parametrize.register_parametrization(layer, "weight", Skew())
    parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    print(layer.weight)

    # tuple right_inverse
    class Split(nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, X):
            return X * 0.5, X * 0.5

    layer = setw(nn.Linear(3, 2))
    parametrize.register_parametrization(layer, "weight", Split())
    print(list(layer.state_dict().keys()), layer.parametrizations.weight.original1)
    layer(x).sum().backward()
    print(layer.parametrizations.weight.original0.grad)
    for bad in [
        lambda: parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False),
        lambda: parametrize.register_parametrization(layer, "foo", Skew()),
        lambda: parametrize.remove_parametrizations(layer, "bias"),
    ]:
        try:
            bad()
        except Exception as e:
            print(type(e).__name__, str(e)[:120])

    class Bad(nn.Module):
        def forward(self, X):
            return X[0]

    try:
        parametrize.register_parametrization(setw(nn.Linear(3, 3)), "weight", Bad())
    except Exception as e:
        print(type(e).__name__, e)
    import copy

    l2 = copy.deepcopy(layer)
    print(type(l2).__name__, l2.weight.shape)


def _pruning_tutorial(torch, nn, prune, F):
    rng = np.random.default_rng(0)

    def setw(m):
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
        return m

    class LeNet(nn.Module):
        def __init__(self):
            super(LeNet, self).__init__()
            self.conv1 = nn.Conv2d(1, 6, 3)
            self.conv2 = nn.Conv2d(6, 16, 3)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(start_dim=1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    model = setw(LeNet())
    module = model.conv1
    print(list(module.named_parameters()))
    print(list(module.named_buffers()))
    prune.l1_unstructured(module, name="weight", amount=0.3)
    print([n for n, _ in module.named_parameters()], [n for n, _ in module.named_buffers()])
    print(int((module.weight_mask == 0).sum()), int((module.weight == 0).sum()))
    print([type(h).__name__ for h in module._forward_pre_hooks.values()])
    prune.l1_unstructured(module, name="bias", amount=3)
    print(list(module.named_parameters()))
    print(list(module.named_buffers()))
    print(module.bias)
    print([type(h).__name__ for h in module._forward_pre_hooks.values()])
    # deterministic iterative: reset the random mask to an l1 one
    prune.remove(module, "weight")
    setw(module)
    prune.l1_unstructured(module, name="weight", amount=0.3)
    prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
    print(module.weight)
    for hook in module._forward_pre_hooks.values():
        if hook._tensor_name == "weight":
            break
    print([type(h).__name__ for h in hook])
    print(model.state_dict().keys())
    print(list(module.named_parameters()))
    print(list(module.named_buffers()))
    prune.remove(module, "weight")
    print(list(module.named_parameters()))
    print(list(module.named_buffers()))
    print(prune.is_pruned(model))
    new_model = setw(LeNet())
    for name, module in new_model.named_modules():
        if isinstance(module, torch.nn.Conv2d):
            prune.l1_unstructured(module, name="weight", amount=0.2)
        elif isinstance(module, torch.nn.Linear):
            prune.l1_unstructured(module, name="weight", amount=0.4)
    print(dict(new_model.named_buffers()).keys())
    model = setw(LeNet())
    parameters_to_prune = (
        (model.conv1, "weight"),
        (model.conv2, "weight"),
        (model.fc1, "weight"),
        (model.fc2, "weight"),
        (model.fc3, "weight"),
    )
    prune.global_unstructured(parameters_to_prune, pruning_method=prune.L1Unstructured, amount=0.2)
    for n in ["conv1", "conv2", "fc1", "fc2", "fc3"]:
        w = getattr(model, n).weight
        print(
            "Sparsity in {}.weight: {:.2f}%".format(
                n, 100.0 * float(torch.sum(w == 0)) / float(w.nelement())
            )
        )
    print(model.fc3.weight_mask)

    class FooBarPruningMethod(prune.BasePruningMethod):
        PRUNING_TYPE = "unstructured"

        def compute_mask(self, t, default_mask):
            mask = default_mask.clone()
            mask.view(-1)[::2] = 0
            return mask

    def foobar_unstructured(module, name):
        FooBarPruningMethod.apply(module, name)
        return module

    model = setw(LeNet())
    foobar_unstructured(model.fc3, name="bias")
    print(model.fc3.bias_mask)
    prune.l1_unstructured(model.fc3, name="bias", amount=2)
    print(model.fc3.bias_mask)
    prune.ln_structured(model.fc2, "weight", amount=3, n=1, dim=0)
    print(int((model.fc2.weight_mask.sum(1) == 0).sum()))
    prune.custom_from_mask(
        model.fc1, "bias", mask=torch.tensor((np.arange(120) % 3 == 0).astype(np.float32))
    )
    print(model.fc1.bias_mask[:7], model.fc1.bias[:4])
    x = torch.tensor(rng.standard_normal((2, 1, 28, 28)).astype(np.float32))
    out = model(x)
    out.sum().backward()
    print(out)
    print(model.fc3.bias_orig.grad)
    for bad in [
        lambda: prune.l1_unstructured(model.fc1, "weight", amount=-1),
        lambda: prune.l1_unstructured(model.fc1, "weight", amount=1.5),
        lambda: prune.l1_unstructured(model.fc1, "weight", amount="a"),
        lambda: prune.l1_unstructured(model.fc1, "weight", amount=100000),
        lambda: prune.ln_structured(model.fc1, "bias", amount=1, n=2, dim=0),
        lambda: prune.ln_structured(model.fc1, "weight", amount=1, n=2, dim=2),
        lambda: prune.remove(model.fc1, "weight"),
        lambda: prune.global_unstructured(
            parameters_to_prune, pruning_method=prune.LnStructured, amount=1, n=2, dim=0
        ),
    ]:
        try:
            bad()
            print("no error")
        except Exception as ex:
            print(type(ex).__name__, ex)
    print(
        prune.Identity().prune(torch.ones(3)),
        prune.L1Unstructured(amount=1).prune(torch.tensor([3.0, 1.0, 2.0])),
    )


def _printed(fn, *args):
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args)
    return buf.getvalue().replace("ember", "torch")


_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _same_printout(a, b):
    """The same text once numbers are masked, and the numbers within a relative 1e-4."""
    assert _NUMBER.sub("#", a) == _NUMBER.sub("#", b)
    na = [float(x) for x in _NUMBER.findall(a)]
    nb = [float(x) for x in _NUMBER.findall(b)]
    np.testing.assert_allclose(na, nb, rtol=1e-4, atol=1e-4)


def test_parametrizations_tutorial_prints_as_torch():
    _same_printout(_printed(_parametrizations_tutorial, ember, nn, ePz),
                   _printed(_parametrizations_tutorial, torch, torch.nn, tPz))


def test_pruning_tutorial_prints_as_torch():
    _same_printout(_printed(_pruning_tutorial, ember, nn, eprune, ember.nn.functional),
                   _printed(_pruning_tutorial, torch, torch.nn, tprune, torch.nn.functional))


def test_seeded_spectral_norm_and_orthogonal_match_torch():
    # ember's RNG is torch's: the same seed gives the same random u/v and completion
    outs = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        a = lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(5, 3))
        lib.manual_seed(0)
        b = lib.nn.utils.spectral_norm(lib.nn.Linear(5, 3))
        lib.manual_seed(1)
        c = lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 5), orthogonal_map="cayley")
        outs.append([a.parametrizations.weight[0]._u.numpy(), a.weight.detach().numpy(),
                     b.weight_u.numpy(), b.weight_v.numpy(), c.weight.detach().numpy()])
    for t, m in zip(*outs):
        np.testing.assert_allclose(m, t, rtol=1e-4, atol=1e-5)
