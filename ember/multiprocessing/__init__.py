"""``ember.multiprocessing``: Python's ``multiprocessing`` with tensors shared, as
``torch.multiprocessing``.

Every name of :mod:`multiprocessing` is here. Importing this module registers the reductions
that send a tensor in shared memory (``Tensor.share_memory_``, ``nn.Module.share_memory``)
through queues, pipes and process arguments as a handle to the same memory (see
``ember/_shm.py``); ``spawn``/``start_processes`` run ``fn(i, *args)`` in ``nprocs``
processes and raise ``ProcessRaisedException`` with the child's traceback when one fails.
"""
import multiprocessing
import sys
from multiprocessing import *  # noqa: F403 - torch.multiprocessing re-exports them all

from .. import _shm
from .spawn import (ProcessContext, ProcessException, ProcessExitedException,
                    ProcessRaisedException, SpawnContext, spawn, start_processes)

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies",
           "ProcessContext", "ProcessException", "ProcessExitedException",
           "ProcessRaisedException", "SpawnContext", "spawn", "start_processes"]
__all__ += multiprocessing.__all__

if sys.platform in ("darwin", "win32"):
    _sharing_strategy = "file_system"
    _all_sharing_strategies = {"file_system"}
else:
    _sharing_strategy = "file_descriptor"
    _all_sharing_strategies = {"file_descriptor", "file_system"}


def set_sharing_strategy(new_strategy):
    """Sets the strategy for sharing tensors (``file_descriptor`` or ``file_system``).

    ember sends the descriptor of an anonymous shared mapping either way; the setting is
    recorded and validated as torch does."""
    global _sharing_strategy
    if new_strategy not in _all_sharing_strategies:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}, expected one of "
                             f"{_all_sharing_strategies}")
    _sharing_strategy = new_strategy


def get_sharing_strategy():
    """Returns the current strategy for sharing tensors."""
    return _sharing_strategy


def get_all_sharing_strategies():
    """Returns the set of sharing strategies supported on this system."""
    return _all_sharing_strategies


_shm.register_reducers()
