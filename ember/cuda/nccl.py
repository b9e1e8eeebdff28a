"""torch.cuda.nccl on a CPU build: NCCL is not compiled in. ``is_available`` warns and says
False; the collectives, ``version``, ``unique_id`` and ``init_rank`` reach for the missing
``torch._C`` functions (AttributeError, as torch's)."""
from __future__ import annotations

import warnings
from typing import Any

__all__ = ["SUM", "all_gather", "all_reduce", "broadcast", "init_rank", "is_available",
           "reduce", "reduce_scatter", "unique_id", "version"]

SUM = 0  # ncclRedOp_t


def _no_c(c_name: str) -> AttributeError:
    return AttributeError(f"module 'torch._C' has no attribute '{c_name}'")


def is_available(tensors: Any) -> bool:
    """Whether NCCL can run a collective on ``tensors``: it is not compiled in (False, with
    torch's warning)."""
    warnings.warn("PyTorch is not compiled with NCCL support", stacklevel=2)
    return False


def version() -> Any:
    """NCCL's version: not compiled in (AttributeError, as torch's)."""
    raise _no_c("_nccl_version")


def unique_id() -> Any:
    """A new NCCL unique id: not compiled in (AttributeError, as torch's)."""
    raise _no_c("_nccl_unique_id")


def init_rank(num_ranks: int, uid: Any, rank: int) -> Any:
    """An NCCL communicator: not compiled in (AttributeError, as torch's)."""
    raise _no_c("_nccl_init_rank")


def all_reduce(inputs: Any, outputs: Any = None, op: int = SUM, streams: Any = None,
               comms: Any = None) -> None:
    """NCCL all-reduce: not compiled in (AttributeError, as torch's)."""
    raise _no_c("_nccl_all_reduce")


def reduce(inputs: Any, output: Any = None, root: int = 0, op: int = SUM, streams: Any = None,
           comms: Any = None, *, outputs: Any = None) -> None:
    """NCCL reduce: not compiled in (AttributeError, as torch's)."""
    raise _no_c("_nccl_reduce")


def broadcast(inputs: Any, root: int = 0, streams: Any = None, comms: Any = None) -> None:
    """NCCL broadcast: not compiled in (AttributeError, as torch's)."""
    raise _no_c("_nccl_broadcast")


def all_gather(inputs: Any, outputs: Any, streams: Any = None, comms: Any = None) -> None:
    """NCCL all-gather: not compiled in (AttributeError, as torch's)."""
    raise _no_c("_nccl_all_gather")


def reduce_scatter(inputs: Any, outputs: Any, op: int = SUM, streams: Any = None,
                   comms: Any = None) -> None:
    """NCCL reduce-scatter: not compiled in (AttributeError, as torch's)."""
    raise _no_c("_nccl_reduce_scatter")
