"""``import torch`` answered by ember: run a PyTorch program unchanged (``ember run prog.py``).

``install()`` puts a finder at the front of ``sys.meta_path`` that answers ``torch`` with the
``ember`` module and ``torch.x.y`` with ``ember.x.y`` (the same module objects, so
``torch.nn is ember.nn``). A name ember does not have fails as it would in ember:
``ModuleNotFoundError: No module named 'ember.x'``, which says what is missing.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import runpy
import sys


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            # functorch (in torch's wheel beside torch): ember._functorch (issue 15)
            if fullname != "functorch" and not fullname.startswith("functorch."):
                return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        if spec.name.startswith("functorch"):
            return importlib.import_module("ember._functorch" + spec.name[len("functorch"):])
        return importlib.import_module("ember" + spec.name[len("torch"):])

    def exec_module(self, module):
        pass  # already executed when imported under its ember name


def install() -> None:
    """Make ``import torch`` (and ``torch.*``) import ember in this process."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.insert(0, _Alias())


def run(argv: list[str]) -> int:
    """``ember run script.py args...`` / ``ember run -m module args...``: run a PyTorch program
    with ``torch`` answered by ember, as ``python`` would run it.  With torchrun's options first
    (``ember run --nproc-per-node 2 train.py``) the program runs on that many MPI ranks through
    ``ember.distributed.run``, each rank with ``torch`` answered by ember."""
    if not argv:
        print("usage: ember run [--nproc-per-node N ...] script.py [args...] | "
              "ember run -m module [args...]")
        return 2
    if argv[0].startswith("--"):  # torchrun's options: the distributed launcher
        import os

        from .distributed import run as launcher
        os.environ["EMBER_TORCH_ALIAS"] = "1"  # read by each rank's bootstrap
        return launcher.main(argv)
    install()
    if argv[0] == "-m" and len(argv) > 1:
        sys.argv = [argv[1]] + argv[2:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        import os
        sys.argv = list(argv)
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name="__main__")
    return 0
