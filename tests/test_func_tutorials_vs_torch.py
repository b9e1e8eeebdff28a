"""What the torch.func tutorials (tests/programs/func_tutorials) need, against torch.func:
nested forward transforms (``jacfwd(jacfwd(f))``, ``jvp`` of ``jvp``, ``jvp`` of a function
closing over a dual tensor) and ``ember.func.rearrange``."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.func

try:
    import torch
    import torch.func  # noqa: F401
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
# torch's (the oracle's) forward-mode AD scripts a helper on its first use and warns once
pytestmark = [pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated"),
              # functorch's names warn (each test asserts the warning where it is about it)
              pytest.mark.filterwarnings("ignore:We've integrated functorch:FutureWarning")]


def _same(a, b, atol=1e-10):
    a = a.detach().numpy()
    b = b.detach().numpy()
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, atol=atol, rtol=1e-7 if a.dtype == np.float64 else 1e-5)


def _data(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def _predict(lib):
    def predict(weight, bias, x):
        return lib.nn.functional.linear(x, weight, bias).tanh()
    return predict


# ---------------------------------------------------------------- nested forward mode

@needs_torch
@pytest.mark.parametrize("how", ["fwdfwd", "hessian", "revrev", "fwdrev"])
def test_hessians_of_the_tutorial(how):
    arrs = _data((5, 4), (5,), (4,))
    res = []
    for lib in (torch, ember):
        f = _predict(lib)
        F = lib.func
        args = [lib.tensor(a) for a in arrs]
        if how == "fwdfwd":
            h = F.jacfwd(F.jacfwd(f, argnums=2), argnums=2)(*args)
        elif how == "hessian":
            h = F.hessian(f, argnums=2)(*args)
        elif how == "revrev":
            h = F.jacrev(F.jacrev(f, argnums=2), argnums=2)(*args)
        else:
            h = F.jacrev(F.jacfwd(f, argnums=2), argnums=2)(*args)
        res.append(h)
    _same(res[1], res[0])


@needs_torch
def test_batched_jacfwd_of_jacfwd_wrt_several_args():
    arrs = _data((3, 4), (3,), (2, 4))
    res = []
    for lib in (torch, ember):
        F = lib.func
        args = [lib.tensor(a) for a in arrs]
        h = F.vmap(F.jacfwd(F.jacfwd(_predict(lib), argnums=(0, 2)), argnums=1),
                   in_dims=(None, None, 0))(*args)
        res.append(h)
    for a, b in zip(res[1], res[0]):
        _same(a, b)


@needs_torch
def test_jvp_of_jvp():
    x, t, s = _data((4,), (4,), (4,))
    res = []
    for lib in (torch, ember):
        F = lib.func
        X, T, S = lib.tensor(x), lib.tensor(t), lib.tensor(s)

        def f(v):
            return v.sin().sum() * v.exp()
        out, tan = F.jvp(lambda v: F.jvp(f, (v,), (T,))[1], (X,), (S,))
        res.append((out, tan))
    _same(res[1][0], res[0][0])
    _same(res[1][1], res[0][1])


@needs_torch
def test_jvp_of_vjp_through_a_closed_over_dual():
    """Forward over reverse where the reverse pass's function closes over the outer primal:
    the vjp's result keeps the outer tangent (it was dropped: a zero tangent)."""
    x, t, u = _data((4,), (4,), (4,))
    res = []
    for lib in (torch, ember):
        F = lib.func
        X, T, U = lib.tensor(x), lib.tensor(t), lib.tensor(u)

        def g(v):
            _, fn = F.vjp(lambda w: (w * v).sin(), lib.ones(4, dtype=lib.float64))
            return fn(U)[0]
        res.append(F.jvp(g, (X,), (T,)))
    _same(res[1][0], res[0][0])
    _same(res[1][1], res[0][1])


@needs_torch
def test_nested_jvp_has_aux_and_strict():
    x, t = _data((3,), (3,))
    res = []
    for lib in (torch, ember):
        F = lib.func
        X, T = lib.tensor(x), lib.tensor(t)

        def inner(v):
            return F.jvp(lambda w: (w.cos(), w.sum()), (v,), (T,), has_aux=True)
        out = F.jvp(lambda v: inner(v)[1], (X,), (T,))
        res.append(out)
    _same(res[1][0], res[0][0])
    _same(res[1][1], res[0][1])


# ---------------------------------------------------------------- rearrange

REARRANGE = [
    ((32, 30, 40, 3), "b h w c -> b h w c", {}),
    ((32, 30, 40, 3), "b h w c -> (b h) w c", {}),
    ((32, 30, 40, 3), "b h w c -> h (b w) c", {}),
    ((32, 30, 40, 3), "b h w c -> b c h w", {}),
    ((32, 30, 40, 3), "b h w c -> b (c h w)", {}),
    ((32, 30, 40, 3), "b (h1 h) (w1 w) c -> (b h1 w1) h w c", {"h1": 2, "w1": 2}),
    ((32, 30, 40, 3), "b (h h1) (w w1) c -> b h w (c h1 w1)", {"h1": 2, "w1": 2}),
    ((6, 4), "(a b) c -> a b c", {"a": 2}),
    ((6, 4), "(a b) c -> a b c", {"a": 2, "b": 3}),
    ((6, 4), "(a b) c -> c b a", {"b": 3}),
    ((6, 4), "... c -> c ...", {}),
    ((6, 4), "a ... -> (a ...)", {}),
    ((6, 4), "... -> ...", {}),
    ((6, 4), "a b -> (b a)", {}),
    ((6, 4), "a b -> (a 1) b", {}),
    ((6, 4), "a (b 1) -> a b", {}),
    ((6, 4), "a b -> 1 a 1 b 1", {}),
    ((6, 4), "a b -> a b", {"a": -1}),
    ((2, 1, 4), "a 1 b -> a b", {}),
    ((2, 3, 4), "a 1 b -> b a", {}),  # functorch binds the anonymous axis and sums over it
    ((2, 3, 4, 5), "a ... -> (a ...)", {}),
    ((2, 3, 4, 5), "a ... e -> ... (e a)", {}),
    ((2, 3, 4, 5), "a ... e -> e (...) a", {}),
    ((2, 3), "a ... b -> b ... a", {}),
    ((), " -> ", {}),
    ((3,), "a -> a", {}),
    ((3,), "... -> ...", {}),
    ((6, 4, 3), "... -> ...", {}),
    ((6, 4, 3), "... -> (...)", {}),
    ((6, 4, 3), "... -> 1 ...", {}),
    ((6, 4, 3, 1), "... 1 -> ...", {}),
    ((2, 3, 4), "a 1 b -> (b a)", {}),
    ((2, 3, 4), "a 1 b -> (b a) 1", {}),
    ((2, 3, 4), "a b c -> c b a", {}),
]


def _both(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return torch.tensor(a, requires_grad=True), ember.tensor(a, requires_grad=True)


@needs_torch
@pytest.mark.parametrize("shape,pattern,lengths", REARRANGE)
def test_rearrange_values_views_and_gradients(shape, pattern, lengths):
    t, e = _both(shape)
    rt = torch.func.rearrange(t, pattern, **lengths)
    re_ = ember.func.rearrange(e, pattern, **lengths)
    _same(re_, rt)
    assert (re_._base is not None) == (rt._base is not None)  # a view where torch's is
    assert type(re_.grad_fn).__name__ == type(rt.grad_fn).__name__
    assert (re_ is e) == (rt is t)
    w = np.random.default_rng(1).standard_normal(tuple(rt.shape))
    if rt.requires_grad:
        (rt * torch.tensor(w)).sum().backward()
        (re_ * ember.tensor(w)).sum().backward()
        _same(e.grad, t.grad)


@needs_torch
def test_rearrange_stacks_a_list_and_works_under_vmap():
    arrs = _data((2, 3), (2, 3), (2, 3), (2, 3))
    rt = torch.func.rearrange([torch.tensor(a) for a in arrs], "n a b -> a (n b)")
    re_ = ember.func.rearrange(tuple(ember.tensor(a) for a in arrs), "n a b -> a (n b)")
    _same(re_, rt)
    x = _data((5, 6, 4))[0]
    vt = torch.func.vmap(lambda v: torch.func.rearrange(v, "(a b) c -> c a b", a=2))(
        torch.tensor(x))
    ve = ember.func.vmap(lambda v: ember.func.rearrange(v, "(a b) c -> c a b", a=2))(
        ember.tensor(x))
    _same(ve, vt)


def test_rearrange_of_a_0d_tensor_is_the_tensor():
    x = ember.tensor(3.0)
    assert ember.func.rearrange(x, " -> ") is x


REARRANGE_ERRORS = [
    ((6, 4), "(a b) c -> a b c", {}),
    ((6, 4), "(a b) c -> a b c", {"a": 4}),
    ((6, 4), "(a b) c -> a b c", {"a": 2, "b": 2}),
    ((6, 4), "a c -> a c", {"a": 5}),
    ((6, 4), "(a b c) d -> a b c d", {"a": 2}),
    ((6, 4), "(a b) (c d) -> a b c d", {"a": 3, "c": 3}),
    ((6, 4), "(a b) c -> a b c", {"a": 2, "c": 3}),
    ((6, 4), "(a b) c -> a b c", {"a": 0}),
    ((6, 4), "a b -> a b", {"a": True}),
    ((6, 4), "a b -> a b", {"a": 6.0}),
    ((6, 4), "a b -> a b c", {}),
    ((6, 4), "a b -> a b", {"c": 1}),
    ((6, 4), "a b -> a 2 b", {}),
    ((6, 4), "a b", {}),
    ((6, 4), "a -> b -> c", {}),
    ((6, 4), "a b -> a (b", {}),
    ((6, 4), "a b) -> a b", {}),
    ((6, 4), "a b -> a ((b))", {}),
    ((6, 4), "a a -> a", {}),
    ((6, 4), "a b -> a . b", {}),
    ((6, 4), "a ... b ... -> a b", {}),
    ((6, 4), "a b -> a- b", {}),
    ((6, 4), "_a b -> _a b", {}),
    ((6, 4), "1a b -> 1a b", {}),
    ((6, 4), "(...) -> ...", {}),
    ((6, 4), "a b -> b ... a", {}),
    ((6, 4), "a b c -> a b c", {}),
    ((6, 4), "a -> a", {}),
    ((6, 4), "a b c ... -> a b c ...", {}),
    ((6, 4), "a 0 -> a", {}),
]


@needs_torch
@pytest.mark.parametrize("shape,pattern,lengths", REARRANGE_ERRORS)
def test_rearrange_errors_as_torch(shape, pattern, lengths):
    t, e = _both(shape)
    with pytest.raises(Exception) as et:
        torch.func.rearrange(t, pattern, **lengths)
    with pytest.raises(Exception) as ee:
        ember.func.rearrange(e, pattern, **lengths)
    assert type(ee.value).__name__ == type(et.value).__name__
    assert str(ee.value) == str(et.value)


@needs_torch
@pytest.mark.parametrize("name,cls", [("for", RuntimeWarning), ("axis", FutureWarning)])
def test_rearrange_warns_on_discouraged_names(name, cls):
    for lib in (torch, ember):
        with pytest.warns(cls, match="discouraged"):
            lib.func.rearrange(lib.zeros(2, 3), f"{name} b -> b {name}")


# ---------------------------------------------------------------- functorch (deprecated names)

try:
    import functorch
except ImportError:  # pragma: no cover
    functorch = None
needs_functorch = pytest.mark.skipif(functorch is None, reason="functorch not installed")


class _Net:
    """The same small model (a linear layer, batch norm buffers, a tied weight) in either
    library, with the same weights."""

    @staticmethod
    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(3, 4)
                self.bn = lib.nn.BatchNorm1d(4)
                self.out = lib.nn.Linear(4, 4)
                self.tied = self.out  # weight sharing: one parameter, two names

            def forward(self, x):
                return self.tied(self.bn(self.fc(x))).tanh()
        net = Net()
        rng = np.random.default_rng(3)
        with lib.no_grad():
            for p in net.parameters():
                p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape))))
        return net.eval()  # (in training mode jvp would update the captured running stats)


@needs_torch
@needs_functorch
def test_functorch_make_functional_with_buffers_and_jvp():
    from ember import _functorch as eft
    x, = _data((5, 3))
    res = []
    for lib, ft in ((torch, functorch), (ember, eft)):
        net = _Net.build(lib)
        with pytest.warns(FutureWarning, match="functorch.make_functional_with_buffers"):
            func, params, buffers = ft.make_functional_with_buffers(net)
        assert [tuple(p.shape) for p in params] == [(4, 3), (4,), (4,), (4,), (4, 4), (4,)]
        assert all(p.requires_grad for p in params)
        assert len(buffers) == 3
        X = lib.tensor(x, dtype=lib.float32)
        tangents = tuple(lib.ones_like(p) * 0.5 for p in params)
        with pytest.warns(FutureWarning, match="functorch.jvp"):
            out, tan = ft.jvp(lambda *ps: func(ps, buffers, X), tuple(params), tangents)
        res.append((out, tan, func(params, buffers, X)))
    for a, b in zip(res[1], res[0]):
        _same(a, b, atol=1e-6)


@needs_torch
@needs_functorch
def test_functorch_make_functional_and_ensembles():
    from ember import _functorch as eft
    x, = _data((5, 3))
    res = []
    for lib, ft in ((torch, functorch), (ember, eft)):
        lib.manual_seed(0)
        models = [lib.nn.Linear(3, 2) for _ in range(4)]
        with pytest.warns(FutureWarning):
            func, params = ft.make_functional(models[0])
        X = lib.tensor(x, dtype=lib.float32)
        with pytest.warns(FutureWarning, match="functorch.grad"):
            g = ft.grad(lambda ps: func(ps, X).square().sum())(params)
        with pytest.warns(FutureWarning, match="combine_state_for_ensemble"):
            fm, ps, bs = ft.combine_state_for_ensemble(models)
        with pytest.warns(FutureWarning, match="torch.vmap"):
            ens = ft.vmap(fm, (0, 0, None))(ps, bs, X)
        with pytest.raises(RuntimeError) as e1:
            ft.make_functional(lib.nn.BatchNorm1d(3))
        with pytest.raises(RuntimeError) as e2:
            ft.combine_state_for_ensemble([])
        res.append((g, ens, str(e1.value), str(e2.value), ps))
    for a, b in zip(res[1][0], res[0][0]):
        _same(a, b, atol=1e-6)
    _same(res[1][1], res[0][1], atol=1e-6)
    assert res[1][2:4] == res[0][2:4]
    assert [p.requires_grad for p in res[1][4]] == [p.requires_grad for p in res[0][4]]


def test_import_functorch_under_the_alias_is_ember(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path
    code = ("from ember._torch_alias import install; install()\n"
            "import functorch, torch\n"
            "from functorch import make_functional_with_buffers\n"
            "print(functorch.__name__, torch.__name__,\n"
            "      functorch.__version__ == torch.__version__)\n")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(tmp_path), env={**os.environ, "PYTHONPATH": str(root)})
    assert out.stdout.split() == ["ember._functorch", "ember", "True"], out.stderr


@needs_torch
def test_batch_jacobian_by_vmap_equals_the_sum_trick():
    """The tutorial's ``assert torch.allclose(batch_jacobian0, batch_jacobian1)``: jacrev ran
    ``f`` again over a batch of copies of its inputs, and NumPy's BLAS rounds a row of a product
    differently at another position in the batch (2e-6 apart in float32); now ``f`` runs once
    and the backward pass is batched, as torch's."""
    w, b, x = (a.astype(np.float32) for a in _data((33, 31), (33,), (64, 31), seed=5))
    res = []
    for lib in (torch, ember):
        F = lib.func
        W, B_, X = lib.tensor(w), lib.tensor(b), lib.tensor(x)
        pred = _predict(lib)
        b0 = F.vmap(F.jacrev(pred, argnums=2), in_dims=(None, None, 0))(W, B_, X)
        b1 = F.jacrev(lambda w_, b_, x_: pred(w_, b_, x_).sum(0), argnums=2)(W, B_, X)
        assert lib.allclose(b0, b1.movedim(1, 0))
        res.append(b0)
    _same(res[1], res[0], atol=1e-6)


@needs_torch
def test_vmap_of_vjp_fn_is_one_batched_backward_pass():
    """``vmap(vjp_fn)(unit_vectors)`` (the Jacobians tutorial) ran one backward pass per
    cotangent and warned of a performance drop (torch does not); a batch of cotangents now
    runs one backward pass, nested in an outer vmap too."""
    import warnings
    w, b, x = _data((6, 4), (6,), (3, 4), seed=7)
    res = []
    for lib in (torch, ember):
        F = lib.func
        W, B_, X = lib.tensor(w), lib.tensor(b), lib.tensor(x)
        pred = _predict(lib)

        def jac(xi):
            _, fn = F.vjp(lambda v: pred(W, B_, v), xi)
            return F.vmap(fn)(lib.eye(6, dtype=lib.float64))[0]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            res.append((jac(X[0]), F.vmap(jac)(X)))
    _same(res[1][0], res[0][0])
    _same(res[1][1], res[0][1])
