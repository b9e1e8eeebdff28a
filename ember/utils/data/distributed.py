"""``DistributedSampler`` (torch.utils.data.distributed): each of ``num_replicas`` processes
reads its own shard of the dataset.

torch's index rule: shuffle with ``randperm(n)`` from a Generator seeded ``seed + epoch`` (ember's
generator gives torch's bits, so the shards are torch's), pad by repeating the list from its start
(or, with ``drop_last``, cut the tail) to a multiple of ``num_replicas``, then rank ``r`` takes
``indices[r::num_replicas]``."""
from __future__ import annotations

import math
from typing import Iterator, Sized, TypeVar

from .sampler import Sampler

__all__ = ["DistributedSampler"]

_T_co = TypeVar("_T_co", covariant=True)


def _dist():
    """``ember.distributed``, or torch's error when it is not there."""
    try:
        from ... import distributed as dist
    except ImportError:
        dist = None
    if dist is None or not dist.is_available():
        raise RuntimeError("Requires distributed package to be available")
    return dist


class DistributedSampler(Sampler[_T_co]):
    """Sampler that restricts data loading to the shard of process ``rank`` out of
    ``num_replicas`` (by default the world size and rank of the default process group).

    ``shuffle`` permutes the indices with a generator seeded ``seed + epoch``: call
    :meth:`set_epoch` at the start of each epoch, before creating the DataLoader iterator, or
    every epoch uses the same order. Without ``drop_last`` the indices are padded by repeating
    them so that every replica gets ``ceil(len(dataset) / num_replicas)``; with it the tail is
    dropped and each gets ``floor``."""

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None:
            num_replicas = _dist().get_world_size()
        if rank is None:
            rank = _dist().get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[_T_co]:
        n = len(self.dataset)
        if self.shuffle:
            from ..._random import Generator, randperm
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f"Number of indices ({len(indices)}) does not match total_size "
                                 f"({self.total_size})")
        indices = indices[self.rank:self.total_size:self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(f"Number of subsampled indices ({len(indices)}) does not match "
                                 f"num_samples ({self.num_samples})")
        return iter(indices)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch: with ``shuffle=True`` each epoch then gives every replica a new
        order (the same on all replicas)."""
        self.epoch = epoch
