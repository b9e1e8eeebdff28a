"""Linear/Bilinear/Identity and every activation: values, gradients, grad_fn names, gradcheck,
module reprs, against torch 2.13."""
import math

import numpy as np
import pytest

import ember
from ember import nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from _nn_helpers import close, compare_fn, copy_module_params, e

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# name, ember fn, torch fn
ACTS = [
    ("relu", F.relu, TF.relu),
    ("relu6", F.relu6, TF.relu6),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    ("elu", lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7)),
    ("selu", F.selu, TF.selu),
    ("celu", lambda x: F.celu(x, 1.3), lambda x: TF.celu(x, 1.3)),
    ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: TF.gelu(x, approximate="tanh")),
    ("silu", F.silu, TF.silu),
    ("mish", F.mish, TF.mish),
    ("tanh", F.tanh, torch.tanh),
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("hardtanh", lambda x: F.hardtanh(x, -0.5, 0.8), lambda x: TF.hardtanh(x, -0.5, 0.8)),
    ("hardsigmoid", F.hardsigmoid, TF.hardsigmoid),
    ("hardswish", F.hardswish, TF.hardswish),
    ("softplus", lambda x: F.softplus(x, 2.0, 3.0), lambda x: TF.softplus(x, 2.0, 3.0)),
    ("softsign", F.softsign, TF.softsign),
    ("tanhshrink", F.tanhshrink, TF.tanhshrink),
    ("threshold", lambda x: F.threshold(x, 0.1, -2.0), lambda x: TF.threshold(x, 0.1, -2.0)),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid),
    ("hardshrink", lambda x: F.hardshrink(x, 0.3), lambda x: TF.hardshrink(x, 0.3)),
    ("softshrink", lambda x: F.softshrink(x, 0.3), lambda x: TF.softshrink(x, 0.3)),
    ("glu", F.glu, TF.glu),
    ("softmax", lambda x: F.softmax(x, 1), lambda x: TF.softmax(x, 1)),
    ("log_softmax", lambda x: F.log_softmax(x, -1), lambda x: TF.log_softmax(x, -1)),
    ("softmin", lambda x: F.softmin(x, 0), lambda x: TF.softmin(x, 0)),
    ("normalize", F.normalize, TF.normalize),
]

# grad_fn names that match torch's
NAMED = ["relu", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "hardtanh",
         "hardsigmoid", "hardswish", "softplus", "threshold", "logsigmoid", "hardshrink",
         "softshrink", "relu6", "softmax", "log_softmax"]


def _x(dtype=np.float32, shape=(4, 6), scale=3.0):
    x = np.random.default_rng(1).standard_normal(shape) * scale
    return x.astype(dtype)


@pytest.mark.parametrize("name,fe,ft", ACTS, ids=[a[0] for a in ACTS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_matches_torch(name, fe, ft, dtype):
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    ye, yt = compare_fn(torch, fe, ft, [_x(dtype)], **tol)
    if name in NAMED:
        assert type(ye.grad_fn).__name__ == yt.grad_fn.name()


@pytest.mark.parametrize("name,fe,ft", ACTS, ids=[a[0] for a in ACTS])
def test_activation_gradcheck(name, fe, ft):
    # keep away from kinks (|x| = thresholds) where finite differences are meaningless
    x = _x(np.float64, (3, 4), 1.0)
    x = np.where(np.abs(np.abs(x) - 0.3) < 0.05, x + 0.11, x)
    x = np.where(np.abs(x) < 0.05, 0.2, x)
    xe = e(x, True)
    assert gradcheck(fe, (xe,))


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "mish", "elu", "softplus",
                                  "logsigmoid", "leaky_relu"])
def test_activation_gradgradcheck(name):
    fe = dict((a[0], a[1]) for a in ACTS)[name]
    x = e(_x(np.float64, (2, 3), 1.0), True)
    assert gradgradcheck(fe, (x,))


def test_large_inputs_stay_finite():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], np.float32)
    for fe in (F.silu, F.mish, F.logsigmoid, F.softplus, F.gelu, F.sigmoid):
        xe = e(x, True)
        y = fe(xe)
        y.sum().backward()
        assert np.isfinite(y.detach().numpy()).all()
        assert np.isfinite(xe.grad.numpy()).all()


def test_prelu_module_and_grads():
    tm = torch.nn.PReLU(3, init=0.1)
    em = nn.PReLU(3, init=0.1)
    x = _x(np.float64, (2, 3, 4))
    xe, xt = e(x, True), torch.tensor(x, requires_grad=True)
    em.double()
    tm.double()
    ye, yt = em(xe), tm(xt)
    close(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    close(xe.grad, xt.grad)
    close(em.weight.grad, tm.weight.grad)
    assert repr(em) == repr(tm)


def test_inplace_activations():
    x = _x()
    for fe, ft in [(lambda t: F.relu(t, inplace=True), lambda t: TF.relu(t, inplace=True)),
                   (lambda t: F.leaky_relu(t, 0.1, True), lambda t: TF.leaky_relu(t, 0.1, True)),
                   (lambda t: F.hardtanh(t, -1, 1, True), lambda t: TF.hardtanh(t, -1, 1, True)),
                   (lambda t: F.elu(t, 1.0, True), lambda t: TF.elu(t, 1.0, True))]:
        a, b = e(x.copy()), torch.tensor(x.copy())
        ra, _ = fe(a), ft(b)
        assert ra is a
        close(a, b)


def test_activation_modules_repr_and_forward():
    pairs = [
        (nn.ReLU(), torch.nn.ReLU()), (nn.ReLU(inplace=True), torch.nn.ReLU(inplace=True)),
        (nn.ReLU6(), torch.nn.ReLU6()), (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (nn.LeakyReLU(0.2, True), torch.nn.LeakyReLU(0.2, True)),
        (nn.ELU(0.5), torch.nn.ELU(0.5)), (nn.SELU(), torch.nn.SELU()),
        (nn.CELU(2.0), torch.nn.CELU(2.0)), (nn.GELU(), torch.nn.GELU()),
        (nn.GELU("tanh"), torch.nn.GELU("tanh")), (nn.SiLU(), torch.nn.SiLU()),
        (nn.Mish(), torch.nn.Mish()), (nn.Tanh(), torch.nn.Tanh()),
        (nn.Sigmoid(), torch.nn.Sigmoid()), (nn.Hardtanh(-2, 2), torch.nn.Hardtanh(-2, 2)),
        (nn.Hardsigmoid(), torch.nn.Hardsigmoid()), (nn.Hardswish(), torch.nn.Hardswish()),
        (nn.Softplus(2, 10), torch.nn.Softplus(2, 10)), (nn.Softsign(), torch.nn.Softsign()),
        (nn.Tanhshrink(), torch.nn.Tanhshrink()), (nn.Threshold(0.1, 20), torch.nn.Threshold(
            0.1, 20)), (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
        (nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)),
        (nn.Softmin(dim=1), torch.nn.Softmin(dim=1)), (nn.LogSigmoid(), torch.nn.LogSigmoid()),
        (nn.Hardshrink(0.3), torch.nn.Hardshrink(0.3)),
        (nn.Softshrink(0.3), torch.nn.Softshrink(0.3)), (nn.GLU(), torch.nn.GLU()),
        (nn.Softmax2d(), torch.nn.Softmax2d()), (nn.RReLU(), torch.nn.RReLU()),
        (nn.Identity(3, foo=1), torch.nn.Identity(3, foo=1)),
    ]
    x = _x(np.float32, (2, 4, 3, 2))
    for em, tm in pairs:
        assert repr(em) == repr(tm)
        em.eval()
        tm.eval()
        close(em(e(x.copy())), tm(torch.tensor(x.copy())), 1e-4, 1e-5)


def test_softmax2d_errors():
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(ember.randn(2, 3))


# ------------------------------------------------------------------------------ linear


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_linear_matches_torch(shape):
    tm = torch.nn.Linear(4, 3).double()
    em = nn.Linear(4, 3).double()
    copy_module_params(tm, em)
    x = _x(np.float64, shape)
    xe, xt = e(x, True), torch.tensor(x, requires_grad=True)
    ye, yt = em(xe), tm(xt)
    close(ye, yt)
    g = _x(np.float64, tuple(yt.shape))
    ye.backward(e(g))
    yt.backward(torch.tensor(g))
    close(xe.grad, xt.grad)
    close(em.weight.grad, tm.weight.grad)
    close(em.bias.grad, tm.bias.grad)
    if len(shape) == 2:
        assert type(ye.grad_fn).__name__ == "AddmmBackward0"


def test_linear_no_bias_and_repr_and_errors():
    em, tm = nn.Linear(3, 2, bias=False), torch.nn.Linear(3, 2, bias=False)
    assert repr(em) == repr(tm) == "Linear(in_features=3, out_features=2, bias=False)"
    assert em.bias is None
    assert [k for k, _ in em.named_parameters()] == ["weight"]
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(4x4 and 3x2\)"):
        nn.Linear(3, 2)(ember.randn(4, 4))
    with pytest.raises(RuntimeError, match=r"\(10x4 and 3x2\)"):
        nn.Linear(3, 2)(ember.randn(2, 5, 4))


def test_linear_default_init_bounds():
    ember.manual_seed(0)
    m = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = m.weight.detach().numpy()
    b = m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert m.weight.dtype == ember.float32 and m.weight.requires_grad


def test_linear_gradcheck():
    m = nn.Linear(3, 2).double()
    x = e(_x(np.float64, (4, 3)), True)
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), (x, m.weight, m.bias))
    assert gradgradcheck(lambda x, w, b: F.linear(x, w, b), (x, m.weight, m.bias))


def test_bilinear_matches_torch():
    tm = torch.nn.Bilinear(3, 4, 2).double()
    em = nn.Bilinear(3, 4, 2).double()
    copy_module_params(tm, em)
    assert repr(em) == repr(tm)
    a, b = _x(np.float64, (5, 3)), _x(np.float64, (5, 4))
    ae, be_ = e(a, True), e(b, True)
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ye, yt = em(ae, be_), tm(at, bt)
    close(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    close(ae.grad, at.grad)
    close(be_.grad, bt.grad)
    close(em.weight.grad, tm.weight.grad)
    assert gradcheck(lambda x, y: em(x, y), (e(a[:2], True), e(b[:2], True)))


def test_lazy_linear():
    m = nn.LazyLinear(3)
    y = m(ember.randn(2, 5))
    assert y.shape == (2, 3) and m.weight.shape == (3, 5) and type(m) is nn.Linear


def test_state_dict_roundtrip_with_torch():
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    em = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    assert list(em.state_dict().keys()) == list(tm.state_dict().keys())
    copy_module_params(tm, em)
    x = _x(np.float32, (3, 4))
    close(em(e(x)), tm(torch.tensor(x)), 1e-5, 1e-6)
    em2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em2.state_dict().items()})
    close(em2(e(x)), tm(torch.tensor(x)), 1e-5, 1e-6)
    for (k, v), (k2, v2) in zip(em.state_dict().items(), tm.state_dict().items()):
        assert k == k2 and tuple(v.shape) == tuple(v2.shape)


def test_flatten_unflatten_distances():
    x = _x(np.float64, (2, 3, 4))
    for em, tm in [(nn.Flatten(), torch.nn.Flatten()), (nn.Flatten(0, 1), torch.nn.Flatten(0, 1)),
                   (nn.Unflatten(2, (2, 2)), torch.nn.Unflatten(2, (2, 2)))]:
        assert repr(em) == repr(tm)
        compare_fn(torch, em, tm, [x])
    y = _x(np.float64, (2, 3, 4)) + 0.5
    for em, tm in [(nn.CosineSimilarity(), torch.nn.CosineSimilarity()),
                   (nn.CosineSimilarity(dim=-1), torch.nn.CosineSimilarity(dim=-1)),
                   (nn.PairwiseDistance(), torch.nn.PairwiseDistance()),
                   (nn.PairwiseDistance(1.0, keepdim=True),
                    torch.nn.PairwiseDistance(1.0, keepdim=True))]:
        assert repr(em) == repr(tm)
        compare_fn(torch, em, tm, [x, y])
        assert gradcheck(em, (e(x[:1], True), e(y[:1], True)))


def test_one_hot_and_errors():
    t = np.array([0, 2, 1])
    close(F.one_hot(e(t)), TF.one_hot(torch.tensor(t)))
    close(F.one_hot(e(t), 5), TF.one_hot(torch.tensor(t), 5))
    assert F.one_hot(e(t)).dtype == ember.int64
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(e(np.array([0, 5])), 3)
    with pytest.raises(RuntimeError, match="Class values must be non-negative."):
        F.one_hot(e(np.array([0, -1])))
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(e(np.array([0.0, 1.0])))


@pytest.mark.parametrize("mode,pad,shape", [
    ("constant", (1, 2), (2, 3)), ("constant", (1, 1, 2, 0), (2, 3, 4)),
    ("constant", (-1, 2), (2, 4)), ("reflect", (2, 1), (2, 3, 4)),
    ("reflect", (1, 2, 2, 1), (1, 2, 3, 4)), ("replicate", (2, 3), (2, 3, 4)),
    ("replicate", (1, 2, 3, 1), (1, 2, 3, 4)), ("circular", (2, 1), (2, 3, 4)),
    ("circular", (1, 2, 2, 1), (1, 2, 3, 4)),
])
def test_pad_matches_torch(mode, pad, shape):
    x = _x(np.float64, shape)
    kw = {"value": 1.5} if mode == "constant" else {}
    compare_fn(torch, lambda t: F.pad(t, pad, mode, **kw), lambda t: TF.pad(t, pad, mode, **kw),
               [x])
    assert gradcheck(lambda t: F.pad(t, pad, mode, **kw), (e(x, True),))


def test_pad_errors():
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(ember.zeros(2, 2), (1,))
    with pytest.raises(RuntimeError, match="Padding length should be less than or equal to two "
                                           "times the input dimension"):
        F.pad(ember.zeros(2), (1, 1, 1, 1))
