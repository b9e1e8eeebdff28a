"""``ember.nn.parallel``: ``DataParallel`` and ``data_parallel`` as torch runs them on a
machine without GPUs, and ``DistributedDataParallel`` over ``ember.distributed`` (MPI)."""
from . import distributed as distributed  # the torch.nn.parallel.distributed module
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]
