"""Forward-mode AD (``ember.autograd.forward_ad``) against torch's ``torch.autograd.forward_ad``.

- every op-table row: the tangent of each output of ``fn(make_dual(x, v), ...)`` equals
  torch's (float64, random tangents on every float input), or ember raises torch's error class
  where torch has no forward AD formula for the op;
- the API: levels, ``make_dual``/``unpack_dual`` (the named tuple, views, errors);
- reverse-over-forward (the gradient of a tangent), forward-over-reverse (Hessian-vector
  products through ``create_graph``), in-place ops on dual tensors, custom Functions' ``jvp``;
- finite differences in float64 for a sample of ops (no torch needed).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.autograd.forward_ad as efw
from op_table import OPS

try:
    import torch
    import torch.autograd.forward_ad as tfw
    with warnings.catch_warnings():  # torch's make_dual loads its jvp decompositions once
        warnings.simplefilter("ignore")
        import torch._decomp.decompositions_for_jvp  # noqa: F401
except ImportError:  # pragma: no cover - the oracle is optional
    torch = tfw = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _cases(samples="samples", first=False):
    out = []
    for o in OPS:
        for k, s in enumerate(getattr(o, samples)[:1] if first else getattr(o, samples)):
            out.append(pytest.param(o, s, id=f"{o.name}-{k}"))
    return out


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _tangents(sample, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(a.shape) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
            else None for a in sample.args]


def _dual_run(lib, fw, o, sample, tans, req=False):
    """Run ``o`` on dual inputs; returns (outputs, tangents as arrays or None)."""
    args, leaves = [], []
    with fw.dual_level():
        for a, t in zip(sample.args, tans):
            if isinstance(a, np.ndarray):
                x = lib.from_numpy(a.copy())
                if t is not None:
                    if req:
                        x.requires_grad_(True)
                        leaves.append(x)
                    x = fw.make_dual(x, lib.from_numpy(t.copy()))
                args.append(x)
            else:
                args.append(a)
        outs = _flat(o.fn(lib, *args))
        res = []
        for y in outs:
            p, t = fw.unpack_dual(y)
            if t is not None and lib is torch and t._is_zerotensor():
                t = torch.zeros(t.shape, dtype=t.dtype)
            res.append((p.detach().numpy().copy(), None if t is None else
                        t.detach().numpy().copy(), str(y.dtype)))
    if req:  # the primal graph made inside the level: grad_fn names, gradients after it
        graph = [[type(y.grad_fn).__name__ if y.grad_fn is not None else None for y in outs]]
        diff = [y for y in outs if y.requires_grad]
        if diff and leaves:
            rng = np.random.default_rng(1)
            gos = [lib.tensor(rng.standard_normal(tuple(y.shape)), dtype=y.dtype)
                   for y in diff]
            gs = lib.autograd.grad(diff, leaves, gos, allow_unused=True)
            graph.append([None if g is None else np.zeros(tuple(g.shape)) if
                          lib is torch and g._is_zerotensor() else g.detach().numpy().copy()
                          for g in gs])
        res = graph + res
    return res


# Rows where torch's forward AD is not the derivative of the op (its tangent disagrees with
# finite differences, or it raises where the op is differentiable): ember's tangent is checked
# against central finite differences instead.
TORCH_DIFFERS = {
    "triangular_solve": "torch's tangent ignores that only A's triangle is read",
    "triangular_solve_t": "torch's tangent ignores that only A's triangle is read",
    "cholesky_inverse": "torch's tangent ignores that only the factor's triangle is read",
    "ldexp_int": "torch computes 2**other in integers: 0 for a negative exponent",
    "scatter_reduce_prod": "torch leaves the tangent undefined",
    "scatter_reduce_prod_excl": "torch leaves the tangent undefined",
    "cdist_mm": "torch has no forward AD for _euclidean_dist; ember composes it of matmuls",
    "norm_except_dim_all": "torch's tangent has the wrong shape (it raises)",
    "ormqr": "torch has no forward AD for ormqr; ember composes it of matmuls",  # h13-linalg
    "ormqr_right_t": "torch has no forward AD for ormqr; ember composes it of matmuls",
}
# Rows not compared at all (said why).
SKIP = {
    "norm_empty": "empty input: torch's tangent 0, ember's NaN (0/0 of the norm's derivative)",
    "logsumexp_empty": "empty input: torch's tangent NaN, ember's 0",
    "adaptive_avg_pool2d_empty_out": "empty output: torch's backward refuses it",
    "adaptive_avg_pool3d_empty_out": "empty output: torch's backward refuses it",
    "legacy_alias": "ember's torch.Tensor(t) drops the tangent",
    "linalg_eig": "ember has no complex double backward: no tangent for eig",
    "linalg_eigvals": "ember has no complex double backward: eigvals raises (as eig)",
}


def _fd(o, s, tans, eps=1e-6):
    """Central finite differences of ``o`` along the tangents (float64)."""
    def run(sign):
        args = [ember.tensor(a + sign * eps * t) if t is not None else
                (ember.from_numpy(a.copy()) if isinstance(a, np.ndarray) else a)
                for a, t in zip(s.args, tans)]
        return [y.detach().numpy() for y in _flat(o.fn(ember, *args))]
    return [(p - m) / (2 * eps) if p.dtype.kind == "f" else None
            for p, m in zip(run(1.0), run(-1.0))]


@needs_torch
@pytest.mark.parametrize("o,s", _cases())
def test_tangents_vs_torch(o, s):
    if o.name in SKIP:
        pytest.skip(SKIP[o.name])
    tans = _tangents(s)
    if not any(t is not None for t in tans):
        pytest.skip("no float input")
    if o.name in TORCH_DIFFERS:
        got = _dual_run(ember, efw, o, s, tans)
        for (ep, et, edt), f in zip(got, _fd(o, s, tans)):
            if f is not None:
                np.testing.assert_allclose(et, f, rtol=1e-4, atol=1e-5, err_msg=o.name)
        return
    try:
        want = _dual_run(torch, tfw, o, s, tans)
    except Exception as e:  # torch has no forward AD for this op: ember raises alike
        with pytest.raises(type(e)):
            _dual_run(ember, efw, o, s, tans)
        return
    got = _dual_run(ember, efw, o, s, tans)
    assert len(got) == len(want)
    for i, ((ep, et, edt), (tp, tt, tdt)) in enumerate(zip(got, want)):
        np.testing.assert_allclose(ep, tp, rtol=1e-6, atol=1e-7, equal_nan=True,
                                   err_msg=f"{o.name} primal {i}")
        if tt is None or not np.any(tt) or tdt.split(".")[-1] in ("int64", "bool", "int32"):
            # torch leaves some zero tangents undefined; integer outputs have none
            assert et is None or not np.any(et), f"{o.name} output {i}: tangent, torch none"
            continue
        assert et is not None, f"{o.name} output {i}: no tangent, torch has one"
        assert et.shape == tt.shape, f"{o.name} output {i}: tangent shape"
        np.testing.assert_allclose(et, tt, rtol=max(o.rtol, 1e-6), atol=max(o.atol, 1e-7),
                                   equal_nan=True, err_msg=f"{o.name} tangent {i}")


@needs_torch
@pytest.mark.parametrize("o,s", _cases(first=True))
def test_tangents_and_graph_vs_torch_requires_grad(o, s):
    """Dual inputs that also require grad (first sample of each row): the tangents, and the
    primal's graph (grad_fn names, gradients) are torch's."""
    if o.name in SKIP or o.name in TORCH_DIFFERS or not o.grad:
        pytest.skip("see test_tangents_vs_torch")
    if o.name == "vander":
        pytest.skip("torch's backward of its in-place graph made inside a level fails")
    tans = _tangents(s)
    if not any(t is not None for t in tans):
        pytest.skip("no float input")
    try:
        want = _dual_run(torch, tfw, o, s, tans, req=True)
    except Exception as e:  # noqa: BLE001 - torch has no forward AD for this op
        with pytest.raises(type(e)):
            _dual_run(ember, efw, o, s, tans, req=True)
        return
    got = _dual_run(ember, efw, o, s, tans, req=True)
    if o.torch_grad_fn:
        assert got[0] == want[0], f"{o.name}: grad_fn names"
    if o.torch_backward and len(want) > 1 and isinstance(want[1], list):
        for a, b in zip(got[1], want[1]):
            if a is not None and b is not None:
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg=o.name)
    k = 2 if len(want) > 1 and isinstance(want[1], list) else 1
    for i, ((ep, et, edt), (tp, tt, tdt)) in enumerate(zip(got[k:], want[k:])):
        if tt is None or not np.any(tt):
            continue
        assert et is not None, f"{o.name} output {i}: no tangent, torch has one"
        np.testing.assert_allclose(et, tt, rtol=max(o.rtol, 1e-6), atol=max(o.atol, 1e-7),
                                   equal_nan=True, err_msg=f"{o.name} tangent {i}")


@needs_torch
@pytest.mark.parametrize("o", [pytest.param(o, id=o.name) for o in OPS
                               if "float32" in o.dtypes and o.samples])
def test_float32_tangents_vs_torch(o):
    """float32 inputs and tangents (first sample): the tangent's dtype and values."""
    if o.name in SKIP or o.name in TORCH_DIFFERS:
        pytest.skip("see test_tangents_vs_torch")
    s = o.samples[0]
    s = type(s)(*[a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype == np.float64
                  else a for a in s.args])
    tans = [None if t is None else t.astype(np.float32) for t in _tangents(s)]
    if not any(t is not None for t in tans):
        pytest.skip("no float input")
    try:
        want = _dual_run(torch, tfw, o, s, tans)
    except Exception as e:  # noqa: BLE001 - torch has no forward AD for this op
        with pytest.raises(type(e)):
            _dual_run(ember, efw, o, s, tans)
        return
    got = _dual_run(ember, efw, o, s, tans)
    for i, ((ep, et, edt), (tp, tt, tdt)) in enumerate(zip(got, want)):
        if tt is None or not np.any(tt):
            continue
        assert et is not None and et.dtype == tt.dtype, f"{o.name} output {i}"
        np.testing.assert_allclose(et, tt, rtol=max(o.rtol, 1e-3), atol=max(o.atol, 1e-4),
                                   equal_nan=True, err_msg=f"{o.name} tangent {i}")


# ------------------------------------------------------------------------------ the API


def _both(fn):
    """Run ``fn(lib, fw)`` for ember and torch: results, or (exception class, text)."""
    out = []
    for lib, fw in ((ember, efw), (torch, tfw)):
        try:
            out.append(("ok", fn(lib, fw)))
        except Exception as e:  # noqa: BLE001 - compared below
            out.append((type(e), str(e)))
    return out


@needs_torch
@pytest.mark.parametrize("case", [
    "no_level", "nested", "size", "int_tangent", "int_primal", "twice", "exit_wrong",
    "exit_none", "bad_level", "unpack_not_tensor"])
def test_errors_vs_torch(case):
    def run(lib, fw):
        x = lib.zeros(3, dtype=lib.float64)
        if case == "no_level":
            return fw.make_dual(x, x)
        if case == "exit_none":
            return fw.exit_dual_level()
        with fw.dual_level():
            if case == "nested":
                fw.enter_dual_level()
            if case == "size":
                fw.make_dual(x, lib.zeros(4, dtype=lib.float64))
            if case == "int_tangent":
                fw.make_dual(x, lib.zeros(3, dtype=lib.int64))
            if case == "int_primal":
                fw.make_dual(lib.zeros(3, dtype=lib.int64), x)
            if case == "twice":
                fw.make_dual(fw.make_dual(x, x), x)
            if case == "exit_wrong":
                fw.exit_dual_level(level=3)
            if case == "bad_level":
                fw.make_dual(x, x, level=1)
            if case == "unpack_not_tensor":
                fw.unpack_dual(1.0)
    e, t = _both(run)
    assert e[0] is t[0] and e[0] != "ok", (e, t)
    assert e[1] == t[1]


@needs_torch
def test_api_vs_torch():
    def run(lib, fw):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        v = lib.tensor([0.5, -1.0], dtype=lib.float64)
        res = []
        with fw.dual_level() as level:
            d = fw.make_dual(x, v)
            u = fw.unpack_dual(d)
            res += [level, type(u).__name__, u._fields, u.tangent is v, d._base is x,
                    u.primal._base is x, type(d.grad_fn).__name__]
            res.append(repr(fw.unpack_dual(lib.ones(2))))
            res.append(fw.unpack_dual(d, level=0).tangent is v)
            with lib.no_grad():
                z = d * 3
            res += [z.requires_grad, fw.unpack_dual(z).tangent.tolist()]
            res += [fw.unpack_dual(d.detach()).tangent, fw.unpack_dual(d.clone()).tangent.tolist()]
            y = d.exp()
            res.append([type(f[0]).__name__ for f in y.grad_fn.next_functions])
            y.sum().backward()
            res.append(x.grad.tolist())
            res.append(repr(fw.make_dual(v, v) * 2))  # a dual's repr shows its tangent
            w = fw.make_dual(lib.zeros(2, 3), lib.ones(3, 2).T)
            res.append(fw.unpack_dual(w).tangent.is_contiguous())
        res += [fw.unpack_dual(d).tangent, fw.unpack_dual(d).primal is d, fw._current_level]

        @fw.dual_level()
        def deco():
            return fw.unpack_dual(fw.make_dual(lib.ones(2), lib.ones(2)) * 2).tangent.tolist()
        res.append(deco())
        res.append(repr(fw.UnpackedDualTensor(1, None)))
        level = fw.enter_dual_level()
        fw.exit_dual_level(level=level)
        return res
    (_, e), (_, t) = _both(run)
    assert e == t


@needs_torch
def test_inplace_vs_torch():
    def run(lib, fw):
        x = lib.tensor(np.arange(3.0))
        res = []
        with fw.dual_level():
            d = fw.make_dual(x, lib.ones(3, dtype=lib.float64))
            a = lib.zeros(3, dtype=lib.float64)
            a.add_(d)
            res.append(fw.unpack_dual(a).tangent.tolist())
            a = lib.zeros(3, dtype=lib.float64)
            a[1:].mul_(0).add_(d[1:] * 3)
            res.append(fw.unpack_dual(a).tangent.tolist())
            a = lib.zeros(3, dtype=lib.float64)
            a[1] = d[0] * 5
            res.append(fw.unpack_dual(a).tangent.tolist())
            b = d.clone()
            b.t_()
            b.mul_(2)
            res.append(fw.unpack_dual(b).tangent.tolist())
            b = d.clone()
            b.zero_()
            res.append(fw.unpack_dual(b).tangent.tolist())
            b = d.clone()
            b[0] = 7.0
            res.append(fw.unpack_dual(b).tangent.tolist())
            b = d.clone()
            v = b[1:]
            v.sin_()
            res.append(fw.unpack_dual(b).tangent.tolist())
            b = lib.zeros(3, dtype=lib.float64)
            b.copy_(d.exp())
            res.append(fw.unpack_dual(b).tangent.tolist())
        return res
    (_, e), (_, t) = _both(run)
    np.testing.assert_allclose(np.array(e), np.array(t), rtol=1e-12)


@needs_torch
def test_custom_function_jvp_vs_torch():
    def run(lib, fw):
        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_forward(x)
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * g * x

            @staticmethod
            def jvp(ctx, t):
                (x,) = ctx.saved_tensors
                return 2 * t * x

        class NoJvp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        with fw.dual_level():
            d = fw.make_dual(x, lib.ones(3, dtype=lib.float64))
            out = [fw.unpack_dual(Sq.apply(d)).tangent.tolist(),
                   fw.unpack_dual(Sq.apply(x)).tangent]
            try:
                NoJvp.apply(d)
            except NotImplementedError as e:
                out.append(str(e))
        return out
    (_, e), (_, t) = _both(run)
    assert e == t


# ------------------------------------------------------------------------------ higher order


def _f(lib, x):
    return (x.exp() * x.sin()).sum() + lib.softmax(x, 0).pow(2).sum() + x.tanh().prod()


@needs_torch
@pytest.mark.parametrize("create_graph", [True, False])
def test_forward_over_reverse_hvp_vs_torch(create_graph):
    """The tangent of a gradient is a Hessian-vector product (torch.func's jacfwd(jacrev))."""
    rng = np.random.default_rng(3)
    x0, v0 = rng.standard_normal(5), rng.standard_normal(5)
    res = []
    for lib, fw in ((ember, efw), (torch, tfw)):
        x = lib.tensor(x0, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor(v0))
            (g,) = lib.autograd.grad(_f(lib, d), d, create_graph=create_graph)
            res.append((g.detach().numpy().copy(), fw.unpack_dual(g).tangent.detach().numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-10)


def test_reverse_over_forward():
    """The gradient of a jvp w.r.t. the primal is the Hessian-vector product."""
    rng = np.random.default_rng(4)
    x0, v0 = rng.standard_normal(5), rng.standard_normal(5)
    x = ember.tensor(x0, requires_grad=True)
    with efw.dual_level():
        jv = efw.unpack_dual(_f(ember, efw.make_dual(x, ember.tensor(v0)))).tangent
        assert jv.requires_grad
        (hv,) = ember.autograd.grad(jv, x)
    x2 = ember.tensor(x0, requires_grad=True)
    (g,) = ember.autograd.grad(_f(ember, x2), x2, create_graph=True)
    (hv2,) = ember.autograd.grad(g, x2, ember.tensor(v0))
    np.testing.assert_allclose(hv.numpy(), hv2.numpy(), rtol=1e-10)
    # and through the tangent: d jvp / d v = J (the gradient)
    v = ember.tensor(v0, requires_grad=True)
    with efw.dual_level():
        jv = efw.unpack_dual(_f(ember, efw.make_dual(ember.tensor(x0), v))).tangent
    (gv,) = ember.autograd.grad(jv, v)
    np.testing.assert_allclose(gv.numpy(), ember.autograd.grad(_f(ember, x2), x2)[0].numpy(),
                               rtol=1e-10)


# ------------------------------------------------------------------------------ no torch needed


FD_SAMPLE = ["add", "mul", "div", "pow_tensor", "exp", "tanh", "sigmoid", "matmul_2d_2d", "sum_dim",
             "softmax", "log_softmax", "cumprod", "prod", "norm", "std", "max_dim", "sort",
             "cat", "stack", "gather", "where", "conv2d", "layer_norm", "batch_norm",
             "linalg_solve", "linalg_det", "logsumexp", "cross_entropy_probs", "gelu", "lerp"]


@pytest.mark.parametrize("name", FD_SAMPLE)
def test_tangents_vs_finite_differences(name):
    from op_table import OPS_BY_NAME
    o = OPS_BY_NAME.get(name)
    if o is None:
        pytest.skip(f"{name}: not in the op table")
    s = o.samples[0]
    tans = _tangents(s, seed=5)
    got = _dual_run(ember, efw, o, s, tans)
    for i, ((ep, et, edt), f) in enumerate(zip(got, _fd(o, s, tans))):
        if f is None:
            assert et is None
            continue
        np.testing.assert_allclose(et, f, rtol=1e-5, atol=1e-6, err_msg=f"{name} output {i}")


def test_functional_jvp_agrees():
    rng = np.random.default_rng(6)
    x, v = ember.tensor(rng.standard_normal((3, 4))), ember.tensor(rng.standard_normal((3, 4)))
    f = ember.nn.Sequential(ember.nn.Linear(4, 5).double(), ember.nn.Tanh(),
                            ember.nn.Linear(5, 2).double(), ember.nn.LogSoftmax(-1))
    _, j1 = ember.autograd.functional.jvp(f, x, v)
    with efw.dual_level():
        j2 = efw.unpack_dual(f(efw.make_dual(x, v))).tangent
    np.testing.assert_allclose(j1.numpy(), j2.detach().numpy(), rtol=1e-10)


def test_gradcheck_check_forward_ad():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * g * x

        @staticmethod
        def jvp(ctx, t):
            return t  # wrong: should be 2 x t

    x = ember.tensor(np.random.default_rng(0).standard_normal(3), requires_grad=True)
    assert ember.autograd.gradcheck(Bad.apply, (x,))
    assert not ember.autograd.gradcheck(Bad.apply, (x,), check_forward_ad=True,
                                        raise_exception=False)
    assert ember.autograd.gradcheck(lambda a: (a.exp() * a).cumsum(0), (x,),
                                    check_forward_ad=True)


def test_level_off_leaves_ops_untouched():
    """Outside a level nothing is dual, and the tangents of a level die with it."""
    x = ember.ones(2)
    with efw.dual_level():
        d = efw.make_dual(x, ember.ones(2))
        y = d * 2
    assert efw.unpack_dual(y).tangent is None and efw.unpack_dual(d).tangent is None
    assert not efw._TANGENTS
    from ember.autograd import function
    assert function._FW_ON is False
