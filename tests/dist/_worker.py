"""Cases run by tests/dist/test_distributed.py under ``mpiexec -n 2 python -m mpi4py``: each
rank checks its results against NumPy-computed expectations (an AssertionError aborts the job,
non-zero exit) and rank 0 prints ``OK <case>``. Never imported by pytest itself."""
import datetime
import json
import os
import sys
import time

import numpy as np

import ember
import ember.distributed as dist

TIMEOUT = datetime.timedelta(seconds=float(os.environ.get("EMBER_DIST_TEST_TIMEOUT", "20")))


def init(backend="gloo"):
    dist.init_process_group(backend, timeout=TIMEOUT)
    return dist.get_rank(), dist.get_world_size()


def eq(t, expected, dtype=None):
    got = t.numpy() if isinstance(t, ember.Tensor) else np.asarray(t)
    expected = np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == (dtype or expected.dtype), (got.dtype, dtype or expected.dtype)
    assert np.array_equal(got, expected), (got, expected)


def data(rank, shape=(2, 3), dtype=np.float32):
    """Rank r's deterministic input."""
    return (np.arange(int(np.prod(shape))).reshape(shape) % 5 + 1 + rank).astype(dtype)


def case_reduce_ops():
    r, n = init()
    every = [data(k) for k in range(n)]
    stacked = np.stack(every)
    for op, fn in [(dist.ReduceOp.SUM, np.sum), (dist.ReduceOp.PRODUCT, np.prod),
                   (dist.ReduceOp.MIN, np.min), (dist.ReduceOp.MAX, np.max)]:
        t = ember.tensor(data(r))
        assert dist.all_reduce(t, op=op) is None
        eq(t, fn(stacked, axis=0).astype(np.float32))
    t = ember.tensor(data(r))
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    eq(t, (stacked.sum(0) / n).astype(np.float32))
    for np_dt in (np.float64, np.int64, np.int32, np.int8, np.uint8, np.int16, np.complex64,
                  np.complex128):
        t = ember.tensor(data(r, dtype=np_dt))
        dist.all_reduce(t)
        eq(t, np.stack([data(k, dtype=np_dt) for k in range(n)]).sum(0).astype(np_dt))
    for op, fn in [(dist.ReduceOp.BAND, np.bitwise_and), (dist.ReduceOp.BOR, np.bitwise_or),
                   (dist.ReduceOp.BXOR, np.bitwise_xor)]:
        t = ember.tensor(data(r, dtype=np.int64))
        dist.all_reduce(t, op=op)
        eq(t, fn.reduce(np.stack([data(k, dtype=np.int64) for k in range(n)]), axis=0))
    t = ember.tensor(data(r, dtype=np.float16))  # float16: reduced in float32, stored back
    dist.all_reduce(t)
    eq(t, np.stack([data(k, dtype=np.float32) for k in range(n)]).sum(0).astype(np.float16))
    b = ember.tensor(np.array([True, r == 0, False]))
    dist.all_reduce(b)  # bool SUM is a logical or (as torch)
    eq(b, np.array([True, True, False]))
    b = ember.tensor(np.array([True, r == 0, False]))
    dist.all_reduce(b, op=dist.ReduceOp.MIN)
    eq(b, np.array([True, False, False]))
    s = ember.tensor(3.0 + r)  # 0-d
    dist.all_reduce(s, op=dist.ReduceOp.MAX)
    eq(s, np.float32(2.0 + n))
    t = ember.tensor(data(r, dtype=np.float64))
    dist.reduce(t, dst=1)
    eq(t, stacked.sum(0).astype(np.float64) if r == 1 else data(r, dtype=np.float64))
    t = ember.tensor(data(r))
    dist.reduce(t, dst=0, op=dist.ReduceOp.MAX)
    eq(t, stacked.max(0) if r == 0 else data(r))
    inp = ember.tensor(np.concatenate([data(r)] * n) * (r + 1))
    out = ember.zeros(2, 3)
    dist.reduce_scatter_tensor(out, inp)
    full = sum(np.concatenate([data(k)] * n) * (k + 1) for k in range(n))
    eq(out, full[2 * r:2 * r + 2].astype(np.float32))
    out = ember.zeros(2, 3, dtype=ember.int64)
    dist.reduce_scatter(out, [ember.tensor(data(r, dtype=np.int64) * (j + 1)) for j in range(n)])
    eq(out, sum(data(k, dtype=np.int64) for k in range(n)) * (r + 1))
    print("OK reduce_ops", flush=True) if r == 0 else None


def case_movement():
    r, n = init()
    for np_dt in (np.float32, np.int64, np.bool_, np.float16, np.complex64, np.uint8):
        t = ember.tensor(data(r, dtype=np_dt))
        dist.broadcast(t, src=1)
        eq(t, data(1, dtype=np_dt))
        outs = [ember.tensor(np.zeros((2, 3), np_dt)) for _ in range(n)]
        dist.all_gather(outs, ember.tensor(data(r, dtype=np_dt)))
        for k in range(n):
            eq(outs[k], data(k, dtype=np_dt))
    out = ember.zeros(2 * n, 3)
    dist.all_gather_into_tensor(out, ember.tensor(data(r)))
    eq(out, np.concatenate([data(k) for k in range(n)]))
    out = ember.zeros(n, 2, 3)  # the stacked form
    dist.all_gather_into_tensor(out, ember.tensor(data(r)))
    eq(out, np.stack([data(k) for k in range(n)]))
    gl = [ember.zeros(2, 3) for _ in range(n)] if r == 0 else None
    dist.gather(ember.tensor(data(r)), gl, dst=0)
    if r == 0:
        for k in range(n):
            eq(gl[k], data(k))
    o = ember.zeros(2, 3)
    dist.scatter(o, [ember.tensor(data(k) * 10) for k in range(n)] if r == 1 else None, src=1)
    eq(o, data(r) * 10)
    outs = [ember.zeros(2, dtype=ember.int64) for _ in range(n)]
    dist.all_to_all(outs, [ember.tensor(np.array([10 * r + j, 100], np.int64)) for j in range(n)])
    for k in range(n):
        eq(outs[k], np.array([10 * k + r, 100], np.int64))
    # uneven splits: rank r sends j+1 rows to rank j
    rows_in = [j + 1 for j in range(n)]
    inp = ember.tensor(np.arange(sum(rows_in) * 2, dtype=np.float64).reshape(-1, 2) + 100 * r)
    out = ember.zeros((r + 1) * n, 2, dtype=ember.float64)
    dist.all_to_all_single(out, inp, [r + 1] * n, rows_in)
    off = sum(rows_in[:r])
    rows = np.arange(sum(rows_in) * 2, dtype=np.float64).reshape(-1, 2)[off:off + r + 1]
    exp = np.concatenate([rows + 100 * k for k in range(n)])
    eq(out, exp)
    # point to point, blocking and not, any source, tags
    if r == 0:
        dist.send(ember.arange(4.0), dst=1, tag=3)
        w = dist.isend(ember.ones(2, dtype=ember.int32) * 7, dst=1)
        w.wait()
    elif r == 1:
        x = ember.zeros(4)
        assert dist.recv(x, src=0, tag=3) == 0
        eq(x, np.arange(4.0, dtype=np.float32))
        y = ember.zeros(2, dtype=ember.int32)
        assert dist.recv(y) == 0  # any source
        eq(y, np.array([7, 7], np.int32))
    peer = (r + 1) % n
    src = (r - 1) % n
    recvd = ember.zeros(3)
    works = dist.batch_isend_irecv([dist.P2POp(dist.isend, ember.ones(3) * r, peer),
                                    dist.P2POp(dist.irecv, recvd, src)])
    for w in works:
        w.wait()
    eq(recvd, np.full(3, src, np.float32))
    print("OK movement", flush=True) if r == 0 else None


def case_async_objects_groups():
    r, n = init()
    t = ember.tensor(data(r))
    w = dist.all_reduce(t, async_op=True)
    assert isinstance(w, dist.Work)
    assert w.wait() is True and w.is_completed() and w.is_success()
    eq(t, sum(data(k) for k in range(n)))
    t = ember.tensor(data(r))
    w = dist.broadcast(t, src=0, async_op=True)
    while not w.is_completed():
        time.sleep(0.001)
    eq(t, data(0))
    assert w.result()[0] is t
    w = dist.barrier(async_op=True)
    w.wait()
    objs = [None] * n
    dist.all_gather_object(objs, {"rank": r, "t": ember.ones(2) * r, "s": "x" * (10 * r)})
    for k in range(n):
        assert objs[k]["rank"] == k and objs[k]["s"] == "x" * (10 * k)
        eq(objs[k]["t"], np.full(2, k, np.float32))
    lst = [r, "mine", None] if r == 0 else [None, None, None]
    dist.broadcast_object_list(lst, src=0)
    assert lst == [0, "mine", None], lst
    got = [None] * n if r == 1 else None
    dist.gather_object(("g", r), got, dst=1)
    assert got is None or got == [("g", k) for k in range(n)], got
    out = [None]
    dist.scatter_object_list(out, [{"to": k} for k in range(n)] if r == 0 else None, src=0)
    assert out == [{"to": r}], out
    if r == 0:
        dist.send_object_list([1, {"a": [2]}], dst=1)
    elif r == 1:
        ol = [None, None]
        dist.recv_object_list(ol, src=0)
        assert ol == [1, {"a": [2]}], ol
    g = dist.new_group([1])
    assert dist.get_process_group_ranks(g) == [1]
    t = ember.ones(2) * (r + 1)
    if r == 1:
        assert g.rank() == 0 and dist.get_world_size(g) == 1 and dist.get_rank(g) == 0
        dist.all_reduce(t, group=g)
        eq(t, np.full(2, 2.0, np.float32))
    else:
        import warnings
        assert g.rank() == -1 and dist.get_world_size(g) == -1
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            assert dist.all_reduce(t, group=g) is None
        assert "does not belong to the given group" in str(rec[0].message)
        eq(t, np.ones(2, np.float32))
    whole = dist.new_group([1, 0])
    t = ember.ones(1) * r
    dist.broadcast(t, src=1, group=whole)
    eq(t, np.ones(1, np.float32))
    assert dist.get_backend() == "gloo" and dist.is_initialized()
    assert dist.group.WORLD is dist.GroupMember.WORLD and dist.group.WORLD is not None
    assert os.environ["WORLD_SIZE"] == str(n) and os.environ["RANK"] == str(r)
    # non-contiguous: copied and written back under gloo, refused under mpi (as ProcessGroupMPI)
    base = ember.tensor(data(r))
    v = base.t()
    dist.all_reduce(v)
    eq(base, sum(data(k) for k in range(n)))
    dist.destroy_process_group()
    assert not dist.is_initialized() and dist.group.WORLD is None
    dist.init_process_group("mpi", timeout=TIMEOUT)
    try:
        dist.all_reduce(ember.tensor(data(r)).t())
        raise AssertionError("no error")
    except RuntimeError as e:
        assert str(e) == "input tensor has to be contiguous", e
    print("OK async_objects_groups", flush=True) if r == 0 else None


def _catch(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return [type(e).__name__, str(e)]
    return ["no error", ""]


def misuse_cases(lib, dist):
    """The same misuse in torch and in ember, on a one-rank group (run by both)."""
    T = lib.tensor
    return {
        "bcast_src": lambda: dist.broadcast(T([1.0]), src=3),
        "reduce_dst": lambda: dist.reduce(T([1.0]), dst=2),
        "allgather_len": lambda: dist.all_gather([T([1.0])] * 2, T([1.0])),
        "allgather_shape": lambda: dist.all_gather([lib.ones(2)], lib.ones(3)),
        "send_self": lambda: dist.send(T([1.0]), 0),
        "gather_nolist": lambda: dist.gather(T([1.0]), dst=0),
        "scatter_nolist": lambda: dist.scatter(T([1.0]), None, src=0),
        "notensor": lambda: dist.all_reduce([1, 2]),
        "complex_max": lambda: dist.all_reduce(lib.ones(2, dtype=lib.complex64),
                                               op=dist.ReduceOp.MAX),
        "reinit": lambda: dist.init_process_group("gloo", rank=0, world_size=1),
        "newgroup_big": lambda: dist.new_group([0, 3]),
    }


def case_errors():
    """One rank (no mpiexec): prints the misuse errors as JSON for the test to compare."""
    init()
    out = {k: _catch(f) for k, f in misuse_cases(ember, dist).items()}
    print(json.dumps(out), flush=True)


def case_fail():
    """``fail <raise|kill|sleep|exit>``: rank 1 fails between two collectives."""
    r, n = init()
    t = ember.ones(10)
    dist.all_reduce(t)
    if r == 1:
        mode = sys.argv[2]
        if mode == "raise":
            raise ValueError("boom on rank 1")
        if mode == "kill":
            import signal
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "sleep":
            time.sleep(60)
    dist.all_reduce(t)
    print("not reached", flush=True)


def case_launcher():
    """Run by ``python -m ember.distributed.run``: torchrun's variables, from MPI's."""
    env = {k: os.environ.get(k) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                                          "MASTER_ADDR", "MASTER_PORT", "OMP_NUM_THREADS")}
    r, n = init()
    assert env["RANK"] == str(r) and env["WORLD_SIZE"] == str(n), env
    assert env["LOCAL_RANK"] == str(r) and env["LOCAL_WORLD_SIZE"] == str(n), env
    assert env["MASTER_ADDR"] and env["MASTER_PORT"] and env["OMP_NUM_THREADS"], env
    assert sys.argv[2:] == ["--flag", "x y"], sys.argv
    assert dist.is_torchelastic_launched() and os.environ["ROLE_RANK"] == str(r)
    t = ember.ones(1)
    dist.all_reduce(t)
    print(f"OK launcher rank {r} sum {t.item():g}", flush=True)


if __name__ == "__main__":
    case = sys.argv[1]
    if case.startswith("ddp"):
        from _ddp_cases import run_case  # noqa: E402  (tests/dist is on sys.path[0])
        run_case(case)
    else:
        globals()[f"case_{case}"]()
