"""``ember.nn.parallel``: ``DataParallel`` and ``data_parallel`` as torch runs them on a
machine without GPUs."""
from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "data_parallel"]
