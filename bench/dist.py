"""Distributed benchmark (issue 14): allreduce bandwidth and DDP step time, ember on MPI against
PyTorch's DDP with gloo, each on 1 and 2 local ranks started by ``mpiexec``.

    python bench/dist.py                  # ranks 1 and 2, both contenders
    python bench/dist.py --ranks 2 --steps 10 --contenders ember

Every rank gets its own batch of 64 (weak scaling); times are medians over ``--steps`` after two
warm-up steps, taken on rank 0, with ``OPENBLAS_NUM_THREADS=1`` so that ranks do not fight over
cores. torch runs under the same ``mpiexec`` (rendezvous through a ``file://`` store). Results
print as a table with the ratio ember/torch (below 1: ember faster)."""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _models(lib):
    nn = lib.nn
    mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                        nn.Linear(256, 10))
    cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    return {"mlp": (mlp, (64, 784), lib.optim.SGD, {"lr": 0.01}),
            "cnn": (cnn, (64, 1, 28, 28), lib.optim.Adam, {"lr": 1e-3})}


def _median_ms(fn, steps, sync):
    for _ in range(2):
        fn()
    times = []
    for _ in range(steps):
        sync()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times) * 1e3)


def worker(libname, store, steps):
    if libname == "torch":
        import torch as lib
        import torch.distributed as dist
        rank, size = int(os.environ.get("PMI_RANK", 0)), int(os.environ.get("PMI_SIZE", 1))
        dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank,
                                world_size=size)
        lib.set_num_threads(1)
    else:
        import ember as lib
        import ember.distributed as dist
        dist.init_process_group("gloo")
    from_np = lib.from_numpy
    ddp_cls = lib.nn.parallel.DistributedDataParallel
    rank, size = dist.get_rank(), dist.get_world_size()
    out = {}
    for mb in (1, 25):
        t = from_np(np.ones(mb * 262144, np.float32))
        out[f"allreduce {mb} MB"] = _median_ms(lambda: dist.all_reduce(t), steps, dist.barrier)
    rng = np.random.default_rng(rank)
    for name, (model, shape, opt_cls, kw) in _models(lib).items():
        ddp = ddp_cls(model)
        opt = opt_cls(ddp.parameters(), **kw)
        x = from_np(rng.standard_normal(shape).astype(np.float32))
        y = from_np(rng.integers(0, 10, shape[0]))
        loss_fn = lib.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss_fn(ddp(x), y).backward()
            opt.step()
        out[f"{name} DDP step"] = _median_ms(step, steps, dist.barrier)
    if rank == 0:
        print("RESULT " + json.dumps(out), flush=True)
    dist.destroy_process_group()


def run(contender, ranks, steps):
    from ember.distributed.run import find_mpiexec
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [find_mpiexec(), "-n", str(ranks), sys.executable, "-m", "mpi4py", __file__,
               "--worker", contender, "--store", f"{tmp}/store", "--steps", str(steps)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{contender} on {ranks} ranks failed:\n{p.stdout}\n{p.stderr}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ranks", default="1,2")
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--contenders", default="ember,torch")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--store", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.store, args.steps)
    contenders = args.contenders.split(",")
    rows = {}
    for n in [int(r) for r in args.ranks.split(",")]:
        for c in contenders:
            for key, ms in run(c, n, args.steps).items():
                rows.setdefault((key, n), {})[c] = ms
    print(f"{'workload':22} {'ranks':>5} " + " ".join(f"{c + ' ms':>10}" for c in contenders)
          + ("  ember/torch" if set(contenders) >= {"ember", "torch"} else ""))
    for (key, n), got in rows.items():
        line = f"{key:22} {n:>5} " + " ".join(f"{got.get(c, float('nan')):10.2f}"
                                              for c in contenders)
        if "ember" in got and "torch" in got:
            line += f"  {got['ember'] / got['torch']:11.2f}"
        print(line)


if __name__ == "__main__":
    main()
