"""ember.multiprocessing and shared-memory tensors: share_memory_/is_shared against torch,
tensors passed between processes without copies (in-place changes seen on both sides), spawn
with torch's error propagation, and a Hogwild training run (pytorch/examples mnist_hogwild's
shape, on small synthetic data) with 2 processes under fork and spawn."""
import sys

import numpy as np
import pytest

import ember
import ember.multiprocessing as emp

try:
    import torch
    import torch.multiprocessing as tmp
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="fork start method")


from _mp_workers import (_add_rank, _echo, _exit_three, _fail_on_one,  # noqa: E402
                         Net, _hogwild_proc, _record)


# ------------------------------------------------------------------------------- tests
@needs_torch
def test_share_memory_and_is_shared_match_torch():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    for lib in (ember, torch):
        t = lib.tensor(a)
        assert t.is_shared() is False
        assert t.share_memory_() is t
        assert t.is_shared() is True
        assert t.share_memory_() is t  # again: nothing moves
        assert t.tolist() == a.tolist() and t.dtype == lib.float32
        v = t[1:, ::2]
        assert v.is_shared() is True
        t.add_(1)
        assert v.tolist() == (a[1:, ::2] + 1).tolist()  # views taken after stay views
        p = lib.nn.Parameter(lib.zeros(2))
        p.share_memory_()
        assert p.is_shared() and p.requires_grad and type(p).__name__ == "Parameter"
        empty = lib.zeros(0).share_memory_()
        assert empty.is_shared() and empty.shape == (0,)


@needs_torch
def test_module_share_memory_matches_torch():
    for lib in (ember, torch):
        m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
        assert m.share_memory() is m
        assert all(t.is_shared() for t in m.state_dict().values())
        assert all(p.is_shared() for p in m.parameters())


def test_plain_pickle_still_copies():
    import pickle
    t = ember.arange(4.0).share_memory_()
    u = pickle.loads(pickle.dumps(t))
    u.add_(1)
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0] and not u.is_shared()


@linux_only
def test_children_write_into_a_shared_tensor():  # spawn: test_hogwild_training[spawn]
    ctx = emp.get_context("fork")
    t = ember.zeros(3).share_memory_()
    done = ctx.Queue()
    procs = [ctx.Process(target=_add_rank, args=(r, t, done)) for r in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    assert sorted(done.get(timeout=10) for _ in procs) == [0, 1]
    assert t.tolist() == [1.0, 2.0, 0.0]


@linux_only
def test_queue_sends_a_handle_not_a_copy():
    ctx = emp.get_context("fork")
    q_in, q_out, received = ctx.Queue(), ctx.Queue(), ctx.Event()
    p = ctx.Process(target=_echo, args=(q_in, q_out, received))
    p.start()
    t = ember.tensor([1.0, 2.0, 3.0]).share_memory_()
    q_in.put(t)
    shared, copy, view = q_out.get(timeout=30)
    received.set()
    p.join(30)
    assert p.exitcode == 0
    assert shared is True
    assert t.tolist() == [2.0, 4.0, 6.0]  # the child's mul_ landed here
    assert copy.tolist() == [2.0, 4.0, 6.0] and not copy.is_shared()
    assert view.is_shared() and view.tolist() == [4.0, 6.0]
    view[0] = 10.0  # the returned view maps the same memory as t
    assert t.tolist() == [2.0, 10.0, 6.0]


def _read(path):
    with open(path) as f:
        return f.read()


def test_spawn_passes_rank_and_args(tmp_path):
    path = str(tmp_path / "out")
    assert emp.spawn(_record, args=(path, 10), nprocs=2) is None
    assert [_read(f"{path}.{i}") for i in range(2)] == ["10", "11"]


@linux_only
def test_start_processes_without_join(tmp_path):
    path = str(tmp_path / "out")
    ctx = emp.start_processes(_record, args=(path, 20), nprocs=2, join=False,
                              start_method="fork")
    assert isinstance(ctx, emp.ProcessContext) and len(ctx.pids()) == 2
    while not ctx.join():
        pass
    assert [_read(f"{path}.{i}") for i in range(2)] == ["20", "21"]


@needs_torch
def test_spawn_error_propagation_matches_torch():
    msgs = []
    for mp in (emp, tmp):  # fork: a spawned torch child would import torch (slow)
        with pytest.raises(mp.ProcessRaisedException) as info:
            mp.start_processes(_fail_on_one, args=("boom here",), nprocs=2,
                               start_method="fork" if sys.platform == "linux" else "spawn")
        assert info.value.error_index == 1
        msgs.append(str(info.value))
    for m in msgs:
        assert m.startswith("\n\n-- Process 1 terminated with the following error:\n"
                            "Traceback (most recent call last):")
        assert m.rstrip().endswith("ValueError: boom here")
    with pytest.raises(emp.ProcessExitedException,
                       match="process 0 terminated with exit code 3") as info:
        emp.start_processes(_exit_three, nprocs=1, start_method="fork")
    assert info.value.exit_code == 3


@needs_torch
def test_names_match_torch():
    for name in ("Process", "Queue", "SimpleQueue", "Pool", "Manager", "Event", "Lock",
                 "get_context", "set_start_method", "get_start_method", "cpu_count",
                 "current_process", "spawn", "start_processes", "ProcessContext",
                 "ProcessRaisedException", "ProcessExitedException", "get_sharing_strategy",
                 "set_sharing_strategy", "get_all_sharing_strategies"):
        assert hasattr(emp, name) and hasattr(tmp, name), name
    assert set(tmp.__all__) <= set(emp.__all__)
    assert emp.get_all_sharing_strategies() == tmp.get_all_sharing_strategies()
    assert emp.get_sharing_strategy() == tmp.get_sharing_strategy()
    assert emp.cpu_count() == tmp.cpu_count()
    with pytest.raises(AssertionError, match="invalid sharing strategy 'nope'"):
        emp.set_sharing_strategy("nope")


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_hogwild_training(method):
    """mnist_hogwild: model.share_memory(), 2 processes train it with their own SGD; the
    parent's model is the trained one (its loss falls, its weights moved)."""
    if method == "fork" and sys.platform != "linux":
        pytest.skip("fork start method")
    rng = np.random.default_rng(0)
    data = rng.normal(size=(96, 1, 8, 8)).astype(np.float32)
    target = rng.integers(0, 3, 96)
    data[np.arange(96), 0, target, target] += 4.0  # a learnable signal
    ember.manual_seed(1)
    model = Net()
    model.share_memory()
    x, y = ember.tensor(data), ember.tensor(target)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    loss0 = ember.nn.functional.nll_loss(model(x), y).item()
    ctx = emp.get_context(method)
    procs = [ctx.Process(target=_hogwild_proc, args=(rank, model, x, y, 6))
             for rank in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    loss1 = ember.nn.functional.nll_loss(model(x), y).item()
    assert all(not ember.equal(before[k], v) for k, v in model.state_dict().items())
    assert loss1 < 0.5 * loss0, (loss0, loss1)


@needs_torch
def test_adagrad_share_memory_matches_torch():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.Adagrad([p], lr=0.1)
        assert opt.share_memory() is None
        s = opt.state[p]["sum"]
        assert s.is_shared()
        p.grad = lib.full((3,), 2.0)
        opt.step()
        assert opt.state[p]["sum"] is s and s.is_shared() and s.tolist() == [4.0, 4.0, 4.0]
