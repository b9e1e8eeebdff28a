"""``ember.cuda``: ``torch.cuda`` as a CPU-only build of PyTorch has it.

There is no GPU: ``is_available()`` is False and ``device_count()`` 0; the queries that a CPU
build of torch answers (memory counters, seeding, ``get_rng_state_all``) answer the same, and
the calls that need a device raise what torch raises there (``AssertionError: Torch not
compiled with CUDA enabled`` and friends), so that code written for "GPU if available, else
CPU" takes the same branches and fails the same way.  ``torch.cuda.amp`` loads on first use.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any

from .._backend import Device, OutOfMemoryError, unavailable
from .._tensor_legacy import CUDA_TYPES, bfloat16_type

bfloat16_type(cuda=True)  # torch.cuda.BFloat16Tensor (with ml_dtypes: this lazy module may)

__all__ = [
    "is_available", "device_count", "is_initialized", "init", "current_device", "set_device",
    "get_device_name", "get_device_properties", "get_device_capability", "get_arch_list",
    "get_gencode_flags", "synchronize", "empty_cache", "ipc_collect", "mem_get_info",
    "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
    "memory_cached", "max_memory_cached", "memory_stats", "memory_summary",
    "reset_peak_memory_stats", "reset_max_memory_allocated", "reset_accumulated_memory_stats",
    "set_per_process_memory_fraction", "is_bf16_supported", "is_tf32_supported", "manual_seed",
    "manual_seed_all", "seed", "seed_all", "initial_seed", "get_rng_state", "get_rng_state_all",
    "set_rng_state", "set_rng_state_all", "current_stream", "default_stream",
    "can_device_access_peer", "device", "device_of", "stream", "StreamContext", "Stream",
    "Event", "OutOfMemoryError", "utilization", "temperature", "power_draw", "clock_rate",
    "memory_usage", "list_gpu_processes", "is_current_stream_capturing", "has_half", "has_magma",
    "default_generators", "get_sync_debug_mode", "set_sync_debug_mode", "current_solver_handle",
    "caching_allocator_alloc", "caching_allocator_delete", "caching_allocator_enable",
    "get_per_process_memory_fraction", "cudart", "get_stream_from_external",
    "reset_max_memory_cached", "get_allocator_backend", "memory_snapshot",
    "reset_peak_host_memory_stats", "reset_accumulated_host_memory_stats", "host_memory_stats",
    "memory_stats_as_nested_dict", "set_stream", "device_memory_used", "CUDAGraph",
    "graph_pool_handle", "CudaError", "DeferredCudaCallError", "random", "memory", "nvtx",
] + list(CUDA_TYPES)

_NOT_COMPILED = "Torch not compiled with CUDA enabled"
_NO_NVML = "nvidia-ml-py does not seem to be installed or it can't be imported."

globals().update(CUDA_TYPES)  # torch.cuda.FloatTensor ...: raise when used
OutOfMemoryError = OutOfMemoryError  # (torch.OutOfMemoryError, re-exported)


def _lazy_init() -> None:
    raise AssertionError(_NOT_COMPILED)


def is_available() -> bool:
    """False: ember has no CUDA backend."""
    return False


def device_count() -> int:
    """0: there is no CUDA device."""
    return 0


def is_initialized() -> bool:
    """False: CUDA is never initialised."""
    return False


def _is_compiled() -> bool:
    return False


def _needs_device(name: str, doc: str):
    return unavailable(name, doc, _lazy_init, "``AssertionError`` (no CUDA)")


init = _needs_device("init", "Initialises CUDA.")
current_device = _needs_device("current_device", "The index of the selected device.")
get_device_name = _needs_device("get_device_name", "The name of a device.")
get_device_properties = _needs_device("get_device_properties", "The properties of a device.")
get_device_capability = _needs_device("get_device_capability", "A device's compute capability.")
synchronize = _needs_device("synchronize", "Waits for a device's kernels to finish.")
ipc_collect = _needs_device("ipc_collect", "Frees memory shared between processes.")
mem_get_info = _needs_device("mem_get_info", "A device's (free, total) memory.")
set_per_process_memory_fraction = _needs_device("set_per_process_memory_fraction",
                                                "Caps the memory the caching allocator uses.")
initial_seed = _needs_device("initial_seed", "The seed of the current device's generator.")
get_rng_state = _needs_device("get_rng_state", "A device's random number generator state.")
current_stream = _needs_device("current_stream", "The current stream of a device.")
default_stream = _needs_device("default_stream", "The default stream of a device.")
can_device_access_peer = _needs_device("can_device_access_peer",
                                       "Whether one device can access another's memory.")
current_blas_handle = _needs_device("current_blas_handle", "The cuBLAS handle.")
current_solver_handle = _needs_device("current_solver_handle", "The cuSOLVER handle.")
get_sync_debug_mode = _needs_device("get_sync_debug_mode", "The synchronising-call debug mode.")
set_sync_debug_mode = _needs_device("set_sync_debug_mode", "Sets the synchronising-call debug "
                                    "mode.")
caching_allocator_alloc = _needs_device("caching_allocator_alloc",
                                        "Allocates memory with the caching allocator.")
get_per_process_memory_fraction = _needs_device("get_per_process_memory_fraction",
                                                "The caching allocator's memory cap.")
cudart = _needs_device("cudart", "The CUDA runtime API module.")
get_stream_from_external = _needs_device("get_stream_from_external",
                                         "Wraps an externally allocated stream.")
has_half = True  # (torch's constants on a CPU build)
has_magma = False
default_generators: tuple = ()


def _missing_c(name: str, c_name: str, doc: str):
    def fn(*args: Any, **kwargs: Any) -> Any:
        raise AttributeError(f"module 'torch._C' has no attribute '{c_name}'")
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc + (" CPU torch raises ``AttributeError`` here (its C module lacks the "
                        "CUDA function); so does ember.")
    return fn


reset_peak_memory_stats = _missing_c("reset_peak_memory_stats", "_cuda_resetPeakMemoryStats",
                                     "Resets the peak memory counters.")
reset_max_memory_allocated = _missing_c("reset_max_memory_allocated",
                                        "_cuda_resetPeakMemoryStats",
                                        "Resets the peak allocated-memory counter.")
reset_accumulated_memory_stats = _missing_c("reset_accumulated_memory_stats",
                                            "_cuda_resetAccumulatedMemoryStats",
                                            "Resets the accumulated memory counters.")
reset_max_memory_cached = _missing_c("reset_max_memory_cached", "_cuda_resetPeakMemoryStats",
                                     "Deprecated: resets the peak reserved-memory counter.")
get_allocator_backend = _missing_c("get_allocator_backend", "_cuda_getAllocatorBackend",
                                   "The name of the caching allocator's backend.")
memory_snapshot = _missing_c("memory_snapshot", "_cuda_memorySnapshot",
                             "A snapshot of the caching allocator's state.")
caching_allocator_delete = _missing_c("caching_allocator_delete",
                                      "_cuda_cudaCachingAllocator_raw_delete",
                                      "Frees memory from ``caching_allocator_alloc``.")
reset_peak_host_memory_stats = _missing_c("reset_peak_host_memory_stats",
                                          "_cuda_resetPeakHostMemoryStats",
                                          "Resets the pinned host memory peak counters.")
reset_accumulated_host_memory_stats = _missing_c("reset_accumulated_host_memory_stats",
                                                 "_cuda_resetAccumulatedHostMemoryStats",
                                                 "Resets the pinned host memory counters.")


def _nvml(name: str, doc: str):
    def fn(*args: Any, **kwargs: Any) -> Any:
        raise ModuleNotFoundError(_NO_NVML)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc + " Needs NVML (nvidia-ml-py): raises ``ModuleNotFoundError``."
    return fn


utilization = _nvml("utilization", "A device's percent utilisation.")
temperature = _nvml("temperature", "A device's temperature.")
power_draw = _nvml("power_draw", "A device's power draw.")
clock_rate = _nvml("clock_rate", "A device's SM clock rate.")
memory_usage = _nvml("memory_usage", "A device's memory-read percentage.")
device_memory_used = _nvml("device_memory_used", "A device's used memory.")


class CudaError(RuntimeError):
    """An error reported by the CUDA runtime."""

    def __init__(self, code: int) -> None:
        super().__init__(f"CUDA error {code}")


class DeferredCudaCallError(Exception):
    """An error in a CUDA call queued before CUDA was initialised."""


def _dummy(name: str, doc: str):
    def fn(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"Tried to instantiate dummy base class {name}")
    fn.__name__ = fn.__qualname__ = name.lstrip("_")
    fn.__doc__ = doc + " Needs CUDA: raises ``RuntimeError``, as CPU torch."
    return fn


CUDAGraph = _dummy("CUDAGraph", "A CUDA graph (captured kernels).")
graph_pool_handle = _dummy("_graph_pool_handle", "A memory pool handle for CUDA graphs.")


def caching_allocator_enable(value: bool = True) -> None:
    """Enables or disables the caching allocator: nothing to do without CUDA."""


def set_stream(stream: Any) -> None:
    """Sets the current stream; ``None`` does nothing."""
    if stream is not None:
        _lazy_init()


def host_memory_stats() -> OrderedDict:
    """Pinned host memory statistics: empty without CUDA."""
    return OrderedDict()


def memory_stats_as_nested_dict(device: Any = None) -> dict:
    """The caching allocator's statistics as a nested dict: empty without CUDA."""
    return {}


def list_gpu_processes(device: Any = None) -> str:
    """The processes running on a device (needs NVML: says so)."""
    return "pynvml module not found, please install nvidia-ml-py"


def _get_device_index(device: Any, optional: bool = False) -> int | None:
    if isinstance(device, str):
        device = Device(device)
    if isinstance(device, Device):
        if device.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
        if device.index is not None:
            return device.index
        if optional:
            _lazy_init()
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    if device is None and optional:
        return None
    raise ValueError("Expected a torch.device with a specified index or an integer, but "
                     f"got:{device}")


def set_device(device: Any) -> None:
    """Selects a device; a negative index is a no-op (CPU torch raises for the others)."""
    if _get_device_index(device) >= 0:
        raise AttributeError("module 'torch._C' has no attribute '_cuda_setDevice'")


class device:
    """Context manager that selects a device (``torch.cuda.device``); entering it with a
    device index raises, as CPU torch does (-1: a no-op)."""

    def __init__(self, device: Any) -> None:
        self.idx = _get_device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self) -> None:
        if self.idx < 0:  # type: ignore[operator]  # (None fails here as in torch)
            return
        raise RuntimeError("PyTorch was compiled without CUDA support")

    def __exit__(self, *exc: Any) -> bool:
        return False


class device_of(device):
    """``device`` of a tensor's device: a no-op for CPU tensors."""

    def __init__(self, obj: Any) -> None:
        self.idx = -1 if not obj.is_cuda else obj.get_device()
        self.prev_idx = -1


class StreamContext:
    """Context manager selecting a stream; ``None`` (the only stream a CPU build can be
    given) does nothing."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __enter__(self) -> None:
        if self.stream is not None:
            _lazy_init()

    def __exit__(self, *exc: Any) -> None:
        return None


def stream(stream: Any) -> StreamContext:
    """``StreamContext(stream)``."""
    return StreamContext(stream)


class Stream:
    """A CUDA stream: cannot be made without CUDA (RuntimeError, as CPU torch)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Stream:
        raise RuntimeError("torch.cuda.Stream requires CUDA support")


class Event:
    """A CUDA event: cannot be made without CUDA (RuntimeError, as CPU torch)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Event:
        raise RuntimeError("Tried to instantiate dummy base class Event")


def is_current_stream_capturing() -> bool:
    """Whether a CUDA graph is being captured: raises without CUDA, as CPU torch."""
    raise RuntimeError("Tried to instantiate dummy base class _cuda_isCurrentStreamCapturing")


def get_arch_list() -> list[str]:
    """The CUDA architectures this build supports: none."""
    return []


def get_gencode_flags() -> str:
    """The NVCC gencode flags of this build: none."""
    return ""


def empty_cache() -> None:
    """Releases cached device memory: nothing to release."""


def memory_stats(device: Any = None) -> OrderedDict:
    """The caching allocator's statistics: empty without CUDA."""
    return OrderedDict()


def memory_summary(device: Any = None, abbreviated: bool = False) -> str:
    """A printable memory report; CPU torch raises ``KeyError`` (empty statistics)."""
    raise KeyError("allocated_bytes.all.current")


def memory_allocated(device: Any = None) -> int:
    """Bytes of device memory held by tensors: 0."""
    return 0


def max_memory_allocated(device: Any = None) -> int:
    """Peak bytes of device memory held by tensors: 0."""
    return 0


def memory_reserved(device: Any = None) -> int:
    """Bytes reserved by the caching allocator: 0."""
    return 0


def max_memory_reserved(device: Any = None) -> int:
    """Peak bytes reserved by the caching allocator: 0."""
    return 0


def memory_cached(device: Any = None) -> int:
    """Deprecated name of ``memory_reserved`` (FutureWarning)."""
    warnings.warn("`torch.cuda.memory_cached` has been renamed to `torch.cuda.memory_reserved`",
                  FutureWarning, stacklevel=2)
    return 0


def max_memory_cached(device: Any = None) -> int:
    """Deprecated name of ``max_memory_reserved`` (FutureWarning)."""
    warnings.warn("`torch.cuda.max_memory_cached` has been renamed to "
                  "`torch.cuda.max_memory_reserved`", FutureWarning, stacklevel=2)
    return 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: no CUDA device."""
    return False


def is_tf32_supported() -> bool:
    """False: no CUDA device."""
    return False


def manual_seed(seed: Any) -> None:
    """Seeds the (absent) CUDA generators: checks ``seed`` is an integer, as torch."""
    int(seed)


def manual_seed_all(seed: Any) -> None:
    """Seeds every (absent) CUDA generator: checks ``seed`` is an integer, as torch."""
    int(seed)


def seed() -> None:
    """Seeds the (absent) CUDA generator randomly: nothing to do."""


def seed_all() -> None:
    """Seeds every (absent) CUDA generator randomly: nothing to do."""


def get_rng_state_all() -> list:
    """The states of every CUDA generator: none."""
    return []


def set_rng_state(new_state: Any, device: Any = "cuda") -> None:
    """Sets a CUDA generator's state: no generator, nothing to do (as CPU torch)."""


def set_rng_state_all(new_states: Any) -> None:
    """Sets every CUDA generator's state: none to set."""


def __getattr__(name: str) -> Any:
    if name in ("random", "memory", "nvtx",
                "graphs", "streams", "nccl", "profiler", "tunable"):  # h13-utils: the last five
        import importlib
        return importlib.import_module(f".{name}", __name__)
    if name in ("graph", "make_graphed_callables"):  # h13-utils
        import importlib
        return getattr(importlib.import_module(".graphs", __name__), name)
    if name.endswith("Storage"):  # issue 13 (h13-storage): the CUDA legacy storage classes
        from ..storage import CUDA_LEGACY
        if name in CUDA_LEGACY:
            return CUDA_LEGACY[name]
    if name == "amp":  # torch.cuda.amp (ember/cuda/amp.py), loaded on first use
        import importlib
        try:
            return importlib.import_module(".amp", __name__)
        except ModuleNotFoundError as e:
            if e.name != __name__ + ".amp":
                raise
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")


# issue 13 (h13-utils): the rest of torch.cuda's names; graphs, streams, nccl, profiler,
# tunable are submodules (imported on first use)
from ._h13 import (CUDAPluggableAllocator, MemPool, caching_allocator_disabled,  # noqa: E402,F401
                   change_current_allocator, check_error, cudaStatus,
                   host_memory_stats_as_nested_dict, use_mem_pool)
from . import _h13 as _h13_names  # noqa: E402
__all__ += _h13_names.__all__ + ["graph", "make_graphed_callables"]
