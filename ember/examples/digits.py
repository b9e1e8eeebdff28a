"""ember's main demo: a small CNN and an MLP trained on scikit-learn's bundled 8x8 digits.

    python -m ember.examples.digits [--epochs 15] [--batch-size 64] [--lr 3e-3] [--seed 0]
                                    [--out ember-demo-out] [--resume]

Everything is PyTorch code run by ember (``import ember as torch``): a DataLoader, Adam, a
cosine learning-rate schedule, a tqdm bar per epoch, per-epoch train/validation loss and
accuracy, a checkpoint written atomically each epoch (PyTorch can ``torch.load`` it), ``--resume``
from it, and at the end: test accuracy, a PNG of the training curves and an SVG of the CNN's
backward graph.  The data (1797 images) ships inside scikit-learn: nothing is downloaded.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset


class CNN(nn.Module):
    """conv(1->16) - ReLU - conv(16->32) - ReLU - maxpool - linear(512->64) - ReLU - linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc2(self.drop(F.relu(self.fc1(x))))


def make_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64),
                         nn.ReLU(), nn.Linear(64, 10))


def load_data(seed: int):
    """The digits as float32 images in [0, 1], split 70/10/20 by a seeded permutation."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("The demo needs scikit-learn for its bundled digits data: "
                 "pip install 'ember[demo]' (or pip install scikit-learn)")
    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[:, None, :, :]
    y = d.target.astype(np.int64)
    perm = np.random.default_rng(seed).permutation(len(y))
    n_tr, n_va = int(0.7 * len(y)), int(0.1 * len(y))
    parts = perm[:n_tr], perm[n_tr:n_tr + n_va], perm[n_tr + n_va:]
    return [TensorDataset(torch.from_numpy(x[p]), torch.from_numpy(y[p])) for p in parts]


def run_epoch(model, loader, opt=None, desc=""):
    """One pass; trains when ``opt`` is given.  Returns (mean loss, accuracy)."""
    training = opt is not None
    model.train(training)
    total, correct, loss_sum = 0, 0, 0.0
    bar = _progress(loader, desc)
    with torch.set_grad_enabled(training):
        for xb, yb in bar:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            if training:
                opt.zero_grad()
                loss.backward()
                opt.step()
            n = yb.shape[0]
            total += n
            loss_sum += loss.item() * n
            correct += (logits.argmax(1) == yb).sum().item()
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{loss_sum / total:.3f}", acc=f"{correct / total:.3f}")
    return loss_sum / total, correct / total


def _progress(loader, desc):
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(loader, desc=desc, leave=False, file=sys.stdout, dynamic_ncols=True,
                disable=not sys.stdout.isatty() and os.environ.get("EMBER_PROGRESS") != "1")


def plot_curves(history, path):
    """Training curves (loss and accuracy per epoch for both models) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for name, h in history.items():
        ep = range(1, len(h["train_loss"]) + 1)
        ax1.plot(ep, h["train_loss"], label=f"{name} train")
        ax1.plot(ep, h["val_loss"], "--", label=f"{name} val")
        ax2.plot(ep, h["train_acc"], label=f"{name} train")
        ax2.plot(ep, h["val_acc"], "--", label=f"{name} val")
    ax1.set(xlabel="epoch", ylabel="cross-entropy", title="loss", yscale="log")
    ax2.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0.5, 1.0))
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("ember: digits (8x8), CNN vs MLP")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw_graph(model, sample, path_svg):
    """The CNN's backward graph as SVG (Graphviz's dot when installed, ember's own layout
    otherwise)."""
    from ember import viz

    model.eval()
    out = F.cross_entropy(model(sample[0]), sample[1])
    dot = viz.make_dot(out, params=dict(model.named_parameters()))
    return viz.save_svg(dot, path_svg)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="ember-demo-out")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")

    torch.manual_seed(args.seed)
    train_ds, val_ds, test_ds = load_data(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train_dl = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True, generator=gen)
    val_dl = DataLoader(val_ds, batch_size=256)
    test_dl = DataLoader(test_ds, batch_size=256)

    models = {"cnn": CNN(), "mlp": make_mlp()}
    opts = {k: torch.optim.Adam(m.parameters(), lr=args.lr) for k, m in models.items()}
    scheds = {k: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=args.epochs)
              for k, o in opts.items()}
    history = {k: {"train_loss": [], "val_loss": [], "train_acc": [], "val_acc": [], "lr": []}
               for k in models}
    start = 0
    if args.resume:
        if not os.path.exists(ckpt_path):
            sys.exit(f"--resume: no checkpoint at {ckpt_path}")
        ck = torch.load(ckpt_path)
        for k in models:
            models[k].load_state_dict(ck["model"][k])
            opts[k].load_state_dict(ck["optimizer"][k])
            scheds[k].load_state_dict(ck["scheduler"][k])
        history = ck["history"]
        start = ck["epoch"]
        gen.set_state(torch.tensor(ck["generator"], dtype=torch.uint8))
        print(f"resumed from {ckpt_path} after epoch {start}")

    print(f"digits: {len(train_ds)} train / {len(val_ds)} val / {len(test_ds)} test images; "
          f"{sum(p.numel() for p in models['cnn'].parameters())} CNN and "
          f"{sum(p.numel() for p in models['mlp'].parameters())} MLP parameters")
    t0 = time.perf_counter()
    for epoch in range(start, args.epochs):
        line = [f"epoch {epoch + 1:2d}/{args.epochs}"]
        for k, m in models.items():
            tl, ta = run_epoch(m, train_dl, opts[k], desc=f"{k} epoch {epoch + 1}")
            vl, va = run_epoch(m, val_dl)
            h = history[k]
            h["train_loss"].append(tl)
            h["val_loss"].append(vl)
            h["train_acc"].append(ta)
            h["val_acc"].append(va)
            h["lr"].append(scheds[k].get_last_lr()[0])
            scheds[k].step()
            line.append(f"{k}: loss {tl:.3f}/{vl:.3f} acc {ta:.3f}/{va:.3f}")
        print("  ".join(line), flush=True)
        torch.save({"epoch": epoch + 1,
                    "model": {k: m.state_dict() for k, m in models.items()},
                    "optimizer": {k: o.state_dict() for k, o in opts.items()},
                    "scheduler": {k: s.state_dict() for k, s in scheds.items()},
                    "history": history,
                    "generator": gen.get_state().tolist()}, ckpt_path)

    results = {}
    for k, m in models.items():
        tl, ta = run_epoch(m, test_dl)
        results[k] = {"test_loss": tl, "test_acc": ta}
        print(f"{k}: test accuracy {ta:.4f} (loss {tl:.3f})")
    print(f"training time: {time.perf_counter() - t0:.1f} s")
    curves = os.path.join(args.out, "curves.png")
    plot_curves(history, curves)
    graph = draw_graph(models["cnn"], next(iter(test_dl)), os.path.join(args.out,
                                                                        "cnn_graph.svg"))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {ckpt_path}, {curves}, {graph}")
    return results


if __name__ == "__main__":
    main()
