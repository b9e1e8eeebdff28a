"""Legacy typed tensors (``torch.FloatTensor`` ...), ``Tensor.new``/``Tensor.type``, devices
the CPU-torch way (``torch.device``, ``torch.cuda``, ``torch.backends``, ``torch.accelerator``,
default device, pinned memory, ``nn.DataParallel``), ``torch.functional``, and a few
behaviours (class repr, feature dropout ranks, 0-d squeeze, mixed int/advanced indexing):
each runs the same code under ember and torch 2.13 (CPU build) and compares results, or the
exception class and text."""
import pickle
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
pytestmark = needs_torch

UNINIT = object()  # marks results whose values are uninitialised memory in torch


def _outcome(lib, fn):
    """('ok', normalised value, warnings) or ('err', class name, message)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = fn(lib)
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            msg = str(e).split(" (Triggered internally")[0]
            return ("err", type(e).__name__, msg.split(" If you are a Facebook employee")[0])
    msgs = [(x.category.__name__, str(x.message).split(" (Triggered internally")[0])
            for x in w]
    return ("ok", _norm(r), msgs)


def _norm(r):
    if isinstance(r, (ember.Tensor, getattr(torch, "Tensor", ()))):
        a = r.detach().numpy() if r.dtype != _lib_of(r).bfloat16 else \
            r.detach().float().numpy()
        return ("tensor", tuple(r.shape), str(r.dtype), a.tolist())
    if isinstance(r, tuple) and r and r[0] is UNINIT:
        t = r[1]
        return ("uninit", tuple(t.shape), str(t.dtype), type(t).__name__)
    if isinstance(r, (list, tuple)):
        return type(r).__name__, [_norm(x) for x in r]
    if isinstance(r, (ember.device, torch.device)):
        return ("device", repr(r), str(r))
    if isinstance(r, (ember.dtype, torch.dtype)):
        return ("dtype", str(r))
    return r


def _lib_of(t):
    return ember if isinstance(t, ember.Tensor) else torch


def same(fn, warns=True):
    """Run ``fn(lib)`` under torch and ember: the same value, or the same error."""
    e, t = _outcome(ember, fn), _outcome(torch, fn)
    if not warns and e[0] == t[0] == "ok":
        e, t = e[:2], t[:2]
    assert e == t, f"ember {e}\ntorch {t}"
    return e


def uninit(make):
    return lambda lib: (UNINIT, make(lib))


# ------------------------------------------------------------------ legacy typed classes

TYPES = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
         "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]
DATA_FORMS = {
    "list": lambda C: C([1, 0, 2]),
    "nested": lambda C: C([[1, 2], [3, 0]]),
    "tuple_is_data": lambda C: C((2, 3)),
    "empty": lambda C: C(),
    "empty_list": lambda C: C([]),
    "floats": lambda C: C([1.7, -0.0, 2.5]),
    "range": lambda C: C(range(3)),
    "ndarray": lambda C: C(np.array([1, 2])),
    "zero_size": lambda C: C(0),
}
SIZE_FORMS = {
    "sizes": lambda C: C(2, 3),
    "size_obj": lambda C: C(ember.Size([2, 3]) if C.__module__.startswith("ember")
                            else torch.Size([2, 3])),
    "size_kw": lambda C: C(size=(2, 3)),
    "size_kw_device": lambda C: C(size=(4,), device="cpu"),
    "with_zero": lambda C: C(2, 0),
}
ERROR_FORMS = {
    "float_scalar": lambda C: C(2.5),
    "bool_scalar": lambda C: C(True),
    "string": lambda C: C("ab"),
    "dtype_kw": lambda C: C([1], dtype=None),
    "requires_grad_kw": lambda C: C([1], requires_grad=True),
    "negative": lambda C: C(-1),
    "size_then_float": lambda C: C(2, 3.0),
    "size_then_list": lambda C: C(2, [3]),
    "ragged": lambda C: C([[1, 2], [3]]),
    "cuda_device": lambda C: C(2, device="cuda"),
    "cuda_device_data": lambda C: C([1], device="cuda"),
}


@pytest.mark.parametrize("name", TYPES)
@pytest.mark.parametrize("form", sorted(DATA_FORMS))
def test_typed_class_data_forms(name, form):
    same(lambda lib: DATA_FORMS[form](getattr(lib, name)))


@pytest.mark.parametrize("name", TYPES + ["Tensor"])
@pytest.mark.parametrize("form", sorted(SIZE_FORMS))
def test_typed_class_size_forms(name, form):
    same(uninit(lambda lib: SIZE_FORMS[form](getattr(lib, name))))


@pytest.mark.parametrize("name", ["FloatTensor", "LongTensor", "Tensor"])
@pytest.mark.parametrize("form", sorted(ERROR_FORMS))
def test_typed_class_errors(name, form):
    r = same(lambda lib: ERROR_FORMS[form](getattr(lib, name)))
    assert r[0] == "err"


@pytest.mark.parametrize("name", TYPES)
def test_typed_class_of_a_tensor_aliases_it(name):
    def fn(lib):
        C = getattr(lib, name)
        t = lib.tensor([1.0, 2.0]).to(C.dtype)
        r = C(t)
        return r, r.data_ptr() == t.data_ptr(), r is t, type(r).__name__
    same(fn)
    # another dtype: torch's TypeError text
    r = same(lambda lib: getattr(lib, name)(lib.tensor([1, 2], dtype=lib.complex64)))
    assert r[0] == "err" and r[1] == "TypeError"


def test_tensor_of_a_tensor_is_an_alias_with_a_graph():
    def fn(lib):
        t = lib.tensor([1.0, 2.0], requires_grad=True)
        outs = []
        for r in (lib.FloatTensor(t), lib.Tensor(t), t.new(t), lib.Tensor(t * 2)):
            outs.append((type(r.grad_fn).__name__, r.is_leaf, r.requires_grad,
                         r._base is t, r._version))
        lib.Tensor(t).sum().backward()
        return outs, t.grad, lib.Tensor(lib.tensor([1, 2])).dtype
    same(fn)


@pytest.mark.parametrize("name", TYPES)
def test_typed_class_attributes_and_isinstance(name):
    def fn(lib):
        C = getattr(lib, name)
        dts = [lib.float32, lib.float64, lib.float16, lib.int64, lib.int32, lib.uint8,
               lib.bool, lib.bfloat16, lib.int8, lib.int16, lib.complex64]
        inst = [isinstance(lib.zeros(2, dtype=d), C) for d in dts]
        p = lib.nn.Parameter(lib.zeros(2))
        return (C.__name__, C.__qualname__, str(C.dtype), C.is_cuda, C.is_sparse, inst,
                isinstance(p, C), isinstance(lib.zeros(2), lib.Tensor), issubclass(C, lib.Tensor),
                issubclass(lib.Tensor, C), isinstance([1.0], C), type(C).__name__,
                type(C(2)).__name__, repr(C).split(".", 1)[1],
                isinstance(lib.zeros(2, dtype=C.dtype), getattr(lib.cuda, name)))
    same(fn)


@pytest.mark.parametrize("name", TYPES)
def test_cuda_typed_classes_raise_when_used(name):
    for form in (lambda C: C(2), lambda C: C([1]), lambda C: C()):
        r = same(lambda lib: form(getattr(lib.cuda, name)))
        assert r[:2] == ("err", "TypeError")
    same(lambda lib: (repr(getattr(lib.cuda, name)).split(".", 1)[1],
                      getattr(lib.cuda, name).is_cuda, str(getattr(lib.cuda, name).dtype)))


# ------------------------------------------------------------------ Tensor.new / Tensor.type

NEW_FORMS = {
    "data": lambda x: x.new([1, 2]),
    "data_cast": lambda x: x.new([1.5, 2.7]),
    "tuple_data": lambda x: x.new((2, 3)),
    "empty": lambda x: x.new(),
    "scalar_float": lambda x: x.new(3.5),
    "dtype_kw": lambda x: x.new([1], dtype=None),
    "requires_grad_kw": lambda x: x.new([1], requires_grad=True),
    "cuda": lambda x: x.new(2, device="cuda"),
    "other_dtype_tensor": lambda x: x.new(x.long() if x.is_floating_point() else x.float()),
}
NEW_SIZES = {
    "sizes": lambda x: x.new(2, 3),
    "size_obj": lambda x: x.new(x.shape),
    "size_kw": lambda x: x.new(size=(2,)),
}


@pytest.mark.parametrize("dt", ["float32", "float64", "int64", "bool", "uint8"])
@pytest.mark.parametrize("form", sorted(NEW_FORMS))
def test_new_forms(dt, form):
    same(lambda lib: NEW_FORMS[form](lib.zeros(2, 3, dtype=getattr(lib, dt))))


@pytest.mark.parametrize("dt", ["float32", "int64"])
@pytest.mark.parametrize("form", sorted(NEW_SIZES))
def test_new_size_forms(dt, form):
    same(uninit(lambda lib: NEW_SIZES[form](lib.zeros(2, 3, dtype=getattr(lib, dt)))))


@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "bfloat16", "int64", "int32",
                                "int16", "int8", "uint8", "bool", "complex64", "complex128"])
def test_type_names(dt):
    same(lambda lib: (lib.zeros(2, dtype=getattr(lib, dt)).type(),
                      lib.Tensor.type(lib.zeros(2, dtype=getattr(lib, dt)))))


TYPE_ARGS = {
    "name": lambda lib: "torch.LongTensor",
    "name_double": lambda lib: "torch.DoubleTensor",
    "name_same": lambda lib: "torch.FloatTensor",
    "class": lambda lib: lib.IntTensor,
    "class_bool": lambda lib: lib.BoolTensor,
    "dtype": lambda lib: lib.int32,
    "dtype_name": lambda lib: "torch.int32",
    "bad_name": lambda lib: "foo",
    "cuda_name": lambda lib: "torch.cuda.FloatTensor",
    "cuda_class": lambda lib: lib.cuda.LongTensor,
    "number": lambda lib: 5,
}


@pytest.mark.parametrize("arg", sorted(TYPE_ARGS))
def test_type_casts(arg):
    def fn(lib):
        x = lib.tensor([1.5, -2.0, 0.0])
        r = x.type(TYPE_ARGS[arg](lib))
        return r, r is x
    same(fn)


def test_type_of_a_tensor_requiring_grad_records_the_cast():
    def fn(lib):
        x = lib.tensor([1.5, 2.0], requires_grad=True)
        y = x.type(lib.DoubleTensor)
        y.sum().backward()
        return type(y.grad_fn).__name__, x.grad
    same(fn)


def _default_type_case(arg):
    def fn(lib):
        try:
            lib.set_default_tensor_type(arg(lib))
            return (lib.get_default_dtype(), lib.zeros(2).dtype, lib.tensor([1.0]).dtype,
                    lib.Tensor([1]).dtype, lib.Tensor(2).type())
        finally:
            lib.set_default_dtype(lib.float32)
    return fn


DEFAULT_TYPE_ARGS = {
    "name": lambda lib: "torch.DoubleTensor",
    "class": lambda lib: lib.DoubleTensor,
    "half": lambda lib: lib.HalfTensor,
    "float": lambda lib: lib.FloatTensor,
    "long": lambda lib: lib.LongTensor,
    "int_name": lambda lib: "torch.IntTensor",
    "cuda_name": lambda lib: "torch.cuda.FloatTensor",
    "dtype": lambda lib: lib.float64,
    "bad_module": lambda lib: "foo",
    "bad_type": lambda lib: "torch.FooTensor",
}


@pytest.mark.parametrize("arg", sorted(DEFAULT_TYPE_ARGS))
def test_set_default_tensor_type(arg):
    # torch warns once per process (TORCH_WARN_ONCE): compare values and errors only
    same(_default_type_case(DEFAULT_TYPE_ARGS[arg]), warns=False)


def test_set_default_tensor_type_warns_its_deprecation():
    ember._tensor_legacy._warned[0] = False
    with pytest.warns(UserWarning, match=r"set_default_tensor_type\(\) is deprecated as of "
                                         r"PyTorch 2.1, please use torch.set_default_dtype\(\)"):
        _default_type_case(lambda lib: lib.DoubleTensor)(ember)


# ------------------------------------------------------------------ torch.device

DEVICE_ARGS = [("cpu",), ("cuda",), ("cuda:0",), ("cuda:1",), ("cuda", 1), ("cpu", 0),
               ("mps",), ("meta",), ("xla",), ("foo",), ("CUDA",), ("cuda:x",), ("cuda:-1",),
               ("cuda:01",), (" cuda",), ("cuda:0:1",), ("cuda", -1), ("cuda:1", 2),
               ("cuda", "x"), ("cuda", 2.0), (0,), (-1,), (1.5,), (None,), (), ("cpu", None)]


@pytest.mark.parametrize("args", DEVICE_ARGS, ids=repr)
def test_device_construction(args):
    same(lambda lib: lib.device(*args))
    same(lambda lib: [str(lib.device(*args)), lib.device(*args).type,
                      lib.device(*args).index])


def test_device_keywords_copy_and_pickle():
    same(lambda lib: (lib.device(type="cuda", index=2), lib.device(lib.device("cuda:1")),
                      lib.device("cpu", index=None), type(lib.device("cpu")).__name__,
                      repr(type(lib.device("cpu"))).split(".", 1)[1]))
    for d in (ember.device("cpu"), ember.device("cuda", 1), ember.device("mps")):
        assert pickle.loads(pickle.dumps(d)) == d
    assert ember.device("cuda:0").__reduce__()[1] == ("cuda", 0)


def test_device_equality_and_hash():
    def fn(lib):
        d = lib.device
        return [d("cuda:0") == d("cuda"), d("cuda:0") == d("cuda", 0), d("cuda:0") == "cuda:0",
                d("cpu") == "cpu", d("cpu") == d("cpu:0"), d("cuda:0") != d("cpu"),
                d("cpu") == 1, d("cuda:0") in {d("cuda:0")}, hash(d("cpu")) == hash(d("cpu")),
                len({d("cpu"), d("cpu"), d("cuda")}), lib.zeros(1).device == d("cpu")]
    same(fn)


MOVES = {
    "to_cuda": lambda lib, x: x.to("cuda"),
    "to_cuda0": lambda lib, x: x.to("cuda:0"),
    "to_device_obj": lambda lib, x: x.to(lib.device("cuda")),
    "to_kw": lambda lib, x: x.to(device="cuda"),
    "to_dev_dtype": lambda lib, x: x.to(lib.device("cuda"), lib.float64),
    "to_non_blocking": lambda lib, x: x.to("cuda", non_blocking=True),
    "to_int": lambda lib, x: x.to(1),
    "to_mps": lambda lib, x: x.to("mps"),
    "to_mps_kw": lambda lib, x: x.to(device="mps"),
    "to_xla": lambda lib, x: x.to("xla"),
    "to_xpu": lambda lib, x: x.to("xpu"),
    "to_cpu_is_self": lambda lib, x: x.to("cpu") is x,
    "to_cpu1": lambda lib, x: x.to("cpu:1"),
    "to_cpu_dtype": lambda lib, x: x.to("cpu", lib.float64),
    "to_none": lambda lib, x: x.to(device=None),
    "cuda": lambda lib, x: x.cuda(),
    "cuda_int": lambda lib, x: x.cuda(0),
    "cuda_cpu": lambda lib, x: x.cuda("cpu"),
    "cuda_kw": lambda lib, x: x.cuda(device="cuda:0"),
    "cuda_obj": lambda lib, x: x.cuda(lib.device("cuda", 1)),
    "module_cuda": lambda lib, x: lib.nn.Linear(1, 1).cuda(),
    "module_to_cuda": lambda lib, x: lib.nn.Linear(1, 1).to("cuda"),
    "module_to_mps": lambda lib, x: lib.nn.Linear(1, 1).to("mps"),
    "module_to_cpu": lambda lib, x: lib.nn.Linear(1, 1).to("cpu").weight.shape,
    "attrs": lambda lib, x: (x.is_cuda, x.get_device(), x.device, x.device.index),
}


@pytest.mark.parametrize("case", sorted(MOVES))
def test_moving_tensors(case):
    same(lambda lib: MOVES[case](lib, lib.tensor([1.0, 2.0])))


FACTORIES = {
    "zeros": lambda lib, d: lib.zeros(2, device=d),
    "ones": lambda lib, d: lib.ones(2, device=d),
    "empty": lambda lib, d: lib.empty(2, device=d).shape,
    "full": lambda lib, d: lib.full((2,), 1.0, device=d),
    "tensor": lambda lib, d: lib.tensor([1.0], device=d),
    "arange": lambda lib, d: lib.arange(3, device=d),
    "linspace": lambda lib, d: lib.linspace(0, 1, 3, device=d),
    "eye": lambda lib, d: lib.eye(2, device=d),
    "randn": lambda lib, d: lib.randn(2, device=d).shape,
    "rand": lambda lib, d: lib.rand(2, device=d).shape,
    "randint": lambda lib, d: lib.randint(0, 3, (2,), device=d).shape,
    "randperm": lambda lib, d: lib.randperm(3, device=d).shape,
    "zeros_like": lambda lib, d: lib.zeros_like(lib.ones(2), device=d),
    "ones_like": lambda lib, d: lib.ones_like(lib.ones(2), device=d),
    "full_like": lambda lib, d: lib.full_like(lib.ones(2), 3.0, device=d),
}


@pytest.mark.parametrize("dev", ["cpu", "cuda", "cuda:1", "cpu:0", 0, "xpu"], ids=repr)
@pytest.mark.parametrize("fn", sorted(FACTORIES))
def test_factories_on_devices(fn, dev):
    same(lambda lib: FACTORIES[fn](lib, dev if not isinstance(dev, str) or dev.startswith("c")
                                   or dev == "xpu" else lib.device(dev)))


def test_factory_on_mps_raises_not_implemented():
    for lib in (ember, torch):
        with pytest.raises(NotImplementedError, match="Could not run 'aten::empty.memory_"
                                                      "format' with arguments from the 'MPS'"):
            lib.zeros(2, device="mps")


@pytest.mark.parametrize("fn", ["zeros", "ones", "tensor", "randn"])
def test_default_device(fn):
    def case(lib, dev):
        def run(_):
            lib.set_default_device(dev)
            try:
                return (FACTORIES[fn](lib, None), lib.get_default_device())
            finally:
                lib.set_default_device(None)
        return run
    for dev in ("cpu", "cuda", "cuda:1", None, "mps"):
        same(lambda lib: case(lib, dev)(lib))
    same(lambda lib: (lib.get_default_device(), lib.set_default_device(lib.device("cpu")),
                      lib.get_default_device(), lib.set_default_device(None)))
    same(lambda lib: lib.set_default_device(1.5))


def test_device_as_context_manager_sets_the_default():
    def fn(lib):
        with lib.device("cpu"):
            a = lib.get_default_device()
        with lib.device("cuda:1"):
            b = lib.get_default_device()
        return a, b, lib.get_default_device()
    same(fn)


# ------------------------------------------------------------------ pinned memory

def test_pinned_memory():
    same(lambda lib: lib.tensor([1.0]).is_pinned())
    same(lambda lib: lib.tensor([1.0]).pin_memory())
    for fn in ("zeros", "ones", "empty"):
        same(lambda lib: getattr(lib, fn)(2, pin_memory=True))
    same(lambda lib: lib.tensor([1.0], pin_memory=True))


def test_dataloader_pin_memory_warns_and_loads():
    def fn(lib):
        from importlib import import_module
        data = import_module(lib.__name__ + ".utils.data")
        dl = data.DataLoader(data.TensorDataset(lib.arange(4.0)), batch_size=2, pin_memory=True)
        return list(dl), dl.pin_memory
    same(fn)


# ------------------------------------------------------------------ torch.cuda

CUDA_CALLS = [
    "is_available()", "device_count()", "empty_cache()", "current_device()",
    "get_device_name()", "get_device_name(0)", "get_device_properties(0)",
    "get_device_properties()", "get_device_capability()", "memory_allocated()",
    "memory_allocated(0)", "memory_allocated('cuda:0')", "max_memory_allocated()",
    "memory_reserved()", "max_memory_reserved()", "max_memory_reserved(0)",
    "reset_peak_memory_stats()", "reset_max_memory_allocated()",
    "reset_accumulated_memory_stats()", "memory_summary()", "memory_stats()",
    "is_bf16_supported()", "is_bf16_supported(False)", "is_tf32_supported()",
    "manual_seed(0)", "manual_seed_all(3)", "manual_seed('x')", "seed()", "seed_all()",
    "initial_seed()", "synchronize()", "synchronize('cuda')", "get_rng_state()",
    "get_rng_state_all()", "set_rng_state_all([])", "is_initialized()", "init()",
    "ipc_collect()", "mem_get_info()", "get_arch_list()", "get_gencode_flags()",
    "current_stream()", "default_stream()", "set_device(0)", "set_device(1)",
    "set_device(-1)", "set_device('cpu')", "set_device(None)", "set_device('cuda:0')",
    "device(0).__enter__()", "device(-1).__enter__()", "device('cpu')",
    "device(None).__enter__()", "device_of(lib.zeros(1)).__enter__()", "Stream()",
    "Event()", "Event(enable_timing=True)", "is_current_stream_capturing()",
    "_is_compiled()", "can_device_access_peer(0, 1)", "set_per_process_memory_fraction(0.5)",
    "stream(None).__enter__()", "StreamContext(None).__enter__()", "memory_cached()",
    "max_memory_cached()", "utilization()", "temperature()", "list_gpu_processes()",
    "current_blas_handle()",
    "OutOfMemoryError.__mro__[1:]", "issubclass(C.OutOfMemoryError, RuntimeError)",
    "C.OutOfMemoryError is lib.OutOfMemoryError", "has_half", "has_magma",
    "default_generators", "get_sync_debug_mode()", "set_sync_debug_mode(0)",
    "reset_max_memory_cached()", "get_allocator_backend()", "memory_snapshot()", "CUDAGraph()",
    "current_solver_handle()", "caching_allocator_alloc(1)", "caching_allocator_delete(0)",
    "get_per_process_memory_fraction()", "host_memory_stats()", "memory_stats_as_nested_dict()",
    "reset_peak_host_memory_stats()", "reset_accumulated_host_memory_stats()",
    "set_stream(None)", "device_memory_used()", "cudart()", "graph_pool_handle()",
    "CudaError.__mro__[1:]", "DeferredCudaCallError.__mro__[1:]", "caching_allocator_enable()",
    "get_stream_from_external(0)", "random.manual_seed(0)", "random.get_rng_state_all()",
    "random.initial_seed()", "memory.memory_allocated()", "memory.memory_stats()",
    "memory.reset_peak_memory_stats()", "nvtx.range_push('a')", "nvtx.range_pop()",
    "nvtx.mark('a')", "nvtx.range('a{}', 1).__enter__()",
]


@pytest.mark.parametrize("call", CUDA_CALLS)
def test_cuda_module(call):
    def fn(lib):
        C = lib.cuda
        expr = call if call.startswith(("issubclass", "C.")) else "C." + call
        return eval(expr, {"C": C, "lib": lib})
    same(fn)


def test_cuda_set_rng_state_accepts_a_state():
    same(lambda lib: lib.cuda.set_rng_state(lib.zeros(2, dtype=lib.uint8)))


def test_cuda_imports():
    import importlib
    for lib in ("ember", "torch"):
        m = importlib.import_module(lib + ".cuda")
        assert m.__name__ == lib + ".cuda" and not m.is_available()
    from ember.cuda import is_available  # noqa: F401 - the from-import form works


# ------------------------------------------------------------------ torch.backends

BACKEND_EXPRS = [
    "B.cudnn.enabled", "B.cudnn.benchmark", "B.cudnn.deterministic", "B.cudnn.allow_tf32",
    "B.cudnn.is_available()", "B.cudnn.version()", "B.cudnn.benchmark_limit",
    "B.cudnn.fp32_precision", "B.cudnn.is_acceptable(lib.zeros(1))",
    "B.cuda.matmul.allow_tf32", "B.cuda.matmul.allow_fp16_reduced_precision_reduction",
    "B.cuda.matmul.allow_bf16_reduced_precision_reduction", "B.cuda.matmul.fp32_precision",
    "B.cuda.matmul.foo", "B.cuda.is_built()", "B.cuda.flash_sdp_enabled()",
    "B.cuda.mem_efficient_sdp_enabled()", "B.cuda.math_sdp_enabled()",
    "B.cuda.cudnn_sdp_enabled()", "B.cuda.cufft_plan_cache.max_size",
    "B.mps.is_available()", "B.mps.is_built()", "B.mps.is_macos13_or_newer()",
    "B.mkldnn.enabled", "B.opt_einsum.is_available()", "B.opt_einsum.enabled",
    "B.opt_einsum.strategy", "B.mha.get_fastpath_enabled()",
]


@pytest.mark.parametrize("expr", BACKEND_EXPRS)
def test_backends_values(expr):
    same(lambda lib: eval(expr, {"B": lib.backends, "lib": lib}))


def test_backends_flags_set_and_restore():
    def fn(lib):
        B = lib.backends
        out = []
        with B.cudnn.flags(enabled=False, benchmark=True):
            out.append((B.cudnn.enabled, B.cudnn.benchmark, B.cudnn.deterministic))
        out.append((B.cudnn.enabled, B.cudnn.benchmark, B.cudnn.deterministic))
        B.cudnn.benchmark = True
        B.cudnn.deterministic = True
        out.append((B.cudnn.benchmark, B.cudnn.deterministic))
        B.cudnn.benchmark = False
        B.cudnn.deterministic = False
        B.cuda.matmul.allow_tf32 = True
        out.append((B.cuda.matmul.allow_tf32, lib.get_float32_matmul_precision()))
        B.cuda.matmul.allow_tf32 = False
        out.append((B.cuda.matmul.allow_tf32, lib.get_float32_matmul_precision()))
        lib.set_float32_matmul_precision("medium")
        out.append((B.cuda.matmul.allow_tf32, lib.get_float32_matmul_precision()))
        lib.set_float32_matmul_precision("highest")
        B.cuda.enable_flash_sdp(False)
        out.append(B.cuda.flash_sdp_enabled())
        B.cuda.enable_flash_sdp(True)
        with B.mkldnn.flags(enabled=False):
            out.append(B.mkldnn.enabled)
        out.append(B.mkldnn.enabled)
        return out
    same(fn)
    same(lambda lib: setattr(lib.backends.cuda.matmul, "foo", 3))


def test_backends_import_forms():
    import importlib
    for lib in ("ember", "torch"):
        cudnn = importlib.import_module(lib + ".backends.cudnn")
        assert cudnn.__name__ == lib + ".backends.cudnn" and cudnn.enabled
        assert importlib.import_module(lib + ".backends").cudnn is cudnn
    import ember.backends.cudnn as cudnn2  # noqa: F401 - the statement form
    from ember.backends import mps  # noqa: F401


def test_float32_matmul_precision():
    def fn(lib):
        out = [lib.get_float32_matmul_precision()]
        for p in ("high", "medium", "foo", "highest"):
            lib.set_float32_matmul_precision(p)
            out.append(lib.get_float32_matmul_precision())
        return out
    same(fn)


# ------------------------------------------------------------------ torch.accelerator

ACCEL = ["is_available()", "current_accelerator()", "current_accelerator(check_available=True)",
         "device_count()", "current_device_index()", "current_device_idx()",
         "set_device_index(0)", "set_device_index(None)", "set_device_idx(0)", "synchronize()",
         "current_stream()", "memory_allocated()", "max_memory_allocated()",
         "memory_reserved()", "max_memory_reserved()", "memory_stats()", "empty_cache()",
         "empty_host_cache()", "reset_peak_memory_stats()", "reset_accumulated_memory_stats()",
         "get_memory_info()", "get_device_capability()", "device_index(None).__enter__()",
         "device_index(0).__enter__()"]


@pytest.mark.parametrize("call", ACCEL)
def test_accelerator(call):
    same(lambda lib: eval("A." + call, {"A": lib.accelerator}))


def test_device_agnostic_idiom():
    def fn(lib):
        acc = lib.accelerator.current_accelerator()
        dev = acc if acc is not None else lib.device("cpu")
        dev2 = lib.device("cuda" if lib.cuda.is_available() else "cpu")
        m = lib.nn.Linear(3, 2).to(dev)
        return dev, dev2, m(lib.ones(1, 3).to(dev2)).shape
    same(fn)


# ------------------------------------------------------------------ nn.DataParallel

def test_data_parallel_wraps_and_runs_the_module():
    def fn(lib):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.ReLU())
        dp = lib.nn.DataParallel(m, device_ids=[0, 1], output_device=0)
        x = lib.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
        y = dp(x)
        y.sum().backward()
        return (dp.module is m, list(dp.state_dict()), dp.device_ids, repr(dp),
                [n for n, _ in dp.named_parameters()], y.shape,
                m[0].weight.grad is not None, type(dp).__mro__[1].__name__,
                isinstance(dp, lib.nn.Module))
    same(fn)
    same(lambda lib: lib.nn.parallel.data_parallel(lib.nn.Linear(1, 1), lib.ones(1, 1)))


def test_data_parallel_checkpoint_round_trip():
    m = torch.nn.Linear(3, 2)
    sd = torch.nn.DataParallel(m).state_dict()
    em = ember.nn.DataParallel(ember.nn.Linear(3, 2))
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in sd.items()})
    np.testing.assert_array_equal(em.module.weight.detach().numpy(), m.weight.detach().numpy())


# ------------------------------------------------------------------ torch.functional

def test_torch_functional_module():
    import ember.functional as EF
    import torch.functional as TF
    assert set(EF.__all__) <= set(TF.__all__)
    for name in ("einsum", "split", "norm", "broadcast_tensors", "atleast_1d", "tensordot",
                 "unique", "unique_consecutive", "broadcast_shapes"):
        assert name in EF.__all__ and getattr(EF, name) is getattr(ember, name)
    assert EF.F is ember.nn.functional and EF.Tensor is ember.Tensor
    a = np.arange(6.0).reshape(2, 3)
    for lib, F in ((ember, EF), (torch, TF)):
        r = F.einsum("ij,kj->ik", lib.tensor(a), lib.tensor(a))
        np.testing.assert_allclose(r.numpy(), a @ a.T)
        assert [t.shape[0] for t in F.split(lib.tensor(a), 1)] == [1, 1]


# ------------------------------------------------------------------ behaviours

def test_class_reprs_and_pickling():
    def fn(lib):
        t = lib.zeros(2)
        return [repr(type(t)).replace("ember", "torch"), repr(lib.Tensor).replace("ember", "torch"),
                repr(lib.Size).replace("ember", "torch"), lib.Tensor.__name__,
                repr(type(lib.device("cpu"))).replace("ember", "torch"),
                repr(lib.OutOfMemoryError).replace("ember", "torch")]
    same(fn)
    assert pickle.loads(pickle.dumps(ember.Tensor)) is ember.Tensor
    assert pickle.loads(pickle.dumps(ember.Size)) is ember.Size
    t = pickle.loads(pickle.dumps(ember.tensor([1.0, 2.0], requires_grad=True)))
    assert t.requires_grad and t.tolist() == [1.0, 2.0]


FEATURE_DROPOUT = [(name, shape) for name in ("dropout1d", "dropout2d", "dropout3d")
                   for shape in [(), (4,), (3, 4), (2, 3, 4), (2, 3, 4, 5), (1, 2, 3, 4, 5),
                                 (1, 2, 1, 2, 1, 2)]]


@pytest.mark.parametrize("name,shape", FEATURE_DROPOUT, ids=str)
@pytest.mark.parametrize("training", [True, False])
def test_feature_dropout_ranks(name, shape, training):
    """The warnings/errors of each rank as torch; the mask: one value per channel (p=1 zeros
    all, p=0 keeps all), read on the dims torch reads as (batch, channel)."""
    def fn(lib):
        x = lib.ones(shape)
        f = getattr(lib.nn.functional, name)
        return f(x, 1.0, training), f(x, 0.0, training), f(x, 0.5, training).shape
    same(fn)


def test_dropout2d_module_on_2d_input_warns():
    def fn(lib):
        return (lib.nn.Dropout2d(0.5)(lib.ones(3, 4)).shape,
                lib.nn.Dropout3d()(lib.ones(2, 3, 4)).shape)
    same(fn)


def test_feature_dropout_masks_whole_channels():
    ember.manual_seed(0)
    for name, shape, lead in (("dropout2d", (2, 8, 5), 2), ("dropout3d", (8, 3, 4, 5), 1),
                              ("dropout3d", (8, 3), 1), ("dropout2d", (2, 8), 2)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (the rank warnings: test_feature_dropout_ranks)
            y = getattr(ember.nn.functional, name)(ember.ones(shape), 0.5).numpy()
        per_channel = y.reshape(shape[:lead] + (-1,))
        assert (per_channel == per_channel[..., :1]).all(), (name, shape)
        assert set(np.unique(y)) <= {0.0, 2.0}


SQUEEZE = [((), 0), ((), -1), ((), 1), ((), -2), ((), (0,)), ((), (0, 1)), ((), (-1,)),
           ((), ()), ((1,), 1), ((2, 1), 2), ((2, 1), -3), ((1, 2, 1), (0, 2)), ((1, 2), ())]


@pytest.mark.parametrize("shape,dim", SQUEEZE, ids=str)
def test_squeeze_dims(shape, dim):
    same(lambda lib: lib.ones(shape).squeeze(dim))
    same(lambda lib: lib.squeeze(lib.ones(shape), dim))


def test_flip_with_no_dims_copies():
    def fn(lib):
        x = lib.arange(6.0).reshape(2, 3)
        y = lib.flip(x, ())
        return y, y is x, y.data_ptr() == x.data_ptr(), x.flip([]), x.flip(dims=())
    same(fn)


INDEX_PATTERNS = [
    "[1, :, [0, 2], 0]", "[1, :, I, 0]", "[:, 1, :, [0, 2]]", "[[0, 1], :, 0]",
    "[0, :, [0, 1], :]", "[:, 0, [0, 1], [1, 2]]", "[[0, 1], :, :, 0]", "[[0, 1], 0, :, [1, 2]]",
    "[0, [0, 1], :, [1, 2]]", "[:, [0, 1], 0]", "[..., 0, [1, 2]]", "[0, ..., [1, 2]]",
    "[[0, 1], ..., 0]", "[None, 1, :, [0, 2], 0]", "[1, None, :, [0, 2]]", "[0, :, B, 0]",
    "[0, 1, [0, 2]]", "[:, :, 1, [0, 2]]", "[1, [0, 2], 1, [0, 2]]", "[1, :, [[0], [2]], 0]",
    "[:, I, :, 1]", "[-1, :, I, -2]", "[1, 1:, [0, 2], 0]", "[I, :, 1]", "[:, 2, 1, I]",
    "[1, ::2, I, :]", "[[1], :, [[0], [2]], 4]",
]


@pytest.mark.parametrize("pattern", INDEX_PATTERNS)
def test_mixed_int_and_advanced_indexing(pattern):
    """torch applies integer indices as ``select`` before the advanced ones (NumPy counts an
    int as an advanced index: its dimension order differs); gradients land back in place."""
    a = np.arange(2 * 3 * 4 * 5.0).reshape(2, 3, 4, 5)

    def fn(lib):
        x = lib.tensor(a, requires_grad=True)
        env = {"x": x, "I": lib.tensor([0, 1]), "B": lib.tensor([True, False, True, False])}
        y = eval("x" + pattern, env)
        (y * lib.arange(float(y.numel()), dtype=y.dtype).reshape(y.shape)).sum().backward()
        return y, x.grad
    same(fn)


def test_mixed_indexing_random_patterns():
    """Random index tuples of ints, slices, index lists and None over a 4-D tensor."""
    rng = np.random.default_rng(13)
    a = np.arange(2 * 3 * 4 * 5.0).reshape(2, 3, 4, 5)
    for _ in range(150):
        parts = []
        for d in range(4):
            k = rng.integers(0, 4)
            n = a.shape[d]
            parts.append(str(int(rng.integers(-n, n))) if k == 0 else ":" if k == 1 else
                         str(rng.integers(0, n, size=int(rng.integers(1, 3))).tolist())
                         if k == 2 else f"{int(rng.integers(0, n))}:")
        if rng.random() < 0.2:
            parts.insert(int(rng.integers(0, 5)), "None")
        pattern = "[" + ", ".join(parts) + "]"
        same(lambda lib: eval("x" + pattern, {"x": lib.tensor(a)}))


def test_sdp_switches_are_the_attention_backends_sdpa_uses():
    """backends.cuda's attention switches and nn.attention.sdpa_kernel are one global set in
    torch, and the CPU scaled_dot_product_attention reads it: with flash off it composes the
    math graph; the deprecated sdp_kernel context warns (FutureWarning) and restricts it too."""
    q = np.random.default_rng(0).standard_normal((1, 2, 8, 4)).astype("float32")
    seen = []
    for lib in (ember, torch):
        F, cuda = lib.nn.functional, lib.backends.cuda
        x = lib.tensor(q, requires_grad=True)

        def node():
            return type(F.scaled_dot_product_attention(x, x, x).grad_fn).__name__

        got = [node()]
        cuda.enable_flash_sdp(False)
        try:
            got += [node(), cuda.flash_sdp_enabled()]
        finally:
            cuda.enable_flash_sdp(True)
        with pytest.warns(FutureWarning, match=r"sdp_kernel\(\)` is deprecated"):
            with cuda.sdp_kernel(enable_flash=False, enable_math=True):
                got += [node(), cuda.flash_sdp_enabled(), cuda.math_sdp_enabled()]
        with lib.nn.attention.sdpa_kernel([lib.nn.attention.SDPBackend.MATH]):
            got += [cuda.flash_sdp_enabled(), cuda.mem_efficient_sdp_enabled()]
        got.append(cuda.flash_sdp_enabled())
        seen.append(got)
    assert seen[0] == seen[1]
    assert seen[1][:2] == ["ScaledDotProductFlashAttentionForCpuBackward0", "UnsafeViewBackward0"]
