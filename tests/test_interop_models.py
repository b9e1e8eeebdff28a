"""Cross-library checkpoints of real models: each model is written once as ``build(nn)`` so the
same code builds an ember and a torch model.  State dicts and optimizer states saved by one
library load in the other and give the same outputs / the same training trajectory."""
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
st_torch = pytest.importorskip("safetensors.torch")


# ------------------------------------------------------------------------------------- models
def build_mlp(nn):
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 16),
                         nn.Tanh(), nn.Linear(16, 4))


def build_cnn(nn):
    # The convs have no bias: a bias right before BatchNorm gets a gradient that is pure
    # rounding noise (BN removes the mean), which Adam would amplify to lr-sized steps.
    return nn.Sequential(
        nn.Conv2d(3, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(4 * 2 * 2, 5))


def build_lstm(nn):
    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True)
            self.fc = nn.Linear(12, 3)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.fc(out[:, -1])

    return LSTMNet()


def build_transformer(nn):
    class TinyEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 16, padding_idx=0)
            layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.1,
                                               batch_first=True)
            self.enc = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
            self.fc = nn.Linear(16, 3)

        def forward(self, x):
            return self.fc(self.enc(self.emb(x)).mean(1))

    return TinyEncoder()


def build_misc(nn):
    """The other layers whose parameters/buffers have torch-specific names and layouts."""
    class Misc(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(11, 6)
            self.conv = nn.Conv1d(6, 8, 3, padding="same", groups=2)
            self.gn = nn.GroupNorm(2, 8)
            self.bn = nn.BatchNorm1d(8)
            self.act = nn.PReLU(8)
            self.gru = nn.GRU(8, 5, num_layers=2, bidirectional=True)
            self.ln = nn.LayerNorm(10)
            self.rnn = nn.RNN(10, 4, nonlinearity="relu", batch_first=True)
            self.out = nn.Linear(4, 11, bias=False)

        def forward(self, idx):
            h = self.emb(idx).transpose(1, 2)
            h = self.act(self.bn(self.gn(self.conv(h))))
            h, _ = self.gru(h.permute(2, 0, 1))
            h, hn = self.rnn(self.ln(h).transpose(0, 1))
            return self.out(h + hn[-1].unsqueeze(1))

    return Misc()


_R = np.random.default_rng(1234)
INPUTS = {
    "mlp": _R.standard_normal((6, 8)).astype(np.float32),
    "cnn": _R.standard_normal((4, 3, 8, 8)).astype(np.float32),
    "lstm": _R.standard_normal((3, 7, 5)).astype(np.float32),
    "transformer": _R.integers(0, 20, (3, 6)).astype(np.int64),
    "misc": _R.integers(0, 11, (3, 7)).astype(np.int64),
}
N_CLASSES = {"mlp": 4, "cnn": 5, "lstm": 3, "transformer": 3}
BUILDERS = {"mlp": build_mlp, "cnn": build_cnn, "lstm": build_lstm,
            "transformer": build_transformer, "misc": build_misc}
MODELS = list(BUILDERS)


def pair(name, seed=0):
    """(ember model, torch model), torch weights randomly initialised and copied into ember
    through NumPy (no serialization involved)."""
    torch.manual_seed(seed)
    tm = BUILDERS[name](torch.nn)
    em = BUILDERS[name](ember.nn)
    with torch.no_grad():  # give the BatchNorm buffers non-trivial values too
        for k, v in tm.state_dict().items():
            if k.endswith("running_mean"):
                v.normal_()
            elif k.endswith("running_var"):
                v.uniform_(0.5, 2.0)
            elif k.endswith("num_batches_tracked"):
                v.fill_(7)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    return em, tm


def run_e(model, x):
    return model(ember.tensor(x)).detach().numpy()


def run_t(model, x):
    return model(torch.tensor(x)).detach().numpy()


def assert_same_state(sd_e, sd_t, rtol=0.0, atol=0.0):
    assert list(sd_e) == list(sd_t)
    for k in sd_t:
        a, b = sd_e[k], sd_t[k]
        assert tuple(a.shape) == tuple(b.shape), k
        assert repr(a.dtype) == repr(b.dtype), k
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol,
                                   atol=atol, err_msg=k)


# ------------------------------------------------------------- (a)(b)(d) state dicts both ways
@pytest.mark.parametrize("name", MODELS)
def test_ember_save_torch_load_same_outputs(name, tmp_path):
    em, _ = pair(name, seed=1)
    torch.manual_seed(99)
    tm = BUILDERS[name](torch.nn)  # different weights until loaded
    path = tmp_path / "m.pt"
    ember.save(em.state_dict(), path)
    sd = torch.load(path, weights_only=True)
    assert list(sd) == list(tm.state_dict())
    result = tm.load_state_dict(sd, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    em.eval()
    tm.eval()
    x = INPUTS[name]
    with torch.no_grad():
        np.testing.assert_allclose(run_e(em, x), run_t(tm, x), rtol=1e-5, atol=1e-6)
    assert_same_state(em.state_dict(), tm.state_dict())


@pytest.mark.parametrize("name", MODELS)
def test_torch_save_ember_load_same_outputs(name, tmp_path):
    torch.manual_seed(2)
    tm = BUILDERS[name](torch.nn)
    _, tm_ref = pair(name, seed=3)
    tm.load_state_dict(tm_ref.state_dict())
    em = BUILDERS[name](ember.nn)
    path = tmp_path / "m.pt"
    torch.save(tm.state_dict(), path)
    sd = ember.load(path)
    assert list(sd) == list(em.state_dict())
    result = em.load_state_dict(sd, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    em.eval()
    tm.eval()
    x = INPUTS[name]
    with torch.no_grad():
        np.testing.assert_allclose(run_e(em, x), run_t(tm, x), rtol=1e-5, atol=1e-6)
    assert_same_state(em.state_dict(), tm.state_dict())


def test_batchnorm_num_batches_tracked_both_ways(tmp_path):
    em, tm = pair("cnn")
    x = INPUTS["cnn"]
    em.train()
    tm.train()
    for _ in range(3):  # updates running stats and num_batches_tracked in both
        em(ember.tensor(x))
        tm(torch.tensor(x))
    sd_e, sd_t = em.state_dict(), tm.state_dict()
    for k in ("1.num_batches_tracked", "5.num_batches_tracked"):
        assert repr(sd_e[k].dtype) == "torch.int64" and sd_e[k].shape == ()
        assert int(sd_e[k].item()) == int(sd_t[k].item()) == 10
    assert_same_state(sd_e, sd_t, rtol=1e-5, atol=1e-6)
    # ember -> torch
    ember.save(sd_e, tmp_path / "e.pt")
    t2 = build_cnn(torch.nn)
    t2.load_state_dict(torch.load(tmp_path / "e.pt", weights_only=True), strict=True)
    assert int(t2[1].num_batches_tracked) == 10
    assert t2[1].num_batches_tracked.dtype == torch.int64
    # torch -> ember
    torch.save(sd_t, tmp_path / "t.pt")
    e2 = build_cnn(ember.nn)
    e2.load_state_dict(ember.load(tmp_path / "t.pt"), strict=True)
    assert int(e2[5].num_batches_tracked.item()) == 10
    # and ember -> ember, torch -> torch via the other library's file, all agree in eval
    e3 = build_cnn(ember.nn)
    e3.load_state_dict(ember.load(tmp_path / "e.pt"))
    t3 = build_cnn(torch.nn)
    t3.load_state_dict(torch.load(tmp_path / "t.pt", weights_only=True))
    for m in (em, tm, t2, e2, e3, t3):
        m.eval()
    with torch.no_grad():
        ref = run_t(tm, x)
        for m in (em, e2, e3):
            np.testing.assert_allclose(run_e(m, x), ref, rtol=1e-5, atol=1e-6)
        for m in (t2, t3):
            np.testing.assert_allclose(run_t(m, x), ref, rtol=1e-5, atol=1e-6)


def test_old_checkpoint_without_num_batches_tracked_loads_like_torch():
    """torch fills a missing num_batches_tracked for BatchNorm (version-1 state dicts)."""
    tm = torch.nn.BatchNorm1d(3)
    em = ember.nn.BatchNorm1d(3)
    sd = {k: v for k, v in tm.state_dict().items() if "num_batches" not in k}
    esd = {k: ember.tensor(v.numpy()) for k, v in sd.items()}
    from collections import OrderedDict
    sd, esd = OrderedDict(sd), OrderedDict(esd)
    sd._metadata = {"": {"version": 1}}
    esd._metadata = {"": {"version": 1}}
    rt = tm.load_state_dict(sd, strict=True)
    re_ = em.load_state_dict(esd, strict=True)
    assert list(rt.missing_keys) == list(re_.missing_keys) == []
    assert int(em.num_batches_tracked.item()) == int(tm.num_batches_tracked) == 0


@pytest.mark.parametrize("name", MODELS)
def test_in_memory_torch_state_dict_loads_into_ember(name):
    """``ember_model.load_state_dict(torch_model.state_dict())`` works without a file."""
    torch.manual_seed(21)
    tm = BUILDERS[name](torch.nn)
    em = BUILDERS[name](ember.nn)
    result = em.load_state_dict(tm.state_dict(), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert_same_state(em.state_dict(), tm.state_dict())
    assert all(isinstance(v, ember.Tensor) for v in em.state_dict().values())
    em.eval()
    tm.eval()
    with torch.no_grad():
        np.testing.assert_allclose(run_e(em, INPUTS[name]), run_t(tm, INPUTS[name]), rtol=1e-5,
                                   atol=1e-6)
    # assign=True makes ember Parameters (not torch tensors) and keeps requires_grad
    e2 = BUILDERS[name](ember.nn)
    e2.load_state_dict(tm.state_dict(), assign=True)
    for p in e2.parameters():
        assert isinstance(p, ember.nn.Parameter) and p.requires_grad


def test_tied_weights_keep_sharing_both_ways(tmp_path):
    def build_tied(nn):
        m = nn.Sequential(nn.Embedding(7, 4), nn.Linear(4, 7, bias=False))
        m[1].weight = m[0].weight
        return m

    torch.manual_seed(3)
    tt, et = build_tied(torch.nn), build_tied(ember.nn)
    assert list(et.state_dict()) == list(tt.state_dict()) == ["0.weight", "1.weight"]
    torch.save(tt.state_dict(), tmp_path / "t.pt")
    sd = ember.load(tmp_path / "t.pt")
    sd["0.weight"].add_(0)  # same storage: an in-place op on one bumps the other's version
    assert sd["0.weight"]._version == sd["1.weight"]._version
    et.load_state_dict(sd)
    assert et[0].weight is et[1].weight
    ember.save(et.state_dict(), tmp_path / "e.pt")
    s2 = torch.load(tmp_path / "e.pt", weights_only=True)
    assert s2["0.weight"].data_ptr() == s2["1.weight"].data_ptr()
    t2 = build_tied(torch.nn)
    t2.load_state_dict(s2)
    assert torch.equal(t2[1].weight, tt[1].weight)
    x = np.array([[1, 5, 6]])
    with torch.no_grad():
        np.testing.assert_allclose(run_e(et, x), run_t(tt, x), rtol=1e-6)


# ------------------------------------------------------------------------------ (e) safetensors
@pytest.mark.parametrize("name", MODELS)
def test_safetensors_both_ways(name, tmp_path):
    em, tm_src = pair(name, seed=4)
    x = INPUTS[name]
    # ember -> safetensors.torch
    p1 = tmp_path / "e.safetensors"
    ember.save_safetensors(em.state_dict(), p1)
    torch.manual_seed(50)
    tm = BUILDERS[name](torch.nn)
    tm.load_state_dict(st_torch.load_file(str(p1)), strict=True)
    # safetensors.torch -> ember
    p2 = tmp_path / "t.safetensors"
    st_torch.save_file(tm_src.state_dict(), str(p2))
    e2 = BUILDERS[name](ember.nn)
    e2.load_state_dict(ember.load_safetensors(p2), strict=True)
    for m in (em, tm, tm_src, e2):
        m.eval()
    with torch.no_grad():
        ref = run_t(tm_src, x)
        np.testing.assert_allclose(run_t(tm, x), ref, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(run_e(e2, x), ref, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(run_e(em, x), ref, rtol=1e-5, atol=1e-6)
    assert_same_state(e2.state_dict(), tm.state_dict())


# ------------------------------------------------------------------ (c) optimizer checkpoints
OPTIMIZERS = {
    "adam": lambda optim, ps: optim.Adam(ps, lr=1e-2, betas=(0.8, 0.95), weight_decay=1e-3),
    "sgd_momentum": lambda optim, ps: optim.SGD(ps, lr=5e-2, momentum=0.9, nesterov=True,
                                                 weight_decay=1e-4),
}


def _batches(name, n, seed):
    r = np.random.default_rng(seed)
    x0 = INPUTS[name]
    out = []
    for _ in range(n):
        if x0.dtype.kind == "i":
            x = r.integers(0, 20, x0.shape).astype(np.int64)
        else:
            x = r.standard_normal(x0.shape).astype(np.float32)
        y = r.integers(0, N_CLASSES[name], x0.shape[0]).astype(np.int64)
        out.append((x, y))
    return out


def _no_dropout_train(model, nn):
    """Train mode (BatchNorm uses batch statistics) but with every Dropout switched off so
    the two libraries' random streams do not matter."""
    model.train()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.eval()
        if hasattr(m, "dropout") and isinstance(getattr(m, "dropout"), float):
            m.dropout = 0.0  # LSTM inter-layer dropout
    return model


def _step(lib, model, opt, x, y):
    opt.zero_grad()
    out = model(lib.tensor(x))
    loss = lib.nn.functional.cross_entropy(out, lib.tensor(y))
    loss.backward()
    opt.step()
    return float(loss.item())


def _without_key_bias(sd):
    """Attention's key bias adds the same q.b_k to every score of a query, which softmax
    ignores: its true gradient is 0 and what each library computes is rounding noise, which
    Adam normalises into lr-sized steps.  It never affects outputs, so it is left out."""
    out = dict(sd)
    for k, v in sd.items():
        if k.endswith("in_proj_bias"):
            e3 = v.shape[0] // 3
            out[k] = v[:e3]
    return out


def _train_both(name, em, eo, tm, to, batches, rtol):
    for i, (x, y) in enumerate(batches):
        le = _step(ember, em, eo, x, y)
        lt = _step(torch, tm, to, x, y)
        np.testing.assert_allclose(le, lt, rtol=rtol, atol=1e-6, err_msg=f"step {i}")
    assert_same_state(_without_key_bias(em.state_dict()), _without_key_bias(tm.state_dict()),
                      rtol=rtol, atol=1e-5)


def _opt_state_close(sd_e, sd_t):
    assert sd_e["param_groups"] == sd_t["param_groups"]
    assert sorted(sd_e["state"]) == sorted(sd_t["state"])
    for i in sd_t["state"]:
        se, stt = sd_e["state"][i], sd_t["state"][i]
        assert sorted(se) == sorted(stt), i
        for k in stt:
            a, b = se[k], stt[k]
            if isinstance(b, torch.Tensor):
                assert isinstance(a, ember.Tensor), (i, k)
                assert tuple(a.shape) == tuple(b.shape), (i, k)
                assert repr(a.dtype) == repr(b.dtype), (i, k)
                np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
            else:
                assert a == b, (i, k)


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
@pytest.mark.parametrize("name", ["mlp", "cnn", "lstm"])
def test_optimizer_checkpoint_ember_to_torch(name, opt_name, tmp_path):
    em, _ = pair(name, seed=5)
    _no_dropout_train(em, ember.nn)
    eo = OPTIMIZERS[opt_name](ember.optim, em.parameters())
    for x, y in _batches(name, 3, seed=10):
        _step(ember, em, eo, x, y)
    path = tmp_path / "ckpt.pt"
    ember.save({"model": em.state_dict(), "optim": eo.state_dict(), "epoch": 3}, path)
    ck = torch.load(path, weights_only=True)
    assert ck["epoch"] == 3
    torch.manual_seed(77)
    tm = _no_dropout_train(BUILDERS[name](torch.nn), torch.nn)
    tm.load_state_dict(ck["model"], strict=True)
    to = OPTIMIZERS[opt_name](torch.optim, tm.parameters())
    to.load_state_dict(ck["optim"])
    _opt_state_close(eo.state_dict(), to.state_dict())
    _train_both(name, em, eo, tm, to, _batches(name, 5, seed=11), rtol=1e-4)
    _opt_state_close(eo.state_dict(), to.state_dict())


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
@pytest.mark.parametrize("name", ["mlp", "cnn", "lstm"])
def test_optimizer_checkpoint_torch_to_ember(name, opt_name, tmp_path):
    _, tm = pair(name, seed=6)
    _no_dropout_train(tm, torch.nn)
    to = OPTIMIZERS[opt_name](torch.optim, tm.parameters())
    for x, y in _batches(name, 3, seed=12):
        _step(torch, tm, to, x, y)
    path = tmp_path / "ckpt.pt"
    torch.save({"model": tm.state_dict(), "optim": to.state_dict(), "epoch": 3}, path)
    ck = ember.load(path)
    assert ck["epoch"] == 3
    em = _no_dropout_train(BUILDERS[name](ember.nn), ember.nn)
    em.load_state_dict(ck["model"], strict=True)
    eo = OPTIMIZERS[opt_name](ember.optim, em.parameters())
    eo.load_state_dict(ck["optim"])
    _opt_state_close(eo.state_dict(), to.state_dict())
    _train_both(name, em, eo, tm, to, _batches(name, 5, seed=13), rtol=1e-4)
    _opt_state_close(eo.state_dict(), to.state_dict())


def test_optimizer_checkpoint_transformer_adamw_both_ways(tmp_path):
    em, tm = pair("transformer", seed=8)
    _no_dropout_train(em, ember.nn)
    _no_dropout_train(tm, torch.nn)
    eo = ember.optim.AdamW(em.parameters(), lr=3e-3)
    to = torch.optim.AdamW(tm.parameters(), lr=3e-3)
    _train_both("transformer", em, eo, tm, to, _batches("transformer", 2, seed=3), rtol=1e-4)
    ember.save(eo.state_dict(), tmp_path / "e.pt")
    torch.save(to.state_dict(), tmp_path / "t.pt")
    to2 = torch.optim.AdamW(tm.parameters(), lr=1.0)
    to2.load_state_dict(torch.load(tmp_path / "e.pt", weights_only=True))
    eo2 = ember.optim.AdamW(em.parameters(), lr=1.0)
    eo2.load_state_dict(ember.load(tmp_path / "t.pt"))
    _opt_state_close(eo2.state_dict(), to2.state_dict())
    _train_both("transformer", em, eo2, tm, to2, _batches("transformer", 3, seed=4), rtol=2e-4)


# ------------------------------------------------------------------------ (f) error messages
def _load_errors(sd_mutator, name="mlp"):
    em, tm = pair(name)
    sd_t = tm.state_dict()
    sd_e = em.state_dict()
    sd_mutator(sd_t, torch)
    sd_mutator(sd_e, ember)
    with pytest.raises(RuntimeError) as et:
        tm.load_state_dict(sd_t, strict=True)
    with pytest.raises(RuntimeError) as ee:
        em.load_state_dict(sd_e, strict=True)
    return str(ee.value), str(et.value)


def _missing(sd, lib):
    del sd["3.bias"]


def _unexpected(sd, lib):
    sd["3.extra"] = lib.zeros(2)
    sd["zz"] = lib.ones(1)


def _misshaped(sd, lib):
    sd["0.weight"] = lib.zeros(16, 9)


def _all_three(sd, lib):
    del sd["0.bias"]
    del sd["5.weight"]
    sd["5.weight_typo"] = lib.zeros(4, 16)
    sd["3.weight"] = lib.zeros(16)


@pytest.mark.parametrize("mutator", [_missing, _unexpected, _misshaped, _all_three])
def test_load_state_dict_error_text_matches_torch(mutator):
    got, want = _load_errors(mutator)
    assert got == want


def test_load_state_dict_error_text_from_files(tmp_path):
    """Errors for a mis-shaped checkpoint written by the other library read the same."""
    _, tm = pair("cnn")
    sd = tm.state_dict()
    sd["1.running_mean"] = torch.zeros(7)
    del sd["9.bias"]
    torch.save(sd, tmp_path / "bad.pt")
    em = build_cnn(ember.nn)
    t2 = build_cnn(torch.nn)
    with pytest.raises(RuntimeError) as ee:
        em.load_state_dict(ember.load(tmp_path / "bad.pt"))
    with pytest.raises(RuntimeError) as et:
        t2.load_state_dict(torch.load(tmp_path / "bad.pt", weights_only=True))
    assert str(ee.value) == str(et.value)


def test_load_state_dict_non_strict_result_matches_torch():
    em, tm = pair("lstm")
    sd_t, sd_e = tm.state_dict(), em.state_dict()
    for sd, lib in ((sd_t, torch), (sd_e, ember)):
        del sd["lstm.weight_hh_l1_reverse"]
        sd["lstm.foo"] = lib.zeros(1)
    rt = tm.load_state_dict(sd_t, strict=False)
    re_ = em.load_state_dict(sd_e, strict=False)
    assert list(re_.missing_keys) == list(rt.missing_keys)
    assert list(re_.unexpected_keys) == list(rt.unexpected_keys)
    assert repr(re_) == repr(rt)


def test_half_and_bfloat16_state_dicts(tmp_path):
    th = build_mlp(torch.nn).half()
    eh = build_mlp(ember.nn).half()
    torch.save(th.state_dict(), tmp_path / "h.pt")
    eh.load_state_dict(ember.load(tmp_path / "h.pt"))
    assert_same_state(eh.state_dict(), th.state_dict())
    ember.save(eh.state_dict(), tmp_path / "eh.pt")
    back = torch.load(tmp_path / "eh.pt", weights_only=True)
    assert all(v.dtype == torch.float16 for v in back.values())
    # bfloat16 from torch (a file or in memory) loads into a float32 ember model exactly
    tb = build_mlp(torch.nn).to(torch.bfloat16)
    torch.save(tb.state_dict(), tmp_path / "b.pt")
    with torch.no_grad():
        want = {k: v.float().numpy() for k, v in tb.state_dict().items()}
    for source in ("file", "memory"):
        eb = build_mlp(ember.nn)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "bfloat16 loads as float32" without ml_dtypes
            sd = ember.load(tmp_path / "b.pt") if source == "file" else tb.state_dict()
            eb.load_state_dict(sd)
        for k, v in eb.state_dict().items():
            assert repr(v.dtype) == "torch.float32"
            np.testing.assert_array_equal(v.numpy(), want[k], err_msg=f"{source} {k}")


def test_optimizer_state_cast_to_param_dtype_like_torch(tmp_path):
    """A float32 optimizer checkpoint loaded for a float64 model: moments become float64,
    Adam's step stays float32, in both libraries."""
    tm = torch.nn.Linear(3, 2)
    to = torch.optim.Adam(tm.parameters())
    tm(torch.randn(2, 3)).sum().backward()
    to.step()
    torch.save(to.state_dict(), tmp_path / "o.pt")
    em = ember.nn.Linear(3, 2).double()
    eo = ember.optim.Adam(em.parameters())
    eo.load_state_dict(ember.load(tmp_path / "o.pt"))
    t2 = torch.nn.Linear(3, 2).double()
    o2 = torch.optim.Adam(t2.parameters())
    o2.load_state_dict(torch.load(tmp_path / "o.pt", weights_only=True))
    for k in ("exp_avg", "exp_avg_sq", "step"):
        assert repr(eo.state[em.weight][k].dtype) == repr(o2.state[t2.weight][k].dtype), k
