"""issue 13 (h13-utils) against real torch: torch.utils.model_zoo, torch.cond (eager),
torch.compiler in eager code."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
LIBS = [ember] + ([torch] if torch is not None else [])


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class and text are what we compare
        return type(e), str(e)
    return None, None


# ---------------------------------------------------------------- torch.utils.model_zoo

@needs_torch
def test_model_zoo_load_url_loads_a_torch_checkpoint_into_a_model(tmp_path, monkeypatch):
    """torchvision's old pattern: ``model.load_state_dict(model_zoo.load_url(url))``."""
    import torch.utils.model_zoo as tzoo

    import ember.utils.model_zoo as ezoo
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    rng = np.random.default_rng(0)
    tnet = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    src = tmp_path / "net-0000.pth"
    torch.save(tnet.state_dict(), src)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    outs = []
    for lib, zoo in ((torch, tzoo), (ember, ezoo)):
        net = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.ReLU(), lib.nn.Linear(3, 2))
        net.load_state_dict(zoo.load_url(src.as_uri(), model_dir=str(tmp_path / lib.__name__),
                                         progress=False))
        outs.append((net(lib.tensor(x)).detach().numpy(), net[2].weight.detach().numpy()))
        assert zoo.tqdm is torch.hub.tqdm or zoo is ezoo
    np.testing.assert_array_equal(outs[0][1], outs[1][1])  # the weights, bit for bit
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-6)
    assert sorted(p.name for p in (tmp_path / "ember").iterdir()) == ["net-0000.pth"]


# ---------------------------------------------------------------- torch.cond

def _pair(arr, grad=False):
    return [lib.tensor(arr, requires_grad=grad) for lib in LIBS]


@needs_torch
@pytest.mark.parametrize("pred", [True, False, 1, 0.0, "tensor_true", "tensor_false",
                                  "float_tensor"])
def test_cond_picks_the_branch_and_backprops_like_torch(pred):
    rng = np.random.default_rng(1)
    xa, wa = rng.normal(size=3), rng.normal(size=3)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        p = {"tensor_true": lib.tensor(True), "tensor_false": lib.tensor([False]),
             "float_tensor": lib.tensor(0.5)}.get(pred, pred) if isinstance(pred, str) else pred
        out = lib.cond(p, lambda a: (a * w).sin(), lambda a: a.cos() - w, (x,))
        name = type(out.grad_fn).__name__
        out.sum().backward()
        res.append((out.detach().numpy(), x.grad.numpy(), w.grad.numpy(), name))
    for a, b in zip(res[0][:3], res[1][:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert res[0][3] == res[1][3]  # CondAutogradOpBackward for a tensor pred


@needs_torch
def test_cond_outputs_pytrees_ints_and_no_grad():
    xa = np.arange(3.0)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(xa)
        out = lib.cond(lib.tensor(True), lambda a, b: {"s": a + b, "n": 2},
                       lambda a, b: {"s": a - b, "n": 3}, [x, {"k": x * 2}["k"]])
        assert out["s"].grad_fn is None and not out["s"].requires_grad
        res.append((out["s"].numpy(), out["n"]))
        with lib.no_grad():  # inference: torch lets the branch mutate and alias its operand
            y = lib.cond(lib.tensor(True), lambda a: a.add_(1), lambda a: a, (x,))
        res.append(y.numpy())
    np.testing.assert_array_equal(res[0][0], res[2][0])
    assert res[0][1] == res[2][1] == 2
    np.testing.assert_array_equal(res[1], res[3])


@needs_torch
def test_cond_errors_match_torch():
    xa = np.arange(3.0)

    def cases(lib):
        x = lib.tensor(xa)
        p = lib.tensor(True)
        return [
            lambda: lib.cond(lib.tensor([True, False]), lambda a: a, lambda a: a, (x,)),
            lambda: lib.cond("s", lambda a: a, lambda a: a, (x,)),
            lambda: lib.cond(p, 3, lambda a: a, (x,)),
            lambda: lib.cond(p, lambda a, b: a + 1, lambda a, b: a + 1, (x, 3)),
            lambda: lib.cond(p, lambda a: a + 1, lambda a: a + 1, x),
            lambda: lib.cond(True, lambda a: a + 1, lambda a: a + 1, (x, x)),  # TypeError
            lambda: lib.cond(True, 3, lambda a: a, (x,)),
        ]
    for e, t in zip(cases(ember), cases(torch)):
        (ec, em), (tc, tm) = _err(e), _err(t)
        assert ec is tc and tc is not None
        if ec is RuntimeError:
            assert em.replace("ember", "torch") == tm.replace("torch.float64", "torch.float64")


@needs_torch
@pytest.mark.parametrize("case,headline", [
    ("mutate", "Encountered input mutation during higher order op tracing"),
    ("alias", "Encountered aliasing during higher order op tracing"),
    ("view", "Encountered aliasing during higher order op tracing"),
    ("none", "torch.cond: unsupported branch return type (constant non-int)"),
])
def test_cond_tracer_rules_under_grad_match_torch(case, headline):
    branch = {"mutate": lambda a: a.add_(1), "alias": lambda a: a, "view": lambda a: a.view(3),
              "none": lambda a: None}[case]
    errs = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(3.0))
        cls, msg = _err(lambda: lib.cond(lib.tensor(True), branch, branch, (x,)))
        assert cls is not None and issubclass(cls, RuntimeError)
        assert cls.__name__ == "UncapturedHigherOrderOpError"
        errs.append(msg)
    for msg in errs:
        assert msg.startswith("This higher order operator doesn't work unless it is captured "
                              "completely with torch.compile. Got graph break/error:\n\n"
                              + headline + "\n  Higher Order Operator: torch.cond\n")


# ---------------------------------------------------------------- torch.compiler

@needs_torch
def test_compiler_eager_answers_match_torch():
    import torch.compiler as tc

    import ember.compiler as ec
    for c in (ec, tc):
        assert c.is_compiling() is False and c.is_dynamo_compiling() is False
        assert c.is_exporting() is False and c.reset() is None

        def f(x):
            return x + 1
        assert c.allow_in_graph(f) is f and c.assume_constant_result(f) is f
        g = c.disable(f)
        assert g is not f and g.__name__ == "f"
        assert c.disable(recursive=False)(f).__name__ == "f"
        assert c.nested_compile_region(f)(1) == 2
    outs = []
    for lib, c in ((ember, ec), (torch, tc)):
        x = lib.tensor(np.arange(4.0).reshape(2, 2))
        w = c.wrap_numpy(lambda a, b: (a @ b, 3, {"t": a.T}))(x, b=x)
        assert isinstance(w[0], lib.Tensor) and isinstance(w[2]["t"], lib.Tensor)
        outs.append((w[0].numpy(), w[1], w[2]["t"].numpy(), c.disable(lambda t: t * 2)(x).numpy()))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- selective checkpointing

def _sac_fn(lib):
    def fn(x, y):  # torch's create_selective_checkpoint_contexts docstring example
        return lib.sigmoid(lib.matmul(lib.matmul(x, y), y)) * y
    return fn


@pytest.fixture
def ember_op_calls(monkeypatch):
    """How many times ember's Mm and Sigmoid ops run their forward."""
    from ember._ops.linalg import Mm
    from ember._ops.pointwise import Sigmoid
    calls = {"Mm": 0, "Sigmoid": 0}
    for op in (Mm, Sigmoid):
        def counted(ctx, *a, _orig=op.forward, _name=op.__name__, **k):
            calls[_name] += 1
            return _orig(ctx, *a, **k)
        monkeypatch.setattr(op, "forward", staticmethod(counted))
    return calls


def _torch_backward_op_calls(x, y, context_fn):
    from torch.utils._python_dispatch import TorchDispatchMode

    class Count(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.n = {"mm": 0, "sigmoid": 0}

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = func.overloadpacket.__name__
            if name in self.n:
                self.n[name] += 1
            return func(*args, **(kwargs or {}))
    kw = {} if context_fn is None else {"context_fn": context_fn}
    out = torch.utils.checkpoint.checkpoint(_sac_fn(torch), x, y, use_reentrant=False, **kw)
    with Count() as c:
        out.sum().backward()
    return c.n


@needs_torch
@pytest.mark.parametrize("form", ["list", "policy", "bool_policy"])
def test_selective_checkpoint_saves_mm_and_recomputes_the_rest(form, ember_op_calls):
    import functools

    import ember.utils.checkpoint as ecp
    import torch.utils.checkpoint as tcp
    from ember._ops.linalg import Mm
    rng = np.random.default_rng(0)
    xa, ya = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    seen = []

    def ctx_fn(cp, mm):
        if form == "list":
            return functools.partial(cp.create_selective_checkpoint_contexts, [mm])

        def policy(ctx, op, *args, **kwargs):
            seen.append((cp, ctx.is_recompute, ctx.op_output is not None))
            if form == "bool_policy":
                return op is mm
            return (cp.CheckpointPolicy.MUST_SAVE if op is mm
                    else cp.CheckpointPolicy.PREFER_RECOMPUTE)
        return functools.partial(cp.create_selective_checkpoint_contexts, policy)

    res = {}
    for name, lib, cp, mm in (("ember", ember, ecp, Mm), ("torch", torch, tcp, None)):
        mm = torch.ops.aten.mm.default if mm is None else mm
        x = lib.tensor(xa, requires_grad=True)
        y = lib.tensor(ya, requires_grad=True)
        out = cp.checkpoint(_sac_fn(lib), x, y, use_reentrant=False,
                            context_fn=ctx_fn(cp, mm))
        if name == "ember":
            assert ember_op_calls == {"Mm": 2, "Sigmoid": 1}
            ember_op_calls.update(Mm=0, Sigmoid=0)
        out.sum().backward()
        res[name] = (out.detach().numpy(), x.grad.numpy(), y.grad.numpy())
    for a, b in zip(res["ember"], res["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    # backward re-ran sigmoid but neither mm (ember's backward formulas do not call the op)
    assert ember_op_calls == {"Mm": 0, "Sigmoid": 1}
    if form != "list":
        assert all(not rec and has_out for _, rec, has_out in seen)
        assert {cp for cp, _, _ in seen} == {ecp, tcp}
    # torch: the same two mm fewer in backward than plain checkpointing, sigmoid once
    xt = torch.tensor(xa, requires_grad=True)
    yt = torch.tensor(ya, requires_grad=True)
    plain = _torch_backward_op_calls(xt, yt, None)
    sac = _torch_backward_op_calls(xt, yt, ctx_fn(tcp, torch.ops.aten.mm.default))
    assert plain["mm"] - sac["mm"] == 2 and plain["sigmoid"] == sac["sigmoid"] == 1


def test_plain_checkpoint_reruns_every_op(ember_op_calls):
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.normal(size=(4, 4)), requires_grad=True)
    y = ember.tensor(rng.normal(size=(4, 4)), requires_grad=True)
    out = ember.utils.checkpoint.checkpoint(_sac_fn(ember), x, y, use_reentrant=False)
    ember_op_calls.update(Mm=0, Sigmoid=0)
    out.sum().backward()
    assert ember_op_calls == {"Mm": 2, "Sigmoid": 1}


@needs_torch
def test_selective_checkpoint_errors_match_torch():
    import functools

    import ember.utils.checkpoint as ecp
    import torch.utils.checkpoint as tcp
    from ember._ops.linalg import Mm
    for cp in (ecp, tcp):
        with pytest.raises(TypeError, match="policy_fn_or_list must be either a function or "
                                            "a list of ops."):
            cp.create_selective_checkpoint_contexts(3)
        with pytest.raises(ValueError, match="Expected op in `op_list` to be an OpOverload "
                                             "but got: 3 of type <class 'int'>"):
            cp.create_selective_checkpoint_contexts([3])
    msgs = []
    rng = np.random.default_rng(2)
    xa = rng.normal(size=(3, 3))
    for lib, cp, mm in ((ember, ecp, Mm), (torch, tcp, torch.ops.aten.mm.default)):
        def fn(x):
            a = lib.mm(x, x)
            a.mul_(2)  # changes the saved mm output after it was cached
            return lib.sigmoid(a)
        x = lib.tensor(xa, requires_grad=True)
        out = cp.checkpoint(fn, x, use_reentrant=False, context_fn=functools.partial(
            cp.create_selective_checkpoint_contexts, [mm]))
        with pytest.raises(RuntimeError) as info:
            out.sum().backward()
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1] == ("Tensor cached during selective activation checkpoint "
                                  "has been mutated")
    # allowed: the cached (mutated) value is used, as torch does
    grads = []
    for lib, cp, mm in ((ember, ecp, Mm), (torch, tcp, torch.ops.aten.mm.default)):
        def fn(x):
            a = lib.mm(x, x)
            a.mul_(2)
            return lib.sigmoid(a)
        x = lib.tensor(xa, requires_grad=True)
        out = cp.checkpoint(fn, x, use_reentrant=False, context_fn=functools.partial(
            cp.create_selective_checkpoint_contexts, [mm], allow_cache_entry_mutation=True))
        out.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_selective_checkpoint_of_a_random_op_keeps_the_stream():
    """A saved gamma sample is not redrawn in backward; the dropout after it draws what it
    drew in the forward (its mask equal, so the gradients equal those without checkpoint)."""
    import functools

    import ember.utils.checkpoint as ecp
    from ember._ops.sampling import StandardGamma

    def fn(x):
        a = ember._standard_gamma(x.exp())
        return ember.nn.functional.dropout(a.sin(), 0.3) * x
    xa = np.random.default_rng(3).normal(size=(6, 5))
    grads = []
    for context_fn in (None, functools.partial(ecp.create_selective_checkpoint_contexts,
                                               [StandardGamma])):
        ember.manual_seed(7)
        x = ember.tensor(xa, requires_grad=True)
        if context_fn is None:
            out = fn(x)
        else:
            out = ecp.checkpoint(fn, x, use_reentrant=False, context_fn=context_fn)
        out.sum().backward()
        grads.append((out.detach().numpy(), x.grad.numpy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])


@needs_torch
def test_checkpoint_rest_names_match_torch():
    import ember.utils.checkpoint as ecp
    import torch.utils.checkpoint as tcp
    assert [(p.name, p.value) for p in ecp.CheckpointPolicy] == \
        [(p.name, p.value) for p in tcp.CheckpointPolicy]
    for cp in (ecp, tcp):
        with cp.set_checkpoint_early_stop(False):
            assert cp._enable_checkpoint_early_stop is False
        assert cp._enable_checkpoint_early_stop is None
        cp.set_device_states([], [])
        with pytest.raises(AttributeError, match="has no attribute 'device'"):
            cp.set_device_states([0], [None])
        with cp.GraphExecGroup() as g:
            assert cp.GraphExecGroup._get_current_group() is g
            with pytest.raises(RuntimeError, match="GraphExecGroup contexts cannot be nested"):
                cp.GraphExecGroup().__enter__()
        assert cp.GraphExecGroup._get_current_group() is None
        c = cp.SelectiveCheckpointContext(is_recompute=False)
        assert c.is_recompute is False and c.op_output is None
    from ember._ops.shape import __name__ as _  # noqa: F401 - the view ops are loaded
    assert ecp.SAC_IGNORED_OPS and all(op.is_view for op in ecp.SAC_IGNORED_OPS)


# ---------------------------------------------------------------- small top-level names

@needs_torch
def test_get_device_module_matches_torch():
    for lib in (ember, torch):
        assert lib.get_device_module() is lib.cpu and lib.get_device_module("cpu") is lib.cpu
        assert lib.get_device_module("cuda:0") is lib.cuda
        assert lib.get_device_module(lib.device("cuda")) is lib.cuda
    e, t = _err(lambda: ember.get_device_module(3)), _err(lambda: torch.get_device_module(3))
    assert e == t == (RuntimeError, "Invalid value of device '3', expect torch.device, str, "
                                     "or None")


@needs_torch
def test_small_top_level_names_match_torch():
    import warnings
    for lib in (ember, torch):
        assert issubclass(lib.AcceleratorError, RuntimeError)
        assert lib.FatalError.__mro__[1] is Exception
        assert lib.init_num_threads() is None and lib.is_vulkan_available() is False
        assert lib.thread_safe_generator() is None
        assert isinstance(lib.set_flush_denormal(False), bool)
    # the CPU's Event and Stream
    for ctor in (lambda lib: lib.Event(), lambda lib: lib.Event("cpu", enable_timing=True),
                 lambda lib: lib.Stream(), lambda lib: lib.Stream("cpu:0", priority=-1)):
        assert repr(ctor(ember)) == repr(ctor(torch))
    for lib in (ember, torch):
        e, s = lib.Event(), lib.Stream()
        assert e.query() and s.query() and not s.is_capturing()
        assert e.synchronize() is None and e.wait() is None and s.synchronize() is None
        assert s.wait_event(e) is None and s == lib.Stream() and hash(s) == hash(lib.Stream())
        assert (s.device_type, s.device_index, s.stream_id, e.event_id) == (0, -1, 0, 0)
        assert str(s.device) == str(e.device) == "cpu"
        with s as inner:
            assert inner is s
    cases = [lambda lib: lib.Event().record(), lambda lib: lib.Stream().record_event(),
             lambda lib: lib.Stream().wait_stream(lib.Stream()),
             lambda lib: lib.Event().elapsed_time(lib.Event()),
             lambda lib: lib.Event(enable_timing=True).elapsed_time(
                 lib.Event(enable_timing=True)),
             lambda lib: lib.Event("cuda"), lambda lib: lib.Stream("cuda:1"),
             lambda lib: lib.Stream(3), lambda lib: lib.Stream().native_handle,
             lambda lib: lib.Event().ipc_handle()]
    for c in cases:
        assert _err(lambda: c(ember)) == _err(lambda: c(torch))
    # the deprecated IPU/XLA autocast switches: the same state and warnings
    for dev in ("ipu", "xla"):
        got = []
        for lib in (ember, torch):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                d0 = getattr(lib, f"get_autocast_{dev}_dtype")()
                getattr(lib, f"set_autocast_{dev}_enabled")(True)
                on = getattr(lib, f"is_autocast_{dev}_enabled")()
                getattr(lib, f"set_autocast_{dev}_dtype")(lib.float16)
                d1 = lib.get_autocast_dtype(dev)
                getattr(lib, f"set_autocast_{dev}_enabled")(False)
                getattr(lib, f"set_autocast_{dev}_dtype")(d0)
            got.append((str(d0), on, str(d1), lib.is_autocast_enabled(dev),
                        [(x.category, str(x.message).split(" (Triggered")[0]) for x in w]))
        assert got[0] == got[1]


@needs_torch
def test_functional_module_names_match_torch():
    import ember.nn.functional as EF
    import torch.nn.functional as TF
    for n in ("GRID_SAMPLE_INTERPOLATION_MODES", "GRID_SAMPLE_PADDING_MODES",
              "reproducibility_notes", "sparse_support_notes", "tf32_notes", "TYPE_CHECKING",
              "Optional", "Callable"):
        assert getattr(EF, n) == getattr(TF, n), n
    assert EF.Tensor is ember.Tensor and TF.Tensor is torch.Tensor
    assert EF.BroadcastingList2[int] is TF.BroadcastingList2[int] is None
    for F in (EF, TF):
        assert F.assert_int_or_pair(3, "k", "{} bad") is None
        assert F.assert_int_or_pair((1, 2), "k", "{} bad") is None
        with pytest.raises(AssertionError, match="^k bad$"):
            F.assert_int_or_pair((1, 2, 3), "k", "{} bad")

        def one(x, flag=False):
            """Doc of one."""
            return ("one", x)

        def two(x, flag=False):
            return ("two", x)
        f = F.boolean_dispatch("flag", 1, False, one, two, "mod", "pick")
        assert (f(1), f(1, True), f(1, flag=True), f.__name__, f.__module__, f.__doc__) == \
            (("two", 1), ("one", 1), ("one", 1), "pick", "mod", "Doc of one.")
        with pytest.raises(RuntimeError, match="only one function can have a docstring"):
            F.boolean_dispatch("flag", 1, False, one, two, None, None)


@needs_torch
def test_jit_rest_matches_torch_eager():
    import typing
    import warnings
    J = {"ember": ember.jit, "torch": torch.jit}
    got = {}
    for name, lib in (("ember", ember), ("torch", torch)):
        j = J[name]
        t = lib.ones(2)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = [j.isinstance([1, 2], typing.List[int]), j.isinstance([1, "a"], list[int]),
                   j.isinstance({"a": t}, typing.Dict[str, lib.Tensor]),
                   j.isinstance({"a": [t]}, dict[str, list[lib.Tensor]]),
                   j.isinstance((1, "a"), typing.Tuple[int, str]),
                   j.isinstance((1, 2), tuple[int, str]), j.isinstance(None, typing.Optional[int]),
                   j.isinstance(3, int | None), j.isinstance("s", (int, str)),
                   j.isinstance([], typing.List[int]), j.isinstance(t, lib.Tensor)]
            res.append([str(x.message) for x in w])
        res += [_err(lambda: j.isinstance(3, typing.List)), _err(lambda: j.isinstance(3, dict)),
                _err(lambda: j.isinstance(3, [int])), _err(lambda: j.isinstance(3, 3))]

        def f(x):
            return x + 1
        g = j.script_if_tracing(f)
        res += [g is f, g(1), g.__name__, getattr(g, "__original_fn") is f]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res += [j.set_fusion_strategy([("DYNAMIC", 3)]),
                    j.set_fusion_strategy([("STATIC", 2), ("DYNAMIC", 10)]),
                    _err(lambda: j.set_fusion_strategy([("BAD", 1)]))]
            m = lib.nn.Linear(2, 2)
            res += [_err(lambda: j.optimize_for_inference(m)),
                    _err(lambda: j.export_opnames(m))]
        res.append([(x.category, str(x.message)) for x in w])
        res += [j.onednn_fusion_enabled(), j.enable_onednn_fusion(True),
                j.onednn_fusion_enabled(), j.enable_onednn_fusion(False)]
        with pytest.warns(UserWarning, match="Only works in script mode"):
            with j.strict_fusion():
                pass
        res.append(issubclass(j.Error, Exception))
        got[name] = res
    assert got["ember"] == got["torch"]


@needs_torch
def test_cuda_rest_names_fail_as_cpu_torch():
    import warnings
    import ember.cuda.graphs  # noqa: F401 - the submodules load on attribute access too
    names = ["graphs", "streams", "nccl", "profiler", "tunable"]
    for lib in (ember, torch):
        for n in names:
            assert getattr(lib.cuda, n).__name__.endswith(f".cuda.{n}")
        assert (lib.cuda.cudaStatus.SUCCESS, lib.cuda.cudaStatus.ERROR_NOT_READY) == (0, 34)
        assert lib.cuda.host_memory_stats_as_nested_dict() == {}
        assert lib.cuda.nccl.SUM == 0 and lib.cuda.profiler.DEFAULT_FLAGS[0] == "gpustarttimestamp"
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert lib.cuda.nccl.is_available([lib.ones(1)]) is False
        assert [str(x.message) for x in w] == ["PyTorch is not compiled with NCCL support"]

    def enter(cm):
        return lambda: cm().__enter__()
    cases = [
        lambda lib: lib.cuda.graph(None), lambda lib: lib.cuda.MemPool(),
        lambda lib: lib.cuda.use_mem_pool(None).__enter__(),
        lambda lib: lib.cuda.caching_allocator_disabled().__enter__(),
        lambda lib: lib.cuda.change_current_allocator(None),
        lambda lib: lib.cuda.check_error(0),
        lambda lib: lib.cuda.make_graphed_callables(lib.nn.Linear(2, 2), (lib.ones(1, 2),)),
        lambda lib: lib.cuda.make_graphed_callables(lib.nn.Linear(2, 2), (3,)),
        lambda lib: lib.cuda.CUDAPluggableAllocator("/nonexistent/alloc.so", "a", "f"),
        lambda lib: lib.cuda.graphs.graph_pool_handle(),
        lambda lib: lib.cuda.graphs.is_current_stream_capturing(),
        lambda lib: lib.cuda.streams.Stream(), lambda lib: lib.cuda.streams.Event(),
        lambda lib: lib.cuda.profiler.start(), lambda lib: lib.cuda.profiler.stop(),
        lambda lib: lib.cuda.profiler.profile().__enter__(),
        lambda lib: lib.cuda.profiler.check_error(0),
    ]
    cases += [lambda lib, n=n: getattr(lib.cuda.nccl, n)()
              for n in ("version", "unique_id")]
    cases += [lambda lib: lib.cuda.nccl.init_rank(1, b"", 0),
              lambda lib: lib.cuda.nccl.all_reduce([lib.ones(1)]),
              lambda lib: lib.cuda.nccl.broadcast([lib.ones(1)]),
              lambda lib: lib.cuda.nccl.reduce([lib.ones(1)]),
              lambda lib: lib.cuda.nccl.all_gather([lib.ones(1)], [lib.ones(1)]),
              lambda lib: lib.cuda.nccl.reduce_scatter([lib.ones(1)], [lib.ones(1)])]
    import ember.cuda.tunable as et
    for n in et.__all__:
        fn = getattr(et, n)
        import inspect
        nreq = sum(1 for p in inspect.signature(fn).parameters.values()
                   if p.default is inspect.Parameter.empty)
        cases.append(lambda lib, n=n, k=nreq: getattr(lib.cuda.tunable, n)(*([1] * k)))
    for c in cases:
        e, t = _err(lambda: c(ember)), _err(lambda: c(torch))
        assert e == t and t[0] is not None, (e, t)


@needs_torch
def test_set_multithreading_enabled_and_accelerator_graph_match_torch():
    results = []
    for lib in (ember, torch):
        state = (ember.autograd._h13._is_multithreading_enabled if lib is ember
                 else torch._C._is_multithreading_enabled)
        assert state() is True
        with lib.autograd.set_multithreading_enabled(False):
            assert state() is False
        assert state() is True
        s = lib.autograd.set_multithreading_enabled(False)  # set at construction, as torch
        assert state() is False
        s.__exit__(None, None, None)
        assert state() is True

        seen = []

        @lib.autograd.set_multithreading_enabled(False)  # (sets it at decoration, as torch)
        def f():
            return state()
        seen.append((state(), f(), state()))
        lib.autograd.set_multithreading_enabled(True)
        results.append(seen)
    assert results[0] == results[1] == [(False, False, False)]
    assert _err(lambda: ember.accelerator.Graph()) == _err(lambda: torch.accelerator.Graph())


@needs_torch
def test_public_sac_policy_snippet_runs_like_torch():
    """The selective-checkpoint policy of dc-ai-projects/DC-Gen
    (dc_gen/apps/utils/activation_checkpointing.py, after torchtitan): save the listed ops,
    recompute the rest, through ``partial(create_selective_checkpoint_contexts, policy)``.
    ember's list names its Op classes where torch's names aten overloads."""
    from functools import partial

    from ember._ops.linalg import Mm

    def run(lib, save_list):
        from importlib import import_module
        cp = import_module(lib.__name__ + ".utils.checkpoint")

        def _custom_policy(ctx, func, *args, **kwargs):
            to_save = func in save_list
            return (cp.CheckpointPolicy.MUST_SAVE if to_save
                    else cp.CheckpointPolicy.PREFER_RECOMPUTE)

        def selective_checkpointing_context_fn():
            return partial(cp.create_selective_checkpoint_contexts, _custom_policy)
        lib.manual_seed(0)
        block = lib.nn.Sequential(lib.nn.Linear(8, 16, bias=False), lib.nn.GELU(),
                                  lib.nn.Linear(16, 8, bias=False), lib.nn.LayerNorm(8))
        x = lib.tensor(np.random.default_rng(4).normal(size=(5, 8)).astype(np.float32),
                       requires_grad=True)
        out = cp.checkpoint(block, x, use_reentrant=False,
                            context_fn=selective_checkpointing_context_fn())
        out.pow(2).sum().backward()
        return [out.detach().numpy(), x.grad.numpy()] + [p.grad.numpy()
                                                        for p in block.parameters()]
    mine = run(ember, {Mm})
    ref = run(torch, {torch.ops.aten.mm.default,
                      torch.ops.aten._scaled_dot_product_efficient_attention.default})
    for a, b in zip(mine, ref):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)  # float32 (BLAS order)


@needs_torch
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # torch's
def test_mps_module_as_a_build_without_metal():  # Event.__del__ fails after its __init__ did
    import gc
    assert sorted(n for n in dir(ember.mps) if not n.startswith("_") and n not in (
        "annotations", "Any")) == sorted(n for n in dir(torch.mps) if not n.startswith("_")
                                          and not hasattr(getattr(torch.mps, n), "__path__")
                                          and n not in ("event", "profiler"))
    for lib in (ember, torch):
        assert lib.mps.is_available() is False and lib.mps.device_count() == 0
        assert lib.mps.manual_seed(3) is None and lib.mps.Tensor is lib.Tensor
    cases = [lambda lib: lib.mps.synchronize(), lambda lib: lib.mps.seed(),
             lambda lib: lib.mps.get_rng_state(), lambda lib: lib.mps.empty_cache(),
             lambda lib: lib.mps.set_rng_state(lib.get_rng_state()),
             lambda lib: lib.mps.set_per_process_memory_fraction(0.5),
             lambda lib: lib.mps.set_per_process_memory_fraction(3),
             lambda lib: lib.mps.current_allocated_memory(),
             lambda lib: lib.mps.driver_allocated_memory(),
             lambda lib: lib.mps.recommended_max_memory(),
             lambda lib: lib.mps.compile_shader("kernel void f() {}"),
             lambda lib: lib.mps.load_metallib("x.metallib")]
    for c in cases:
        assert _err(lambda: c(ember)) == _err(lambda: c(torch))
    assert _err(lambda: ember.mps.Event()) == _err(lambda: torch.mps.Event())
    gc.collect()
