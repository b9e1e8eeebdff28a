"""The fast conv/pool paths (ember/_ops/conv.py, pool.py) against torch: both conv layouts
(NC per-sample GEMMs for small C*kh*kw, CN one big GEMM otherwise), the shared-pad 'wide'
geometry, the forward-columns workspace reused by the backward (and its invalidation), the
non-overlapping max-pool with uint8 window offsets (ties, NaN, inf, ragged edges)."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
import ember._ops.conv as C
from ember.autograd import gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def R(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.fixture(params=["nc", "cn"])
def layout(request, monkeypatch):
    monkeypatch.setattr(C, "_NC_MAX_K", 10 ** 9 if request.param == "nc" else 0)
    return request.param


def _both(fn_e, fn_t, arrays, seed=5):
    """Values and gradients of every input, ember vs torch (float64)."""
    res = []
    for lib, fn in ((ember, fn_e), (torch, fn_t)):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = fn(*ts)
        g = R(*tuple(y.shape), seed=seed)
        y.backward(lib.tensor(g))
        res.append([y.detach().numpy()] + [t.grad.numpy() for t in ts])
    for a, b in zip(*res):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


CONV_CASES = [
    ((2, 3, 7, 9), (4, 3, 3, 2), dict(padding=1)),
    ((2, 3, 7, 9), (4, 3, 3, 3), dict(padding=(2, 0), dilation=(2, 1))),
    ((2, 3, 7, 9), (4, 3, 3, 3), dict(padding="same", dilation=2)),
    ((2, 3, 7, 9), (4, 3, 2, 4), dict(padding="same")),
    ((2, 3, 5, 6), (4, 3, 2, 2), dict(padding=3)),  # padding wider than the kernel
    ((2, 3, 5, 1), (4, 3, 3, 1), dict(padding=(1, 0))),
    ((2, 3, 5, 6), (4, 3, 1, 1), dict(padding=2)),
    ((1, 2, 4, 5), (3, 2, 4, 5), dict()),  # kernel = input
    ((3, 9, 6, 5), (5, 9, 3, 3), dict(padding=1)),  # C*kh*kw = 81
]


@pytest.mark.parametrize("xs,ws,kw", CONV_CASES)
def test_conv2d_fast_layouts_match_torch(layout, xs, ws, kw):
    _both(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw),
          [R(*xs), R(*ws, seed=1), R(ws[0], seed=2)])


def test_conv1d_fast_and_float32(layout):
    _both(lambda x, w: F.conv1d(x, w, padding="same", dilation=3),
          lambda x, w: TF.conv1d(x, w, padding="same", dilation=3), [R(2, 2, 9), R(3, 2, 4)])
    x, w = R(4, 16, 14, 14).astype(np.float32), R(32, 16, 3, 3, seed=1).astype(np.float32)
    ye = F.conv2d(ember.tensor(x), ember.tensor(w), padding=1).numpy()
    yt = TF.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy()
    np.testing.assert_allclose(ye, yt, rtol=1e-4, atol=1e-4)


def test_conv_columns_workspace_reuse_and_invalidation(layout):
    """Two convs of one geometry before the backward: the second overwrites the shared
    columns workspace, so the first one's backward must recompute its own."""
    x1, x2, w = R(2, 3, 6, 6), R(2, 3, 6, 6, seed=1), R(4, 3, 3, 3, seed=2)

    def f(lib, F_):
        a = lib.tensor(x1, requires_grad=True)
        b = lib.tensor(x2, requires_grad=True)
        wt = lib.tensor(w, requires_grad=True)
        y = (F_.conv2d(a, wt, padding=1) * F_.conv2d(b, wt, padding=1)).sum() \
            + F_.conv2d(a, wt, padding=1).pow(2).sum()
        y.backward()
        return [a.grad.numpy(), b.grad.numpy(), wt.grad.numpy()]

    for p, q in zip(f(ember, F), f(torch, TF)):
        np.testing.assert_allclose(p, q, rtol=1e-9)
    # retain_graph: the second backward reuses the same (still owned) columns
    a, wt = ember.tensor(x1, requires_grad=True), ember.tensor(w, requires_grad=True)
    y = F.conv2d(a, wt, padding=1).sum()
    y.backward(retain_graph=True)
    g1 = wt.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(wt.grad.numpy(), 2 * g1, rtol=1e-12)


def test_conv_fast_gradgrad(layout):
    x = ember.tensor(R(1, 2, 5, 4), requires_grad=True)
    w = ember.tensor(R(3, 2, 3, 2, seed=1), requires_grad=True)
    assert gradgradcheck(lambda a, b: F.conv2d(a, b, padding=(1, 2)), (x, w))


@pytest.mark.parametrize("mode", ["rand", "ties", "nan", "inf"])
@pytest.mark.parametrize("shape,k", [((2, 3, 8, 8), 2), ((2, 3, 9, 7), 2), ((2, 3, 9, 9), 3),
                                     ((2, 3, 9, 9), (3, 2)), ((3, 9, 9), (3, 2))])
def test_tiled_max_pool_matches_torch(mode, shape, k):
    x = R(*shape)
    if mode == "ties":
        x = np.round(x)
    elif mode == "nan":
        x.flat[::7] = np.nan
    elif mode == "inf":
        x.flat[::5] = np.inf
        x.flat[1::9] = -np.inf
    res = []
    for lib, F_ in ((ember, F), (torch, TF)):
        t = lib.tensor(x, requires_grad=True)
        y = F_.max_pool2d(t, k)
        y.backward(lib.tensor(R(*tuple(y.shape), seed=3)))
        res.append((y.detach().numpy(), t.grad.numpy(), type(y.grad_fn).__name__))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])
    if len(shape) == 4:
        assert res[0][2] == res[1][2] == "MaxPool2DWithIndicesBackward0"


def test_tiled_max_pool_float32_relu_zero_ties_and_gradgrad():
    x = np.maximum(R(2, 4, 8, 8), 0).astype(np.float32)  # many all-zero windows
    te, tt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.max_pool2d(te, 2).sum().backward()
    TF.max_pool2d(tt, 2).sum().backward()
    np.testing.assert_array_equal(te.grad.numpy(), tt.grad.numpy())
    xe = ember.tensor(R(1, 2, 4, 6), requires_grad=True)
    assert gradgradcheck(lambda t: F.max_pool2d(t, 2), (xe,))
