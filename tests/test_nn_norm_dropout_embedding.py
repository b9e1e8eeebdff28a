"""Normalisation, dropout, embedding, interpolation and misc layers vs torch; gradcheck and
gradgradcheck for the norms."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from _nn_helpers import close, compare_fn, copy_module_params, e

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def R(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def D(*shape, seed=0):
    return ember.tensor(R(*shape, seed=seed), requires_grad=True)


def _parity(em, tm, x, steps=1, train=True, atol=1e-9):
    tm, em = tm.double(), em.double()
    assert list(em.state_dict()) == list(tm.state_dict())
    copy_module_params(tm, em)
    em.train(train)
    tm.train(train)
    for s in range(steps):
        xi = x + s
        xe, xt = ember.tensor(xi, requires_grad=True), torch.tensor(xi, requires_grad=True)
        ye, yt = em(xe), tm(xt)
        close(ye, yt, 1e-9, atol)
        g = R(*yt.shape, seed=s + 7)
        ye.backward(ember.tensor(g))
        yt.backward(torch.tensor(g))
        close(xe.grad, xt.grad, 1e-7, 1e-9)
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        close(p.grad, q.grad, 1e-7, 1e-9)
    for (n, b), (_, c) in zip(em.named_buffers(), tm.named_buffers()):
        close(b, c, 1e-9, 1e-12)
    tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in em.state_dict().items()})


# -------------------------------------------------------------------------------- batchnorm


@pytest.mark.parametrize("momentum", [0.1, None, 0.5])
def test_batchnorm2d_train_then_eval(momentum):
    em, tm = nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
    _parity(em, tm, R(4, 3, 5, 2), steps=3)
    assert int(em.num_batches_tracked) == 3
    _parity(em, tm, R(4, 3, 5, 2, seed=3), train=False)


@pytest.mark.parametrize("kw", [dict(), dict(affine=False), dict(track_running_stats=False)])
def test_batchnorm1d_variants(kw):
    _parity(nn.BatchNorm1d(4, **kw), torch.nn.BatchNorm1d(4, **kw), R(6, 4), steps=2)
    _parity(nn.BatchNorm1d(4, **kw), torch.nn.BatchNorm1d(4, **kw), R(6, 4, 3), steps=2)
    _parity(nn.BatchNorm1d(4, **kw), torch.nn.BatchNorm1d(4, **kw), R(6, 4), train=False)


def test_batchnorm_repr_and_grad_fn():
    assert repr(nn.BatchNorm2d(3)) == repr(torch.nn.BatchNorm2d(3))
    y = nn.BatchNorm2d(3)(ember.randn(2, 3, 4, 4))
    assert type(y.grad_fn).__name__ == "NativeBatchNormBackward0"


def test_batchnorm_loads_old_state_dict_without_num_batches_tracked():
    m = nn.BatchNorm1d(3)
    sd = m.state_dict()
    del sd["num_batches_tracked"]
    from collections import OrderedDict
    sd = OrderedDict(sd)
    sd._metadata = {"": {"version": 1}}
    m.load_state_dict(sd)


@pytest.mark.parametrize("shape,norm_shape", [((2, 3, 4), 4), ((2, 3, 4), (3, 4)),
                                               ((5, 6), (6,))])
def test_layernorm(shape, norm_shape):
    _parity(nn.LayerNorm(norm_shape), torch.nn.LayerNorm(norm_shape), R(*shape))
    _parity(nn.LayerNorm(norm_shape, elementwise_affine=False),
            torch.nn.LayerNorm(norm_shape, elementwise_affine=False), R(*shape))
    _parity(nn.LayerNorm(norm_shape, bias=False), torch.nn.LayerNorm(norm_shape, bias=False),
            R(*shape))
    assert repr(nn.LayerNorm(norm_shape)) == repr(torch.nn.LayerNorm(norm_shape))


def test_groupnorm_instancenorm_lrn():
    _parity(nn.GroupNorm(2, 6), torch.nn.GroupNorm(2, 6), R(3, 6, 4, 2))
    _parity(nn.GroupNorm(3, 3, affine=False), torch.nn.GroupNorm(3, 3, affine=False), R(3, 3, 5))
    assert repr(nn.GroupNorm(2, 6)) == repr(torch.nn.GroupNorm(2, 6))
    _parity(nn.InstanceNorm2d(3, affine=True), torch.nn.InstanceNorm2d(3, affine=True),
            R(2, 3, 4, 4))
    _parity(nn.InstanceNorm1d(3), torch.nn.InstanceNorm1d(3), R(2, 3, 5))
    _parity(nn.LocalResponseNorm(3), torch.nn.LocalResponseNorm(3), R(2, 5, 3, 3))


def test_weighted_functional_norms_match_torch():
    compare_fn(torch, lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
               lambda x, w, b: TF.batch_norm(x, None, None, w, b, True),
               [R(4, 3, 5), R(3, seed=1), R(3, seed=2)], rtol=1e-9, atol=1e-9)
    compare_fn(torch, lambda x, w, b: F.group_norm(x, 3, w, b),
               lambda x, w, b: TF.group_norm(x, 3, w, b),
               [R(4, 6, 5), R(6, seed=1), R(6, seed=2)], rtol=1e-9, atol=1e-9)
    ye, yt = compare_fn(torch, lambda x, w, b: F.layer_norm(x, (5,), w, b),
                        lambda x, w, b: TF.layer_norm(x, (5,), w, b),
                        [R(4, 6, 5), R(5, seed=1), R(5, seed=2)], rtol=1e-9, atol=1e-9)
    assert type(ye.grad_fn).__name__ == type(yt.grad_fn).__name__


def test_norm_float32_large_offset_is_stable():
    x = (R(8, 4) * 0.01 + 1000).astype(np.float32)
    close(F.layer_norm(e(x), (4,)), TF.layer_norm(torch.tensor(x), (4,)), 1e-2, 2e-2)


NORM_CASES = {
    "batch_norm_train": (lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
                         lambda: (D(3, 2, 2), D(2, seed=1), D(2, seed=2))),
    "batch_norm_eval": (lambda x, w, b: F.batch_norm(
        x, ember.tensor([0.1, -0.2], dtype=ember.float64),
        ember.tensor([1.5, 0.5], dtype=ember.float64), w, b, False),
        lambda: (D(3, 2, 2), D(2, seed=1), D(2, seed=2))),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (3,), w, b),
                   lambda: (D(2, 3), D(3, seed=1), D(3, seed=2))),
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b),
                   lambda: (D(2, 4, 3), D(4, seed=1), D(4, seed=2))),
    "instance_norm": (lambda x: F.instance_norm(x), lambda: (D(2, 2, 4),)),
    "embedding": (lambda w: F.embedding(ember.tensor([[0, 2], [2, 1]]), w),
                  lambda: (D(3, 2),)),
    "interpolate_bilinear": (lambda x: F.interpolate(x, size=(3, 5), mode="bilinear"),
                             lambda: (D(1, 2, 2, 3),)),
    "pixel_shuffle": (lambda x: F.pixel_shuffle(x, 2), lambda: (D(1, 4, 2, 2),)),
}


@pytest.mark.parametrize("name", sorted(NORM_CASES))
def test_gradcheck_and_gradgradcheck(name):
    fn, make = NORM_CASES[name]
    assert gradcheck(fn, make())
    assert gradgradcheck(fn, make())


# --------------------------------------------------------------------------------- dropout


def test_dropout_statistics_and_grad():
    ember.manual_seed(0)
    x = ember.ones(2000, requires_grad=True)
    y = F.dropout(x, 0.3, True)
    kept = y.detach().numpy() != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.7, rtol=1e-6)
    assert type(y.grad_fn).__name__ == "MulBackward0"  # torch's CPU dropout: input * noise


def test_dropout_modes():
    x = ember.randn(4, 6, 3, 3)
    m = nn.Dropout(0.5)
    m.eval()
    assert m(x) is x
    y = nn.Dropout2d(0.5)(x).numpy()
    zero_ch = (y == 0).all(axis=(2, 3))
    assert ((y != 0).all(axis=(2, 3)) | zero_ch).all()
    assert F.dropout(x, 1.0).abs().sum().item() == 0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(1.5)
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))
    ember.manual_seed(1)
    a = nn.AlphaDropout(0.2)(ember.randn(20000)).numpy()
    assert abs(a.mean()) < 0.05 and abs(a.std() - 1) < 0.05


def test_dropout_inplace_without_grad():
    x = ember.ones(100)
    y = F.dropout(x, 0.5, True, inplace=True)
    assert y is x and (x.numpy() == 0).any()


# ------------------------------------------------------------------------------- embedding


def test_embedding_module():
    em, tm = nn.Embedding(6, 3, padding_idx=2), torch.nn.Embedding(6, 3, padding_idx=2)
    assert list(em.state_dict()) == list(tm.state_dict())
    copy_module_params(tm.double(), em.double())
    idx = np.array([[0, 2, 5], [2, 1, 1]])
    ye, yt = em(ember.tensor(idx)), tm(torch.tensor(idx))
    close(ye, yt)
    g = R(2, 3, 3)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    close(em.weight.grad, tm.weight.grad)
    assert type(ye.grad_fn).__name__ == "EmbeddingBackward0"
    assert repr(em) == repr(tm)
    assert (nn.Embedding(4, 2, padding_idx=0).weight.detach().numpy()[0] == 0).all()


def test_embedding_from_pretrained_and_max_norm():
    w = ember.tensor(R(4, 3))
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad
    close(m(ember.tensor([1, 3])), w.numpy()[[1, 3]])
    wt = torch.tensor(R(4, 3))
    we = ember.tensor(R(4, 3))
    TF.embedding(torch.tensor([0, 1]), wt, max_norm=1.0)
    F.embedding(ember.tensor([0, 1]), we, max_norm=1.0)
    close(we, wt, 1e-6, 1e-6)


def test_embedding_errors():
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(ember.tensor([5]), ember.zeros(3, 2))
    with pytest.raises(RuntimeError) as ei:
        F.embedding(ember.tensor([1.0]), ember.zeros(3, 2))
    with pytest.raises(RuntimeError) as ti:
        TF.embedding(torch.tensor([1.0]), torch.zeros(3, 2))
    assert str(ei.value) == str(ti.value)


def test_embedding_bag_matches_torch():
    w = R(6, 3)
    idx, offs = np.array([1, 2, 4, 5, 4, 3]), np.array([0, 2])
    for mode in ("sum", "mean", "max"):
        em = nn.EmbeddingBag.from_pretrained(ember.tensor(w), mode=mode)
        tm = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode=mode)
        close(em(ember.tensor(idx), ember.tensor(offs)), tm(torch.tensor(idx),
                                                          torch.tensor(offs)))


# ------------------------------------------------------------------------- interpolation etc


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(7, 3)),
                                dict(size=(7, 3), mode="bilinear"),
                                dict(size=(7, 3), mode="bilinear", align_corners=True),
                                dict(scale_factor=1.5, mode="bilinear"),
                                dict(scale_factor=0.5, mode="nearest-exact")])
def test_interpolate_matches_torch(kw):
    compare_fn(torch, lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw),
               [R(2, 3, 5, 4)], rtol=1e-9, atol=1e-9)


def test_interpolate_1d_and_upsample_modules():
    compare_fn(torch, lambda x: F.interpolate(x, scale_factor=1.7, mode="linear"),
               lambda x: TF.interpolate(x, scale_factor=1.7, mode="linear"), [R(2, 3, 5)],
               rtol=1e-9, atol=1e-9)
    for args in [dict(scale_factor=2), dict(size=(6, 6), mode="bilinear", align_corners=False)]:
        em, tm = nn.Upsample(**args), torch.nn.Upsample(**args)
        assert repr(em) == repr(tm)
        close(em(ember.tensor(R(1, 2, 3, 3))), tm(torch.tensor(R(1, 2, 3, 3))), 1e-9, 1e-9)
    close(nn.UpsamplingBilinear2d(scale_factor=2)(ember.tensor(R(1, 1, 3, 3))),
          torch.nn.UpsamplingBilinear2d(scale_factor=2)(torch.tensor(R(1, 1, 3, 3))), 1e-9, 1e-9)


def test_pixel_shuffle_and_padding_layers():
    compare_fn(torch, lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2),
               [R(2, 8, 3, 4)])
    compare_fn(torch, lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2),
               [R(2, 2, 4, 6)])
    x = R(1, 2, 4, 5)
    for name, args in [("ZeroPad2d", ((1, 2, 0, 1),)), ("ConstantPad2d", (2, 3.5)),
                       ("ReflectionPad2d", (1,)), ("ReplicationPad2d", ((1, 0, 2, 1),)),
                       ("PixelShuffle", (2,)), ("ConstantPad1d", (2, 1.0))]:
        em, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        xin = R(1, 4, 4, 5) if name == "PixelShuffle" else (R(1, 2, 5) if "1d" in name else x)
        close(em(ember.tensor(xin)), tm(torch.tensor(xin)))
        assert repr(em) == repr(tm), name
    close(nn.Unfold(2)(ember.tensor(x)), torch.nn.Unfold(2)(torch.tensor(x)))
    u = R(1, 8, 12)
    close(nn.Fold((4, 5), 2)(ember.tensor(u)), torch.nn.Fold((4, 5), 2)(torch.tensor(u)))


def test_norm_error_texts():
    def same(fe, ft):
        with pytest.raises(Exception) as te:
            ft()
        with pytest.raises(type(te.value)) as ee:
            fe()
        assert str(ee.value) == str(te.value)

    same(lambda: F.batch_norm(ember.zeros(1, 4), None, None, training=True),
         lambda: TF.batch_norm(torch.zeros(1, 4), None, None, training=True))
    same(lambda: F.batch_norm(ember.zeros(3, 4), ember.zeros(5), ember.ones(5), training=True),
         lambda: TF.batch_norm(torch.zeros(3, 4), torch.zeros(5), torch.ones(5), training=True))
    same(lambda: F.layer_norm(ember.zeros(2, 3), (4,)),
         lambda: TF.layer_norm(torch.zeros(2, 3), (4,)))
    same(lambda: F.group_norm(ember.zeros(2, 6, 4), 4),
         lambda: TF.group_norm(torch.zeros(2, 6, 4), 4))
    same(lambda: nn.BatchNorm2d(3)(ember.zeros(2, 3, 4)),
         lambda: torch.nn.BatchNorm2d(3)(torch.zeros(2, 3, 4)))
    same(lambda: nn.BatchNorm1d(3)(ember.zeros(2, 3, 4, 5)),
         lambda: torch.nn.BatchNorm1d(3)(torch.zeros(2, 3, 4, 5)))
    same(lambda: F.dropout(ember.zeros(2), 1.5), lambda: TF.dropout(torch.zeros(2), 1.5))
    same(lambda: F.pixel_shuffle(ember.zeros(1, 3, 4, 4), 2),
         lambda: TF.pixel_shuffle(torch.zeros(1, 3, 4, 4), 2))


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("batched", [True, False])
def test_instancenorm_channel_count_mismatch_as_torch(nd, batched, recwarn):
    """InstanceNorm with a num_features that is not the input's channel count: torch warns
    (affine=False: num_features is unused) or raises (affine=True), naming the dim."""
    shape = ((2,) if batched else ()) + (3,) + (4,) * nd
    x = R(*shape)
    cls = f"InstanceNorm{nd}d"
    te = getattr(nn, cls)(5)(ember.tensor(x))
    tt = getattr(torch.nn, cls)(5)(torch.tensor(x))
    msgs = [str(w.message) for w in recwarn.list]
    assert len(msgs) == 2 and msgs[0] == msgs[1], msgs
    assert "does not match num_features" in msgs[0]
    close(te, tt)
    errs = []
    for lib, mod in ((ember, nn), (torch, torch.nn)):
        with pytest.raises(ValueError) as ei:
            getattr(mod, cls)(5, affine=True)(lib.tensor(x))
        errs.append(str(ei.value))
    assert errs[0] == errs[1] and "to match num_features (5), but got: 3" in errs[0]
