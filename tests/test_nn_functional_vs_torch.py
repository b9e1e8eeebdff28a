"""nn.functional against torch 2.13, differentially: the same NumPy inputs through ember and torch,
compared on values, dtypes, shapes, input gradients, the grad_fn graph (class names down to the
leaves) and error classes/texts.  Covers the class losses (cross_entropy / nll_loss with
ignore_index, class weights, label smoothing, probability targets, every input layout),
interpolate (every mode, both size forms, align_corners, recompute_scale_factor), diag_embed /
diag / diagflat with offsets, and a sweep of the other losses."""
import warnings
import zlib

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = TF = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
pytestmark = needs_torch


def _tree(fn, lib):
    """grad_fn graph as nested (class name, children); torch's AccumulateGrad prefix and the
    empty edges of non-tensor arguments dropped."""
    if fn is None:
        return None
    name = (type(fn).__name__ if lib is ember else fn.name()).replace("torch::autograd::", "")
    return name, [_tree(f, lib) for f, _ in fn.next_functions if f is not None]


def _lib_args(lib, args):
    return [lib.tensor(a) if isinstance(a, np.ndarray) else a for a in args]


def _run(lib, fn, arrays, kwargs, grad_out=None, req=None):
    """fn(lib, *tensors, **kwargs) with float arrays requiring grad (or those in ``req``);
    returns ('err', class, text) or ('ok', out, grads, tree, dtype)."""
    ts = []
    for i, a in enumerate(arrays):
        t = lib.tensor(a)
        if a.dtype.kind == "f" and (req is None or i in req):
            t.requires_grad_(True)
        ts.append(t)
    kw = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = fn(lib, *ts, **kw)
    except Exception as ex:  # noqa: BLE001 - the class is what we compare
        return "err", type(ex).__name__, str(ex)
    if grad_out is None:
        grad_out = np.ones(tuple(y.shape), y.detach().numpy().dtype)
    if y.requires_grad:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y.backward(lib.tensor(grad_out))
    grads = [None if t.grad is None else t.grad.numpy() for t in ts]
    return "ok", y.detach().numpy(), grads, _tree(y.grad_fn, lib), str(y.dtype)


def _compare(fn, arrays, kwargs=None, rtol=1e-6, atol=1e-9, req=None, seed=0):
    kwargs = kwargs or {}
    rt = _run(torch, fn, arrays, kwargs, req=req)
    if rt[0] == "ok":
        g = np.random.default_rng(seed).standard_normal(rt[1].shape).astype(rt[1].dtype)
        rt = _run(torch, fn, arrays, kwargs, g, req)
        re = _run(ember, fn, arrays, kwargs, g, req)
    else:
        re = _run(ember, fn, arrays, kwargs, req=req)
    assert re[0] == rt[0], (re, rt)
    if re[0] == "err":
        assert re[1:] == rt[1:]
        return re
    _, ye, ge, tre, dte = re
    _, yt, gt, trt, dtt = rt
    assert dte == dtt
    assert ye.shape == yt.shape
    np.testing.assert_allclose(ye, yt, rtol=rtol, atol=atol, equal_nan=True)
    for a, b in zip(ge, gt):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    assert tre == trt
    return re


def _rng(*key):
    """A generator seeded by the test's parameters: the same data whatever order (or xdist
    worker) runs the tests in."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


# ============================================================================ class losses


def _class_case(layout, C, ignore, frac, dtype=np.float64):
    """(input, target) for a layout: '2d' (N, C), 'kd3' (N, C, d), 'kd4' (N, C, h, w),
    'kd5' (N, C, a, b, c), '1d' (C,); a fraction ``frac`` of the targets set to ``ignore``."""
    r = _rng(layout, C, ignore, frac, dtype)
    N = 4
    extra = {"2d": (), "kd3": (3,), "kd4": (2, 3), "kd5": (2, 1, 2), "1d": None}[layout]
    shape, tshape = ((C,), ()) if extra is None else ((N, C) + extra, (N,) + extra)
    x = (r.standard_normal(shape) * 2).astype(dtype)
    t = r.integers(0, C, tshape)
    t = np.where(r.random(tshape) < frac, ignore, t).astype(np.int64)
    return x, np.asarray(t)


def _ce(lib, x, t, **kw):
    return lib.nn.functional.cross_entropy(x, t, **kw)


def _nll(lib, x, t, **kw):
    return lib.nn.functional.nll_loss(x, t, **kw)


CLASS_CASES = [
    # (layout, ignore_index, fraction ignored, weight?, label_smoothing)
    ("2d", 0, 0.4, False, 0.0),       # ignore_index=pad_id=0 on the plain 2-D path
    ("2d", 3, 0.4, True, 0.0),
    ("2d", 2, 0.4, True, 0.2),
    ("2d", -100, 0.3, False, 0.1),
    ("2d", 1, 1.0, False, 0.0),       # every target ignored
    ("2d", 1, 1.0, True, 0.3),
    ("kd3", 2, 0.4, True, 0.0),
    ("kd4", 0, 0.4, False, 0.0),
    ("kd4", 4, 0.5, True, 0.25),
    ("kd5", 1, 0.3, False, 0.1),
    ("kd4", 3, 1.0, True, 0.0),
    ("1d", 2, 0.0, True, 0.0),
    ("1d", 2, 1.0, False, 0.2),
    ("1d", -100, 0.0, False, 0.4),
]


@pytest.mark.parametrize("red", ["mean", "sum", "none"])
@pytest.mark.parametrize("layout,ii,frac,weighted,ls", CLASS_CASES)
def test_cross_entropy_and_nll_ignore_index(layout, ii, frac, weighted, ls, red):
    C = 5
    x, t = _class_case(layout, C, ii, frac)
    kw = {"ignore_index": ii, "reduction": red}
    if weighted:
        kw["weight"] = _rng(C).random(C) + 0.2
    _compare(_ce, [x, t], dict(kw, label_smoothing=ls))
    if not ls:
        _compare(_nll, [x, t], kw)


@pytest.mark.parametrize("ii", [0, 2, -100])
def test_cross_entropy_float32_fast_path_ignore_index(ii):
    """The common float32 (N, C) call: ignore_index=pad_id must drop those rows."""
    x, t = _class_case("2d", 6, ii, 0.5, np.float32)
    for red in ("mean", "sum", "none"):
        _compare(_ce, [x, t], {"ignore_index": ii, "reduction": red}, rtol=1e-5, atol=1e-6)


def test_every_target_ignored_gives_nan_mean_and_zero_grads():
    x = _rng(3, 4).standard_normal((3, 4))
    t = np.full(3, 2)
    for lib_fn in (_ce, _nll):
        re = _compare(lib_fn, [x, t], {"ignore_index": 2})
        assert np.isnan(re[1]) and not np.isnan(re[2][0]).any() and not re[2][0].any()


@pytest.mark.parametrize("cls,kw", [("CrossEntropyLoss", {"ignore_index": 1}),
                                    ("CrossEntropyLoss", {"ignore_index": 0, "label_smoothing":
                                                          0.1, "reduction": "sum"}),
                                    ("NLLLoss", {"ignore_index": 3, "reduction": "none"}),
                                    ("NLLLoss", {"ignore_index": 1})])
def test_class_loss_modules_ignore_index(cls, kw):
    x, t = _class_case("kd3", 4, kw["ignore_index"], 0.4)
    w = _rng(4).random(4) + 0.2
    _compare(lambda lib, a, b: getattr(lib.nn, cls)(weight=lib.tensor(w), **kw)(a, b), [x, t])


@pytest.mark.parametrize("shape", [(4, 5), (2, 5, 3), (5,)])
@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.3}, {"reduction": "none"},
                                {"reduction": "sum", "weight": True}, {"ignore_index": -3}])
def test_cross_entropy_probability_targets(shape, kw):
    r = _rng(shape, sorted(kw))
    x = r.standard_normal(shape)
    p = r.random(shape)
    kw = dict(kw)
    if kw.pop("weight", False):
        kw["weight"] = r.random(5) + 0.2
    _compare(_ce, [x, p], kw, req=[0])


CLASS_ERRORS = [
    ("oob", _ce, (3, 4), [0, 5, 1], {}),
    ("oob_negative", _ce, (3, 4), [0, -3, 1], {"reduction": "none"}),
    ("oob_kd", _nll, (1, 4, 1, 2), [[[0, 7]]], {}),
    ("oob_1d", _ce, (4,), 9, {}),
    ("oob_smoothing", _ce, (3, 4), [0, 5, 1], {"label_smoothing": 0.2}),
    ("oob_not_ignored", _nll, (3, 4), [4, -100, 1], {"ignore_index": 4}),
    ("batch", _ce, (3, 4), [0, 1], {}),
    ("target_size_kd3", _ce, (3, 4, 5), [[0] * 4] * 3, {}),
    ("target_size_kd4", _nll, (3, 4, 5, 6), [[0] * 5] * 3, {}),
    ("multi_target", _ce, (3, 4), [[0, 1]] * 3, {}),
    ("1d_input_1d_target", _ce, (4,), [0, 1], {}),
    ("int_target_as_probs", _ce, (3, 4), [[0] * 4] * 3, {}),
    ("prob_ignore_index", _ce, (3, 4), "probs", {"ignore_index": 1}),
    ("smoothing_range", _ce, (3, 4), [0, 1, 2], {"label_smoothing": 1.5}),
    ("weight_size", _ce, (3, 4), [0, 1, 2], {"weight": np.ones(3)}),
    ("weight_size_kd4", _nll, (3, 4, 2, 2), [[[0, 1]] * 2] * 3, {"weight": np.ones(3)}),
    ("weight_size_probs", _ce, (3, 4), "probs", {"weight": np.ones(3)}),
    ("weight_dtype", _nll, (3, 4), [0, 1, 2], {"weight": np.ones(4, np.float32)}),
    ("reduction", _ce, (3, 4), [0, 1, 2], {"reduction": "avg"}),
]


@pytest.mark.parametrize("name,fn,shape,target,kw", CLASS_ERRORS,
                         ids=[c[0] for c in CLASS_ERRORS])
def test_class_loss_errors_match_torch(name, fn, shape, target, kw):
    x = np.ones(shape)
    t = np.ones(shape) if isinstance(target, str) else np.asarray(target, np.int64)
    re = _compare(fn, [x, t], kw)
    assert re[0] == "err"


def test_class_loss_target_and_input_dtype_errors():
    _compare(_ce, [np.ones((3, 4)), np.array([0, 1, 2], np.int32)])
    _compare(_nll, [np.ones((3, 4, 2, 2)), np.zeros((3, 2, 2), np.int32)])
    _compare(_ce, [np.ones((3, 4, 2)), np.zeros((3, 2), np.uint8)])
    _compare(_ce, [np.ones((3, 4), np.int64), np.array([0, 1, 2])])
    _compare(_nll, [np.ones((3, 4), np.int64), np.array([0, 1, 2])])
    ok = _compare(_ce, [np.ones((3, 4)), np.array([0, 1, 2], np.uint8)])  # Byte targets: fine
    assert ok[0] == "ok"


def test_class_losses_gradgradcheck():
    r = _rng("gradgrad")
    x2 = ember.tensor(r.standard_normal((4, 3)), requires_grad=True)
    xk = ember.tensor(r.standard_normal((2, 3, 2, 2)), requires_grad=True)
    w = ember.tensor(r.random(3) + 0.2)
    t2, tk = ember.tensor([0, 2, 1, 1]), ember.tensor(r.integers(0, 3, (2, 2, 2)))
    fns = [(lambda x: F.cross_entropy(x, t2, ignore_index=1, weight=w), x2),
           (lambda x: F.cross_entropy(x, t2, ignore_index=2, weight=w, label_smoothing=0.2,
                                      reduction="none"), x2),
           (lambda x: F.cross_entropy(x, tk, ignore_index=0, label_smoothing=0.3), xk),
           (lambda x: F.nll_loss(x, tk, weight=w, ignore_index=2, reduction="sum"), xk)]
    for f, x in fns:
        assert gradcheck(f, (x,))
        assert gradgradcheck(f, (x,))
