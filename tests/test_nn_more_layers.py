"""Issue 13 nn layers vs torch 2.13: lazy modules, 3-D conv/pool, module import paths,
grid_sample/affine_grid, gumbel_softmax, ctc_loss and the other layers ember added (outputs,
gradients, state_dict keys, repr, errors)."""
import copy
import importlib
import inspect
import pickle
import pkgutil

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F  # noqa: F401

from _nn_helpers import close, compare_fn, copy_module_params, e, npy

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
TF = torch.nn.functional if torch is not None else None


def R(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _err(fn):
    try:
        fn()
    except Exception as ex:  # noqa: BLE001 (the class and text are what is compared)
        return type(ex).__name__, str(ex)
    return None


# ------------------------------------------------------------------------------ lazy modules

LAZY_CASES = [
    ("LazyLinear", "Linear", (3,), {}, (2, 4), lambda m: (m.in_features, m.out_features)),
    ("LazyConv1d", "Conv1d", (4, 3), {}, (2, 3, 7), None),
    ("LazyConv2d", "Conv2d", (4, 3), dict(stride=2, groups=2), (2, 2, 6, 5), None),
    ("LazyConv3d", "Conv3d", (2, 2), dict(bias=False), (3, 4, 4, 4), None),
    ("LazyConvTranspose1d", "ConvTranspose1d", (4, 3), {}, (2, 3, 7), None),
    ("LazyConvTranspose2d", "ConvTranspose2d", (4, 3), dict(stride=2, output_padding=1),
     (2, 2, 5, 5), None),
    ("LazyConvTranspose3d", "ConvTranspose3d", (2, 2), {}, (1, 3, 3, 3, 3), None),
    ("LazyBatchNorm1d", "BatchNorm1d", (), {}, (4, 3), None),
    ("LazyBatchNorm2d", "BatchNorm2d", (), dict(affine=False), (2, 3, 4, 4), None),
    ("LazyBatchNorm3d", "BatchNorm3d", (), dict(track_running_stats=False), (2, 3, 2, 2, 2),
     None),
    ("LazyInstanceNorm1d", "InstanceNorm1d", (), {}, (2, 3, 5), None),
    ("LazyInstanceNorm2d", "InstanceNorm2d", (), dict(affine=False), (2, 3, 4, 4), None),
    ("LazyInstanceNorm3d", "InstanceNorm3d", (), {}, (2, 3, 2, 3, 2), None),
]


def _sd_repr(m):
    return {k: repr(v) if "Uninitialized" in type(v).__name__ else tuple(v.shape)
            for k, v in m.state_dict().items()}


@needs_torch
@pytest.mark.parametrize("name,become,args,kw,shape,_", LAZY_CASES, ids=[c[0] for c in LAZY_CASES])
def test_lazy_module_matches_torch(name, become, args, kw, shape, _):
    me, mt = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(me) == repr(mt)
    assert me.has_uninitialized_params() and mt.has_uninitialized_params()
    assert _sd_repr(me) == _sd_repr(mt)
    assert [type(p).__name__ for p in me.parameters()] == \
        [type(p).__name__ for p in mt.parameters()]
    x = R(*shape).astype(np.float32)
    ember.manual_seed(5)
    ye = me(e(x))
    mt(torch.tensor(x))
    # the class swap, torch's repr and state_dict after materialisation
    assert type(me).__name__ == type(mt).__name__ == become
    assert repr(me) == repr(mt)
    assert _sd_repr(me) == _sd_repr(mt)
    assert not hasattr(me, "_initialize_hook") and not hasattr(mt, "has_uninitialized_params")
    assert not hasattr(me, "has_uninitialized_params")
    assert [type(p).__name__ for p in me.parameters()] == ["Parameter"] * len(list(mt.parameters()))
    # the same RNG draws as the regular class built with the inferred sizes
    ember.manual_seed(5)
    ref_kw = dict(kw)
    if name.startswith("LazyConv"):
        ref = getattr(nn, become)(shape[1] if len(shape) == len(me.kernel_size) + 2 else shape[0],
                                  *args, **ref_kw)
    elif name == "LazyLinear":
        ref = nn.Linear(shape[-1], *args, **ref_kw)
    else:
        ref = getattr(nn, become)(shape[1], *args, **ref_kw)
        if name.startswith("LazyInstance"):  # the lazy forms default to affine/running stats
            ref = getattr(nn, become)(shape[1], affine=kw.get("affine", True),
                                      track_running_stats=kw.get("track_running_stats", True))
    for (k1, p1), (k2, p2) in zip(me.named_parameters(), ref.named_parameters()):
        assert k1 == k2 and np.array_equal(npy(p1), npy(p2))
    # with torch's weights the outputs and gradients match
    copy_module_params(mt, me)
    xe, xt = e(x, True), torch.tensor(x, requires_grad=True)
    ye, yt = me(xe), mt(xt)
    close(ye, yt, 1e-4, 1e-5)
    ye.sum().backward()
    yt.sum().backward()
    close(xe.grad, xt.grad, 1e-4, 1e-4)
    for pe, pt in zip(me.parameters(), mt.parameters()):
        close(pe.grad, pt.grad, 1e-4, 1e-4)


@needs_torch
def test_lazy_errors_and_state_dict_loading():
    # shape of an uninitialized parameter; loading one into an initialized module
    ee = _err(lambda: nn.LazyLinear(3).weight.shape)
    et = _err(lambda: torch.nn.LazyLinear(3).weight.shape)
    assert ee == et and ee[0] == "RuntimeError"
    ee = _err(lambda: nn.Linear(4, 3).load_state_dict(nn.LazyLinear(3).state_dict()))
    et = _err(lambda: torch.nn.Linear(4, 3).load_state_dict(torch.nn.LazyLinear(3).state_dict()))
    assert ee == et
    # wrong input rank, groups
    ee = _err(lambda: nn.LazyConv2d(4, 3)(ember.ones(3, 3)))
    et = _err(lambda: torch.nn.LazyConv2d(4, 3)(torch.ones(3, 3)))
    assert ee == et
    ee = _err(lambda: nn.LazyConv2d(4, 3, groups=2)(ember.ones(1, 3, 5, 5)))
    et = _err(lambda: torch.nn.LazyConv2d(4, 3, groups=2)(torch.ones(1, 3, 5, 5)))
    assert ee == et == ("ValueError", "in_channels must be divisible by groups")
    # an initialized state dict materializes a lazy module (which stays lazy until called)
    m, src = nn.LazyLinear(3), nn.Linear(4, 3)
    m.load_state_dict(src.state_dict())
    assert type(m).__name__ == "LazyLinear" and tuple(m.weight.shape) == (3, 4)
    m(ember.ones(1, 4))
    assert type(m) is nn.Linear and np.array_equal(npy(m.weight), npy(src.weight))
    # lazy -> lazy
    a = nn.LazyLinear(3)
    res = a.load_state_dict(nn.LazyLinear(3).state_dict())
    assert str(res) == "<All keys matched successfully>"
    # dtype conversion before the first call is kept
    m = nn.LazyLinear(2).double()
    m(ember.ones(1, 3, dtype=ember.float64))
    assert m.weight.dtype == ember.float64
    # an optimizer built before materialisation keeps working (the parameters keep identity)
    m = nn.LazyLinear(2)
    opt = ember.optim.SGD(m.parameters(), lr=0.5)
    w = m.weight
    m(ember.ones(1, 3)).sum().backward()
    before = npy(w).copy()
    opt.step()
    assert m.weight is w and np.allclose(npy(w), before - 0.5)
    # deepcopy / pickle of an uninitialized module
    c = copy.deepcopy(nn.LazyLinear(3))
    assert repr(c.weight) == "<UninitializedParameter>"
    p = pickle.loads(pickle.dumps(nn.UninitializedParameter()))
    assert repr(p) == "<UninitializedParameter>" and p.requires_grad
    assert repr(nn.UninitializedBuffer()) == "<UninitializedBuffer>"
    assert not nn.UninitializedBuffer().requires_grad
    assert nn.modules.lazy.LazyModuleMixin is ember.nn.modules.LazyModuleMixin


@needs_torch
def test_lazy_mlp_in_sequential():
    seq = nn.Sequential(nn.LazyLinear(5), nn.ReLU(), nn.LazyLinear(2))
    tseq = torch.nn.Sequential(torch.nn.LazyLinear(5), torch.nn.ReLU(), torch.nn.LazyLinear(2))
    seq(ember.ones(2, 7))
    tseq(torch.ones(2, 7))
    assert repr(seq) == repr(tseq)
    copy_module_params(tseq, seq)
    x = R(3, 7).astype(np.float32)
    close(seq(e(x)), tseq(torch.tensor(x)), 1e-5, 1e-6)


# ------------------------------------------------------------------------- module import paths

# torch.nn.modules names ember does not have (yet); everything else each torch file defines must
# resolve at the same dotted path in ember.nn.modules
_PATH_MISSING = {
    "activation": {"_check_arg_device", "_arg_requires_grad", "_is_make_fx_tracing"},
    "container": {"Container"},
    "conv": {"_ConvTransposeMixin"},
    "lazy": {"_LazyProtocol"},
    "loss": {"LinearCrossEntropyLoss"},
    "module": {"_WrappedHook", "_has_any_global_hook", "register_module_buffer_registration_hook",
               "register_module_module_registration_hook",
               "register_module_parameter_registration_hook", "register_module_backward_hook"},
    "normalization": {"CrossMapLRN2d"},
    "pooling": {"FractionalMaxPool2d", "FractionalMaxPool3d"},
    "rnn": {"_apply_permutation", "apply_permutation"},
}
_SKIP_FILES = {"_functions", "linear_cross_entropy", "linear_cross_entropy_options"}


@needs_torch
def test_module_files_resolve_like_torch():
    import torch.nn.modules as tm
    missing = {}
    for info in pkgutil.iter_modules(tm.__path__):
        if info.name in _SKIP_FILES:
            continue
        tmod = importlib.import_module("torch.nn.modules." + info.name)
        emod = importlib.import_module("ember.nn.modules." + info.name)
        names = {n for n, v in vars(tmod).items()
                 if (inspect.isclass(v) or inspect.isfunction(v))
                 and getattr(v, "__module__", "") == tmod.__name__}
        gone = {n for n in names if not hasattr(emod, n)} - _PATH_MISSING.get(info.name, set())
        if gone:
            missing[info.name] = sorted(gone)
    assert missing == {}


def test_user_import_paths():
    from ember.nn.modules.activation import MultiheadAttention
    from ember.nn.modules.batchnorm import _BatchNorm, _NormBase
    from ember.nn.modules.conv import _ConvNd
    from ember.nn.modules.dropout import _DropoutNd
    from ember.nn.modules.instancenorm import _InstanceNorm
    from ember.nn.modules.linear import Identity
    from ember.nn.modules.loss import _Loss, _WeightedLoss
    from ember.nn.modules.module import Module
    from ember.nn.modules.normalization import LayerNorm
    from ember.nn.modules.pixelshuffle import PixelShuffle
    from ember.nn.modules.pooling import _MaxPoolNd
    from ember.nn.modules.utils import _pair, _quadruple, _single, _triple
    assert MultiheadAttention is nn.MultiheadAttention and Identity is nn.Identity
    assert issubclass(nn.BatchNorm2d, _BatchNorm) and issubclass(_BatchNorm, _NormBase)
    assert issubclass(nn.InstanceNorm3d, _InstanceNorm) and issubclass(nn.Conv3d, _ConvNd)
    assert issubclass(nn.Dropout, _DropoutNd) and issubclass(nn.NLLLoss, _WeightedLoss)
    assert issubclass(nn.L1Loss, _Loss) and issubclass(nn.MaxPool2d, _MaxPoolNd)
    assert Module is nn.Module and LayerNorm is nn.LayerNorm and PixelShuffle is nn.PixelShuffle
    assert (_single(3), _pair(3), _triple((1, 2, 3)), _quadruple(0)) == \
        ((3,), (3, 3), (1, 2, 3), (0, 0, 0, 0))
    assert type(nn.MultiheadAttention(4, 2).out_proj).__name__ == \
        "NonDynamicallyQuantizableLinear"
    sd = {"module.a": 1, "module.b.c": 2, "d": 3}
    nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, "module.")
    assert sd == {"a": 1, "b.c": 2, "d": 3}


# ------------------------------------------------------------------------------ 3-D padding

@needs_torch
@pytest.mark.parametrize("name,args", [
    ("ConstantPad3d", (1, 2.5)), ("ZeroPad3d", ((1, 2, 0, 1, 1, 1),)), ("ReflectionPad3d", (1,)),
    ("ReplicationPad3d", ((1, 0, 2, 1, 0, 1),)), ("CircularPad3d", (1,))])
def test_pad3d_modules(name, args):
    me, mt = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(me) == repr(mt)
    assert type(me).__mro__[1].__name__ == type(mt).__mro__[1].__name__
    compare_fn(torch, me, mt, [R(2, 2, 3, 4, 3)], 1e-12, 1e-12)


# ------------------------------------------------------------------------- 3-D conv and pooling

@needs_torch
@pytest.mark.parametrize("name,args,kw,shape", [
    ("Conv3d", (4, 6, 3), dict(stride=(1, 2, 1), padding=1, groups=2), (2, 4, 5, 6, 5)),
    ("Conv3d", (3, 2, (2, 3, 1)), dict(padding="same", dilation=(2, 1, 1), bias=False),
     (3, 5, 4, 3)),
    ("Conv3d", (2, 2, 3), dict(padding=(1, 0, 2), padding_mode="reflect"), (1, 2, 4, 4, 4)),
    ("ConvTranspose3d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2),
     (2, 4, 3, 2, 3)),
    ("ConvTranspose3d", (3, 2, (2, 1, 2)), dict(dilation=(1, 2, 1), bias=False), (3, 3, 2, 3)),
    ("MaxPool3d", (3, 2, 1), dict(dilation=(1, 1, 2), ceil_mode=True), (2, 3, 6, 5, 7)),
    ("MaxPool3d", ((2, 1, 2),), {}, (3, 4, 5, 4)),
    ("AvgPool3d", (3, 2, 1), dict(count_include_pad=False, ceil_mode=True), (2, 3, 6, 5, 7)),
    ("AvgPool3d", (2,), dict(divisor_override=3), (3, 4, 5, 4)),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}, (2, 3, 5, 4, 7)),
    ("AdaptiveMaxPool3d", ((2, 3, 4),), {}, (2, 3, 5, 4, 7)),
    ("AdaptiveMaxPool3d", (2,), {}, (3, 5, 4, 7)),
    ("LPPool3d", (2, 2), {}, (2, 3, 4, 4, 5)),
    ("InstanceNorm3d", (3,), dict(affine=True), (2, 3, 4, 3, 2)),
])
def test_3d_layers_match_torch(name, args, kw, shape):
    torch.manual_seed(0)
    mt = getattr(torch.nn, name)(*args, **kw).double()
    me = getattr(nn, name)(*args, **kw).double()
    assert repr(me) == repr(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    copy_module_params(mt, me)
    x = R(*shape)
    if name.startswith("LPPool"):
        x = np.abs(x) + 0.1
    ye, yt = compare_fn(torch, me, mt, [x], 1e-10, 1e-10)
    assert type(ye.grad_fn).__name__ == type(yt.grad_fn).__name__
    xe, xt = e(x, True), torch.tensor(x, requires_grad=True)
    me(xe).sum().backward()
    mt(xt).sum().backward()
    for (k, pe), pt in zip(me.named_parameters(), mt.parameters()):
        close(pe.grad, pt.grad, 1e-9, 1e-9)


@needs_torch
def test_max_pool3d_indices_and_unpool_roundtrip():
    x = R(2, 3, 6, 5, 4)
    ye, ie = F.max_pool3d(e(x), 2, return_indices=True)
    yt, it = TF.max_pool3d(torch.tensor(x), 2, return_indices=True)
    assert np.array_equal(npy(ie), npy(it)) and ie.dtype == ember.int64
    close(ye, yt, 0, 0)
    for nd, shape in [(1, (2, 3, 9)), (2, (2, 3, 6, 7)), (3, (2, 3, 6, 5, 4))]:
        x = R(*shape)
        pe, pt = getattr(nn, f"MaxPool{nd}d")(2, return_indices=True), \
            getattr(torch.nn, f"MaxPool{nd}d")(2, return_indices=True)
        ue, ut = getattr(nn, f"MaxUnpool{nd}d")(2), getattr(torch.nn, f"MaxUnpool{nd}d")(2)
        assert repr(ue) == repr(ut)
        xe, xt = e(x, True), torch.tensor(x, requires_grad=True)
        ye, ie = pe(xe)
        yt, it = pt(xt)
        oe, ot = ue(ye, ie, output_size=shape), ut(yt, it, output_size=shape)
        close(oe, ot, 0, 0)
        assert type(oe.grad_fn).__name__ == type(ot.grad_fn).__name__
        g = R(*shape, seed=3)
        oe.backward(e(g))
        ot.backward(torch.tensor(g))
        close(xe.grad, xt.grad, 1e-12, 1e-12)
    # torch's errors: output_size out of range, wrong index dtype
    y, i = TF.max_pool2d(torch.ones(1, 1, 4, 4), 2, return_indices=True)
    ee = _err(lambda: F.max_unpool2d(e(npy(y)), ember.tensor(npy(i)), 2, output_size=(9, 9)))
    et = _err(lambda: TF.max_unpool2d(y, i, 2, output_size=(9, 9)))
    assert ee == et
    for f, g in [(lambda: F.max_pool3d(ember.ones(2, 3), 2), lambda: TF.max_pool3d(
            torch.ones(2, 3), 2)), (lambda: F.adaptive_max_pool3d(ember.ones(2, 3), 2),
                                    lambda: TF.adaptive_max_pool3d(torch.ones(2, 3), 2)),
                 (lambda: F.avg_pool3d(ember.ones(1, 1, 4, 4, 4), 2, padding=2),
                  lambda: TF.avg_pool3d(torch.ones(1, 1, 4, 4, 4), 2, padding=2))]:
        assert _err(f) == _err(g)


# --------------------------------------------------------------- grid_sample and affine_grid

@needs_torch
@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("pad", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_matches_torch(nd, mode, pad, align):
    shape = (2, 3, 4, 5) if nd == 2 else (2, 2, 3, 4, 5)
    gshape = (2, 3, 4, 2) if nd == 2 else (2, 2, 3, 4, 3)
    x = R(*shape)
    g = np.random.default_rng(1).uniform(-1.6, 1.6, gshape)
    ye, yt = compare_fn(torch, lambda a, b: F.grid_sample(a, b, mode, pad, align),
                        lambda a, b: TF.grid_sample(a, b, mode, pad, align), [x, g], 1e-10, 1e-10)
    assert type(ye.grad_fn).__name__ == yt.grad_fn.name() == f"GridSampler{nd}DBackward0"


@needs_torch
def test_grid_sample_errors_and_warning():
    x, g = R(1, 1, 3, 3), R(1, 2, 2, 2)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(e(x), e(g))
    cases = [dict(mode="area"), dict(padding_mode="wrap")]
    for kw in cases:
        assert _err(lambda: F.grid_sample(e(x), e(g), align_corners=False, **kw)) == \
            _err(lambda: TF.grid_sample(torch.tensor(x), torch.tensor(g), align_corners=False,
                                        **kw))
    ee = _err(lambda: F.grid_sample(e(x), e(g).float(), align_corners=False))
    et = _err(lambda: TF.grid_sample(torch.tensor(x), torch.tensor(g).float(),
                                     align_corners=False))
    assert ee == et


@needs_torch
@pytest.mark.parametrize("size,theta", [((2, 3, 4, 5), (2, 2, 3)), ((2, 1, 3, 4, 2), (2, 3, 4)),
                                        ((2, 1, 1, 5), (2, 2, 3))])
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_matches_torch(size, theta, align):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch warns for unit-size grids with align_corners)
        ye, yt = compare_fn(torch, lambda t: F.affine_grid(t, size, align),
                            lambda t: TF.affine_grid(t, size, align), [R(*theta)], 1e-12, 1e-12)
    assert type(ye.grad_fn).__name__ == yt.grad_fn.name() == "AffineGridGeneratorBackward0"
    for bad in [lambda lib: lib.nn.functional.affine_grid(lib.ones(2, 3, 3), (2, 1, 3, 3), False),
                lambda lib: lib.nn.functional.affine_grid(lib.ones(2, 2, 3), (2, 3), False),
                lambda lib: lib.nn.functional.affine_grid(lib.ones(2, 2, 3, dtype=lib.int64),
                                                          (2, 1, 3, 3), False)]:
        assert _err(lambda: bad(ember)) == _err(lambda: bad(torch))


@needs_torch
def test_spatial_transformer_tutorial_step():
    """The STN tutorial's transform: affine_grid + grid_sample, gradients into theta."""
    x = R(4, 1, 28, 28).astype(np.float32)
    th = (np.array([[1, 0, 0], [0, 1, 0]], np.float32) + 0.1 * R(4, 2, 3)).astype(np.float32)
    # the tutorial initialises theta to the identity: every grid point then sits on a pixel
    # centre, where bilinear sampling has a kink; torch's float32 coordinates decide the side
    th[:2] = np.array([[1, 0, 0], [0, 1, 0]], np.float32)
    ye, yt = compare_fn(torch, lambda a, t: F.grid_sample(a, F.affine_grid(t, a.size(), False),
                                                          align_corners=False),
                        lambda a, t: TF.grid_sample(a, TF.affine_grid(t, a.size(), False),
                                                    align_corners=False), [x, th], 1e-4, 1e-5)


# -------------------------------------------------------------------------- gumbel_softmax

@needs_torch
@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_noise_and_straight_through(hard):
    logits = R(5, 4)
    ember.manual_seed(3)
    xe = e(logits, True)
    ye = F.gumbel_softmax(xe, tau=0.7, hard=hard, dim=-1)
    # the same draws as torch's recipe: -log(Exponential(1)) from an empty_like
    ember.manual_seed(3)
    noise = -ember.empty_like(e(logits)).exponential_().log()
    xt = torch.tensor(logits, requires_grad=True)
    soft = ((xt + torch.tensor(npy(noise))) / 0.7).softmax(-1)
    if hard:
        idx = soft.max(-1, keepdim=True)[1]
        yt = torch.zeros_like(xt).scatter_(-1, idx, 1.0) - soft.detach() + soft
    else:
        yt = soft
    close(ye, yt, 1e-12, 1e-12)
    w = R(5, 4, seed=4)
    (ye * e(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    close(xe.grad, xt.grad, 1e-10, 1e-10)
    assert type(ye.grad_fn).__name__ == yt.grad_fn.name()


def test_gumbel_softmax_statistics():
    ember.manual_seed(0)
    logits = ember.tensor([[1.0, 0.0, -1.0, 2.0]]).expand(20000, 4)
    y = F.gumbel_softmax(logits, tau=1.0, hard=True, dim=1)
    assert np.array_equal(npy(y).sum(1), np.ones(20000))
    freq = npy(y).mean(0)
    assert np.allclose(freq, npy(logits[0].softmax(0)), atol=0.015)


# --------------------------------------------------------------------------- nn.attention

@needs_torch
def test_sdpa_kernel_backends_like_torch():
    from ember.nn.attention import SDPBackend, sdpa_kernel
    from torch.nn.attention import SDPBackend as TB, sdpa_kernel as tk
    assert [(b.name, int(b)) for b in SDPBackend] == \
        [(b.name, int(b)) for b in TB.__members__.values()]
    assert str(SDPBackend.MATH) == str(TB.MATH) and repr(SDPBackend.MATH) == repr(TB.MATH)
    q, k, v = R(2, 3, 4, 5), R(2, 3, 6, 5, seed=1), R(2, 3, 6, 5, seed=2)
    for name in ["MATH", "FLASH_ATTENTION", "EFFICIENT_ATTENTION", "CUDNN_ATTENTION"]:
        for kw in [{}, dict(is_causal=True), dict(scale=0.3)]:
            with sdpa_kernel(getattr(SDPBackend, name)) as r1, tk(getattr(TB, name)) as r2:
                assert r1 == r2
                ee = _err(lambda: F.scaled_dot_product_attention(e(q), e(k), e(v), **kw))
                et = _err(lambda: TF.scaled_dot_product_attention(
                    torch.tensor(q), torch.tensor(k), torch.tensor(v), **kw))
                assert ee == et
                if ee is None:
                    ye, yt = compare_fn(torch, lambda a, b, c: F.scaled_dot_product_attention(
                        a, b, c, **kw), lambda a, b, c: TF.scaled_dot_product_attention(
                        a, b, c, **kw), [q, k, v], 1e-10, 1e-10)
                    assert type(ye.grad_fn).__name__ == yt.grad_fn.name()
    with sdpa_kernel([SDPBackend.MATH, SDPBackend.FLASH_ATTENTION], set_priority=True):
        pass
    ye = F.scaled_dot_product_attention(e(q, True), e(k), e(v))
    assert type(ye.grad_fn).__name__ == "ScaledDotProductFlashAttentionForCpuBackward0"
    assert _err(lambda: sdpa_kernel("math").__enter__()) == \
        _err(lambda: tk("math").__enter__())


# ------------------------------------------------------------------------------- ctc_loss

_CTC = [
    (np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 1, 1]]), [8, 6, 8], [3, 2, 4], {}),
    (np.array([1, 2, 2, 3, 1, 4, 4]), [8, 6, 7], [3, 2, 2], {}),
    (np.array([[1, 2, 2, 0], [3, 1, 0, 0], [1, 1, 3, 3]]), [8, 2, 5], [3, 0, 2], dict(blank=4)),
    (np.array([[1, 2, 2, 0], [3, 1, 0, 0], [1, 1, 1, 1]]), [8, 6, 4], [3, 2, 4],
     dict(zero_infinity=True)),
]


@needs_torch
@pytest.mark.parametrize("case", range(len(_CTC)))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_ctc_loss_matches_torch(case, reduction, as_tensor):
    tg, il, tl, kw = _CTC[case]
    x = R(8, 3, 5)

    def run(lib, xx, F_):
        L = (lambda v: lib.tensor(v)) if as_tensor else list
        return F_.ctc_loss(xx.log_softmax(2), lib.tensor(tg), L(il), L(tl), reduction=reduction,
                           **kw)
    ye, yt = compare_fn(torch, lambda a: run(ember, a, F), lambda a: run(torch, a, TF), [x],
                        1e-10, 1e-10)
    assert type(ye.grad_fn).__name__ == yt.grad_fn.name()
    me = nn.CTCLoss(reduction=reduction, **kw)
    mt = torch.nn.CTCLoss(reduction=reduction, **kw)
    assert repr(me) == repr(mt)


@needs_torch
def test_ctc_loss_unbatched_float32_and_errors():
    x = R(6, 4).astype(np.float32)
    compare_fn(torch, lambda a: F.ctc_loss(a.log_softmax(1), ember.tensor([1, 2]),
                                           ember.tensor(6), ember.tensor(2)),
               lambda a: TF.ctc_loss(a.log_softmax(1), torch.tensor([1, 2]), torch.tensor(6),
                                     torch.tensor(2)), [x], 1e-5, 1e-6)
    lp = R(5, 2, 4)
    for il, tl in [([6, 5], [2, 2]), ([5], [2, 2])]:
        ee = _err(lambda: F.ctc_loss(e(lp), ember.tensor([[1, 2], [1, 1]]), il, tl))
        et = _err(lambda: TF.ctc_loss(torch.tensor(lp), torch.tensor([[1, 2], [1, 1]]), il, tl))
        assert ee == et
    # no double backward, as torch
    xe = e(R(5, 2, 4), True)
    ye = F.ctc_loss(xe.log_softmax(2), ember.tensor([[1, 2], [1, 1]]), [5, 5], [2, 2])
    (g,) = ember.autograd.grad(ye, xe, create_graph=True)
    with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward is not"):
        g.sum().backward()


# ------------------------------------------------- AdaptiveLogSoftmaxWithLoss, SyncBatchNorm, ...

@needs_torch
def test_adaptive_log_softmax_with_loss():
    torch.manual_seed(0)
    mt = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10], div_value=2.0, head_bias=True)
    me = nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10], div_value=2.0, head_bias=True)
    mt, me = mt.double(), me.double()
    assert repr(me) == repr(mt) and list(me.state_dict()) == list(mt.state_dict())
    copy_module_params(mt, me)
    x, tg = R(7, 16), np.array([0, 3, 5, 12, 19, 9, 4])
    xe, xt = e(x, True), torch.tensor(x, requires_grad=True)
    oe, ot = me(xe, ember.tensor(tg)), mt(xt, torch.tensor(tg))
    assert type(oe).__name__ == "_ASMoutput" and oe._fields == ot._fields
    close(oe.output, ot.output, 1e-12, 1e-12)
    close(oe.loss, ot.loss, 1e-12, 1e-12)
    oe.loss.backward()
    ot.loss.backward()
    close(xe.grad, xt.grad, 1e-12, 1e-12)
    for pe, pt in zip(me.parameters(), mt.parameters()):
        close(pe.grad, pt.grad, 1e-12, 1e-12)
    close(me.log_prob(e(x)), mt.log_prob(torch.tensor(x)), 1e-12, 1e-12)
    assert np.array_equal(npy(me.predict(e(x))), npy(mt.predict(torch.tensor(x))))
    for f in [lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(4, 10, [5, 3]),
              lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(4, 10, [2, 5])(
                  lib.ones(2, 4), lib.tensor([1, 10]))]:
        assert _err(lambda: f(ember)) == _err(lambda: f(torch))


@needs_torch
def test_sync_batchnorm_single_process():
    mt = torch.nn.SyncBatchNorm.convert_sync_batchnorm(
        torch.nn.Sequential(torch.nn.Conv2d(3, 3, 1), torch.nn.BatchNorm2d(3))).double()
    me = nn.SyncBatchNorm.convert_sync_batchnorm(
        nn.Sequential(nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3))).double()
    assert repr(me) == repr(mt) and list(me.state_dict()) == list(mt.state_dict())
    copy_module_params(mt, me)
    compare_fn(torch, me, mt, [R(2, 3, 4, 4)], 1e-10, 1e-10)
    close(me[1].running_mean, mt[1].running_mean, 1e-12, 1e-12)
    assert _err(lambda: nn.SyncBatchNorm(3)(ember.ones(3))) == \
        _err(lambda: torch.nn.SyncBatchNorm(3)(torch.ones(3)))


@needs_torch
def test_channel_shuffle_rms_norm_rrelu_():
    ye, yt = compare_fn(torch, lambda a: F.channel_shuffle(a, 3),
                        lambda a: TF.channel_shuffle(a, 3), [R(2, 6, 2, 2)], 0, 0)
    assert type(ye.grad_fn).__name__ == yt.grad_fn.name() == "ChannelShuffleBackward0"
    me, mt = nn.ChannelShuffle(2), torch.nn.ChannelShuffle(2)
    assert repr(me) == repr(mt)
    close(me(e(R(1, 4, 3))), mt(torch.tensor(R(1, 4, 3))), 0, 0)
    for bad in [lambda lib: lib.nn.functional.channel_shuffle(lib.ones(1, 4, 2), 3),
                lambda lib: lib.nn.functional.channel_shuffle(lib.ones(4), 2)]:
        assert _err(lambda: bad(ember)) == _err(lambda: bad(torch))
    for eps in [None, 1e-3]:
        ye, yt = compare_fn(torch, lambda a, w: F.rms_norm(a, (3,), w, eps),
                            lambda a, w: TF.rms_norm(a, (3,), w, eps), [R(2, 4, 3), R(3)],
                            1e-12, 1e-12)
        assert type(ye.grad_fn).__name__ == yt.grad_fn.name()
    z = e(R(3, 4))
    assert F.rrelu_(z) is z
    close(z, TF.rrelu_(torch.tensor(R(3, 4))), 1e-12, 1e-12)
