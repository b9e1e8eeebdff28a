"""nn.Module and containers against torch 2.13: registration, traversal names/order,
state_dict both ways and its error texts, hooks, repr, modes, conversions, copying."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn

from _nn_helpers import close, copy_module_params, e

torch = pytest.importorskip("torch")


def build(lib):
    """The same nested model in ember (lib=ember) or torch (lib=torch)."""
    tnn = lib.nn

    class Block(tnn.Module):
        def __init__(self):
            super().__init__()
            self.fc = tnn.Linear(4, 4)
            self.act = tnn.ReLU()
            self.register_buffer("running", lib.zeros(4))
            self.register_buffer("scratch", lib.ones(2), persistent=False)
            self.scale = tnn.Parameter(lib.ones(1))

        def forward(self, x):
            return self.act(self.fc(x)) * self.scale + self.running

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = tnn.Sequential(OrderedDict(inp=tnn.Linear(3, 4), b=Block()))
            self.layers = tnn.ModuleList([Block(), Block()])
            self.heads = tnn.ModuleDict({"a": tnn.Linear(4, 2), "b": tnn.Linear(4, 1)})
            self.tied = self.layers[0]  # shared module: listed once
            self.extra = tnn.ParameterList([tnn.Parameter(lib.zeros(2)), lib.ones(3)])
            self.pdict = tnn.ParameterDict({"z": tnn.Parameter(lib.zeros(1))})
            self.none_child = None

        def forward(self, x):
            h = self.encoder(x)
            for blk in self.layers:
                h = blk(h)
            return self.heads["a"](h).sum(-1) + self.heads["b"](h).sum(-1)

    return Net()


def test_names_and_order_match_torch():
    em, tm = build(ember), build(torch)
    for fn in ["named_parameters", "named_buffers", "named_modules", "named_children",
               "state_dict"]:
        ke = [k for k, _ in getattr(em, fn)()] if fn != "state_dict" else list(em.state_dict())
        kt = [k for k, _ in getattr(tm, fn)()] if fn != "state_dict" else list(tm.state_dict())
        assert ke == kt, fn
    assert [k for k, _ in em.named_parameters(remove_duplicate=False)] == \
        [k for k, _ in tm.named_parameters(remove_duplicate=False)]
    assert [k for k, _ in em.named_modules(remove_duplicate=False, prefix="m")] == \
        [k for k, _ in tm.named_modules(remove_duplicate=False, prefix="m")]
    assert [k for k, _ in em.named_parameters(prefix="p", recurse=False)] == \
        [k for k, _ in tm.named_parameters(prefix="p", recurse=False)]
    assert [k for k, _ in em.layers[0].named_buffers()] == ["running", "scratch"]
    assert list(em.state_dict()._metadata) == list(tm.state_dict()._metadata)
    assert em.state_dict()._metadata[""] == {"version": 1}
    assert len(list(em.parameters())) == len(list(tm.parameters()))
    assert len(list(em.modules())) == len(list(tm.modules()))
    assert len(list(em.children())) == len(list(tm.children()))


def test_repr_matches_torch():
    em, tm = build(ember), build(torch)
    assert repr(em) == repr(tm)
    assert repr(nn.Module()) == repr(torch.nn.Module()) == "Module()"

    def make(base):
        class Custom(base):
            def extra_repr(self):
                return "a=1\nb=2"
        return Custom()
    e_, t_ = make(nn.Module), make(torch.nn.Module)
    e_.sub = nn.Linear(1, 1)
    t_.sub = torch.nn.Linear(1, 1)
    assert repr(e_) == repr(t_)


def test_forward_and_grads_match_torch_with_copied_weights():
    em, tm = build(ember), build(torch)
    tsd = tm.state_dict()
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tsd.items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    ye, yt = em(e(x)), tm(torch.tensor(x))
    close(ye, yt, 1e-5, 1e-6)
    ye.sum().backward()
    yt.sum().backward()
    for (k, pe), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
        if pt.grad is None:
            assert pe.grad is None, k
        else:
            close(pe.grad, pt.grad, 1e-5, 1e-6)


def test_state_dict_loads_back_into_torch():
    em, tm = build(ember), build(torch)
    info = tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    assert repr(info) == "<All keys matched successfully>"
    x = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    close(em(e(x)), tm(torch.tensor(x)), 1e-5, 1e-6)


def _err(fn):
    with pytest.raises(Exception) as ei:
        fn()
    return type(ei.value), str(ei.value)


def test_load_state_dict_errors_match_torch():
    em, tm = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    sde = {"weight": ember.zeros(4, 2), "extra": ember.zeros(1), "sub.x": ember.zeros(1)}
    sdt = {"weight": torch.zeros(4, 2), "extra": torch.zeros(1), "sub.x": torch.zeros(1)}
    assert _err(lambda: em.load_state_dict(sde)) == _err(lambda: tm.load_state_dict(sdt))
    ie = em.load_state_dict({"weight": ember.zeros(3, 2), "foo": ember.zeros(1)}, strict=False)
    it = tm.load_state_dict({"weight": torch.zeros(3, 2), "foo": torch.zeros(1)}, strict=False)
    assert ie == it and repr(ie) == repr(it)
    assert ie.missing_keys == ["bias"] and ie.unexpected_keys == ["foo"]
    assert float(em.weight.abs().sum()) == 0.0
    ee = _err(lambda: em.load_state_dict({"weight": 1, "bias": ember.zeros(3)}))
    et = _err(lambda: tm.load_state_dict({"weight": 1, "bias": torch.zeros(3)}))
    assert ee == et
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got"):
        em.load_state_dict([1, 2])
    text = ("Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "
            '"bias". ')
    with pytest.raises(RuntimeError) as ei:
        em.load_state_dict({"weight": ember.zeros(3, 2)})
    assert str(ei.value) == text


def test_load_state_dict_assign_and_keep_vars():
    m = nn.Linear(2, 2)
    w = ember.ones(2, 2)
    m.load_state_dict({"weight": w, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    assert m.weight._array is w._array
    sd = m.state_dict(keep_vars=True)
    assert sd["weight"] is m.weight
    sd = m.state_dict()
    assert not sd["weight"].requires_grad and type(sd["weight"]) is ember.Tensor
    assert list(m.state_dict(prefix="x.")) == ["x.weight", "x.bias"]


def test_registration_errors_match_torch():
    em, tm = nn.Linear(1, 1), torch.nn.Linear(1, 1)
    cases = [
        lambda n, lib: setattr(n, "weight", 3),
        lambda n, lib: n.register_buffer("a.b", None),
        lambda n, lib: n.register_buffer("", None),
        lambda n, lib: n.register_buffer("weight", lib.zeros(1)),
        lambda n, lib: n.register_buffer("buf", 5),
        lambda n, lib: n.register_parameter("p", lib.zeros(1)),
        lambda n, lib: n.register_parameter("a.b", None),
        lambda n, lib: n.add_module("weight", None),
        lambda n, lib: n.add_module("x", 3),
        lambda n, lib: n.add_module("a.b", None),
        lambda n, lib: n.foo,
        lambda n, lib: n.get_submodule("nope"),
        lambda n, lib: n.get_parameter("nope"),
    ]
    for c in cases:
        te, me = _err(lambda: c(em, ember))
        tt, mt = _err(lambda: c(tm, torch))
        assert te is tt and me == mt, (me, mt)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'w'"):
        em.register_parameter("w", _nonleaf())

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.zeros(1))
    with pytest.raises(AttributeError, match=r"cannot assign parameters before "
                                             r"Module.__init__\(\) call"):
        Early()
    with pytest.raises(NotImplementedError, match=r'^Module \[Module\] is missing the required '
                                                  r'"forward" function$'):
        nn.Module()(1)
    with pytest.raises(TypeError, match=r"Linear.__init__\(\) got an unexpected keyword"):
        nn.Module.__init__(nn.Linear(1, 1), foo=1)


def _nonleaf():
    p = nn.Parameter(ember.zeros(1))
    p.grad_fn = (ember.zeros(1, requires_grad=True) * 2).grad_fn
    return p


def test_setattr_reassignment_and_delattr():
    m = nn.Module()
    m.a = nn.Parameter(ember.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'ember.nn.modules.linear.Linear' as "
                                        r"parameter 'a' \(torch.nn.Parameter or None expected\)"):
        m.a = nn.Linear(1, 1)
    del m.a
    m.a = nn.Linear(1, 1)
    m.a = nn.Parameter(ember.zeros(1))  # a module replaced by a parameter
    assert "a" in m._parameters and "a" not in m._modules
    del m.a
    m.a = nn.Linear(1, 1)
    m.register_buffer("b", ember.zeros(1))
    m.b = ember.ones(1)  # stays a buffer
    assert "b" in m._buffers and float(m.b) == 1.0
    m.c = nn.Buffer(ember.zeros(2), persistent=False)
    assert "c" in m._buffers and "c" in m._non_persistent_buffers_set
    assert list(m.state_dict()) == ["b", "a.weight", "a.bias"]  # own state first
    del m.a, m.b, m.c
    assert not m._modules and not m._buffers and not m._non_persistent_buffers_set
    m.x = 5
    del m.x
    with pytest.raises(AttributeError):
        m.x
    m.p = nn.Parameter(ember.zeros(1))
    m.p = None
    assert m._parameters["p"] is None
    d = dir(nn.Linear(1, 1))
    assert "weight" in d and "bias" in d and "forward" in d


def test_train_eval_requires_grad_zero_grad_apply():
    em = build(ember)
    assert em.training and all(m.training for m in em.modules())
    assert em.eval() is em and not any(m.training for m in em.modules())
    em.train()
    assert all(m.training for m in em.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        em.train("yes")

    class KeepEval(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(1, 1)

        def train(self, mode=True):
            super().train(mode)
            self.inner.eval()
            return self
    k = nn.Sequential(KeepEval())
    k.train()
    assert k[0].training and not k[0].inner.training
    em.requires_grad_(False)
    assert not any(p.requires_grad for p in em.parameters())
    em.requires_grad_()
    em(ember.randn(2, 3)).sum().backward()
    em.zero_grad(set_to_none=False)
    assert all(p.grad is None or float(p.grad.abs().sum()) == 0 for p in em.parameters())
    em.zero_grad()
    assert all(p.grad is None for p in em.parameters())
    seen = []
    em.apply(lambda m: seen.append(type(m).__name__))
    tm = build(torch)
    tseen = []
    tm.apply(lambda m: tseen.append(type(m).__name__))
    assert seen == tseen


def test_dtype_conversions():
    m = build(ember)
    m(ember.randn(2, 3)).sum().backward()
    w = m.encoder.inp.weight
    assert m.double() is m
    assert m.encoder.inp.weight is w and w.dtype == ember.float64 and w.grad.dtype == ember.float64
    assert m.layers[0].running.dtype == ember.float64
    m.float()
    assert w.dtype == ember.float32
    m.to(ember.float64)
    assert w.dtype == ember.float64
    m.to("cpu")
    m.half()
    assert w.dtype == ember.float16
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex "
                                        "dtypes, but got desired dtype=torch.int64"):
        m.to(ember.int64)
    lin = nn.Linear(2, 2)
    lin.register_buffer("steps", ember.zeros(1, dtype=ember.int64))
    lin.double()
    assert lin.steps.dtype == ember.int64


def test_deepcopy_and_pickle():
    m = build(ember)
    m2 = copy.deepcopy(m)
    assert m2.tied is m2.layers[0] and m2.layers[0] is not m.layers[0]
    assert m2.encoder.inp.weight is not m.encoder.inp.weight
    close(m2.encoder.inp.weight, m.encoder.inp.weight)
    x = ember.randn(2, 3)
    close(m2(x), m(x))
    lin = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    lin2 = pickle.loads(pickle.dumps(lin))
    close(lin2(ember.ones(1, 2)), lin(ember.ones(1, 2)))
    assert isinstance(lin2[0].weight, nn.Parameter)


def test_get_submodule_parameter_buffer():
    m = build(ember)
    assert m.get_submodule("layers.1.fc") is m.layers[1].fc
    assert m.get_submodule("") is m
    assert m.get_parameter("layers.1.fc.weight") is m.layers[1].fc.weight
    assert m.get_buffer("layers.0.running") is m.layers[0].running
    with pytest.raises(AttributeError, match="`running` is not an nn.Parameter"):
        m.get_parameter("layers.0.running")
    with pytest.raises(AttributeError, match="`fc` is not a buffer"):
        m.get_buffer("layers.0.fc")


def test_forward_hooks():
    m = nn.Linear(2, 2)
    log = []
    h1 = m.register_forward_pre_hook(lambda mod, args: log.append("pre") or (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: log.append("post") or out + 1)
    h3 = m.register_forward_hook(lambda mod, args, out: log.append("first"), prepend=True)
    y = m(ember.randn(3, 2))
    assert log == ["pre", "first", "post"]
    close(y, m.bias.detach().expand(3, 2) + 1)
    for h in (h1, h2, h3):
        h.remove()
    log.clear()
    m(ember.randn(1, 2))
    assert log == []

    def kw_pre(mod, args, kwargs):
        return args, {"scale": 3.0}

    class K(nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale
    k = K()
    k.register_forward_pre_hook(kw_pre, with_kwargs=True)
    k.register_forward_hook(lambda mod, args, kwargs, out: out + kwargs["scale"],
                            with_kwargs=True)
    close(k(ember.ones(2)), ember.full((2,), 6.0))
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        k.register_forward_pre_hook(lambda mod, a, kw: 5, with_kwargs=True)
        k(ember.ones(1))


def test_always_call_forward_hook():
    class Bad(nn.Module):
        def forward(self, x):
            raise ValueError("boom")
    b = Bad()
    called = []
    b.register_forward_hook(lambda m, a, o: called.append(o), always_call=True)
    b.register_forward_hook(lambda m, a, o: called.append("never"))
    with pytest.raises(ValueError, match="boom"):
        b(1)
    assert called == [None]


def test_full_backward_hooks_match_torch():
    def run(lib):
        lin = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3)))
            lin.bias.fill_(0.5)
        log = []

        def hook(mod, gin, gout):
            log.append(("bw", [None if g is None else g.detach().numpy().copy() for g in gin],
                        [g.detach().numpy().copy() for g in gout]))
            return (gin[0] * 2,)

        def pre(mod, gout):
            log.append(("pre", [g.detach().numpy().copy() for g in gout]))
            return (gout[0] * 3,)
        lin.register_full_backward_hook(hook)
        lin.register_full_backward_pre_hook(pre)
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), requires_grad=True)
        y = lin(x)
        (y * lib.tensor(np.arange(8.0).reshape(4, 2))).sum().backward()
        return log, x.grad.numpy(), lin.weight.grad.numpy(), y.grad_fn.name()

    le, gxe, gwe, ne = run(ember)
    lt, gxt, gwt, nt = run(torch)
    assert ne == nt == "BackwardHookFunctionBackward"
    assert [r[0] for r in le] == [r[0] for r in lt] == ["pre", "bw"]
    np.testing.assert_allclose(le[0][1][0], lt[0][1][0])
    np.testing.assert_allclose(le[1][1][0], lt[1][1][0])
    np.testing.assert_allclose(le[1][2][0], lt[1][2][0])
    np.testing.assert_allclose(gxe, gxt)
    np.testing.assert_allclose(gwe, gwt)


def test_backward_hook_without_input_grad():
    lin = nn.Linear(2, 2)
    got = []
    lin.register_full_backward_hook(lambda m, gi, go: got.append((gi, go[0].shape)))
    lin(ember.randn(3, 2)).sum().backward()
    assert got == [((None,), (3, 2))]


def test_state_dict_hooks():
    m = nn.Linear(1, 1)
    calls = []
    m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: calls.append(("pre", prefix)))
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: calls.append(("post", len(sd))))
    m.state_dict()
    assert calls == [("pre", ""), ("post", 2)]

    def rename(sd, prefix, meta, strict, missing, unexpected, errors):
        if prefix + "w" in sd:
            sd[prefix + "weight"] = sd.pop(prefix + "w")
    m._register_load_state_dict_pre_hook(rename)
    m.load_state_dict({"w": ember.ones(1, 1), "bias": ember.zeros(1)})
    assert float(m.weight) == 1.0
    post = []
    m.register_load_state_dict_post_hook(lambda mod, keys: post.append(list(keys.missing_keys)))
    m.load_state_dict({"weight": ember.ones(1, 1)}, strict=False)
    assert post == [["bias"]]


def test_deep_nesting_is_iterative():
    m = nn.Linear(1, 1)
    for _ in range(3000):
        m = nn.Sequential(m)
    assert len(list(m.modules())) == 3001
    assert len(m.state_dict()) == 2
    m.load_state_dict(m.state_dict())
    m.eval()
    m.apply(lambda mod: None)
    m2 = nn.Linear(1, 1)
    for _ in range(300):
        m2 = nn.Sequential(m2)
    assert repr(m2).count("Sequential") == 300


def test_sequential_behaviour_matches_torch():
    def make(lib):
        return lib.nn.Sequential(lib.nn.Linear(1, 2), lib.nn.ReLU(), lib.nn.Linear(2, 3),
                                 lib.nn.Tanh())
    se, st = make(ember), make(torch)
    assert len(se) == 4 and repr(se[1:3]) == repr(st[1:3])
    assert isinstance(se[1:3], nn.Sequential) and type(se[-1]) is nn.Tanh
    del se[1]
    del st[1]
    assert list(se._modules) == list(st._modules) == ["0", "1", "2"]
    se.append(nn.ReLU())
    st.append(torch.nn.ReLU())
    se.insert(1, nn.Sigmoid())
    st.insert(1, torch.nn.Sigmoid())
    se.extend([nn.Identity()])
    st.extend([torch.nn.Identity()])
    assert repr(se) == repr(st)
    assert [type(m).__name__ for m in se] == [type(m).__name__ for m in st]
    with pytest.raises(IndexError, match="index 10 is out of range"):
        se[10]
    s2 = se + nn.Sequential(nn.ReLU())
    assert len(s2) == len(se) + 1
    od = nn.Sequential(OrderedDict([("a", nn.Linear(1, 1)), ("b", nn.ReLU())]))
    assert list(dict(od.named_children())) == ["a", "b"] and od.a is od[0]
    se[0] = nn.Identity()
    assert type(se[0]) is nn.Identity
    assert se.pop(0).__class__ is nn.Identity


def test_modulelist_moduledict_behaviour():
    ml = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    ml.append(nn.Tanh())
    ml += [nn.Sigmoid()]
    ml.insert(0, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Identity", "Linear", "ReLU", "Tanh", "Sigmoid"]
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    del ml[0]
    assert list(ml._modules) == ["0", "1", "2", "3"]
    assert type(ml[-1]) is nn.Sigmoid
    with pytest.raises(NotImplementedError, match=r"Module \[ModuleList\] is missing"):
        ml(1)
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(3)
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
    tmd = torch.nn.ModuleDict({"b": torch.nn.ReLU(), "a": torch.nn.Tanh()})
    assert list(md.keys()) == list(tmd.keys()) == ["b", "a"]
    md["c"] = nn.Identity()
    assert "c" in md and len(md) == 3 and list(md) == ["b", "a", "c"]
    assert type(md.pop("a")) is nn.Tanh
    md.update([("z", nn.ReLU())])
    assert list(md) == ["b", "c", "z"]
    md.clear()
    assert len(md) == 0


def test_parameter_containers_match_torch():
    pe = nn.ParameterList([nn.Parameter(ember.zeros(2, 3)), ember.ones(4)])
    pt = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2, 3)), torch.ones(4)])
    assert repr(pe) == repr(pt)
    assert all(isinstance(p, nn.Parameter) for p in pe)
    assert [k for k, _ in pe.named_parameters()] == [k for k, _ in pt.named_parameters()]
    pe.append(ember.zeros(1))
    assert len(pe) == 3 and isinstance(pe[-1], nn.Parameter)
    assert len(pe[0:2]) == 2
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pe()
    de = nn.ParameterDict({"b": ember.zeros(2), "a": nn.Parameter(ember.ones(1))})
    dt = torch.nn.ParameterDict({"b": torch.zeros(2), "a": torch.nn.Parameter(torch.ones(1))})
    assert repr(de) == repr(dt)
    assert list(de.keys()) == list(dt.keys())
    assert [k for k, _ in de.named_parameters()] == [k for k, _ in dt.named_parameters()]
    de["c"] = ember.zeros(3)
    assert "c" in de and isinstance(de["c"], nn.Parameter)
    assert de.get("nope", 7) == 7
    k, v = de.popitem()
    assert k == "c"
    with pytest.raises(TypeError, match="Index given to ParameterDict cannot be used as a key"):
        de[1]


def test_seed_style_models_train():
    class LinearModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x):
            return self.linear(x)

    ember.manual_seed(0)
    x = ember.linspace(-1, 1, 32).reshape(-1, 1)
    y = 3 * x + 0.5
    model = LinearModel()
    crit = nn.MSELoss()
    for _ in range(200):
        loss = crit(model(x), y)
        model.zero_grad()
        loss.backward()
        with ember.no_grad():
            for p in model.parameters():
                p -= 0.2 * p.grad
    assert loss.item() < 1e-3
    assert abs(model.linear.weight.item() - 3) < 0.05

    net = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    xs = ember.randn(30, 2)
    labels = (xs[:, 0] > 0).long() + (xs[:, 1] > 0).long()
    crit = nn.CrossEntropyLoss()
    first = crit(net(xs), labels).item()
    for _ in range(100):
        loss = crit(net(xs), labels)
        net.zero_grad()
        loss.backward()
        with ember.no_grad():
            for p in net.parameters():
                p -= 0.3 * p.grad
    assert loss.item() < 0.5 * first


def test_copy_module_params_helper_roundtrip():
    tm = torch.nn.Linear(3, 2)
    em = nn.Linear(3, 2)
    copy_module_params(tm, em)
    close(em.weight, tm.weight)
