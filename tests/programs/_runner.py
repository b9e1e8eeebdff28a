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
names = os.environ.get("EMBER_TEST_SHOW")  # globals whose values are printed at the end
g = runpy.run_path(script, run_name="__main__")


def show(name, v):
    """A summary of ``v`` (tensors: shape, dtype, norm, sum of magnitudes: sums that do not
    cancel, so a relative tolerance applies) for the comparison."""
    if isinstance(v, torch.Tensor):
        d = v.detach().double()
        print(f"{name}: {tuple(v.shape)} {v.dtype} norm={d.norm().item():.6g} "
              f"abs={d.abs().sum().item():.6g}")
    elif isinstance(v, (tuple, list)):
        for k, x in enumerate(v):
            show(f"{name}[{k}]", x)
    elif isinstance(v, dict):
        for k, x in v.items():
            show(f"{name}[{k!r}]", x)
    else:
        print(f"{name}: {v!r}")


for n in (names.split(",") if names else []):
    show(n, g[n])
