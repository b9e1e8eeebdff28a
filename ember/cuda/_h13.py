"""The rest of torch.cuda's top-level names (issue 13, h13-utils), each doing what a CPU build
of torch does: memory pools and pluggable allocators fail as there (dummy base classes,
missing ``torch._C`` functions, ``Torch not compiled with CUDA enabled``), the status enum and
the empty host-memory statistics answer."""
from __future__ import annotations

import contextlib
import ctypes
from typing import Any, Iterator

__all__ = ["CUDAPluggableAllocator", "MemPool", "caching_allocator_disabled",
           "change_current_allocator", "check_error", "cudaStatus",
           "host_memory_stats_as_nested_dict", "use_mem_pool"]


def _no_c(c_name: str) -> AttributeError:
    return AttributeError(f"module 'torch._C' has no attribute '{c_name}'")


class cudaStatus:
    """CUDA runtime status codes."""
    SUCCESS: int = 0
    ERROR_NOT_READY: int = 34


def check_error(res: int) -> None:
    """Raise a ``CudaError`` for a failing CUDA runtime result; reads the CUDA runtime, which
    a CPU build lacks (AttributeError, as torch's)."""
    cudart = None
    if res != cudart.cudaError.success:  # type: ignore[attr-defined]
        raise RuntimeError(res)


class MemPool:
    """A memory pool of the CUDA caching allocator (a dummy class without CUDA: making one
    raises RuntimeError, as CPU torch)."""

    def __init__(self, allocator: Any = None, use_on_oom: bool = False,
                 no_split: bool = False) -> None:
        raise RuntimeError("Tried to instantiate dummy base class MemPool")


@contextlib.contextmanager
def use_mem_pool(pool: MemPool, device: Any = None) -> Iterator[None]:
    """Route the current thread's CUDA allocations to ``pool``: needs a CUDA device
    (AssertionError on entering, as CPU torch)."""
    from . import _get_device_index, current_device
    current_device() if device is None else _get_device_index(device)
    raise _no_c("_cuda_beginAllocateCurrentThreadToPool")
    yield  # pragma: no cover


@contextlib.contextmanager
def caching_allocator_disabled() -> Iterator[None]:
    """Turn the CUDA caching allocator off inside: the CPU build's C module lacks the switch
    (AttributeError on entering, as torch's)."""
    raise _no_c("_cuda_cudaCachingAllocator_is_enabled")
    yield  # pragma: no cover


def change_current_allocator(allocator: Any) -> None:
    """Install a CUDA allocator: the CPU build's C module lacks it (AttributeError)."""
    raise _no_c("_cuda_changeCurrentAllocator")


def host_memory_stats_as_nested_dict() -> dict[str, Any]:
    """``host_memory_stats()`` as a nested dict: empty without CUDA (as CPU torch)."""
    from . import host_memory_stats
    stats = host_memory_stats()
    out: dict[str, Any] = {}
    for k, v in stats.items():
        node = out
        parts = k.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = v
    return out


class CUDAPluggableAllocator:
    """A CUDA allocator from a shared library's alloc/free functions: the library is loaded
    (OSError if it cannot be) and then the CPU build's C module lacks the allocator
    (AttributeError), as torch's."""

    def __init__(self, path_to_so_file: str, alloc_fn_name: str, free_fn_name: str) -> None:
        allocator = ctypes.CDLL(path_to_so_file)
        ctypes.cast(getattr(allocator, alloc_fn_name), ctypes.c_void_p)
        ctypes.cast(getattr(allocator, free_fn_name), ctypes.c_void_p)
        raise _no_c("_cuda_customAllocator")
