"""End-to-end training parity with PyTorch: the same model code (``build(nn)``), the same
initial weights from NumPy, the same batches; per-step losses, gradient norms, learning rates
and final weights (BatchNorm running statistics included) agree to float32 rounding, and
tightly in float64."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Small models: torch's thread pool only adds contention on a shared machine."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# ------------------------------------------------------------------------------------- models
def build_mlp(nn, p_drop=0.0):
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(p_drop), nn.Linear(32, 16),
                         nn.GELU(), nn.Linear(16, 4))


def build_cnn(nn, p_drop=0.0):
    # no conv bias before BatchNorm: its true gradient is 0 (rounding noise, amplified by Adam)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, stride=2, padding=1), nn.ReLU(),
        nn.Dropout(p_drop), nn.Flatten(), nn.Linear(6 * 2 * 2, 3))


def build_lstm(nn, p_drop=0.0):
    class LSTMRegressor(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(3, 8, num_layers=2, batch_first=True, dropout=p_drop)
            self.head = nn.Linear(8, 1)

        def forward(self, x):
            out, (h, c) = self.lstm(x)
            return self.head(out[:, -1]).squeeze(-1)

    return LSTMRegressor()


BUILDERS = {"mlp": build_mlp, "cnn": build_cnn, "lstm": build_lstm}
X_SHAPE = {"mlp": (8, 10), "cnn": (6, 2, 8, 8), "lstm": (5, 6, 3)}
N_CLASSES = {"mlp": 4, "cnn": 3}


def loss_fn(lib, name):
    return lib.nn.MSELoss() if name == "lstm" else lib.nn.CrossEntropyLoss()


def numpy_weights(model_t, seed, dtype):
    """Fresh NumPy values for every parameter (buffers keep their defaults)."""
    r = np.random.default_rng(seed)
    names = {n for n, _ in model_t.named_parameters()}
    out = {}
    for k, v in model_t.state_dict().items():
        if k in names:
            fan_in = int(np.prod(v.shape[1:])) if v.dim() > 1 else 16
            b = 1.0 / np.sqrt(fan_in)
            out[k] = r.uniform(-b, b, tuple(v.shape)).astype(dtype)
        else:
            out[k] = v.numpy().copy()
            if out[k].dtype.kind == "f":
                out[k] = out[k].astype(dtype)
    return out


def make_pair(name, seed=0, dtype=np.float32, p_drop=0.0):
    em = BUILDERS[name](ember.nn, p_drop)
    tm = BUILDERS[name](torch.nn, p_drop)
    if dtype == np.float64:
        em.double()
        tm.double()
    w = numpy_weights(tm, seed, dtype)
    em.load_state_dict({k: ember.tensor(v.copy()) for k, v in w.items()}, strict=True)
    tm.load_state_dict({k: torch.tensor(v.copy()) for k, v in w.items()}, strict=True)
    return em, tm


def batches(name, n, seed, dtype=np.float32):
    r = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = r.standard_normal(X_SHAPE[name]).astype(dtype)
        if name == "lstm":
            y = r.standard_normal(X_SHAPE[name][0]).astype(dtype)
        else:
            y = r.integers(0, N_CLASSES[name], X_SHAPE[name][0]).astype(np.int64)
        out.append((x, y))
    return out


def assert_same_state(sd_e, sd_t, rtol, atol):
    assert list(sd_e) == list(sd_t)
    for k in sd_t:
        a, b = sd_e[k], sd_t[k]
        assert tuple(a.shape) == tuple(b.shape), k
        assert repr(a.dtype) == repr(b.dtype), k
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=k)


# --------------------------------------------------------------------------- the training loop
OPTS = {
    "sgd": lambda lib, ps: lib.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1,
                                         weight_decay=1e-3),
    "adam": lambda lib, ps: lib.optim.Adam(ps, lr=1e-2, betas=(0.85, 0.99), amsgrad=True),
    "adamw": lambda lib, ps: lib.optim.AdamW(ps, lr=5e-3, weight_decay=0.05),
}
SCHEDS = {
    "sgd": lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=6, gamma=0.5),
    "adam": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=1e-4),
    "adamw": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=1e-2, total_steps=20),
}


def train(lib, name, model, opt_name, data, max_norm=0.5, set_to_none=True):
    opt = OPTS[opt_name](lib, model.parameters())
    sched = SCHEDS[opt_name](lib, opt)
    crit = loss_fn(lib, name)
    losses, norms, lrs = [], [], []
    model.train()
    for x, y in data:
        opt.zero_grad(set_to_none=set_to_none)
        loss = crit(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        norms.append(float(lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm)))
        opt.step()
        sched.step()
        losses.append(loss.item())
        lrs.append(sched.get_last_lr())
    return np.array(losses), np.array(norms), np.array(lrs), opt


TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-9, atol=1e-11)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("opt_name", list(OPTS))
@pytest.mark.parametrize("name", list(BUILDERS))
def test_twenty_steps_match(name, opt_name, dtype):
    em, tm = make_pair(name, seed=1, dtype=dtype)
    data = batches(name, 20, seed=2, dtype=dtype)
    le, ne, lre, eo = train(ember, name, em, opt_name, data)
    lt, nt, lrt, to = train(torch, name, tm, opt_name, data)
    tol = TOL[dtype]
    np.testing.assert_allclose(lre, lrt, rtol=1e-12, atol=0)
    np.testing.assert_allclose(le, lt, **tol)
    np.testing.assert_allclose(ne, nt, **tol)
    assert (nt > 0.5).any() and (nt < 0.5).any()  # clipping was active on some steps only
    assert np.isfinite(le).all() and le[-1] != le[0]
    assert_same_state(em.state_dict(), tm.state_dict(), **tol)
    for p_e, p_t in zip(em.parameters(), tm.parameters()):
        np.testing.assert_allclose(p_e.grad.numpy(), p_t.grad.numpy(), **tol)
    # the optimizer states agree too (momentum buffers, exp_avg, max_exp_avg_sq, step)
    se, st = eo.state_dict(), to.state_dict()
    assert se["param_groups"] == st["param_groups"]
    for i in st["state"]:
        assert sorted(se["state"][i]) == sorted(st["state"][i])
        for k, v in st["state"][i].items():
            np.testing.assert_allclose(np.asarray(se["state"][i][k].numpy()), v.numpy(), **tol)
    # eval mode after training: BatchNorm uses the (identical) running statistics
    em.eval()
    tm.eval()
    x = batches(name, 1, seed=3, dtype=dtype)[0][0]
    with ember.no_grad(), torch.no_grad():
        np.testing.assert_allclose(em(ember.tensor(x)).numpy(), tm(torch.tensor(x)).numpy(),
                                   **tol)


def test_batchnorm_running_stats_and_train_eval_switching():
    em, tm = make_pair("cnn", seed=4)
    data = batches("cnn", 6, seed=5)
    eo = OPTS["sgd"](ember, em.parameters())
    to = OPTS["sgd"](torch, tm.parameters())
    x_eval = batches("cnn", 1, seed=6)[0][0]
    for i, (x, y) in enumerate(data):
        for lib, m, o in ((ember, em, eo), (torch, tm, to)):
            m.train()
            o.zero_grad()
            lib.nn.functional.cross_entropy(m(lib.tensor(x)), lib.tensor(y)).backward()
            o.step()
            m.eval()  # evaluate between steps, then switch back
        assert [m.training for m in em.modules()] == [m.training for m in tm.modules()]
        with ember.no_grad(), torch.no_grad():
            ye, yt = em(ember.tensor(x_eval)).numpy(), tm(torch.tensor(x_eval)).numpy()
        np.testing.assert_allclose(ye, yt, rtol=1e-4, atol=1e-5, err_msg=f"step {i}")
    bn_e, bn_t = em[1], tm[1]
    for attr in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(bn_e, attr).numpy(), getattr(bn_t, attr).numpy(),
                                   rtol=1e-5, atol=1e-6)
    assert int(bn_e.num_batches_tracked.item()) == int(bn_t.num_batches_tracked) == 6
    assert not np.allclose(bn_e.running_var.numpy(), 1.0)
    # eval twice gives the same result; eval forward does not touch the running statistics
    before = bn_e.running_mean.numpy().copy()
    with ember.no_grad():
        y1 = em(ember.tensor(x_eval)).numpy()
        y2 = em(ember.tensor(x_eval)).numpy()
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(before, bn_e.running_mean.numpy())


class _MaskRecorder:
    """Copies ember's dropout masks into torch's Dropout layers: an ember forward hook records
    which outputs were kept, a torch forward hook applies that mask (scaled like torch)."""

    def __init__(self, em, tm, nn_e):
        self.masks = {}
        pairs = [(a, b) for a, b in zip(em.modules(), tm.modules())
                 if isinstance(a, nn_e.Dropout)]
        assert pairs
        for i, (de, dt) in enumerate(pairs):
            de.register_forward_hook(self._record(i))
            dt.register_forward_hook(self._apply(i))

    def _record(self, i):
        def hook(mod, inp, out):
            if mod.training:
                x, y = inp[0].detach().numpy(), out.detach().numpy()
                keep = y != 0
                np.testing.assert_allclose(y[keep], x[keep] / (1 - mod.p), rtol=1e-6)
                self.masks[i] = keep
        return hook

    def _apply(self, i):
        def hook(mod, inp, out):
            if mod.training:
                return inp[0] * torch.tensor(self.masks[i]) / (1 - mod.p)
        return hook


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_dropout_training_with_shared_masks(name):
    """Train mode with real dropout in ember; torch replays ember's masks, so losses and
    weights still agree. In eval mode Dropout is the identity in both."""
    ember.manual_seed(5)  # the masks: the same every run, whatever ran before in this process
    em, tm = make_pair(name, seed=7, p_drop=0.4)
    rec = _MaskRecorder(em, tm, ember.nn)
    eo = OPTS["adam"](ember, em.parameters())
    to = OPTS["adam"](torch, tm.parameters())
    ce_e, ce_t = loss_fn(ember, name), loss_fn(torch, name)
    dropped = 0
    for x, y in batches(name, 8, seed=8):
        em.train()
        tm.train()
        eo.zero_grad()
        to.zero_grad()
        le = ce_e(em(ember.tensor(x)), ember.tensor(y))
        lt = ce_t(tm(torch.tensor(x)), torch.tensor(y))
        dropped += sum(int((~m).sum()) for m in rec.masks.values())
        le.backward()
        lt.backward()
        eo.step()
        to.step()
        np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-5)
        em.eval()
        tm.eval()
        with ember.no_grad(), torch.no_grad():
            np.testing.assert_allclose(em(ember.tensor(x)).numpy(), tm(torch.tensor(x)).numpy(),
                                       rtol=1e-4, atol=1e-5)
    assert dropped > 0
    # Adam divides by sqrt(v): where a weight's gradients are all ~0 (dropped or dead units),
    # float32 rounding differences of ~1e-9 become steps of up to ~lr/1000.  Over 300 random
    # mask draws the worst weight differed by 4.2e-5 beyond rtol (99th percentile 4e-7).
    assert_same_state(em.state_dict(), tm.state_dict(), rtol=1e-4, atol=2e-4)


def test_lstm_interlayer_dropout_is_identity_in_eval():
    em, tm = make_pair("lstm", seed=9, p_drop=0.5)
    x = batches("lstm", 1, seed=10)[0][0]
    em.eval()
    tm.eval()
    with ember.no_grad(), torch.no_grad():
        np.testing.assert_allclose(em(ember.tensor(x)).numpy(), tm(torch.tensor(x)).numpy(),
                                   rtol=1e-5, atol=1e-6)
    em.train()
    outs = [em(ember.tensor(x)).detach().numpy() for _ in range(2)]
    assert not np.allclose(outs[0], outs[1])  # dropout between the layers is active


# ------------------------------------------------------------------- zero_grad(set_to_none)
def build_two_heads(nn):
    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(5, 6)
            self.a = nn.Linear(6, 2)
            self.b = nn.Linear(6, 2)

        def forward(self, x, head):
            h = self.body(x).tanh()
            return self.a(h) if head == "a" else self.b(h)

    return TwoHeads()


@pytest.mark.parametrize("set_to_none", [True, False])
@pytest.mark.parametrize("opt_name", ["sgd", "adamw"])
def test_zero_grad_set_to_none_semantics(set_to_none, opt_name):
    """Head b is used once, then never: with set_to_none=True its grad is None afterwards and
    the optimizer skips it; with False the grad is a zero tensor and (weight decay, momentum,
    Adam moments) keep moving it.  Both libraries do the same."""
    em, tm = build_two_heads(ember.nn), build_two_heads(torch.nn)
    r = np.random.default_rng(11)
    w = {k: r.standard_normal(tuple(v.shape)).astype(np.float32) * 0.4
         for k, v in tm.state_dict().items()}
    em.load_state_dict({k: ember.tensor(v) for k, v in w.items()})
    tm.load_state_dict({k: torch.tensor(v) for k, v in w.items()})
    eo, to = OPTS[opt_name](ember, em.parameters()), OPTS[opt_name](torch, tm.parameters())
    heads = ["b", "a", "a", "a", "a"]
    for i, head in enumerate(heads):
        x = r.standard_normal((4, 5)).astype(np.float32)
        for lib, m, o in ((ember, em, eo), (torch, tm, to)):
            o.zero_grad(set_to_none=set_to_none)
            if i > 0:
                gb = m.b.weight.grad
                if set_to_none:
                    assert gb is None and m.a.weight.grad is None
                else:
                    assert gb is not None and not gb.detach().numpy().any()
            m(lib.tensor(x), head).pow(2).mean().backward()
            if i > 0:
                assert (m.b.weight.grad is None) == set_to_none
            o.step()
        # model's zero_grad agrees with the optimizer's
    for lib, m in ((ember, em), (torch, tm)):
        m.zero_grad(set_to_none=set_to_none)
        assert all((p.grad is None) == set_to_none for p in m.parameters())
    assert_same_state(em.state_dict(), tm.state_dict(), rtol=1e-5, atol=1e-6)
    moved = not np.allclose(em.b.weight.detach().numpy(), w["b.weight"], atol=1e-7)
    assert moved  # the step with head b moved it in every configuration
    se, st = eo.state_dict()["state"], to.state_dict()["state"]
    assert sorted(se) == sorted(st)
    for i in st:
        for k, v in st[i].items():
            np.testing.assert_allclose(np.asarray(se[i][k].numpy()), v.numpy(), rtol=1e-5,
                                       atol=1e-7)


# ------------------------------------------------------------------------------- DataLoader
def test_dataloader_feeds_both_libraries_identically():
    r = np.random.default_rng(12)
    X = r.standard_normal((37, 10)).astype(np.float32)
    Y = r.integers(0, 4, 37).astype(np.int64)
    dl_e = ember.utils.data.DataLoader(
        ember.utils.data.TensorDataset(ember.tensor(X), ember.tensor(Y)), batch_size=8,
        shuffle=False)
    dl_t = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=8,
        shuffle=False)
    assert len(dl_e) == len(dl_t) == 5
    em, tm = make_pair("mlp", seed=13)
    eo, to = OPTS["sgd"](ember, em.parameters()), OPTS["sgd"](torch, tm.parameters())
    ce_e, ce_t = ember.nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    n = 0
    for epoch in range(2):
        for (xe, ye), (xt, yt) in zip(dl_e, dl_t, strict=True):
            assert isinstance(xe, ember.Tensor) and repr(ye.dtype) == "torch.int64"
            np.testing.assert_array_equal(xe.numpy(), xt.numpy())
            np.testing.assert_array_equal(ye.numpy(), yt.numpy())
            eo.zero_grad()
            to.zero_grad()
            le, lt = ce_e(em(xe), ye), ce_t(tm(xt), yt)
            le.backward()
            lt.backward()
            eo.step()
            to.step()
            np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-4, atol=1e-6)
            n += 1
    assert n == 10
    assert_same_state(em.state_dict(), tm.state_dict(), rtol=1e-4, atol=1e-5)
    # the last (short) batch and the order are torch's
    last_e = list(dl_e)[-1][0].numpy()
    np.testing.assert_array_equal(last_e, X[32:])


def test_clip_grad_norm_inf_and_value_during_training():
    em, tm = make_pair("mlp", seed=14)
    eo, to = OPTS["adam"](ember, em.parameters()), OPTS["adam"](torch, tm.parameters())
    for i, (x, y) in enumerate(batches("mlp", 6, seed=15)):
        for lib, m, o in ((ember, em, eo), (torch, tm, to)):
            o.zero_grad()
            (lib.nn.functional.cross_entropy(m(lib.tensor(x)), lib.tensor(y)) * 10).backward()
        if i % 2:
            ne = ember.nn.utils.clip_grad_norm_(em.parameters(), 0.05, norm_type="inf")
            nt = torch.nn.utils.clip_grad_norm_(tm.parameters(), 0.05, norm_type="inf")
            np.testing.assert_allclose(float(ne), float(nt), rtol=1e-6)
        else:
            ember.nn.utils.clip_grad_value_(em.parameters(), 0.01)
            torch.nn.utils.clip_grad_value_(tm.parameters(), 0.01)
        for pe, pt in zip(em.parameters(), tm.parameters()):
            np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-5, atol=1e-7)
        eo.step()
        to.step()
    assert_same_state(em.state_dict(), tm.state_dict(), rtol=1e-4, atol=1e-6)


# --------------------------------------------------- other optimizers, groups, accumulation
MORE_OPTS = {
    "rmsprop": lambda lib, ps: lib.optim.RMSprop(ps, lr=1e-2, alpha=0.9, momentum=0.5,
                                                 centered=True, weight_decay=1e-3),
    "adagrad": lambda lib, ps: lib.optim.Adagrad(ps, lr=0.05, lr_decay=1e-3,
                                                 initial_accumulator_value=0.1),
    "nadam": lambda lib, ps: lib.optim.NAdam(ps, lr=1e-2, decoupled_weight_decay=True,
                                             weight_decay=1e-2),
    "radam": lambda lib, ps: lib.optim.RAdam(ps, lr=1e-2),
    "adamax": lambda lib, ps: lib.optim.Adamax(ps, lr=1e-2),
    "adadelta": lambda lib, ps: lib.optim.Adadelta(ps, lr=1.0),
    "adam_maximize": lambda lib, ps: lib.optim.Adam(ps, lr=1e-3, maximize=True),
    "lbfgs": lambda lib, ps: lib.optim.LBFGS(ps, lr=0.5, max_iter=5,
                                             line_search_fn="strong_wolfe"),
    "param_groups": lambda lib, ps: lib.optim.AdamW(
        [{"params": [p for p in ps if p.dim() > 1], "weight_decay": 0.05},
         {"params": [p for p in ps if p.dim() <= 1], "lr": 3e-3, "weight_decay": 0.0}],
        lr=1e-2),
}


def _train_generic(lib, name, model, make_opt, data, accum=1, closure=False):
    params = list(model.parameters())
    opt = make_opt(lib, params)
    crit = loss_fn(lib, name)
    model.train()
    losses = []
    for i, (x, y) in enumerate(data):
        if closure:
            def c():
                opt.zero_grad()
                loss = crit(model(lib.tensor(x)), lib.tensor(y))
                loss.backward()
                return loss
            loss = opt.step(c)
        else:
            if i % accum == 0:
                opt.zero_grad()
            loss = crit(model(lib.tensor(x)), lib.tensor(y)) / accum
            loss.backward()
            if (i + 1) % accum == 0:
                opt.step()
        losses.append(loss.item())
    return np.array(losses)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("opt_name", list(MORE_OPTS))
def test_more_optimizers_end_to_end(opt_name, dtype):
    name = "lstm" if opt_name in ("nadam", "adamax", "rmsprop") else "mlp"
    em, tm = make_pair(name, seed=16, dtype=dtype)
    n = 4 if opt_name == "lbfgs" else 12
    data = batches(name, n, seed=17, dtype=dtype)
    closure = opt_name == "lbfgs"
    le = _train_generic(ember, name, em, MORE_OPTS[opt_name], data, closure=closure)
    lt = _train_generic(torch, name, tm, MORE_OPTS[opt_name], data, closure=closure)
    tol = TOL[dtype] if not closure else {np.float32: dict(rtol=1e-4, atol=1e-5),
                                          np.float64: dict(rtol=1e-8, atol=1e-10)}[dtype]
    np.testing.assert_allclose(le, lt, **tol)
    assert_same_state(em.state_dict(), tm.state_dict(), **tol)
    assert le[0] != le[-1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_gradient_accumulation_matches(dtype):
    em, tm = make_pair("cnn", seed=18, dtype=dtype)
    data = batches("cnn", 12, seed=19, dtype=dtype)
    le = _train_generic(ember, "cnn", em, OPTS["adam"], data, accum=3)
    lt = _train_generic(torch, "cnn", tm, OPTS["adam"], data, accum=3)
    np.testing.assert_allclose(le, lt, **TOL[dtype])
    assert_same_state(em.state_dict(), tm.state_dict(), **TOL[dtype])


def test_frozen_layers_stay_fixed_and_match():
    em, tm = make_pair("mlp", seed=20)
    for m in (em, tm):
        m[0].requires_grad_(False)
    w0 = em[0].weight.detach().numpy().copy()
    data = batches("mlp", 10, seed=21)
    make = lambda lib, ps: lib.optim.AdamW([p for p in ps if p.requires_grad], lr=1e-2)  # noqa
    le = _train_generic(ember, "mlp", em, make, data)
    lt = _train_generic(torch, "mlp", tm, make, data)
    np.testing.assert_allclose(le, lt, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(em[0].weight.detach().numpy(), w0)
    assert em[0].weight.grad is None and tm[0].weight.grad is None
    assert_same_state(em.state_dict(), tm.state_dict(), rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------ a Transformer and a GRU tagger
def build_transformer(nn, p_drop=0.0):
    class TinyEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(12, 16)
            layer = nn.TransformerEncoderLayer(16, 2, dim_feedforward=24, dropout=p_drop,
                                               batch_first=True, norm_first=True,
                                               activation="gelu")
            self.enc = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
            self.fc = nn.Linear(16, 3)

        def forward(self, x):
            pad = x == 0
            h = self.enc(self.emb(x), src_key_padding_mask=pad)
            return self.fc(h[:, 0])

    return TinyEncoder()


def build_gru(nn, p_drop=0.0):
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(12, 6)
            self.gru = nn.GRU(6, 5, bidirectional=True, batch_first=True)
            self.fc = nn.Linear(10, 3)

        def forward(self, x):
            return self.fc(self.gru(self.emb(x))[0]).reshape(-1, 3)

    return Tagger()


@pytest.mark.parametrize("builder", [build_transformer, build_gru], ids=["transformer", "gru"])
def test_sequence_models_train_identically(builder):
    torch.manual_seed(22)
    tm = builder(torch.nn)
    em = builder(ember.nn)
    em.load_state_dict(tm.state_dict())
    r = np.random.default_rng(23)
    eo = ember.optim.SGD(em.parameters(), lr=0.05, momentum=0.9)
    to = torch.optim.SGD(tm.parameters(), lr=0.05, momentum=0.9)
    for lib, m in ((ember, em), (torch, tm)):
        m.train()
    for step in range(10):
        x = r.integers(1, 12, (4, 5)).astype(np.int64)
        x[1, 3:] = 0  # padding at the end of one sequence
        y = r.integers(0, 3, (4,) if builder is build_transformer else (20,)).astype(np.int64)
        losses = []
        for lib, m, o in ((ember, em, eo), (torch, tm, to)):
            o.zero_grad()
            loss = lib.nn.functional.cross_entropy(m(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            o.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4, atol=1e-6,
                                   err_msg=f"step {step}")
    assert_same_state(em.state_dict(), tm.state_dict(), rtol=1e-4, atol=1e-5)


def build_packed_lstm(nn):
    rnn_utils = nn.utils.rnn

    class PackedLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 4, padding_idx=0)
            self.lstm = nn.LSTM(4, 5, batch_first=True, bidirectional=True, num_layers=2)
            self.fc = nn.Linear(10, 2)

        def forward(self, x, lengths):
            p = rnn_utils.pack_padded_sequence(self.emb(x), lengths, batch_first=True,
                                               enforce_sorted=False)
            out, (h, c) = self.lstm(p)
            out, _ = rnn_utils.pad_packed_sequence(out, batch_first=True)
            return self.fc(out.sum(1) + h[-1].repeat(1, 2))

    return PackedLSTM()


def test_packed_unsorted_lstm_trains_identically():
    """pack_padded_sequence(enforce_sorted=False) through a 2-layer biLSTM: the output
    PackedSequence keeps the input's sorting (a bug once mixed up the sequences)."""
    torch.manual_seed(24)
    tm, em = build_packed_lstm(torch.nn), build_packed_lstm(ember.nn)
    em.load_state_dict(tm.state_dict())
    eo = ember.optim.Adam(em.parameters(), lr=1e-2)
    to = torch.optim.Adam(tm.parameters(), lr=1e-2)
    r = np.random.default_rng(25)
    for step in range(5):
        lengths = np.array([2, 5, 3, 1])
        x = r.integers(1, 10, (4, 5)).astype(np.int64)
        x[np.arange(5)[None, :] >= lengths[:, None]] = 0
        y = r.integers(0, 2, 4).astype(np.int64)
        losses = []
        for lib, m, o in ((ember, em, eo), (torch, tm, to)):
            o.zero_grad()
            loss = lib.nn.functional.cross_entropy(m(lib.tensor(x), lib.tensor(lengths)),
                                                   lib.tensor(y))
            loss.backward()
            o.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5, err_msg=f"step {step}")
    assert_same_state(em.state_dict(), tm.state_dict(), rtol=1e-4, atol=1e-5)
    # the packed output itself: same data order and indices as torch
    x = np.array([[3, 4, 0], [5, 6, 7]])
    outs = []
    for lib, m in ((ember, em), (torch, tm)):
        p = lib.nn.utils.rnn.pack_padded_sequence(m.emb(lib.tensor(x)), lib.tensor([2, 3]),
                                                  batch_first=True, enforce_sorted=False)
        out, _ = m.lstm(p)
        outs.append((out.data.detach().numpy(), out.sorted_indices.numpy(),
                     out.unsorted_indices.numpy(), out.batch_sizes.numpy()))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
