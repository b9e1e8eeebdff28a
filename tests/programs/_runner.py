"""Run a real PyTorch program under ``torch`` or under ember (``import torch`` answered by
ember), seeded first: ``python _runner.py ember|torch SEED script.py [args...]``."""
import os
import runpy
import sys

lib, seed, script, *args = sys.argv[1:]
if lib == "ember":
    from ember._torch_alias import install
    install()
import torch  # noqa: E402  (ember under the alias)

torch.manual_seed(int(seed))
import random  # noqa: E402

import numpy  # noqa: E402

random.seed(int(seed))  # programs that also draw from Python's and NumPy's generators
numpy.random.seed(int(seed))
sys.argv = [script] + args
sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
runpy.run_path(script, run_name="__main__")
