"""Mixed precision against torch 2.13 on the CPU: ``torch.autocast('cpu')`` (bfloat16 and
float16) casts the ops on the lower-precision list and the float32-list losses as torch does
(output dtypes, values, graphs, gradient dtypes), the state functions and warnings, the
deprecated ``torch.cpu.amp``/``torch.cuda.amp`` spellings, and GradScaler (disabled for CUDA,
real loss scaling on the CPU)."""
import importlib
import warnings

import numpy as np
import pytest

import ember
from ember import _dtype as D

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
needs_bf16 = pytest.mark.skipif(D.bfloat16 is None, reason="bfloat16 needs ml_dtypes")

LOW = ["float16", pytest.param("bfloat16", marks=needs_bf16)]
TOL = {"float16": (2e-3, 2e-3), "bfloat16": (2e-2, 2e-2)}


def _arrays(seed, shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def _long(lib, v):
    return lib.tensor(v, dtype=lib.int64)


# (name, shapes of the float32 leaves, fn(lib, *leaves))
CASES = [
    ("linear_2d", [(4, 6), (3, 6), (3,)], lambda L, x, w, b: L.nn.functional.linear(x, w, b)),
    ("linear_3d", [(2, 4, 6), (3, 6), (3,)], lambda L, x, w, b: L.nn.functional.linear(x, w, b)),
    ("linear_nobias", [(4, 6), (3, 6)], lambda L, x, w: L.nn.functional.linear(x, w)),
    ("mm", [(4, 6), (6, 3)], lambda L, a, b: L.mm(a, b)),
    ("matmul_op", [(2, 4, 6), (6, 3)], lambda L, a, b: a @ b),
    ("matmul_4d", [(2, 2, 4, 6), (2, 2, 6, 3)], lambda L, a, b: L.matmul(a, b)),
    ("bmm", [(2, 4, 6), (2, 6, 3)], lambda L, a, b: L.bmm(a, b)),
    ("addmm", [(3,), (4, 6), (6, 3)], lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2)),
    ("baddbmm", [(2, 4, 3), (2, 4, 6), (2, 6, 3)], lambda L, c, a, b: L.baddbmm(c, a, b)),
    ("addbmm", [(4, 3), (2, 4, 6), (2, 6, 3)], lambda L, c, a, b: L.addbmm(c, a, b)),
    ("conv1d", [(2, 3, 9), (4, 3, 3), (4,)],
     lambda L, x, w, b: L.nn.functional.conv1d(x, w, b, padding=1)),
    ("conv2d", [(2, 3, 6, 6), (4, 3, 3, 3), (4,)],
     lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, stride=2)),
    ("conv_transpose2d", [(2, 3, 4, 4), (3, 2, 3, 3), (2,)],
     lambda L, x, w, b: L.nn.functional.conv_transpose2d(x, w, b)),
    ("prelu", [(2, 3, 4), (3,)], lambda L, x, w: L.nn.functional.prelu(x, w)),
    ("sdpa", [(1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)],
     lambda L, q, k, v: L.nn.functional.scaled_dot_product_attention(q, k, v)),
    ("einsum_contraction", [(2, 4, 6), (2, 6, 3)], lambda L, a, b: L.einsum("bij,bjk->bik", a, b)),
    ("einsum_outer", [(4,), (3,)], lambda L, a, b: L.einsum("i,j->ij", a, b)),
    ("tensordot", [(4, 6), (6, 3)], lambda L, a, b: L.tensordot(a, b, dims=1)),
    ("mv_stays_float32", [(4, 6), (6,)], lambda L, a, v: L.mv(a, v)),
    ("dot_stays_float32", [(6,), (6,)], lambda L, a, b: L.dot(a, b)),
    ("bilinear_stays_float32", [(4, 3), (4, 5), (2, 3, 5)],
     lambda L, a, b, w: L.nn.functional.bilinear(a, b, w)),
    ("relu_of_linear", [(4, 6), (3, 6)], lambda L, x, w: L.relu(L.nn.functional.linear(x, w))),
    ("residual_add_promotes", [(4, 6), (6, 6)], lambda L, x, w: x + L.nn.functional.linear(x, w)),
    ("cross_entropy", [(4, 6), (5, 6)],
     lambda L, x, w: L.nn.functional.cross_entropy(L.nn.functional.linear(x, w),
                                                   _long(L, [0, 1, 4, 2]))),
    ("mse_loss", [(4, 6), (3, 6), (4, 3)],
     lambda L, x, w, t: L.nn.functional.mse_loss(L.nn.functional.linear(x, w), t)),
    ("l1_loss", [(4, 6), (3, 6), (4, 3)],
     lambda L, x, w, t: L.nn.functional.l1_loss(L.nn.functional.linear(x, w), t)),
    ("bce_with_logits", [(4, 6), (3, 6)],
     lambda L, x, w: L.nn.functional.binary_cross_entropy_with_logits(
         L.nn.functional.linear(x, w), L.ones(4, 3) * 0.25)),
    ("nll_loss", [(4, 6), (5, 6)],
     lambda L, x, w: L.nn.functional.nll_loss(L.nn.functional.linear(x, w),
                                              _long(L, [0, 1, 4, 2]))),
    ("smooth_l1_loss", [(4, 6), (3, 6), (4, 3)],
     lambda L, x, w, t: L.nn.functional.smooth_l1_loss(L.nn.functional.linear(x, w), t)),
    ("float64_stays", [(4, 6), (6, 3)], lambda L, a, b: L.mm(a.double(), b.double())),
    ("prod_fp32", [(3, 4), (4, 2)], lambda L, a, b: L.prod(L.mm(a, b) * 0.5, 0)),
    ("trace_fp32", [(3, 4), (4, 3)], lambda L, a, b: L.trace(L.mm(a, b))),
]


def _names(t):
    g = t.grad_fn
    if g is None:
        return None
    return [type(g).__name__] + [None if n is None else type(n).__name__
                                 for n, _ in g.next_functions]


def _run(lib, dtype_name, shapes, fn, seed=0):
    leaves = [lib.tensor(a, requires_grad=True) for a in _arrays(seed, shapes)]
    with lib.autocast("cpu", dtype=getattr(lib, dtype_name)):
        out = fn(lib, *leaves)
    names = _names(out)
    out.float().sum().backward()
    return out, names, leaves


@needs_torch
@pytest.mark.parametrize("dtype_name", LOW)
@pytest.mark.parametrize("name,shapes,fn", CASES, ids=[c[0] for c in CASES])
def test_op_under_autocast_matches_torch(dtype_name, name, shapes, fn):
    out_e, names_e, leaves_e = _run(ember, dtype_name, shapes, fn)
    out_t, names_t, leaves_t = _run(torch, dtype_name, shapes, fn)
    assert str(out_e.dtype) == str(out_t.dtype)
    assert tuple(out_e.shape) == tuple(out_t.shape)
    rtol, atol = TOL[dtype_name]
    np.testing.assert_allclose(out_e.detach().float().numpy(), out_t.detach().float().numpy(),
                               rtol=rtol, atol=atol * 10)
    if not name.startswith(("einsum", "bilinear")):  # (ember's einsum is one node: the
        # README's known graph difference; torch's is a chain of views and a bmm)
        assert names_e == names_t
    for le, lt in zip(leaves_e, leaves_t):
        assert (le.grad is None) == (lt.grad is None)
        if lt.grad is not None:
            assert str(le.grad.dtype) == str(lt.grad.dtype) == "torch.float32"
            np.testing.assert_allclose(le.grad.numpy(), lt.grad.numpy(), rtol=rtol * 5,
                                       atol=atol * 50)


@needs_torch
@needs_bf16
def test_bfloat16_operands_are_cast_to_float16():
    for lib in (ember, torch):
        b = lib.ones(2, 2).to(lib.bfloat16)
        with lib.autocast("cpu", dtype=lib.float16):
            assert (b @ b).dtype == lib.float16


@needs_torch
@needs_bf16
def test_mixed_double_operand_error_matches_torch():
    for lib in (ember, torch):
        with lib.autocast("cpu"), pytest.raises(RuntimeError) as e:
            lib.mm(lib.ones(2, 2, dtype=lib.float64), lib.ones(2, 2))
        assert "expected m1 and m2 to have the same dtype, but got: double != c10::BFloat16" \
            in str(e.value)


@needs_torch
@pytest.mark.parametrize("lib_name", ["ember", "torch"])
def test_state_functions_nesting_and_decorator(lib_name):
    lib = ember if lib_name == "ember" else torch
    seen = []

    @lib.autocast("cpu", dtype=lib.float16)
    def f(a):
        seen.append((lib.is_autocast_enabled("cpu"), str(lib.get_autocast_dtype("cpu"))))
        return a @ a

    a = lib.ones(2, 2)
    assert not lib.is_autocast_enabled("cpu") and not lib.is_autocast_enabled()
    assert str(lib.get_autocast_dtype("cpu")) == "torch.bfloat16"
    assert str(lib.get_autocast_dtype("cuda")) == "torch.float16"
    assert str(f(a).dtype) == "torch.float16"
    with lib.autocast("cpu", dtype=lib.float16):
        assert lib.is_autocast_enabled("cpu") and not lib.is_autocast_enabled("cuda")
        with lib.autocast("cpu", enabled=False):
            assert not lib.is_autocast_enabled("cpu")
            assert str((a @ a).dtype) == "torch.float32"
            assert str(f(a).dtype) == "torch.float16"
            assert not lib.is_autocast_enabled("cpu")
        assert str((a @ a).dtype) == "torch.float16"
    assert (a @ a).dtype == lib.float32
    assert seen == [(True, "torch.float16")] * 2
    assert lib.is_autocast_cache_enabled()
    assert lib.autocast_increment_nesting() == 1 and lib.autocast_decrement_nesting() == 0


@needs_torch
@pytest.mark.parametrize("lib_name", ["ember", "torch"])
def test_weight_cast_is_cached_for_the_region(lib_name):
    """torch's autocast cache: a float32 leaf weight is cast once per outermost region (the
    same ToCopyBackward0 node feeds both products); without the cache, once per use."""
    lib = ember if lib_name == "ember" else torch
    w = lib.ones(3, 3, requires_grad=True)
    x = lib.ones(2, 3)
    for cache in (True, False):
        with lib.autocast("cpu", dtype=lib.float16, cache_enabled=cache):
            y1, y2 = lib.mm(x, w), lib.mm(x, w)
        n1, n2 = y1.grad_fn.next_functions[1][0], y2.grad_fn.next_functions[1][0]
        assert type(n1).__name__ == "ToCopyBackward0"
        assert (n1 is n2) == cache
        (y1.float().sum() + y2.float().sum()).backward()
        assert w.grad.dtype == lib.float32 and float(w.grad.sum()) == 36.0
        w.grad = None


def _warned(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001 - the class and text are compared
            r = f"{type(e).__name__}: {e}"
    return r if isinstance(r, str) else type(r).__name__, [(x.category.__name__, str(x.message))
                                                           for x in w]


@needs_torch
@pytest.mark.parametrize("call", [
    "lib.autocast('cuda')", "lib.autocast('cpu', dtype=lib.float32)",
    "lib.autocast('cpu', dtype=lib.float64)", "lib.autocast(device_type=3)",
    "lib.autocast('foo')", "lib.autocast('cpu')(3)", "lib.amp.autocast('cpu', dtype=lib.float16)",
    "lib.cpu.amp.autocast()", "lib.amp.GradScaler()", "lib.cpu.amp.GradScaler()",
    "lib.amp.GradScaler('cpu', growth_factor=1.0)", "lib.get_autocast_cpu_dtype()",
])
def test_constructors_warnings_and_errors_match_torch(call):
    ours = _warned(lambda: eval(call, {"lib": ember}))
    theirs = _warned(lambda: eval(call, {"lib": torch}))
    if call == "lib.autocast('foo')":  # device-string error: the same start
        assert ours[0].split(" at start")[0] == theirs[0].split(" at start")[0]
        return
    if call == "lib.get_autocast_cpu_dtype()":  # torch adds where the C++ code warned
        assert ours[0] == theirs[0] and ours[1][0][1] == theirs[1][0][1].split(" (Triggered")[0]
        return
    assert ours == theirs


@needs_torch
def test_cuda_amp_spellings_warn_and_disable():
    camp = importlib.import_module("ember.cuda.amp")
    assert not ember.cuda.is_available()  # (importing it leaves ember.cuda the device module)
    for ours, theirs in ((lambda: camp.autocast(), lambda: torch.cuda.amp.autocast()),
                         (lambda: camp.GradScaler(), lambda: torch.cuda.amp.GradScaler())):
        assert _warned(ours)[1] == _warned(theirs)[1]


def test_bfloat16_without_ml_dtypes_says_what_to_install(monkeypatch):
    from ember import _autocast
    monkeypatch.setattr(D, "bfloat16", None)
    monkeypatch.setattr(_autocast, "_dtype", {})  # (the dtype state as a fresh process has it)
    with pytest.raises(RuntimeError, match="ml_dtypes"):
        ember.autocast("cpu")
    with ember.autocast("cpu", dtype=ember.float16):  # float16 needs nothing
        assert ember.mm(ember.ones(2, 2), ember.ones(2, 2)).dtype == ember.float16


@needs_torch
def test_disabled_cuda_grad_scaler_passes_through():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="CUDA is not available.  Disabling."):
            s = lib.amp.GradScaler()
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.5)
        loss = (p * 3).sum()
        assert s.scale(loss) is loss
        loss.backward()
        s.unscale_(opt)
        assert s.step(opt) is None and p.tolist() == [-0.5, -0.5]
        s.update()
        assert not s.is_enabled() and s.get_scale() == 1.0 and s.state_dict() == {}


def _scaler_run(lib, steps=8):
    """float16 autocast training with GradScaler('cpu'): a few clean steps (the scale grows
    every 2), then a step whose loss overflows (skipped, scale backed off)."""
    rng = np.random.default_rng(1)
    w1, w2 = rng.standard_normal((8, 4)).astype(np.float32), rng.standard_normal((3, 8))
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
    with lib.no_grad():
        model[0].weight.copy_(lib.tensor(w1))
        model[2].weight.copy_(lib.tensor(w2.astype(np.float32)))
        model[0].bias.zero_()
        model[2].bias.zero_()
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    scaler = lib.amp.GradScaler("cpu", init_scale=256.0, growth_interval=2)
    x = lib.tensor(rng.standard_normal((6, 4)).astype(np.float32))
    y = lib.tensor([0, 1, 2, 0, 1, 2], dtype=lib.int64)
    log = []
    for i in range(steps):
        opt.zero_grad()
        xi = x * (1e4 if i == 5 else 1.0)  # step 5: float16 gradients overflow
        with lib.autocast("cpu", dtype=lib.float16):
            out = model(xi)
            loss = lib.nn.functional.cross_entropy(out, y)
        scaler.scale(loss).backward()
        ret = scaler.step(opt)
        scaler.update()
        log.append((str(out.dtype), str(loss.dtype), ret, scaler.get_scale(),
                    scaler._get_growth_tracker(), str(model[0].weight.grad.dtype)))
    params = [p.detach().numpy().copy() for p in model.parameters()]
    return log, params, scaler.state_dict()


@needs_torch
def test_grad_scaler_on_cpu_matches_torch():
    log_e, params_e, sd_e = _scaler_run(ember)
    log_t, params_t, sd_t = _scaler_run(torch)
    assert log_e == log_t
    assert sd_e == sd_t
    assert log_t[5][3] < log_t[4][3]  # (the overflow step backed off)
    for a, b in zip(params_e, params_t):
        np.testing.assert_allclose(a, b, rtol=2e-3, atol=2e-3)


@needs_torch
def test_grad_scaler_errors_match_torch():
    for lib in (ember, torch):
        s = lib.amp.GradScaler("cpu")
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
            s.step(opt)
        s.scale(p.sum()).backward()
        s.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            s.unscale_(opt)
        s.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            s.step(opt)
        s.update(128.0)
        assert s.get_scale() == 128.0
        s2 = lib.amp.GradScaler("cpu")
        s2.load_state_dict(s.state_dict())
        assert s2.get_scale() == 128.0


@needs_torch
@needs_bf16
def test_bfloat16_cnn_training_step_matches_torch():
    """A small CNN classifier, forward under bfloat16 autocast, three SGD steps."""
    def run(lib):
        rng = np.random.default_rng(2)
        model = lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
                                  lib.nn.Flatten(), lib.nn.Linear(36, 5))
        with lib.no_grad():
            for p in model.parameters():
                p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32) * .3))
        opt = lib.optim.SGD(model.parameters(), lr=0.05)
        x = lib.tensor(rng.standard_normal((4, 1, 8, 8)).astype(np.float32))
        y = lib.tensor([0, 1, 2, 3], dtype=lib.int64)
        out = []
        for _ in range(3):
            opt.zero_grad()
            with lib.autocast("cpu"):
                logits = model(x)
                loss = lib.nn.functional.cross_entropy(logits, y)
            loss.backward()
            opt.step()
            out.append((str(logits.dtype), str(loss.dtype), loss.item(),
                        str(model[0].weight.grad.dtype)))
        return out
    ours, theirs = run(ember), run(torch)
    assert [o[:2] + o[3:] for o in ours] == [t[:2] + t[3:] for t in theirs]
    np.testing.assert_allclose([o[2] for o in ours], [t[2] for t in theirs], rtol=2e-2)


@needs_torch
@pytest.mark.parametrize("dtype_name", LOW)
def test_recurrent_module_dtypes_match_torch(dtype_name):
    """torch's CPU GRU (and the LSTM/GRU cells) stay float32 under autocast; RNNCell's linear
    steps are autocast."""
    x = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    got = []
    for lib in (ember, torch):
        nn, xt = lib.nn, lib.tensor(x)
        with lib.autocast("cpu", dtype=getattr(lib, dtype_name)):
            got.append([str(nn.GRU(8, 4)(xt[None])[0].dtype),
                        str(nn.GRUCell(8, 4)(xt).dtype), str(nn.LSTMCell(8, 4)(xt)[0].dtype),
                        str(nn.RNNCell(8, 4)(xt).dtype)])
    assert got[0] == got[1]


@needs_torch
@pytest.mark.parametrize("lib_name", ["ember", "torch"])
def test_custom_fwd_casts_inputs_and_runs_without_autocast(lib_name):
    lib = ember if lib_name == "ember" else torch

    class MyMM(lib.autograd.Function):
        @staticmethod
        @lib.amp.custom_fwd(device_type="cpu", cast_inputs=lib.float32)
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a.mm(b)

        @staticmethod
        @lib.amp.custom_bwd(device_type="cpu")
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad.mm(b.t()), a.t().mm(grad)

    a = lib.ones(2, 3, requires_grad=True)
    b = lib.ones(3, 2, requires_grad=True)
    with lib.autocast("cpu", dtype=lib.float16):
        y = MyMM.apply(a.half(), b)
        z = a @ b
    assert (y.dtype, z.dtype) == (lib.float32, lib.float16)
    y.sum().backward()
    assert a.grad.dtype == lib.float32 and a.grad.tolist() == [[2.0] * 3] * 2
