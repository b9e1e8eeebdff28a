"""``ember.utils.data.DistributedSampler`` against torch's: the same shards, bit for bit (ember's
``randperm`` with a seeded Generator gives torch's permutation), for explicit ``num_replicas`` and
``rank`` over dataset sizes, world sizes, epochs, ``shuffle`` and ``drop_last``; torch's errors."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, TensorDataset
from ember.utils.data import DistributedSampler
from ember.utils.data.distributed import DistributedSampler as DistributedSampler2

try:
    import torch
    import torch.utils.data as tud
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def test_exported_names():
    assert DistributedSampler is DistributedSampler2
    assert "DistributedSampler" in ember.utils.data.__all__
    assert issubclass(DistributedSampler, ember.utils.data.Sampler)


def shards(cls, n, world, **kw):
    """Every rank's indices for epochs 0, 1 and 4, and each sampler's len."""
    out = []
    for rank in range(world):
        s = cls(list(range(n)), num_replicas=world, rank=rank, **kw)
        for epoch in (0, 1, 4):
            s.set_epoch(epoch)
            out.append((rank, epoch, len(s), list(s)))
    return out


@needs_torch
@pytest.mark.parametrize("n", [0, 1, 5, 10, 33, 257])
@pytest.mark.parametrize("world", [1, 2, 3, 8])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [True, False])
def test_shards_vs_torch(n, world, shuffle, drop_last):
    for seed in (0, 17):
        kw = dict(shuffle=shuffle, seed=seed, drop_last=drop_last)
        assert shards(DistributedSampler, n, world, **kw) == \
            shards(tud.DistributedSampler, n, world, **kw)


def test_index_rule():
    """Without torch: padding repeats the list, drop_last cuts the tail, the shards partition
    (or cover) the dataset, epochs change the order, the seed is shared by all ranks."""
    n, world = 10, 4
    got = [list(DistributedSampler(range(n), world, r, shuffle=False)) for r in range(world)]
    assert got == [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]]
    got = [list(DistributedSampler(range(n), world, r, shuffle=False, drop_last=True))
           for r in range(world)]
    assert got == [[0, 4], [1, 5], [2, 6], [3, 7]]
    parts = [DistributedSampler(range(n), world, r, seed=3) for r in range(world)]
    flat = [i for p in parts for i in p]
    assert set(flat) == set(range(n)) and len(flat) == 12
    s = DistributedSampler(range(100), 2, 0)
    first = list(s)
    assert list(s) == first
    s.set_epoch(1)
    assert list(s) != first and s.epoch == 1
    assert len(DistributedSampler(range(3), 8, 7)) == 1  # padding repeats the list several times


@pytest.mark.parametrize("rank", [2, -1, 5])
def test_invalid_rank(rank):
    with pytest.raises(ValueError, match=rf"^Invalid rank {rank}, rank should be in the "
                                         r"interval \[0, 1\]$"):
        DistributedSampler(range(5), num_replicas=2, rank=rank)


@pytest.mark.parametrize("kw", [{}, {"num_replicas": 2}, {"rank": 0}])
def test_defaults_ask_the_process_group(kw):
    """num_replicas/rank left None come from ember.distributed: without it, torch's
    RuntimeError; with it but no process group, its not-initialized ValueError."""
    try:
        dist = importlib.import_module("ember.distributed")
    except ImportError:
        dist = None
    if dist is None or not dist.is_available():
        with pytest.raises(RuntimeError, match="^Requires distributed package to be available$"):
            DistributedSampler(range(5), **kw)
    elif not dist.is_initialized():
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            DistributedSampler(range(5), **kw)


def loader_program(lib, seed_data):
    """The tutorial pattern: a DataLoader per rank over a DistributedSampler, set_epoch each
    epoch; what every rank reads, per epoch."""
    from importlib import import_module
    data = import_module(lib.__name__ + ".utils.data")
    x = np.random.default_rng(seed_data).standard_normal((23, 3)).astype(np.float32)
    ds = data.TensorDataset(lib.tensor(x), lib.arange(23))
    seen = []
    for rank in range(3):
        sampler = data.DistributedSampler(ds, num_replicas=3, rank=rank, seed=7)
        loader = data.DataLoader(ds, batch_size=4, sampler=sampler)
        for epoch in range(3):
            sampler.set_epoch(epoch)
            for xb, yb in loader:
                seen.append((rank, epoch, yb.tolist(), np.round(xb.numpy(), 5).tolist()))
    return seen


@needs_torch
def test_dataloader_program_vs_torch():
    assert loader_program(ember, 0) == loader_program(torch, 0)


def test_dataloader_program_runs():
    seen = loader_program(ember, 1)
    assert len(seen) == 3 * 3 * 2  # 3 ranks x 3 epochs x ceil(8 / 4) batches
    assert DataLoader(TensorDataset(ember.arange(4)), sampler=DistributedSampler(
        range(4), 2, 1, shuffle=False)).__iter__().__next__()[0].tolist() == [1]
