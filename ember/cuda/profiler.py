"""torch.cuda.profiler on a CPU build: starting, stopping and ``profile`` need the CUDA
runtime (AssertionError: Torch not compiled with CUDA enabled)."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

from ._h13 import check_error

__all__ = ["DEFAULT_FLAGS", "check_error", "cudart", "profile", "start", "stop"]

DEFAULT_FLAGS = ["gpustarttimestamp", "gpuendtimestamp", "gridsize3d", "threadblocksize",
                 "streamid", "enableonstart 0", "conckerneltrace"]


def cudart() -> Any:
    """The CUDA runtime module: needs CUDA (AssertionError)."""
    from . import _lazy_init
    _lazy_init()


def start() -> None:
    """Start the CUDA profiler: needs CUDA (AssertionError)."""
    cudart()


def stop() -> None:
    """Stop the CUDA profiler: needs CUDA (AssertionError)."""
    cudart()


@contextlib.contextmanager
def profile() -> Iterator[None]:
    """Profile the block with the CUDA profiler: needs CUDA (AssertionError on entering)."""
    start()
    yield  # pragma: no cover
