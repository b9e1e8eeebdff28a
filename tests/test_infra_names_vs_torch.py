"""issue 13 (infra): torch.futures / fork / wait, torch.version and TorchVersion,
torch.random.fork_rng, torch.return_types, torch.types, typename, the deterministic /
warn-always / anomaly switches and the build flags, against torch 2.13."""
import threading
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class and text are compared
        return type(e).__name__, str(e).split("\n")[0]
    return None


def _future_script(lib):
    F, out = lib.futures.Future, []
    f = F()
    out.append(f.done())
    f.set_result(3)
    out += [f.done(), f.wait(), f.value()]
    out.append(_err(lambda: f.set_result(4)))
    g = F()
    g.set_exception(ValueError("boom"))
    out += [_err(g.wait), _err(g.value), g.done()]
    out.append(_err(lambda: F().set_exception(3)))
    h = F()
    child = h.then(lambda fut: fut.wait() + 1)
    out.append(child.done())
    h.set_result(1)
    out += [child.done(), child.wait()]
    log = []
    h2 = F()
    h2.add_done_callback(lambda fut: log.append(fut.value()))
    h2.set_result(5)
    h2.add_done_callback(lambda fut: log.append(fut.value() * 2))
    out.append(list(log))
    h3 = F()
    c3 = h3.then(lambda fut: 1 / 0)
    h3.set_result(1)
    out.append(_err(c3.wait))
    a, b = F(), F()
    both = lib.futures.collect_all([a, b])
    out.append(both.done())
    a.set_result(1)
    out.append(both.done())
    b.set_result(2)
    out += [both.done(), [x.value() for x in both.wait()], lib.futures.wait_all([a, b])]
    a, b = F(), F()
    a.set_result(1)
    b.set_exception(RuntimeError("x"))
    out += [_err(lambda: lib.futures.wait_all([a, b])),
            _err(lambda: lib.futures.collect_all([a, b]).wait())]
    out += [lib.fork(lambda x, y=1: x * y, 3, y=2).wait(), lib.wait(lib.fork(lambda: "w"))]
    out.append(_err(lambda: lib.fork(lambda: 1 / 0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        jf = lib.jit.fork(lambda x: x + 1, 1)
        out += [isinstance(jf, lib.Future), lib.jit.wait(jf)]
    out.append(lib.jit.Future is lib.futures.Future)
    return out


@needs_torch
def test_futures_behave_as_torch():
    assert _future_script(ember) == _future_script(torch)


def test_future_wait_blocks_until_another_thread_completes_it():
    f = ember.futures.Future()
    threading.Timer(0.05, f.set_result, args=("done",)).start()
    assert f.wait() == "done"


@needs_torch
def test_then_error_text_as_torch(capfd):
    for lib in (ember, torch):
        f = lib.futures.Future()
        f.add_done_callback(lambda fut: 1 / 0)  # logged, not raised
        f.set_result(1)
        assert f.done()
    err = capfd.readouterr().err
    assert err.count("Got the following error when running the callback: ZeroDivisionError: "
                     "division by zero") == 2


@needs_torch
def test_torch_version_compares_as_torch():
    vs = ["2.13.0+cpu", "2.13.0", "2.13", "2.13.1", "2.9", "1.10.0a", "1.2.1", "2.0.0.dev2023",
          "2.0.0rc1", "2.0.0", "2.0.0.post1", "parrot", "1!0.1", "2.14.0a0+git12", "1.0-1",
          "1.0b2", "1.0c1", "1.0+abc.5", "1.0+abc.10"]
    others = vs + [(2, 13), (2, 13, 1), (1, 2), [2, 0, 0], (2,)]
    from torch.torch_version import TorchVersion as TT
    ET = ember.torch_version.TorchVersion
    for a in vs:
        for b in others:
            for m in ("__gt__", "__lt__", "__eq__", "__ge__", "__le__"):
                assert _err(lambda: getattr(ET(a), m)(b)) == _err(lambda: getattr(TT(a), m)(b))
                assert getattr(ET(a), m)(b) == getattr(TT(a), m)(b), (a, b, m)
    assert isinstance(ET("1.0"), str) and hash(ET("1.0")) == hash("1.0")


@needs_torch
def test_version_module_as_cpu_torch():
    for name in ("debug", "cuda", "hip", "rocm", "xpu"):
        assert getattr(ember.version, name) == getattr(torch.version, name)
    assert ember.version.__version__ == ember.__version__
    # the API level a program checks: a TorchVersion like torch's, with ember's release local
    assert type(ember.__version__).__name__ == type(torch.__version__).__name__
    assert ember.__version__.split("+")[0] == torch.__version__.split("+")[0]
    assert ember.__version__ >= "2.0" and ember.__version__ >= (2, 13)
    assert ember.__version__.endswith("+ember." + ember.__ember_version__)
    import tomllib
    import pathlib
    meta = tomllib.loads((pathlib.Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert meta["project"]["version"] == ember.__ember_version__
    assert isinstance(ember.version.git_version, str)
    for name in ("has_lapack", "has_mkl", "has_openmp", "has_spectral"):
        assert getattr(ember, name) == getattr(torch, name)


@needs_torch
def test_fork_rng_restores_state_as_torch():
    def run(lib):
        lib.manual_seed(7)
        with lib.random.fork_rng():
            inside = lib.rand(3).tolist()
        after = lib.rand(3).tolist()
        with lib.random.fork_rng(enabled=False):
            lib.rand(1)
        return inside, after, lib.rand(2).tolist(), lib.random.initial_seed()
    assert run(ember) == run(torch)
    assert ember.random.get_rng_state is ember.get_rng_state


@needs_torch
def test_return_types_match_torch():
    a = np.array([[1.0, 5.0, 2.0], [3.0, 0.0, 4.0]], dtype=np.float32)
    e, t = ember.tensor(a), torch.tensor(a)
    for name, fn in [("max", lambda lib, x: lib.max(x, 1)), ("sort", lambda lib, x: lib.sort(x)),
                     ("topk", lambda lib, x: lib.topk(x, 2)),
                     ("aminmax", lambda lib, x: lib.aminmax(x, dim=0)),
                     ("kthvalue", lambda lib, x: lib.kthvalue(x, 1)),
                     ("frexp", lambda lib, x: lib.frexp(x)),
                     ("cummax", lambda lib, x: lib.cummax(x, 1))]:
        er, tr = fn(ember, e), fn(torch, t)
        assert isinstance(er, getattr(ember.return_types, name))
        assert isinstance(tr, getattr(torch.return_types, name))
        assert repr(er) == repr(tr)
    assert "max" in ember.return_types.__all__ and ember.return_types.max in \
        ember.return_types.all_return_types


@needs_torch
def test_typename_as_torch():
    cases = [lambda lib: lib.zeros(2, dtype=lib.int64), lambda lib: lib.zeros(2).double(),
             lambda lib: lib.nn.Linear, lambda lib: lib.nn.Linear(1, 1), lambda lib: 3.0,
             lambda lib: lib.nn.Parameter(lib.zeros(2)),
             lambda lib: lib.optim.SGD, lambda lib: len]
    for c in cases:
        assert ember.typename(c(ember)) == torch.typename(c(torch))


@needs_torch
def test_deterministic_and_warn_always_switches_as_torch():
    def run(lib):
        out = [lib.are_deterministic_algorithms_enabled(),
               lib.is_deterministic_algorithms_warn_only_enabled(),
               lib.get_deterministic_debug_mode()]
        for mode, warn_only in [(True, True), (True, False), (False, True)]:
            lib.use_deterministic_algorithms(mode, warn_only=warn_only)
            out += [lib.are_deterministic_algorithms_enabled(),
                    lib.is_deterministic_algorithms_warn_only_enabled(),
                    lib.get_deterministic_debug_mode()]
        for m in ("warn", "error", "default", 1, 2, 0):
            lib.set_deterministic_debug_mode(m)
            out += [lib.are_deterministic_algorithms_enabled(),
                    lib.is_deterministic_algorithms_warn_only_enabled(),
                    lib.get_deterministic_debug_mode()]
        out += [_err(lambda: lib.set_deterministic_debug_mode(b)) for b in ("bad", 3, 1.5)]
        out.append(_err(lambda: lib.use_deterministic_algorithms(1)))
        out.append(lib.is_warn_always_enabled())
        lib.set_warn_always(True)
        out.append(lib.is_warn_always_enabled())
        lib.set_warn_always(False)
        out.append(lib.is_warn_always_enabled())
        return out
    assert run(ember) == run(torch)


def test_warn_always_repeats_once_only_warnings():
    a = ember.tensor(np.eye(2))
    ember.set_warn_always(True)
    try:
        for _ in range(2):
            with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
                ember.chain_matmul(a, a)
    finally:
        ember.set_warn_always(False)


@needs_torch
def test_anomaly_switches_as_torch():
    def run(lib):
        out = [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        lib.set_anomaly_enabled(True, False)
        out += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        with lib.autograd.set_detect_anomaly(False):
            out.append(lib.is_anomaly_enabled())
        out.append(lib.is_anomaly_enabled())
        lib.set_anomaly_enabled(False)
        out += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
            with lib.autograd.detect_anomaly(check_nan=False):
                out += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        out.append(_err(lambda: lib.set_anomaly_enabled(1)))
        return out
    assert run(ember) == run(torch)


def test_anomaly_enabled_by_switch_really_checks_backward():
    ember.set_anomaly_enabled(True)
    try:
        x = ember.tensor([-1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="returned nan values"):
            ember.sqrt(x).sum().backward()
    finally:
        ember.set_anomaly_enabled(False)


@needs_torch
def test_types_aliases():
    assert set(ember.types.__all__) == {"Number", "Device", "FileLike", "Storage"}
    assert ember.types.Number == torch.types.Number
    assert ember.types.Tensor is ember.Tensor and ember.types.Size is ember.Size


@needs_torch
@pytest.mark.parametrize("name,shape", [("eye", (3, 4)), ("dirac", (4, 2, 3, 3))])
def test_deprecated_init_aliases_as_torch(name, shape):
    out = {}
    for lib in (ember, torch):
        w = lib.zeros(*shape)
        with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated in favor of "
                          f"`nn.init.{name}_`"):
            r = getattr(lib.nn.init, name)(w)
        assert r is w
        out[lib] = w.numpy()
    np.testing.assert_array_equal(out[ember], out[torch])


@needs_torch
def test_adafactor_argument_errors_as_torch():
    bad = [dict(lr=-1.0), dict(beta2_decay=0.5), dict(eps=(-1.0, 1e-3)), dict(eps=(None, -1.0)),
           dict(d=0.5), dict(weight_decay=-0.1)]
    for kw in bad:
        errs = []
        for lib in (ember, torch):
            p = lib.nn.Parameter(lib.zeros(2))
            errs.append(_err(lambda: lib.optim.Adafactor([p], **kw)))
        assert errs[0] == errs[1] and errs[0] is not None
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.zeros(2, dtype=lib.complex64))
        p.grad = lib.zeros(2, dtype=lib.complex64)
        with pytest.raises(RuntimeError, match="Adafactor does not support complex parameters"):
            lib.optim.Adafactor([p]).step()


def _make_tensor_script(lib):
    mk = lib.testing.make_tensor
    lib.manual_seed(3)
    out = [mk(2, 3, dtype=dt, device="cpu").tolist()
           for dt in (lib.float32, lib.float64, lib.int64, lib.int32, lib.uint8, lib.bool,
                      lib.complex64, lib.float16)]
    out.append(mk((4,), dtype=lib.float32, device="cpu", low=-1, high=1).tolist())
    nc = mk(3, 4, dtype=lib.float32, device="cpu", noncontiguous=True)
    out += [nc.is_contiguous(), tuple(nc.shape)]
    out.append(mk(50, dtype=lib.int8, device="cpu", low=-1, high=1, exclude_zero=True).tolist())
    out.append(mk(2, dtype=lib.float32, device="cpu", requires_grad=True).requires_grad)
    for bad in (dict(low=2, high=1), dict(low=float("nan")), dict(low=1e39)):
        out.append(_err(lambda: mk(2, dtype=lib.float32, device="cpu", **bad)))
    out.append(_err(lambda: mk(2, dtype=lib.int64, device="cpu", requires_grad=True)))
    return out


@needs_torch
def test_make_tensor_draws_torchs_values():
    assert _make_tensor_script(ember) == _make_tensor_script(torch)


@needs_torch
def test_assert_allclose_as_torch():
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="assert_allclose\\(\\)` is deprecated"):
            lib.testing.assert_allclose(lib.tensor([1.0, 2.0]), [1.00001, 2.0])
    errs = []
    for lib in (ember, torch):
        with pytest.warns(FutureWarning):
            errs.append(_err(lambda: lib.testing.assert_allclose(lib.tensor([1.0, 2.0]),
                                                                 [1.1, 2.0])))
    assert errs[0] == errs[1] and errs[0][0] == "AssertionError"
