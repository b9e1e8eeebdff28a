"""ember.distributed on MPI: every case runs as ``mpiexec -n 2 python -m mpi4py
tests/dist/_worker.py CASE`` in a subprocess (never MPI inside pytest), with a timeout; the
worker checks values against NumPy and aborts (non-zero exit) on a mismatch. Skipped when mpi4py
or mpiexec is missing (the NumPy-floor CI leg)."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
# mpiexec -n 2 and torchrun use both cores: under xdist the other worker waits between its tests
# while one of these runs (tests/_corelock.py), so neither side's timings or timeouts suffer
pytestmark = pytest.mark.exclusive

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKER = pathlib.Path(__file__).with_name("_worker.py")


def _mpiexec():
    here = pathlib.Path(sys.executable).parent / "mpiexec"
    return str(here) if here.exists() else shutil.which("mpiexec")


def _env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        env.pop(key, None)
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.update(extra)
    return env


def run_mpi(*args, n=2, mpi4py=True, timeout=120, **env):
    mpi4py_mod = pytest.importorskip("mpi4py")
    del mpi4py_mod
    exe = _mpiexec()
    if exe is None:
        pytest.skip("mpiexec not installed")
    cmd = [exe, "-n", str(n), sys.executable] + (["-m", "mpi4py"] if mpi4py else [])
    start = time.monotonic()
    p = subprocess.run(cmd + [str(WORKER), *args], capture_output=True, text=True,
                       timeout=timeout, cwd=ROOT, env=_env(**env))
    return p, time.monotonic() - start


def ok(p):
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


@pytest.mark.parametrize("case", ["reduce_ops", "movement", "async_objects_groups"])
def test_collectives_against_numpy(case):
    p, _ = run_mpi(case)
    assert f"OK {case}" in ok(p)


def test_import_ember_does_not_import_mpi4py():
    code = ("import sys, ember, ember.distributed as d; d.is_available(); "
            "print('mpi4py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env=_env()).stdout
    assert out.strip() == "False"


@needs_torch
@pytest.mark.parametrize("name", ["get_rank", "get_world_size", "get_backend", "barrier",
                                  "all_reduce", "destroy_process_group", "is_initialized"])
def test_calls_before_init_match_torch(name):
    import ember
    import ember.distributed as edist
    import torch.distributed as tdist

    def call(lib, dist):
        args = (lib.ones(2),) if name == "all_reduce" else ()
        try:
            return ("ok", getattr(dist, name)(*args))
        except Exception as e:  # noqa: BLE001
            return (type(e).__name__, str(e))
    assert call(ember, edist) == call(torch, tdist)


def test_reduce_op_and_backend_names():
    import ember.distributed as dist
    assert repr(dist.ReduceOp.SUM) == "<RedOpType.SUM: 0>"
    assert str(dist.ReduceOp.AVG) == "RedOpType.AVG"
    assert dist.ReduceOp.SUM == dist.ReduceOp.RedOpType.SUM
    assert dist.ReduceOp(dist.ReduceOp.MAX) == dist.ReduceOp.MAX
    assert dist.Backend("GLOO") == "gloo" and dist.Backend.MPI == "mpi"
    assert dist.get_default_backend_for_device("cpu") == "gloo"
    assert dist.is_nccl_available() is False
    assert dist.GroupMember.NON_GROUP_MEMBER == -100 and dist.group.WORLD is None
    if torch is not None:
        import torch.distributed as tdist
        for op in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
            assert repr(getattr(dist.ReduceOp, op)) == repr(getattr(tdist.ReduceOp, op))


@needs_torch
def test_misuse_errors_match_torch(tmp_path):
    p, _ = run_mpi("errors", n=1)
    ember_errors = json.loads(ok(p).strip().splitlines()[-1])
    script = (f"import sys, json; sys.path.insert(0, {str(WORKER.parent)!r})\n"
              "import torch, torch.distributed as dist\n"
              "from _worker import misuse_cases, _catch\n"
              f"dist.init_process_group('gloo', init_method='file://{tmp_path}/store', rank=0, "
              "world_size=1)\n"
              "print(json.dumps({k: _catch(f) for k, f in misuse_cases(torch, dist).items()}))\n")
    t = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       timeout=120, cwd=ROOT, env=_env())
    torch_errors = json.loads(ok(t).strip().splitlines()[-1])
    assert ember_errors == torch_errors


def test_exception_on_one_rank_aborts_the_job():
    # plain `python script.py` under mpiexec: ember's excepthook must abort (no -m mpi4py)
    p, took = run_mpi("fail", "raise", mpi4py=False, timeout=60)
    assert p.returncode != 0
    assert "ValueError: boom on rank 1" in p.stderr
    assert "MPI_Abort" in p.stdout + p.stderr
    assert took < 30


def test_killed_rank_ends_the_job():
    p, took = run_mpi("fail", "kill", timeout=60)
    assert p.returncode != 0
    assert "not reached" not in p.stdout
    assert took < 30


def test_stuck_rank_is_caught_by_the_watchdog():
    p, took = run_mpi("fail", "sleep", timeout=60, EMBER_DIST_TEST_TIMEOUT="3")
    assert p.returncode != 0
    assert "[Rank 0] Watchdog caught collective operation timeout: WorkMPI(" in p.stderr
    assert "OpType=ALLREDUCE, NumelIn=10, NumelOut=10, Timeout(ms)=3000)" in p.stderr
    assert "milliseconds before timing out." in p.stderr
    assert took < 3 + 30


def test_launcher_sets_torchrun_variables():
    pytest.importorskip("mpi4py")
    if _mpiexec() is None:
        pytest.skip("mpiexec not installed")
    cmd = [sys.executable, "-m", "ember.distributed.run", "--nproc_per_node", "2", str(WORKER),
           "launcher", "--flag", "x y"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, env=_env())
    out = ok(p)
    assert "OK launcher rank 0 sum 2" in out and "OK launcher rank 1 sum 2" in out


def test_launcher_command_line(monkeypatch):
    from ember.distributed import run
    monkeypatch.setattr(run, "find_mpiexec", lambda: "/x/mpiexec")
    monkeypatch.setattr(run, "_is_openmpi", lambda exe: False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cmd, env = run.build_command(["--nproc-per-node", "3", "train.py", "--lr", "0.1"])
    assert cmd == ["/x/mpiexec", "-n", "3", sys.executable, "-m", "ember.distributed._bootstrap",
                   "train.py", "--lr", "0.1"]
    assert env["OMP_NUM_THREADS"] == str(max(1, (os.cpu_count() or 1) // 3))
    assert env["MASTER_ADDR"] == "localhost" and env["MASTER_PORT"] == "29500"
    monkeypatch.setattr(run, "_is_openmpi", lambda exe: True)
    cmd, _ = run.build_command(["--nproc_per_node=2", "-m", "pkg.mod"])
    assert cmd[:5] == ["/x/mpiexec", "--oversubscribe", "--bind-to", "none",
                       *(["--allow-run-as-root"] if os.geteuid() == 0 else ["-n"])]
    assert cmd[-2:] == ["-m", "pkg.mod"]
    cmd, _ = run.build_command(["--nproc-per-node", "2", "--prefix-rank", "t.py"])
    assert "--tag-output" in cmd  # Open MPI's spelling
    monkeypatch.setattr(run, "_is_openmpi", lambda exe: False)
    cmd, _ = run.build_command(["--nproc-per-node", "2", "--prefix-rank", "t.py"])
    assert cmd[:2] == ["/x/mpiexec", "-l"]  # MPICH's


def test_ember_run_with_torchrun_options_runs_a_torch_script_on_ranks(tmp_path):
    """``ember run --nproc-per-node 2 prog.py``: a PyTorch script (``import torch``) runs on
    2 MPI ranks with torch answered by ember; no rank prefix, as under torchrun."""
    pytest.importorskip("mpi4py")
    if _mpiexec() is None:
        pytest.skip("mpiexec not installed")
    prog = tmp_path / "prog.py"
    prog.write_text("import torch\nimport torch.distributed as dist\n"
                    "dist.init_process_group('gloo')\n"
                    "t = torch.tensor([float(dist.get_rank() + 1)])\ndist.all_reduce(t)\n"
                    "print(torch.__name__, dist.get_rank(), dist.get_world_size(), t.item())\n"
                    "dist.destroy_process_group()\n")
    p = subprocess.run([sys.executable, "-m", "ember", "run", "--nproc-per-node", "2",
                        str(prog)], capture_output=True, text=True, timeout=120, cwd=ROOT,
                       env=_env())
    assert sorted(ok(p).splitlines()) == ["ember 0 2 3.0", "ember 1 2 3.0"]


# ---------------------------------------------------------------- DistributedDataParallel
@pytest.mark.parametrize("case", ["ddp_train", "ddp_order", "ddp_nosync", "ddp_unused",
                                  "ddp_construct", "ddp_syncbn"])
def test_distributed_data_parallel(case, tmp_path):
    """ddp_train: ranks bitwise identical after 5 SGD steps, equal (rtol 1e-6) to one process
    on the full batch, and (rtol 1e-5) to PyTorch's DDP with gloo in the same job; ddp_order:
    buckets launched in index order, bucket 0 before the last gradient; ddp_nosync: local
    accumulation, then one reduction; ddp_unused: torch's error text, find_unused_parameters;
    ddp_construct: shape check, buffers, warnings; ddp_syncbn: SyncBatchNorm over 2 ranks equals
    BatchNorm2d on the whole batch."""
    env = {"EMBER_DIST_TEST_TIMEOUT": "30"}
    if case == "ddp_train" and torch is not None:
        env["EMBER_TEST_TORCH_STORE"] = str(tmp_path / "store")
    p, _ = run_mpi(case, **env)
    assert f"OK {case}" in ok(p)


@needs_torch
@pytest.mark.parametrize("seed", range(6))
def test_bucket_assignment_matches_torch(seed):
    import numpy as np
    import torch.distributed as tdist

    import ember
    from ember.nn.parallel.distributed import _compute_bucket_assignment_by_size
    rng = np.random.default_rng(seed)
    shapes = [tuple(int(s) for s in rng.integers(1, 300, size=rng.integers(1, 3)))
              for _ in range(int(rng.integers(3, 12)))]
    dtypes = ["float32", "float64"] if seed % 2 else ["float32"]
    picks = [dtypes[int(rng.integers(len(dtypes)))] for _ in shapes]
    et = [ember.zeros(s, dtype=getattr(ember, d)) for s, d in zip(shapes, picks)]
    tt = [torch.zeros(s, dtype=getattr(torch, d)) for s, d in zip(shapes, picks)]
    limits = [int(x) for x in rng.integers(1000, 200000, size=2)]
    order = [int(i) for i in rng.permutation(len(shapes))]
    for lim in ([limits[0]], limits, [sys.maxsize]):
        got = _compute_bucket_assignment_by_size(et, lim)
        assert got == tuple(tdist._compute_bucket_assignment_by_size(tt, lim))
        got = _compute_bucket_assignment_by_size([et[i] for i in order], lim, order)
        want = tdist._compute_bucket_assignment_by_size([tt[i] for i in order], lim, [], order)
        if len(dtypes) == 1:  # several dtypes: torch's leftover order is a hash map's
            assert got == tuple(want)
        else:
            assert sorted(map(sorted, got[0])) == sorted(map(sorted, want[0]))


def test_ddp_names():
    import ember
    from ember.nn.parallel import distributed
    assert ember.nn.parallel.DistributedDataParallel is distributed.DistributedDataParallel
    import ember.distributed as dist
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2))
    assert dist.is_initialized() is False


def test_ddp_digits_example():
    """python -m ember.distributed.run --nproc-per-node 2 -m ember.examples.ddp_digits."""
    pytest.importorskip("mpi4py")
    pytest.importorskip("sklearn")
    if _mpiexec() is None:
        pytest.skip("mpiexec not installed")
    cmd = [sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2", "-m",
           "ember.examples.ddp_digits", "--epochs", "2"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, env=_env())
    out = ok(p)
    assert "2 rank(s), batch 32 per rank" in out
    acc = float(out.split("test accuracy ")[1].split()[0])
    assert acc > 0.6, out
