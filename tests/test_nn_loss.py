"""Every loss against torch 2.13: values, input/target gradients, reductions, weights,
gradcheck, stability at large logits, error texts."""
import numpy as np
import pytest

import ember
from ember import nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

from _nn_helpers import close, e, npy

torch = pytest.importorskip("torch")
TF = torch.nn.functional
REDS = ["mean", "sum", "none"]


def _r(shape, seed=0, dtype=np.float64, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def _both(fe, ft, floats, ints=(), grad_idx=None, rtol=1e-6, atol=1e-7):
    """floats: arrays that require grad (unless grad_idx says otherwise); ints: extra args."""
    grad_idx = range(len(floats)) if grad_idx is None else grad_idx
    fe_in = [e(a, i in grad_idx) for i, a in enumerate(floats)]
    ft_in = [torch.tensor(a, requires_grad=i in grad_idx) for i, a in enumerate(floats)]
    ye = fe(*fe_in, *[e(i) for i in ints])
    yt = ft(*ft_in, *[torch.tensor(i) for i in ints])
    close(ye, yt, rtol, atol)
    g = _r(tuple(yt.shape), 9, npy(yt).dtype)
    ye.backward(e(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(fe_in, ft_in):
        if b.grad is not None:
            close(a.grad, b.grad, rtol, atol)
    return ye, yt


@pytest.mark.parametrize("red", REDS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
                                  "soft_margin_loss"])
def test_pointwise_losses(name, red):
    x, t = _r((4, 5)), _r((4, 5), 1)
    if name == "soft_margin_loss":
        t = np.sign(t)
    ye, yt = _both(lambda a, b: getattr(F, name)(a, b, reduction=red),
                   lambda a, b: getattr(TF, name)(a, b, reduction=red), [x, t],
                   grad_idx=[0] if name == "soft_margin_loss" else None)
    if name in ("mse_loss", "smooth_l1_loss", "huber_loss") and red != "none":
        assert type(ye.grad_fn).__name__ == yt.grad_fn.name()


@pytest.mark.parametrize("kw", [{"beta": 0.5}, {"beta": 0.0}, {"beta": 2.0}])
def test_smooth_l1_beta(kw):
    x, t = _r((6,)), _r((6,), 1)
    _both(lambda a, b: F.smooth_l1_loss(a, b, **kw), lambda a, b: TF.smooth_l1_loss(a, b, **kw),
          [x, t])
    _both(lambda a, b: F.huber_loss(a, b, delta=kw["beta"] or 0.3),
          lambda a, b: TF.huber_loss(a, b, delta=kw["beta"] or 0.3), [x, t])


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("red", REDS)
def test_pointwise_weight(name, red):
    x, t, w = _r((3, 4)), _r((3, 4), 1), np.abs(_r((3, 4), 2))
    _both(lambda a, b: getattr(F, name)(a, b, reduction=red, weight=e(w)),
          lambda a, b: getattr(TF, name)(a, b, reduction=red, weight=torch.tensor(w)), [x, t])


def test_mse_broadcast_warning():
    x, t = _r((3, 1)), _r((3,))
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[3\]\)\) that is "
                                         r"different to the input size"):
        ye = F.mse_loss(e(x), e(t))
    with pytest.warns(UserWarning):
        close(ye, TF.mse_loss(torch.tensor(x), torch.tensor(t)))


@pytest.mark.parametrize("red", REDS)
@pytest.mark.parametrize("case", ["plain", "weight", "ignore", "smooth", "weight_smooth_ignore"])
def test_cross_entropy_indices(case, red):
    x = _r((6, 5), scale=3)
    t = np.array([0, 4, 2, 2, 1, 3])
    kw_e, kw_t = {"reduction": red}, {"reduction": red}
    w = np.abs(_r((5,), 3)) + 0.1
    if "weight" in case:
        kw_e["weight"], kw_t["weight"] = e(w), torch.tensor(w)
    if "ignore" in case:
        t[1] = -100
        t[3] = -100
    if "smooth" in case:
        kw_e["label_smoothing"] = kw_t["label_smoothing"] = 0.2
    ye, yt = _both(lambda a, b: F.cross_entropy(a, b, **kw_e),
                   lambda a, b: TF.cross_entropy(a, b, **kw_t), [x], [t])
    if case == "plain" and red != "none":
        assert type(ye.grad_fn).__name__ == "NllLossBackward0"


def test_cross_entropy_custom_ignore_index_and_k_dim():
    x = _r((2, 4, 3, 5), scale=2)
    t = np.random.default_rng(3).integers(0, 4, (2, 3, 5))
    t[0, 1, 2] = 7
    for red in REDS:
        _both(lambda a, b: F.cross_entropy(a, b, ignore_index=7, reduction=red,
                                           label_smoothing=0.1),
              lambda a, b: TF.cross_entropy(a, b, ignore_index=7, reduction=red,
                                            label_smoothing=0.1), [x], [t])
    _both(lambda a, b: F.nll_loss(F.log_softmax(a, 1), b, ignore_index=7),
          lambda a, b: TF.nll_loss(TF.log_softmax(a, 1), b, ignore_index=7), [x], [t])


def test_cross_entropy_unbatched_and_probabilities():
    x = _r((5,))
    _both(lambda a, b: F.cross_entropy(a, b), lambda a, b: TF.cross_entropy(a, b), [x],
          [np.array(3)])
    xp_, p = _r((4, 5)), np.random.default_rng(5).dirichlet(np.ones(5), 4)
    w = np.abs(_r((5,), 3)) + 0.1
    for red in REDS:
        for ls in (0.0, 0.3):
            _both(lambda a, b: F.cross_entropy(a, b, reduction=red, label_smoothing=ls,
                                               weight=e(w)),
                  lambda a, b: TF.cross_entropy(a, b, reduction=red, label_smoothing=ls,
                                                weight=torch.tensor(w)), [xp_, p])


def test_cross_entropy_large_logits_finite():
    x = np.array([[1000.0, -1000.0, 0.0], [-5e4, 5e4, 1.0]], np.float32)
    t = np.array([1, 0])
    ye, yt = _both(F.cross_entropy, TF.cross_entropy, [x], [t], rtol=1e-5, atol=1e-4)
    assert np.isfinite(npy(ye))


@pytest.mark.parametrize("red", REDS)
def test_nll_loss(red):
    x = np.log(np.random.default_rng(2).dirichlet(np.ones(4), 5))
    t = np.array([0, 3, 1, 1, 2])
    w = np.abs(_r((4,), 3)) + 0.1
    _both(lambda a, b: F.nll_loss(a, b, weight=e(w), reduction=red),
          lambda a, b: TF.nll_loss(a, b, weight=torch.tensor(w), reduction=red), [x], [t])


def test_class_loss_errors():
    x = ember.randn(3, 4)
    with pytest.raises(RuntimeError, match="^expected target dtype to be Long or Byte, but got "
                                           "Float$"):
        F.cross_entropy(x, ember.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got "
                                           "Float"):
        F.nll_loss(x, ember.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(IndexError, match=r"^Target 5 is out of bounds.$"):
        F.cross_entropy(x, ember.tensor([0, 1, 5]))
    with pytest.raises(ValueError, match=r"^Expected input batch_size \(3\) to match target "
                                         r"batch_size \(2\).$"):
        F.cross_entropy(x, ember.tensor([0, 1]))
    with pytest.raises(RuntimeError, match=r"^Expected target size \[3, 5\], got \[3, 4\]$"):
        F.cross_entropy(ember.randn(3, 4, 5), ember.zeros(3, 4, dtype=ember.int64))
    with pytest.raises(ValueError, match="^foo is not a valid value for reduction$"):
        F.cross_entropy(x, ember.tensor([0, 1, 2]), reduction="foo")


@pytest.mark.parametrize("red", REDS)
def test_bce(red):
    x = 1 / (1 + np.exp(-_r((4, 3))))
    t = np.random.default_rng(1).random((4, 3))
    w = np.abs(_r((3,), 2))
    ye, yt = _both(lambda a, b: F.binary_cross_entropy(a, b, weight=e(w), reduction=red),
                   lambda a, b: TF.binary_cross_entropy(a, b, weight=torch.tensor(w),
                                                        reduction=red), [x, t])
    assert type(ye.grad_fn).__name__ == yt.grad_fn.name()


def test_bce_clamps_log_and_errors():
    x = np.array([0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 1.0])
    close(F.binary_cross_entropy(e(x), e(t)), TF.binary_cross_entropy(torch.tensor(x),
                                                                      torch.tensor(t)))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(e(np.array([1.5])), e(np.array([1.0])))
    with pytest.raises(ValueError, match=r"Using a target size \(torch.Size\(\[3, 1\]\)\) that "
                                         r"is different to the input size \(torch.Size\(\[3, 4\]"
                                         r"\)\) is deprecated. Please ensure they have the same "
                                         r"size."):
        F.binary_cross_entropy(ember.rand(3, 4), ember.rand(3, 1))


@pytest.mark.parametrize("red", REDS)
@pytest.mark.parametrize("opts", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits(red, opts):
    x, t = _r((4, 3), scale=4), np.random.default_rng(1).random((4, 3))
    kw_e, kw_t = {}, {}
    if opts in ("weight", "both"):
        w = np.abs(_r((3,), 2))
        kw_e["weight"], kw_t["weight"] = e(w), torch.tensor(w)
    if opts in ("pos_weight", "both"):
        pw = np.abs(_r((3,), 4)) + 0.2
        kw_e["pos_weight"], kw_t["pos_weight"] = e(pw), torch.tensor(pw)
    ye, yt = _both(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=red, **kw_e),
                   lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=red, **kw_t),
                   [x, t])
    assert type(ye.grad_fn).__name__ == "BinaryCrossEntropyWithLogitsBackward0"


def test_bce_with_logits_stable_and_error():
    x = np.array([-1e4, -80.0, 0.0, 80.0, 1e4], np.float32)
    t = np.array([1.0, 0.0, 1.0, 1.0, 0.0], np.float32)
    ye, _ = _both(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                  [x, t], rtol=1e-5, atol=1e-5)
    assert np.isfinite(npy(ye))
    with pytest.raises(ValueError, match=r"^Target size \(torch.Size\(\[3, 1\]\)\) must be the "
                                         r"same as input size \(torch.Size\(\[3, 4\]\)\)$"):
        F.binary_cross_entropy_with_logits(ember.rand(3, 4), ember.rand(3, 1))


@pytest.mark.parametrize("red", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(red, log_target):
    x = np.log(np.random.default_rng(0).dirichlet(np.ones(4), 3))
    t = np.random.default_rng(1).dirichlet(np.ones(4), 3)
    t[0, 1] = 0.0
    if log_target:
        t = np.log(t + 0.01)
    with pytest.warns(UserWarning) if red == "mean" else _nullcontext():
        _both(lambda a, b: F.kl_div(a, b, reduction=red, log_target=log_target),
              lambda a, b: TF.kl_div(a, b, reduction=red, log_target=log_target), [x, t],
              grad_idx=[0] if not log_target else None)  # torch: nan target grad at t=0


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


@pytest.mark.parametrize("log_input,full", [(True, False), (False, True), (True, True)])
def test_poisson_nll(log_input, full):
    x = np.abs(_r((3, 4))) + 0.1
    t = np.random.default_rng(1).poisson(2.0, (3, 4)).astype(np.float64)
    for red in REDS:
        _both(lambda a, b: F.poisson_nll_loss(a, b, log_input, full, reduction=red),
              lambda a, b: TF.poisson_nll_loss(a, b, log_input, full, reduction=red), [x, t],
              grad_idx=[0] if full else None)  # torch: nan target grad at t=0 when full


@pytest.mark.parametrize("var_shape", [(4, 3), (4, 1), (4,)])
def test_gaussian_nll(var_shape):
    x, t = _r((4, 3)), _r((4, 3), 1)
    v = np.abs(_r(var_shape, 2)) + 0.01
    v.reshape(-1)[0] = 1e-9  # exercises the clamp
    for red in REDS:
        _both(lambda a, b, c: F.gaussian_nll_loss(a, b, c, full=True, reduction=red),
              lambda a, b, c: TF.gaussian_nll_loss(a, b, c, full=True, reduction=red),
              [x, t, v])


def test_margin_and_embedding_losses():
    a, b = _r((5, 4)), _r((5, 4), 1)
    y = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
    for red in REDS:
        _both(lambda p, q, r: F.cosine_embedding_loss(p, q, r, margin=0.1, reduction=red),
              lambda p, q, r: TF.cosine_embedding_loss(p, q, r, margin=0.1, reduction=red),
              [a, b, y], grad_idx=[0, 1])
        _both(lambda p, q, r: F.margin_ranking_loss(p, q, r, margin=0.2, reduction=red),
              lambda p, q, r: TF.margin_ranking_loss(p, q, r, margin=0.2, reduction=red),
              [a[:, 0], b[:, 0], y], grad_idx=[0, 1])
        _both(lambda p, r: F.hinge_embedding_loss(p, r, margin=0.5, reduction=red),
              lambda p, r: TF.hinge_embedding_loss(p, r, margin=0.5, reduction=red),
              [a[:, 0], y], grad_idx=[0])
        n = _r((5, 4), 2)
        _both(lambda p, q, r: F.triplet_margin_loss(p, q, r, swap=True, reduction=red),
              lambda p, q, r: TF.triplet_margin_loss(p, q, r, swap=True, reduction=red),
              [a, b, n])
        tgt = (np.random.default_rng(4).random((5, 4)) > 0.5).astype(np.float64)
        _both(lambda p, q: F.multilabel_soft_margin_loss(p, q, reduction=red),
              lambda p, q: TF.multilabel_soft_margin_loss(p, q, reduction=red), [a, tgt])
        _both(lambda p, q: F.multi_margin_loss(p, q, reduction=red),
              lambda p, q: TF.multi_margin_loss(p, q, reduction=red), [a],
              [np.array([0, 3, 1, 2, 2])])


def test_margin_ranking_error():
    with pytest.raises(RuntimeError, match=r"margin_ranking_loss : All input tensors should have "
                                           r"same dimension but got sizes: input1: "
                                           r"torch.Size\(\[3\]\), input2: torch.Size\(\[3, 1\]\)"):
        F.margin_ranking_loss(ember.randn(3), ember.randn(3, 1), ember.randn(3))


GRADCHECK = [
    ("mse", lambda x, t: F.mse_loss(x, t)),
    ("l1", lambda x, t: F.l1_loss(x, t, reduction="sum")),
    ("smooth_l1", lambda x, t: F.smooth_l1_loss(x, t, beta=0.5)),
    ("huber", lambda x, t: F.huber_loss(x, t, reduction="none", delta=0.7)),
    ("bce_logits", lambda x, t: F.binary_cross_entropy_with_logits(
        x, t.sigmoid(), pos_weight=ember.tensor([1.5, 0.5, 2.0], dtype=ember.float64))),
    ("bce", lambda x, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid())),
    ("ce", lambda x, t: F.cross_entropy(x, ember.tensor([0, 2, 1, 1]), label_smoothing=0.1,
                                        weight=ember.tensor([1.0, 2.0, 0.5],
                                                            dtype=ember.float64))),
    ("ce_none", lambda x, t: F.cross_entropy(x, ember.tensor([0, 2, -100, 1]),
                                             reduction="none")),
    ("ce_prob", lambda x, t: F.cross_entropy(x, t.softmax(1))),
    ("nll", lambda x, t: F.nll_loss(x, ember.tensor([0, 2, 1, 1]))),
    ("kl", lambda x, t: F.kl_div(x.log_softmax(1), t.softmax(1), reduction="batchmean")),
    ("cos_emb", lambda x, t: F.cosine_embedding_loss(x, t, ember.tensor([1.0, -1, 1, -1]))),
    ("triplet", lambda x, t: F.triplet_margin_loss(x, t, x * 0.5 + 1)),
]


@pytest.mark.parametrize("name,fn", GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_loss_gradcheck(name, fn):
    x = e(_r((4, 3), 7), True)
    t = e(_r((4, 3), 8), name not in ("ce", "nll", "ce_none"))
    inputs = (x, t) if t.requires_grad else (x,)
    f = fn if t.requires_grad else (lambda x: fn(x, t))
    assert gradcheck(f, inputs)
    if name in ("mse", "bce_logits", "ce", "ce_prob", "bce", "smooth_l1"):
        assert gradgradcheck(f, inputs)


def test_loss_modules_repr_and_values():
    w = ember.tensor([1.0, 2.0, 0.5])
    tw = torch.tensor([1.0, 2.0, 0.5])
    pairs = [
        (nn.MSELoss(), torch.nn.MSELoss()), (nn.L1Loss(reduction="sum"),
                                             torch.nn.L1Loss(reduction="sum")),
        (nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5)),
        (nn.HuberLoss(delta=0.5), torch.nn.HuberLoss(delta=0.5)),
        (nn.SoftMarginLoss(), torch.nn.SoftMarginLoss()),
        (nn.BCEWithLogitsLoss(pos_weight=w), torch.nn.BCEWithLogitsLoss(pos_weight=tw)),
        (nn.KLDivLoss(reduction="batchmean"), torch.nn.KLDivLoss(reduction="batchmean")),
        (nn.MultiLabelSoftMarginLoss(), torch.nn.MultiLabelSoftMarginLoss()),
        (nn.PoissonNLLLoss(), torch.nn.PoissonNLLLoss()),
    ]
    x, t = _r((4, 3), dtype=np.float32), np.random.default_rng(1).random((4, 3)).astype(
        np.float32)
    for em, tm in pairs:
        assert repr(em) == repr(tm)
        close(em(e(x), e(t)), tm(torch.tensor(x), torch.tensor(t)), 1e-5, 1e-6)
    ce, tce = nn.CrossEntropyLoss(weight=w, label_smoothing=0.1), torch.nn.CrossEntropyLoss(
        weight=tw, label_smoothing=0.1)
    lab = np.array([0, 1, 2, 1])
    close(ce(e(x), e(lab)), tce(torch.tensor(x), torch.tensor(lab)), 1e-5, 1e-6)
    assert list(ce.state_dict().keys()) == list(tce.state_dict().keys()) == ["weight"]
    assert repr(ce) == repr(tce) == "CrossEntropyLoss()"
    bce, tbce = nn.BCELoss(), torch.nn.BCELoss()
    close(bce(e(t), e(t)), tbce(torch.tensor(t), torch.tensor(t)), 1e-5, 1e-6)
    nll, tnll = nn.NLLLoss(ignore_index=1), torch.nn.NLLLoss(ignore_index=1)
    close(nll(e(x), e(lab)), tnll(torch.tensor(x), torch.tensor(lab)), 1e-5, 1e-6)
    g, tg = nn.GaussianNLLLoss(), torch.nn.GaussianNLLLoss()
    close(g(e(x), e(t), e(t + 0.1)), tg(torch.tensor(x), torch.tensor(t), torch.tensor(t + 0.1)),
          1e-5, 1e-6)


def test_legacy_size_average_reduce():
    x, t = _r((3, 2)), _r((3, 2), 1)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == "sum"
    close(m(e(x), e(t)), TF.mse_loss(torch.tensor(x), torch.tensor(t), reduction="sum"))


def test_logistic_regression_trains():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 2)).astype(np.float32)
    y = (X[:, :1] + X[:, 1:] > 0).astype(np.float32)
    for crit, post in [(nn.BCEWithLogitsLoss(), lambda z: z),
                       (nn.BCELoss(), lambda z: z.sigmoid())]:
        ember.manual_seed(0)
        model = nn.Linear(2, 1)
        first = None
        for _ in range(60):
            loss = crit(post(model(e(X))), e(y))
            model.zero_grad()
            loss.backward()
            with ember.no_grad():
                for p in model.parameters():
                    p -= 0.5 * p.grad
            first = first if first is not None else loss.item()
        assert loss.item() < 0.5 * first
        acc = ((model(e(X)) > 0).float() == e(y)).float().mean().item()
        assert acc > 0.9
