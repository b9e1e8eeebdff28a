"""Convolution and pooling: differential tests against torch (values, input and parameter
gradients), hypothesis sweeps of the geometry, gradcheck/gradgradcheck, error texts."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from _nn_helpers import close, compare_fn, copy_module_params, e

torch = pytest.importorskip("torch")
TF = torch.nn.functional

hyp = pytest.importorskip("hypothesis")
from hypothesis import assume, given, strategies as st  # noqa: E402


def R(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def D(*shape, seed=0):
    return ember.tensor(R(*shape, seed=seed), requires_grad=True)


# ----------------------------------------------------------------------------- functional


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding="same", dilation=2),
                                dict(groups=2, stride=(2, 1), padding=(0, 2)),
                                dict(padding="valid", dilation=(2, 1))])
def test_conv2d_matches_torch(kw):
    x, w, b = R(2, 4, 7, 8), R(6, 4 // kw.get("groups", 1), 3, 2, seed=1), R(6, seed=2)
    ye, yt = compare_fn(torch, lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw),
                        [x, w, b], rtol=1e-9, atol=1e-9)
    assert type(ye.grad_fn).__name__ == type(yt.grad_fn).__name__ == "ConvolutionBackward0"


def test_conv1d_and_unbatched_match_torch():
    compare_fn(torch, lambda *a: F.conv1d(*a, stride=2, padding=1, dilation=2),
               lambda *a: TF.conv1d(*a, stride=2, padding=1, dilation=2),
               [R(2, 3, 9), R(4, 3, 3), R(4)], rtol=1e-9, atol=1e-9)
    compare_fn(torch, lambda *a: F.conv2d(*a, padding=1), lambda *a: TF.conv2d(*a, padding=1),
               [R(3, 5, 5), R(2, 3, 3, 3)], rtol=1e-9, atol=1e-9)


def test_conv_float32_default_dtype():
    x, w = R(2, 3, 6, 6).astype(np.float32), R(4, 3, 3, 3).astype(np.float32)
    ye, _ = compare_fn(torch, F.conv2d, TF.conv2d, [x, w], rtol=1e-4, atol=1e-4)
    assert ye.dtype == ember.float32


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1, output_padding=1),
                                dict(stride=3, dilation=2, groups=2),
                                dict(stride=(2, 1), padding=(1, 0))])
def test_conv_transpose2d_matches_torch(kw):
    g = kw.get("groups", 1)
    compare_fn(torch, lambda *a: F.conv_transpose2d(*a, **kw),
               lambda *a: TF.conv_transpose2d(*a, **kw),
               [R(2, 4, 4, 5), R(4, 6 // g, 3, 3, seed=1), R(6, seed=2)], rtol=1e-9, atol=1e-9)


def test_conv_transpose1d_matches_torch():
    compare_fn(torch, lambda *a: F.conv_transpose1d(*a, stride=2, padding=1),
               lambda *a: TF.conv_transpose1d(*a, stride=2, padding=1),
               [R(2, 3, 5), R(3, 2, 4), R(2)], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=(3, 2), stride=(2, 1), ceil_mode=True),
                                dict(kernel_size=2, dilation=2, padding=1)])
def test_max_pool2d_matches_torch(kw):
    ye, yt = compare_fn(torch, lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw),
                        [R(2, 3, 9, 8)], rtol=1e-12, atol=1e-12)
    assert type(ye.grad_fn).__name__ == "MaxPool2DWithIndicesBackward0"
    ie = F.max_pool2d(e(R(2, 3, 9, 8)), return_indices=True, **kw)[1]
    it = TF.max_pool2d(torch.tensor(R(2, 3, 9, 8)), return_indices=True, **kw)[1]
    np.testing.assert_array_equal(ie.numpy(), it.numpy())
    assert ie.dtype == ember.int64


def test_max_pool_nan_propagates_like_torch():
    x = R(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    close(F.max_pool2d(e(x), 2), TF.max_pool2d(torch.tensor(x), 2))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                     count_include_pad=False),
                                dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=2, divisor_override=3)])
def test_avg_pool2d_matches_torch(kw):
    compare_fn(torch, lambda x: F.avg_pool2d(x, **kw), lambda x: TF.avg_pool2d(x, **kw),
               [R(2, 3, 9, 8)], rtol=1e-12, atol=1e-12)


def test_pool1d_match_torch():
    compare_fn(torch, lambda x: F.max_pool1d(x, 3, 2, 1), lambda x: TF.max_pool1d(x, 3, 2, 1),
               [R(2, 3, 9)], rtol=1e-12, atol=1e-12)
    compare_fn(torch, lambda x: F.avg_pool1d(x, 3, 2, 1), lambda x: TF.avg_pool1d(x, 3, 2, 1),
               [R(2, 3, 9)], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("out", [(3, 4), (4, 3), 1, (None, 2), 5])
def test_adaptive_pools_match_torch(out):
    compare_fn(torch, lambda x: F.adaptive_avg_pool2d(x, out),
               lambda x: TF.adaptive_avg_pool2d(x, out), [R(2, 3, 9, 8)], rtol=1e-9,
               atol=1e-12)
    compare_fn(torch, lambda x: F.adaptive_max_pool2d(x, out),
               lambda x: TF.adaptive_max_pool2d(x, out), [R(2, 3, 9, 8)], rtol=1e-9,
               atol=1e-12)
    ie = F.adaptive_max_pool2d(e(R(2, 3, 9, 8)), out, return_indices=True)[1]
    it = TF.adaptive_max_pool2d(torch.tensor(R(2, 3, 9, 8)), out, return_indices=True)[1]
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_adaptive_1d_match_torch():
    compare_fn(torch, lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4),
               [R(2, 3, 9)], rtol=1e-9, atol=1e-12)


def test_unfold_fold_match_torch():
    kw = dict(kernel_size=(2, 3), dilation=2, padding=1, stride=(2, 1))
    compare_fn(torch, lambda x: F.unfold(x, **kw), lambda x: TF.unfold(x, **kw),
               [R(2, 3, 6, 7)], rtol=1e-12, atol=1e-12)
    compare_fn(torch, lambda x: F.fold(x, (6, 7), **kw), lambda x: TF.fold(x, (6, 7), **kw),
               [R(2, 18, 15)], rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- hypothesis


@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2),
       st.integers(1, 2), st.sampled_from([1, 2]), st.integers(5, 9), st.integers(5, 9))
def test_conv2d_geometry_sweep(n, k, s, p, d, groups, h, w):
    if p > (d * (k - 1)) // 2 + 1:
        p = 0
    assume(min(h, w) + 2 * p >= d * (k - 1) + 1)
    x, wt = R(n, 2 * groups, h, w), R(2 * groups, 2, k, k, seed=1)
    compare_fn(torch, lambda a, b: F.conv2d(a, b, None, s, p, d, groups),
               lambda a, b: TF.conv2d(a, b, None, s, p, d, groups), [x, wt], rtol=1e-9,
               atol=1e-9)


@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.integers(1, 2),
       st.booleans(), st.integers(4, 9), st.integers(4, 9))
def test_pool_geometry_sweep(k, s, p, d, ceil, h, w):
    p = min(p, k // 2)
    assume(min(h, w) + 2 * p >= d * (k - 1) + 1)
    x = R(2, 2, h, w)
    compare_fn(torch, lambda a: F.max_pool2d(a, k, s, p, d, ceil),
               lambda a: TF.max_pool2d(a, k, s, p, d, ceil), [x], rtol=1e-12, atol=1e-12)
    compare_fn(torch, lambda a: F.avg_pool2d(a, k, s, p, ceil, False),
               lambda a: TF.avg_pool2d(a, k, s, p, ceil, False), [x], rtol=1e-9, atol=1e-12)


@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.integers(0, 1),
       st.integers(3, 6))
def test_conv_transpose_geometry_sweep(k, s, p, op, h):
    d = 1
    if op >= s:
        op = 0
    compare_fn(torch, lambda a, b: F.conv_transpose2d(a, b, None, s, p, op, 1, d),
               lambda a, b: TF.conv_transpose2d(a, b, None, s, p, op, 1, d),
               [R(1, 2, h, h + 1), R(2, 3, k, k, seed=3)], rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------------------------- modules


def _module_parity(em, tm, x, atol=1e-9):
    tm = tm.double()
    em = em.double()
    assert list(em.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        assert tuple(em.state_dict()[k].shape) == tuple(v.shape)
    copy_module_params(tm, em)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = em(xe), tm(xt)
    close(ye, yt, 1e-9, atol)
    g = R(*yt.shape, seed=5)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    close(xe.grad, xt.grad, 1e-9, atol)
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        close(p.grad, q.grad, 1e-9, atol)
    # and back: ember weights load into torch
    tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in em.state_dict().items()})


@pytest.mark.parametrize("args,kw", [((3, 6, 3), dict(padding=1)),
                                     ((4, 6, (3, 2)), dict(stride=2, groups=2, bias=False)),
                                     ((3, 4, 3), dict(padding="same", padding_mode="reflect")),
                                     ((3, 4, 3), dict(padding=1, padding_mode="circular"))])
def test_conv2d_module(args, kw):
    _module_parity(nn.Conv2d(*args, **kw), torch.nn.Conv2d(*args, **kw), R(2, args[0], 7, 6))
    assert repr(nn.Conv2d(*args, **kw)) == repr(torch.nn.Conv2d(*args, **kw))


def test_conv1d_and_transpose_modules():
    _module_parity(nn.Conv1d(3, 4, 3, stride=2), torch.nn.Conv1d(3, 4, 3, stride=2), R(2, 3, 9))
    kw = dict(stride=2, padding=1, output_padding=1)
    _module_parity(nn.ConvTranspose2d(3, 4, 3, **kw), torch.nn.ConvTranspose2d(3, 4, 3, **kw),
                   R(2, 3, 4, 5))
    assert repr(nn.ConvTranspose2d(3, 4, 3, **kw)) == repr(torch.nn.ConvTranspose2d(3, 4, 3, **kw))
    _module_parity(nn.ConvTranspose1d(3, 4, 3), torch.nn.ConvTranspose1d(3, 4, 3), R(2, 3, 5))


def test_conv_transpose_output_size_argument():
    m = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    assert tuple(m(e(R(1, 2, 4, 4).astype(np.float32)), output_size=[8, 8]).shape) == (1, 2, 8, 8)


def test_default_init_bounds_like_torch():
    ember.manual_seed(0)
    m = nn.Conv2d(4, 8, 3)
    bound = 1 / np.sqrt(4 * 9)
    w = m.weight.detach().numpy()
    assert w.min() >= -bound and w.max() <= bound and w.std() > bound / 3
    assert np.abs(m.bias.detach().numpy()).max() <= bound


@pytest.mark.parametrize("name,args", [("MaxPool2d", (3, 2, 1)), ("AvgPool2d", (2,)),
                                       ("MaxPool1d", (2,)), ("AvgPool1d", (3, 2)),
                                       ("AdaptiveAvgPool2d", ((2, 3),)),
                                       ("AdaptiveMaxPool2d", (2,)),
                                       ("AdaptiveAvgPool1d", (3,)),
                                       ("LPPool2d", (2, 2))])
def test_pool_modules(name, args):
    em, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    x = np.abs(R(2, 3, 8, 7)) if "1d" not in name else np.abs(R(2, 3, 8))
    _module_parity(em, tm, x)
    assert repr(em) == repr(tm)


def test_maxunpool_roundtrip():
    x = R(1, 2, 4, 4)
    ye, ie = F.max_pool2d(e(x), 2, return_indices=True)
    yt, it = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    close(nn.MaxUnpool2d(2)(ye, ie), torch.nn.MaxUnpool2d(2)(yt, it))


def test_small_cnn_training_step_matches_torch():
    def build(mod):
        return mod.Sequential(mod.Conv2d(1, 4, 3, padding=1), mod.ReLU(), mod.MaxPool2d(2),
                              mod.Conv2d(4, 8, 3), mod.BatchNorm2d(8), mod.ReLU(),
                              mod.AdaptiveAvgPool2d(1), mod.Flatten(), mod.Linear(8, 3))
    tm, em = build(torch.nn).double(), build(nn).double()
    copy_module_params(tm, em)
    x, y = R(4, 1, 8, 8), np.array([0, 2, 1, 2])
    lt = TF.cross_entropy(tm(torch.tensor(x)), torch.tensor(y))
    le = F.cross_entropy(em(ember.tensor(x)), ember.tensor(y))
    close(le, lt, 1e-9, 1e-9)
    lt.backward()
    le.backward()
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        close(p.grad, q.grad, 1e-7, 1e-9)


# ------------------------------------------------------------------ gradcheck / gradgrad


GRAD_CASES = {
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2),
               lambda: (D(2, 4, 5, 5), D(4, 2, 3, 3, seed=1), D(4, seed=2))),
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b, padding=1, dilation=2),
               lambda: (D(2, 2, 6), D(3, 2, 2, seed=1), D(3, seed=2))),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
                         lambda: (D(1, 2, 3, 3), D(2, 3, 3, 3, seed=1), D(3, seed=2))),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1), lambda: (D(1, 2, 5, 5),)),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
                   lambda: (D(1, 2, 5, 5),)),
    "adaptive_max": (lambda x: F.adaptive_max_pool2d(x, (2, 3)), lambda: (D(1, 2, 5, 5),)),
    "adaptive_avg": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), lambda: (D(1, 2, 5, 5),)),
    "unfold": (lambda x: F.unfold(x, 2, padding=1, stride=2), lambda: (D(1, 2, 4, 4),)),
    "fold": (lambda x: F.fold(x, (3, 3), 2), lambda: (D(1, 8, 4),)),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradcheck_and_gradgradcheck(name):
    fn, make = GRAD_CASES[name]
    assert gradcheck(fn, make())
    assert gradgradcheck(fn, make())


# ------------------------------------------------------------------------------- errors


def _same_error(fe, ft, exc=RuntimeError):
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(exc) as ee:
        fe()
    assert str(ee.value) == str(et.value)


@pytest.mark.parametrize("xs,ws,kw", [((2, 3), (16, 1, 3, 3), {}),
                                      ((2, 3, 28, 28), (16, 1, 3, 3), {}),
                                      ((2, 3, 2, 2), (16, 3, 3, 3), {}),
                                      ((2, 4, 8, 8), (15, 2, 3, 3), dict(groups=2)),
                                      ((2, 4, 8, 8), (16, 4, 3, 3),
                                       dict(stride=2, padding="same"))])
def test_conv2d_error_texts(xs, ws, kw):
    _same_error(lambda: F.conv2d(ember.zeros(*xs), ember.zeros(*ws), **kw),
                lambda: TF.conv2d(torch.zeros(*xs), torch.zeros(*ws), **kw))


def test_other_error_texts():
    _same_error(lambda: F.conv1d(ember.zeros(2, 3, 5, 5), ember.zeros(16, 3, 3)),
                lambda: TF.conv1d(torch.zeros(2, 3, 5, 5), torch.zeros(16, 3, 3)))
    _same_error(lambda: F.conv_transpose2d(ember.zeros(2, 4, 8, 8), ember.zeros(3, 4, 3, 3)),
                lambda: TF.conv_transpose2d(torch.zeros(2, 4, 8, 8), torch.zeros(3, 4, 3, 3)))
    _same_error(lambda: F.max_pool2d(ember.zeros(2, 3), 2),
                lambda: TF.max_pool2d(torch.zeros(2, 3), 2))
    _same_error(lambda: F.max_pool2d(ember.zeros(1, 3, 4, 4), 3, padding=2),
                lambda: TF.max_pool2d(torch.zeros(1, 3, 4, 4), 3, padding=2))
    _same_error(lambda: F.max_pool2d(ember.zeros(1, 3, 2, 2), 3),
                lambda: TF.max_pool2d(torch.zeros(1, 3, 2, 2), 3))
    _same_error(lambda: F.max_pool1d(ember.zeros(2, 3, 4, 4), 2),
                lambda: TF.max_pool1d(torch.zeros(2, 3, 4, 4), 2))
    _same_error(lambda: nn.Conv2d(1, 16, 3)(ember.zeros(2, 3, 28, 28)),
                lambda: torch.nn.Conv2d(1, 16, 3)(torch.zeros(2, 3, 28, 28)))
