"""ember.func (torch.func) against torch.func: vmap over the op table, nested vmap, in/out dims,
chunking, randomness, errors; grad / grad_and_value / vjp / jacrev and their compositions;
per-sample gradients of a CNN and an MLP (the per-sample-gradients tutorial) and model
ensembling (stack_module_state + functional_call); a proof that vmap does not loop."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from op_table import OPS

try:
    import torch
    import torch.func  # noqa: F401
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _leaves(lib, x):
    return lib.utils._pytree.tree_flatten(x)[0]


def _close(a, b, lib_a=None, atol=1e-6, rtol=1e-5):
    la = _leaves(torch, a)
    lb = _leaves(ember, b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        if not isinstance(x, torch.Tensor):
            assert x == y
            continue
        assert tuple(x.shape) == tuple(y.shape), (x.shape, y.shape)
        assert str(x.dtype) == str(y.dtype), (x.dtype, y.dtype)
        np.testing.assert_allclose(_np(y), _np(x), atol=atol, rtol=rtol, equal_nan=True)


def _run_both(build, *arrays, **kw):
    out = []
    for lib in (torch, ember):
        args = [lib.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
        out.append(build(lib)(*args, **kw))
    return out


# ------------------------------------------------------------------------------ vmap over ops

# op-table entries ember does not batch: calls that compute on one sample's data outside an Op
# (they raise rather than answer for one sample), in-place functions on a batched tensor
_UNSUPPORTED = {
    "view_copy", "permute_copy", "expand_copy", "select_copy", "slice_copy",
    "split_with_sizes_copy", "unsqueeze_copy", "t_copy", "transpose_copy", "unbind_copy",
    "unfold_copy", "diagonal_copy", "alias_copy", "narrow_copy", "diagonal_scatter",
    "select_scatter", "slice_scatter", "unsafe_split", "legacy_alias", "nanquantile_nearest",
    "poisson_nll_loss_full", "as_strided_copy", "as_strided", "as_strided_offset",
    "as_strided_",  # issue 13 (h13-storage): as as_strided
}


def test_vmap_refuses_rather_than_answering_for_one_sample():
    """Calls ember cannot batch raise instead of returning one sample's answer for all."""
    x = ember.tensor(np.random.rand(3, 2, 3))
    with pytest.raises(RuntimeError, match="vmap: ember cannot batch as_strided"):
        ember.func.vmap(lambda a: a.as_strided((2,), (1,)))(x)
    with pytest.raises(RuntimeError, match="computed from one sample of a batched tensor"):
        ember.func.vmap(lambda a: ember.view_copy(a, (3, 2)))(x)


def _vmap_cases():
    out = []
    for o in OPS:
        if o.name in _UNSUPPORTED:
            continue
        s = o.samples[0]
        if not any(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in s.args):
            continue
        out.append(pytest.param(o, s, id=o.name))
    return out


def _batched_args(sample, in_dim):
    args, dims = [], []
    for k, a in enumerate(sample.args):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            b = np.stack([a + 0.01 * (i + k) for i in range(3)])
            if in_dim == 1 and a.ndim >= 1:
                b = np.moveaxis(b, 0, 1)
                dims.append(1)
            else:
                dims.append(0)
            args.append(b)
        else:
            args.append(a)
            dims.append(None)
    return args, tuple(dims)


def _vmap_op(lib, o, args, dims, out_dims=0):
    targs = [lib.from_numpy(np.ascontiguousarray(a).copy()) if isinstance(a, np.ndarray) else a
             for a in args]
    return lib.func.vmap(lambda *xs: o.fn(lib, *xs), in_dims=dims, out_dims=out_dims)(*targs)


@needs_torch
@pytest.mark.parametrize("in_dim", [0, 1])
@pytest.mark.parametrize("o,s", _vmap_cases())
def test_vmap_op_table_vs_torch(o, s, in_dim):
    """vmap(op) equals torch.vmap(op) on batched inputs (batch in dim 0 or 1)."""
    args, dims = _batched_args(s, in_dim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's and ember's slow-fallback notes
        try:
            t = _vmap_op(torch, o, args, dims)
        except Exception:
            pytest.skip("torch's vmap refuses this op")
        e = _vmap_op(ember, o, args, dims)
    _close(t, e, atol=max(o.atol, 1e-6), rtol=max(o.rtol, 1e-5))


@needs_torch
@pytest.mark.parametrize("name", ["add", "mul", "exp", "sum_dim", "softmax", "matmul_2d_2d",
                                  "cat", "transpose", "mean", "tanh", "where"])
def test_vmap_out_dims_vs_torch(name):
    o = next((x for x in OPS if x.name == name), None)
    if o is None:
        pytest.skip(f"no op-table entry {name}")
    args, dims = _batched_args(o.samples[0], 0)
    t = _vmap_op(torch, o, args, dims, out_dims=-1)
    e = _vmap_op(ember, o, args, dims, out_dims=-1)
    _close(t, e)


# ops that must batch without the per-sample fallback (their rules)
_RULE_OPS = ["add", "sub", "mul", "div", "exp", "log", "sin", "tanh", "sigmoid", "relu",
             "pow_tensor", "where", "sum", "sum_dim", "mean", "mean_dim", "amax", "var", "std",
             "logsumexp", "softmax", "log_softmax", "cumsum", "max_dim", "sort", "topk",
             "matmul_1d_1d", "matmul_2d_1d", "matmul_1d_3d", "matmul_3d_2d", "matmul_bcast", "mm",
             "bmm", "einsum_mm", "einsum_batch", "cat", "stack", "view", "reshape", "transpose",
             "permute", "unsqueeze", "squeeze", "expand", "flatten", "gather", "conv3d",
             "conv3d_groups", "max_pool3d", "avg_pool3d", "cross_entropy_ignore",
             "nll_loss_ignore", "clamp", "abs", "maximum", "argmax", "argmax_dim", "norm_dim"]


@needs_torch
@pytest.mark.parametrize("name", _RULE_OPS)
def test_vmap_batching_rules_do_not_fall_back(name):
    """These ops batch through a rule: no slow-fallback warning, and torch's result."""
    o = next((x for x in OPS if x.name == name), None)
    if o is None:
        pytest.skip(f"no op-table entry {name}")
    args, dims = _batched_args(o.samples[0], 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _vmap_op(torch, o, args, dims)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = _vmap_op(ember, o, args, dims)
    _close(t, e, atol=max(o.atol, 1e-6), rtol=max(o.rtol, 1e-5))


_NN_RULES = {
    "conv2d": (lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, padding=1),
               [(2, 3, 5, 5), (4, 3, 3, 3), (4,)]),
    "linear": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(2, 3), (4, 3), (4,)]),
    "linear_1d": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(3,), (4, 3), (4,)]),
    "max_pool2d": (lambda L, x: L.nn.functional.max_pool2d(x, 2), [(2, 3, 4, 4)]),
    "avg_pool2d": (lambda L, x: L.nn.functional.avg_pool2d(x, 2), [(2, 3, 4, 4)]),
    "mse_loss": (lambda L, x, t: L.nn.functional.mse_loss(x, t), [(2, 3), (2, 3)]),
    "cross_entropy": (lambda L, x: L.nn.functional.cross_entropy(x, L.tensor([1, 0, 2])),
                      [(3, 4)]),
    "layer_norm": (lambda L, x, w, b: L.nn.functional.layer_norm(x, (4,), w, b),
                   [(3, 4), (4,), (4,)]),
    "group_norm": (lambda L, x, w, b: L.nn.functional.group_norm(x, 2, w, b),
                   [(2, 4, 3, 3), (4,), (4,)]),
    "embedding": (lambda L, w: L.nn.functional.embedding(L.tensor([[0, 2], [1, 1]]), w),
                  [(3, 4)]),
    "getitem": (lambda L, x: x[1:, None, 0] + x[[0, 1]].sum() + x[..., -1].sum(), [(3, 4)]),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(_NN_RULES))
@pytest.mark.parametrize("batched", ["all", "first", "rest"])
def test_vmap_nn_rules_vs_torch(name, batched):
    """nn ops batch by their rules (conv/linear with batched weights too: per-sample grads)."""
    fn, shapes = _NN_RULES[name]
    rng = np.random.default_rng(0)
    arrs, dims = [], []
    for k, sh in enumerate(shapes):
        b = batched == "all" or (batched == "first") == (k == 0)
        arrs.append(rng.standard_normal(((3,) if b else ()) + sh))
        dims.append(0 if b else None)
    if all(d is None for d in dims):
        pytest.skip("nothing batched")

    def build(lib):
        return lib.func.vmap(lambda *xs: fn(lib, *xs), in_dims=tuple(dims))
    t = _run_both(build, *arrs)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = build(ember)(*[ember.tensor(a) for a in arrs])
    _close(t, e, atol=1e-6)


def test_vmap_fallback_warns_once():
    from ember.func import _batched
    x = ember.tensor(np.random.rand(3, 4, 4))
    _batched._WARNED.discard("Trace")
    with pytest.warns(UserWarning, match="performance drop because we have not yet implemented "
                                         "the batching rule for Trace"):
        y = ember.func.vmap(ember.trace)(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.func.vmap(ember.trace)(x)
    np.testing.assert_allclose(y.numpy(), np.trace(x.numpy(), axis1=1, axis2=2), rtol=1e-12)
    assert "Trace" in _batched.loop_fallback_ops()


# ------------------------------------------------------------------------------ vmap: no loop

def _count_nodes(t):
    seen, stack = set(), [t.grad_fn]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        stack.extend(f for f, _ in n.next_functions)
    return len(seen)


def test_vmap_runs_each_op_once():
    """A batch of 8 and a batch of 1 run the same number of ops (graph nodes, forward calls):
    vmap batches, it does not loop over samples."""
    from ember._ops import pointwise

    w = ember.tensor(np.random.rand(5, 3), requires_grad=True)

    def f(x):
        h = (x @ w).tanh()
        return (h.exp() * x.sum()).softmax(0).sum()

    counts = {}
    orig = pointwise.Exp.forward

    def counting(ctx, a):
        counts["exp"] = counts.get("exp", 0) + 1
        return orig(ctx, a)
    nodes = {}
    try:
        pointwise.Exp.forward = staticmethod(counting)
        for n in (1, 8):
            counts.clear()
            out = ember.func.vmap(f)(ember.tensor(np.random.rand(n, 5)))
            nodes[n] = (_count_nodes(out), counts["exp"])
            assert out.shape == (n,)
    finally:
        pointwise.Exp.forward = orig
    assert nodes[1] == nodes[8]
    assert nodes[8][1] == 1


# ------------------------------------------------------------------------------ vmap API

@needs_torch
def test_vmap_nested_and_pytrees():
    x, y = np.random.rand(4, 3), np.random.rand(2, 3)

    def build(lib):
        inner = lib.func.vmap(lambda a, b: (a * b).sum() + a.max(), in_dims=(None, 0))
        return lib.func.vmap(inner, in_dims=(0, None))
    _close(*_run_both(build, x, y))

    def build_tree(lib):
        f = lib.func.vmap(lambda d, s: {"o": d["a"] * s, "p": (d["b"].sum(), s)},
                          in_dims=({"a": 0, "b": 1}, None), out_dims={"o": 1, "p": (0, None)})
        return lambda a, b, s: f({"a": a, "b": b}, s)
    _close(*_run_both(build_tree, np.random.rand(4, 3), np.random.rand(2, 4), np.array(2.0)))


@needs_torch
def test_vmap_chunk_size_and_unbatched_output():
    x = np.random.rand(7, 3)

    def build(lib):
        w = lib.ones(3, dtype=lib.float64)
        return lib.func.vmap(lambda a: (a.exp() @ w, w * 2), chunk_size=3)
    _close(*_run_both(build, x))


@needs_torch
def test_vmap_randomness():
    outs = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        x = lib.zeros(4, 3)
        r = lib.func.vmap(lambda a: a + lib.rand(3), randomness="same")(x)
        d = lib.func.vmap(lambda a: lib.nn.functional.dropout(a, 0.5), randomness="same")(x + 1)
        outs.append((r, d))
        with pytest.raises(RuntimeError, match="vmap: called random operation while in "
                                               "randomness error mode"):
            lib.func.vmap(lambda a: a + lib.rand(3))(x)
        with pytest.raises(RuntimeError, match="Only allowed values for randomness are 'error', "
                                               "'different', or 'same'. Got bad"):
            lib.func.vmap(lambda a: a, randomness="bad")
    _close(*outs)  # ember's generator is torch's: the same draws


def _err(fn_t, fn_e, exc):
    with pytest.raises(exc) as et:
        fn_t()
    with pytest.raises(exc) as ee:
        fn_e()
    assert str(ee.value) == str(et.value)


@needs_torch
def test_vmap_errors_vs_torch():
    def cases(lib):
        x, y = lib.ones(3, 2), lib.ones(4, 2)

        def f(a, b=None):
            return a
        return [
            lambda: lib.func.vmap(f)(x, y),
            lambda: lib.func.vmap(f, in_dims=2)(x),
            lambda: lib.func.vmap(f, in_dims=(0, 0))(x),
            lambda: lib.func.vmap(f, in_dims="a")(x),
            lambda: lib.func.vmap(f, in_dims=(0, 0))(x, 3),
            lambda: lib.func.vmap(f, in_dims=None)(x),
            lambda: lib.func.vmap(f)(),
            lambda: lib.func.vmap(f, out_dims=None)(x),
            lambda: lib.func.vmap(lambda a: 3)(x),
            lambda: lib.func.vmap(f, out_dims=(0, 1))(x),
            lambda: lib.func.vmap(f, chunk_size=0),
            lambda: lib.func.vmap(lambda a: a.item())(x),
        ]
    for ct, ce in zip(cases(torch), cases(ember)):
        try:
            ct()
        except Exception as e:
            exc = type(e)
        else:  # pragma: no cover - every case raises in torch
            raise AssertionError("torch did not raise")
        _err(ct, ce, exc)


@needs_torch
def test_vmap_inplace_and_setitem():
    x = np.random.rand(3, 4)

    def build(lib):
        def f(a):
            b = a * 2
            b.add_(1)
            b[1:3] = 0.5
            v = b[0:2]
            v.mul_(3)  # through a view: b sees it
            b.unsqueeze_(0)
            return b
        return lib.func.vmap(f)
    _close(*_run_both(build, x))


# ------------------------------------------------------------------------------ grad, vjp, jacrev

@needs_torch
def test_grad_and_value_vs_torch():
    x, y = np.random.rand(3), np.random.rand(4, 3)
    _close(*_run_both(lambda L: L.func.grad(lambda a: (a.sin() ** 2).sum()), x))
    _close(*_run_both(lambda L: L.func.grad_and_value(lambda a, b: (a * b).sum(),
                                                      argnums=(0, 1)), x, y))
    _close(*_run_both(lambda L: L.func.grad(lambda a: ((a ** 3).sum(), a.cos()),
                                            has_aux=True), x))
    _close(torch.func.grad(lambda d: (d["u"] * d["v"]).sum())(
        {"u": torch.tensor(x), "v": torch.tensor(x + 1)}),
        ember.func.grad(lambda d: (d["u"] * d["v"]).sum())(
        {"u": ember.tensor(x), "v": ember.tensor(x + 1)}))
    _close(*_run_both(lambda L: L.func.grad(L.func.grad(lambda a: (a ** 3).sin())),
                      np.array(1.3)))


@needs_torch
def test_grad_composes_with_outer_autograd():
    outs = []
    for lib in (torch, ember):
        x = lib.tensor(np.array([0.3, 0.7]), requires_grad=True)
        g = lib.func.grad(lambda a: (a ** 3).sum())(x)
        assert g.requires_grad
        (gg,) = lib.autograd.grad(g.sum(), x)
        outs.append((g, gg))
    _close(*outs)


@needs_torch
def test_grad_errors_vs_torch():
    def cases(lib):
        x = lib.ones(3)
        return [
            lambda: lib.func.grad(lambda a: a)(x),
            lambda: lib.func.grad(lambda a: 3)(x),
            lambda: lib.func.grad(lambda a: a.sum(), argnums=2)(x),
            lambda: lib.func.grad(lambda a: a.sum(), argnums=())(x),
            lambda: lib.func.grad(lambda a, b: a.sum(), argnums=(0, 0))(x, x),
            lambda: lib.func.grad(lambda a: a.sum(), argnums=1.0)(x),
            lambda: lib.func.grad(lambda a: a.sum(), has_aux=True)(x),
            lambda: lib.func.jacrev(lambda a: a, chunk_size=0),
            lambda: lib.func.vjp(lambda a: (a, 2), x, has_aux=True)[1](lib.ones(2)),
        ]
    for ct, ce in zip(cases(torch), cases(ember)):
        try:
            ct()
        except Exception as e:
            exc = type(e)
        else:  # pragma: no cover
            raise AssertionError("torch did not raise")
        _err(ct, ce, exc)


@needs_torch
def test_vjp_vs_torch():
    x = np.random.rand(3)

    def build(lib):
        def f(a):
            out, fn, aux = lib.func.vjp(lambda t: (t.sin() * 2, t.sum()), a, has_aux=True)
            return out, fn(lib.ones_like(out) * 0.5), aux
        return f
    _close(*_run_both(build, x))

    def build_batched(lib):  # vmap over vjp_fn: the Jacobian, torch's tutorial pattern
        def f(a):
            out, fn = lib.func.vjp(lambda t: t.sin() * t.sum(), a)
            return lib.func.vmap(fn)(lib.eye(3, dtype=a.dtype))
        return f
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _close(*_run_both(build_batched, x))


@needs_torch
def test_jacrev_vs_torch():
    x, y = np.random.rand(3), np.random.rand(4, 3)
    _close(*_run_both(lambda L: L.func.jacrev(lambda a: a.sin() * a.sum()), x))
    _close(*_run_both(lambda L: L.func.jacrev(lambda a, b: b @ a, argnums=(0, 1)), x, y))
    _close(*_run_both(lambda L: L.func.jacrev(lambda a: (a.exp() * a[0], a.sum()),
                                              chunk_size=2), x))
    _close(*_run_both(lambda L: L.func.jacrev(lambda a: (a.tanh(), a.cos()), has_aux=True), x))
    _close(*_run_both(lambda L: L.func.vmap(L.func.jacrev(lambda a: a.sin() * a.sum())), y))


@needs_torch
def test_hessian_by_jacrev_jacrev_vs_torch():
    """jacrev(jacrev(f)) equals torch.func.hessian (alone and under vmap)."""
    x = np.random.rand(4)

    def f(lib):
        return lambda a: (a.sin() * a.prod()).sum() + (a @ a) ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's jacfwd notes a deprecation)
        t = torch.func.hessian(f(torch))(torch.tensor(x))
        tv = torch.func.vmap(torch.func.hessian(f(torch)))(torch.tensor(np.stack([x, x + 1])))
    _close(t, ember.func.jacrev(ember.func.jacrev(f(ember)))(ember.tensor(x)))
    ev = ember.func.vmap(ember.func.jacrev(ember.func.jacrev(f(ember))))(
        ember.tensor(np.stack([x, x + 1])))
    _close(tv, ev)


# ------------------------------------------------------------------------------ per-sample grads

def _cnn(lib):
    nn, F = lib.nn, lib.nn.functional

    class SimpleCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.fc1 = nn.Linear(8 * 2 * 2, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            return F.log_softmax(self.fc2(x), dim=1)
    return SimpleCNN()


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                         nn.LayerNorm(16), nn.Linear(16, 4))


def _per_sample(lib, make, shape, loss):
    model = make(lib)
    rng = np.random.default_rng(0)
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.3))
    data = lib.tensor(rng.standard_normal(shape).astype(np.float32))
    targets = lib.tensor(rng.integers(0, 4, shape[0]))
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def compute_loss(params, buffers, sample, target):
        predictions = lib.func.functional_call(model, (params, buffers), (sample.unsqueeze(0),))
        return loss(lib, predictions, target.unsqueeze(0))
    g = lib.func.vmap(lib.func.grad(compute_loss), in_dims=(None, None, 0, 0))(
        params, buffers, data, targets)
    loop = {}
    for i in range(shape[0]):
        model.zero_grad()
        loss(lib, model(data[i:i + 1]), targets[i:i + 1]).backward()
        for k, p in model.named_parameters():
            loop.setdefault(k, []).append(p.grad.detach().clone())
    return g, {k: lib.stack(v) for k, v in loop.items()}


@needs_torch
@pytest.mark.parametrize("net", ["cnn", "mlp"])
def test_per_sample_gradients_vs_torch(net):
    """The per-sample-gradients tutorial: vmap(grad(loss)) with functional_call equals torch's
    and a loop of single-sample backward passes; no op falls back to the loop."""
    if net == "cnn":
        make, shape = _cnn, (6, 1, 8, 8)

        def loss(lib, p, t):
            return lib.nn.functional.nll_loss(p, t)
    else:
        make, shape = _mlp, (6, 6)

        def loss(lib, p, t):
            return lib.nn.functional.cross_entropy(p, t)
    tg, tl = _per_sample(torch, make, shape, loss)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eg, el = _per_sample(ember, make, shape, loss)
    for k in tg:
        _close(tg[k], eg[k], atol=1e-5)
        np.testing.assert_allclose(_np(eg[k]), _np(el[k]), atol=1e-5)


@needs_torch
def test_ensembling_stack_module_state_vs_torch():
    """torch's model-ensembling tutorial: stack_module_state + vmap(functional_call)."""
    outs = []
    for lib in (torch, ember):
        rng = np.random.default_rng(3)
        models = [_mlp(lib) for _ in range(3)]
        with lib.no_grad():
            for m in models:
                for p in m.parameters():
                    p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
        params, buffers = lib.func.stack_module_state(models)
        assert all(p.requires_grad and p.is_leaf for p in params.values())
        import copy
        base = copy.deepcopy(models[0]).to("meta") if lib is torch else copy.deepcopy(models[0])
        x = lib.tensor(rng.standard_normal((5, 6)).astype(np.float32))

        def fmodel(params, buffers, x):
            return lib.func.functional_call(base, (params, buffers), (x,))
        outs.append(lib.func.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x))
    _close(*outs, atol=1e-5)


@needs_torch
def test_functional_call_vs_torch():
    for lib in (torch, ember):
        m = lib.nn.Linear(3, 2)
        w0 = m.weight
        x = lib.ones(1, 3)
        out = lib.func.functional_call(m, {"weight": lib.zeros(2, 3), "bias": lib.ones(2)}, x)
        assert np.allclose(_np(out), 1.0) and m.weight is w0
        with pytest.raises(RuntimeError):
            lib.func.functional_call(m, {"weight": lib.zeros(2, 3)}, lib.ones(1, 4))
        assert m.weight is w0  # restored after the error
    _err(lambda: torch.func.functional_call(torch.nn.Linear(3, 2), {"wt": torch.ones(1)},
                                            (torch.ones(3),), strict=True),
         lambda: ember.func.functional_call(ember.nn.Linear(3, 2), {"wt": ember.ones(1)},
                                            (ember.ones(3),), strict=True), RuntimeError)
    _err(lambda: torch.func.functional_call(torch.nn.Linear(3, 2), ({"weight": 1}, {"weight": 2}),
                                            (torch.ones(3),)),
         lambda: ember.func.functional_call(ember.nn.Linear(3, 2), ({"weight": 1}, {"weight": 2}),
                                            (ember.ones(3),)), ValueError)
    outs = []
    for lib in (torch, ember):  # tied weights follow the value given for one of them
        m = lib.nn.Sequential(lib.nn.Linear(2, 2, bias=False), lib.nn.Linear(2, 2, bias=False))
        m[1].weight = m[0].weight
        outs.append(lib.func.functional_call(m, {"0.weight": lib.eye(2) * 2}, (lib.ones(1, 2),)))
        with pytest.raises(ValueError, match="functional_call got multiple values for keys "):
            lib.func.functional_call(m, {"0.weight": lib.eye(2), "1.weight": lib.eye(2) * 3},
                                     (lib.ones(1, 2),))
    _close(*outs)


@needs_torch
def test_stack_module_state_errors_vs_torch():
    _err(lambda: torch.func.stack_module_state([]), lambda: ember.func.stack_module_state([]),
         RuntimeError)
    _err(lambda: torch.func.stack_module_state([torch.nn.Linear(1, 1), torch.nn.Tanh()]),
         lambda: ember.func.stack_module_state([ember.nn.Linear(1, 1), ember.nn.Tanh()]),
         RuntimeError)


def test_func_names_and_aliases():
    assert ember.vmap is ember.func.vmap
    for name in ("vmap", "grad", "grad_and_value", "vjp", "jacrev", "functional_call",
                 "stack_module_state", "debug_unwrap", "functionalize",
                 "replace_all_batch_norm_modules_"):
        assert callable(getattr(ember.func, name)), name
    x = ember.ones(3, 2)
    seen = []
    ember.func.vmap(lambda a: seen.append(ember.func.debug_unwrap(a)) or a)(x)
    assert tuple(seen[0].shape) == (3, 2)


@needs_torch
def test_jacobians_tutorial_vs_torch():
    """The torch.func Jacobians/Hessians tutorial, its reverse-mode parts."""
    rng = np.random.default_rng(7)
    D = 16
    w, b, x = rng.standard_normal((D, D)), rng.standard_normal(D), rng.standard_normal(D)
    xb = rng.standard_normal((5, D))
    outs = []
    for lib in (torch, ember):
        F = lib.nn.functional

        def predict(weight, bias, x):
            return F.linear(x, weight, bias).tanh()
        W, Bv, X, XB = (lib.tensor(a) for a in (w, b, x, xb))
        jac = lib.func.jacrev(predict, argnums=2)(W, Bv, X)
        jac_wb = lib.func.jacrev(predict, argnums=(0, 1))(W, Bv, X)
        batch_jac = lib.func.vmap(lib.func.jacrev(predict, argnums=2),
                                  in_dims=(None, None, 0))(W, Bv, XB)
        hess = lib.func.jacrev(lib.func.jacrev(predict, argnums=2), argnums=2)(W, Bv, X)
        outs.append((jac, jac_wb, batch_jac, hess))
    _close(*outs, atol=1e-10)


def test_vmap_randomness_different_draws_per_sample():
    """randomness='different': every sample its own numbers (ember runs the samples one at a
    time and warns once)."""
    from ember.func import _batched
    _batched._WARNED.discard("randomness='different'")
    ember.manual_seed(0)
    x = ember.zeros(64, 3)
    with pytest.warns(UserWarning, match="randomness='different'"):
        r = ember.func.vmap(lambda a: a + ember.rand(3), randomness="different")(x).numpy()
    assert len({tuple(row) for row in r}) == 64
    assert 0.4 < r.mean() < 0.6 and r.min() >= 0 and r.max() < 1


@needs_torch
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_vmap_batch_norm_vs_torch(mode):
    """vmap over a model with BatchNorm: replace_all_batch_norm_modules_ (batch statistics per
    sample, no running stats) in training, running statistics in eval; no per-sample loop."""
    outs = []
    for lib in (torch, ember):
        m = lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.BatchNorm2d(2), lib.nn.ReLU())
        with lib.no_grad():
            for k, p in enumerate(m.parameters()):
                p.copy_(lib.linspace(-0.5, 0.7, p.numel()).reshape(p.shape) * (k + 1))
        if mode == "train":
            lib.func.replace_all_batch_norm_modules_(m)
            assert m[1].running_mean is None and not m[1].track_running_stats
        else:
            m.eval()
        x = lib.tensor(np.random.default_rng(0).standard_normal((4, 3, 1, 5, 5)).astype(
            np.float32))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            outs.append(lib.func.vmap(m)(x))
    _close(*outs, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("causal", [False, True])
def test_vmap_attention_vs_torch(causal):
    rng = np.random.default_rng(1)
    q, kv = rng.standard_normal((3, 2, 4, 8)), rng.standard_normal((2, 5, 8))

    def build(lib):
        return lib.func.vmap(lambda a, b: lib.nn.functional.scaled_dot_product_attention(
            a, b, b, is_causal=causal), in_dims=(0, None))
    t = _run_both(build, q, kv)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = build(ember)(ember.tensor(q), ember.tensor(kv))
    _close(t, e)


@needs_torch
def test_vmap_setitem_advanced_vs_torch():
    x, v = np.random.rand(2, 2, 3, 2), np.random.rand(2, 2, 2, 2)

    def build(lib):
        def f(a, w):
            b = a * 1
            b[:, [0, 2]] = w
            b[0, :, 1] = w[1, 0, 0]
            return b
        return lib.func.vmap(f)
    _close(*_run_both(build, x, v))
    with pytest.raises(RuntimeError, match="advanced indices that are not next to each other"):
        def g(a):
            a = a * 1
            a[[0, 1], :, [1, 0]] = 5.0
            return a
        ember.func.vmap(g)(ember.tensor(x))


# common code inside vmap: factory functions, indexing by batched index tensors, masks,
# reductions that compute on arrays, splits, einsum ... (each vs torch.vmap)
_BATTERY = {
    "zeros_like": lambda L, a, i: L.zeros_like(a) + a,
    "new_zeros": lambda L, a, i: a.new_zeros(a.shape) + a.sum(),
    "arange": lambda L, a, i: a * L.arange(a.shape[-1]),
    "ones_shape": lambda L, a, i: L.ones(a.shape) * a.mean(),
    "T": lambda L, a, i: a.T @ a,
    "mT": lambda L, a, i: a.mT,
    "where": lambda L, a, i: L.where(a > 0.5, a, 0.),
    "masked_fill": lambda L, a, i: a.masked_fill(a > 0.5, -1.),
    "norm": lambda L, a, i: a.norm() + L.linalg.norm(a, dim=-1).sum(),
    "unbind": lambda L, a, i: L.stack(a.unbind(1), -1),
    "chunk": lambda L, a, i: a.chunk(2, -1)[0] * 2,
    "split": lambda L, a, i: a.split([2, 3], -1)[1],
    "einsum": lambda L, a, i: L.einsum('ij,kj->ik', a, a),
    "outer": lambda L, a, i: L.outer(a[0], a[1]),
    "dot": lambda L, a, i: L.dot(a[0], a[1]),
    "view-1": lambda L, a, i: a.view(-1) * 2,
    "flatten": lambda L, a, i: a.flatten(),
    "gather_idx": lambda L, a, i: a[i],
    "take_along": lambda L, a, i: L.take_along_dim(a, i.unsqueeze(-1).expand(2, 5), 0),
    "index_tensor": lambda L, a, i: a[:, i[0]],
    "clone_detach": lambda L, a, i: a.clone().detach() * 3,
    "numel": lambda L, a, i: a * a.numel(),
    "softmax_ce": lambda L, a, i: L.nn.functional.cross_entropy(a, L.tensor([0, 1, 2, 3])),
    "logsoftmax_nll": lambda L, a, i: L.nn.functional.nll_loss(a.log_softmax(-1), i.repeat(2)),
    "cumsum": lambda L, a, i: a.cumsum(0),
    "amax": lambda L, a, i: a.amax(-1),
    "max": lambda L, a, i: a.max(-1).values + a.max(),
    "sort": lambda L, a, i: a.sort(-1).values,
    "std": lambda L, a, i: a.std(0),
    "pad": lambda L, a, i: L.nn.functional.pad(a, (1, 2)),
    "interp": lambda L, a, i: L.nn.functional.interpolate(a.unsqueeze(0), scale_factor=2)[0],
    "conv1d": lambda L, a, i: L.nn.functional.conv1d(a[None], L.ones(2, 4, 3, dtype=a.dtype)),
    "bmm3": lambda L, a, i: L.matmul(a.unsqueeze(0), a.T.unsqueeze(0)),
    "addcmul": lambda L, a, i: L.addcmul(a, a, a, value=0.5),
    "lerp": lambda L, a, i: L.lerp(a, a * 2, 0.3),
    "clamp_t": lambda L, a, i: a.clamp(min=a.mean()),
    "topk": lambda L, a, i: a.topk(2).indices.float(),
    "argsort": lambda L, a, i: a.argsort(-1).float(),
    "any_all": lambda L, a, i: (a > 0.5).any(-1).float() + (a > 0.1).all().float(),
    "rsub": lambda L, a, i: 1 - a,
    "pow": lambda L, a, i: 2 ** a + a ** a,
    "type_as": lambda L, a, i: a.type_as(L.ones(1, dtype=L.float32)),
    "nonzero_count": lambda L, a, i: L.count_nonzero(a > 0.5, -1).float(),
    "triu": lambda L, a, i: a.triu(1),
    "flip": lambda L, a, i: a.flip(-1),
    "roll": lambda L, a, i: a.roll(1, -1),
    "diag": lambda L, a, i: L.diag(a[:, 0]),
    "trace": lambda L, a, i: L.trace(a[:, :4]),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(_BATTERY))
def test_vmap_common_code_vs_torch(name):
    x = np.random.default_rng(5).random((3, 4, 5))
    idx = np.random.default_rng(6).integers(0, 4, (3, 2))
    f = _BATTERY[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.func.vmap(lambda a, i: f(torch, a, i))(torch.tensor(x), torch.tensor(idx))
        e = ember.func.vmap(lambda a, i: f(ember, a, i))(ember.tensor(x), ember.tensor(idx))
    _close(t, e)


# ------------------------------------------------------------------------------ forward mode

@needs_torch
def test_jvp_jacfwd_hessian_linearize_vs_torch():
    """Forward-mode transforms (ember.autograd.forward_ad underneath) against torch.func."""
    x, v, y = np.random.rand(3), np.random.rand(3), np.random.rand(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's jacfwd notes a deprecation)
        _close(*[L.func.jvp(lambda a: a.sin() * a.sum(), (L.tensor(x),), (L.tensor(v),))
                 for L in (torch, ember)])
        _close(*[L.func.jvp(lambda a: (a.exp(), a.cos()), (L.tensor(x),), (L.tensor(v),),
                            has_aux=True) for L in (torch, ember)])
        _close(*[L.func.jacfwd(lambda a, b: a.sin() * b.sum(), argnums=(0, 1))(
            L.tensor(x), L.tensor(v)) for L in (torch, ember)])
        _close(*[L.func.hessian(lambda a: (a.sin() * a.prod()).sum())(L.tensor(x))
                 for L in (torch, ember)])
        _close(*[L.func.vmap(L.func.hessian(lambda a: (a.sin() * a.prod()).sum()))(L.tensor(y))
                 for L in (torch, ember)])
        _close(*[L.func.vmap(L.func.jacfwd(lambda a: a.sin() * a.sum()))(L.tensor(y))
                 for L in (torch, ember)])

        def lin(L):
            out, fn = L.func.linearize(lambda a: a.exp() * a, L.tensor(x))
            return out, fn(L.tensor(v))
        _close(lin(torch), lin(ember))
    for L in (torch, ember):
        with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
            L.func.jvp(lambda a: a, L.tensor(x), (L.tensor(v),))


@needs_torch
def test_jacobians_hessians_tutorial_forward_parts_vs_torch():
    """The forward-mode half of torch's "Jacobians, Hessians, hvp, vhp" tutorial: jacfwd equals
    jacrev, hessian of a predict function, hvp by forward-over-reverse."""
    rng = np.random.default_rng(0)
    w, b, x = rng.normal(size=(16, 16)), rng.normal(size=16), rng.normal(size=16)
    res = []
    for L in (torch, ember):
        def predict(weight, bias, xx):
            return L.nn.functional.linear(xx, weight, bias).tanh()
        W, B, X = L.tensor(w), L.tensor(b), L.tensor(x)
        jf = L.func.jacfwd(predict, argnums=2)(W, B, X)
        jr = L.func.jacrev(predict, argnums=2)(W, B, X)
        h = L.func.hessian(lambda xx: predict(W, B, xx).sum(), argnums=0)(X)

        def hvp(f, primals, tangents):
            return L.func.jvp(L.func.grad(f), primals, tangents)[1]
        hv = hvp(lambda xx: predict(W, B, xx).sin().sum(), (X,), (L.tensor(b),))
        res.append((jf, jr, h, hv))
    _close(res[0], res[1], atol=1e-9, rtol=1e-7)
    np.testing.assert_allclose(_np(res[1][0]), _np(res[1][1]), atol=1e-12)
