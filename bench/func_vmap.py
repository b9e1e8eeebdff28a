"""Per-sample gradients: ``vmap(grad(f))`` against a Python loop of single-sample backward
passes, in ember and in torch, reported as times and ratios.

    python bench/func_vmap.py                 # batch 64, MLP and CNN
    python bench/func_vmap.py --batch 128 --repeat 5

The workload is torch's per-sample-gradients tutorial: ``functional_call`` of a model with
detached parameters, ``vmap(grad(loss), in_dims=(None, None, 0, 0))``.  The loop runs
``model.zero_grad(); loss(model(x[i:i+1]), y[i:i+1]).backward()`` per sample and copies the
gradients.  torch is skipped when it is not installed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def _model(lib, kind):
    nn, F = lib.nn, lib.nn.functional
    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                             nn.Linear(128, 10)), (64,)

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, 1)
            self.conv2 = nn.Conv2d(8, 16, 3, 1)
            self.fc = nn.Linear(16 * 5 * 5, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            return self.fc(lib.flatten(x, 1))
    return CNN(), (1, 14, 14)


def _setup(lib, kind, batch):
    model, shape = _model(lib, kind)
    rng = np.random.default_rng(0)
    data = lib.tensor(rng.standard_normal((batch,) + shape).astype(np.float32))
    targets = lib.tensor(rng.integers(0, 10, batch))
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    F = lib.nn.functional

    def compute_loss(params, buffers, sample, target):
        out = lib.func.functional_call(model, (params, buffers), (sample.unsqueeze(0),))
        return F.cross_entropy(out, target.unsqueeze(0))
    psg = lib.func.vmap(lib.func.grad(compute_loss), in_dims=(None, None, 0, 0))

    def vmapped():
        return psg(params, buffers, data, targets)

    def loop():
        grads = []
        for i in range(batch):
            model.zero_grad()
            F.cross_entropy(model(data[i:i + 1]), targets[i:i + 1]).backward()
            grads.append([p.grad.clone() for p in model.parameters()])
        return grads
    return vmapped, loop


def _time(fn, repeat):
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import ember
    libs = [("ember", ember)]
    try:
        import torch
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        libs.append(("torch", torch))
    except ImportError:
        print("torch not installed: ember only")
    print(f"per-sample gradients, batch {args.batch}, best of {args.repeat} (ms)")
    print(f"{'model':6} {'lib':6} {'vmap(grad)':>11} {'loop':>9} {'loop/vmap':>10}")
    res = {}
    for kind in ("mlp", "cnn"):
        for name, lib in libs:
            vm, lp = _setup(lib, kind, args.batch)
            tv, tl = _time(vm, args.repeat), _time(lp, args.repeat)
            res[(kind, name)] = tv
            print(f"{kind:6} {name:6} {tv * 1e3:11.2f} {tl * 1e3:9.2f} {tl / tv:10.2f}")
        if ("cnn", "torch") in res or (kind, "torch") in res:
            print(f"{kind:6} ember vmap / torch vmap: "
                  f"{res[(kind, 'ember')] / res[(kind, 'torch')]:.2f}")


if __name__ == "__main__":
    main()
