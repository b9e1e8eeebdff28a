"""The digits CNN (``ember.examples.digits``) trained with DistributedDataParallel on N ranks.

    python -m ember.distributed.run --nproc-per-node 2 -m ember.examples.ddp_digits [--epochs 15]
    python -m ember.examples.ddp_digits        # one process: the same code, world size 1

PyTorch code run by ember: ``init_process_group("gloo")`` (ember runs it on MPI), each rank
trains on its shard of the training set (every N-th example, reshuffled each epoch with a seed
all ranks share) with a per-rank batch of ``batch_size / N``, so the global batch, and hence the
optimisation, is the single-process one; ``DistributedDataParallel`` averages the gradients.
Rank 0 reports validation and test accuracy, which reaches the single-process demo's."""
from __future__ import annotations

import argparse
import time

import ember as torch
import ember.distributed as dist
import ember.nn.functional as F
from ember.examples.digits import CNN, load_data
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, Subset


def evaluate(model, ds):
    """(mean loss, accuracy) of ``model`` on ``ds``."""
    model.eval()
    loader = DataLoader(ds, batch_size=256)
    total, correct, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            total += yb.shape[0]
    return loss_sum / total, correct / total


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=64, help="global batch (all ranks)")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(args.seed)
    train_ds, val_ds, test_ds = load_data(args.seed)
    model = DDP(CNN())  # rank 0's initial weights everywhere
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    per_rank = max(1, args.batch_size // world)
    if rank == 0:
        print(f"{world} rank(s), batch {per_rank} per rank, {len(train_ds)} training images")
    for epoch in range(args.epochs):
        order = torch.randperm(len(train_ds), generator=torch.Generator().manual_seed(
            args.seed + epoch)).tolist()
        shard = Subset(train_ds, order[rank::world])
        model.train()
        start = time.perf_counter()
        loss_sum, seen = 0.0, 0
        for xb, yb in DataLoader(shard, batch_size=per_rank):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * yb.shape[0]
            seen += yb.shape[0]
        stats = torch.tensor([loss_sum, float(seen)], dtype=torch.float64)
        dist.all_reduce(stats)
        if rank == 0:
            val_loss, val_acc = evaluate(model.module, val_ds)
            print(f"epoch {epoch + 1:2d}  train loss {stats[0].item() / stats[1].item():.4f}  "
                  f"val loss {val_loss:.4f}  val acc {val_acc:.3f}  "
                  f"({time.perf_counter() - start:.1f} s)", flush=True)
    if rank == 0:
        test_loss, test_acc = evaluate(model.module, test_ds)
        print(f"test accuracy {test_acc:.4f}  (loss {test_loss:.4f})", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
