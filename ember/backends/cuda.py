"""``torch.backends.cuda``: cuBLAS flags (``matmul.allow_tf32`` is the float32 matmul
precision, as in torch), the scaled-dot-product-attention kernel switches and ``is_built()``
(False: ember has no CUDA).  The attention switches are the same global set that
``nn.attention.sdpa_kernel`` restricts and the CPU ``F.scaled_dot_product_attention`` reads, as
in torch (``enable_flash_sdp(False)`` makes the CPU path compose the math graph)."""
from __future__ import annotations

import contextlib
import warnings
from typing import Any

from .. import _backend
from .._ops.attention import SDP_ENABLED as _SDP

__all__ = ["is_built", "matmul", "cufft_plan_cache", "flash_sdp_enabled", "enable_flash_sdp",
           "mem_efficient_sdp_enabled", "enable_mem_efficient_sdp", "math_sdp_enabled",
           "enable_math_sdp", "cudnn_sdp_enabled", "enable_cudnn_sdp", "cuBLASModule", "sdp_kernel"]


def is_built() -> bool:
    """False: ember is not built with CUDA."""
    return False


_REDUCTIONS = {"allow_fp16_reduced_precision_reduction": [True, True],
               "allow_bf16_reduced_precision_reduction": [True, True]}


class cuBLASModule:
    """``torch.backends.cuda.matmul``: ``allow_tf32`` reads and writes the float32 matmul
    precision (``'high'`` when True, ``'highest'`` when False); unknown names raise."""

    def __getattr__(self, name: str) -> Any:
        if name == "allow_tf32":
            return _backend.get_float32_matmul_precision() != "highest"
        if name in _REDUCTIONS:
            return _REDUCTIONS[name][0]
        if name.endswith("_split_k") and name[:-8] in _REDUCTIONS:
            return _REDUCTIONS[name[:-8]][1]
        if name == "allow_fp16_accumulation":
            return _flags["fp16_accumulation"]
        if name == "fp32_precision":
            return _flags["fp32_precision"]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "allow_tf32":
            _backend._matmul_precision[0] = "high" if value else "highest"
        elif name in _REDUCTIONS:
            pair = tuple(value) if isinstance(value, (tuple, list)) else (value, True)
            if not pair or len(pair) > 2 or not all(isinstance(v, bool) for v in pair):
                raise TypeError(f"{name} expects a bool or a tuple/list of bools, but got "
                                f"{type(value)!r}")
            _REDUCTIONS[name][:] = [pair[0], pair[1] if len(pair) == 2 else True]
        elif name == "allow_fp16_accumulation":
            _flags["fp16_accumulation"] = value
        elif name == "fp32_precision":
            _flags["fp32_precision"] = value
        else:
            raise AttributeError("Unknown attribute " + name)


class cuFFTPlanCacheManager:
    """``torch.backends.cuda.cufft_plan_cache``: using it needs CUDA (AssertionError)."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError("Torch not compiled with CUDA enabled")

    def __getitem__(self, device: Any) -> Any:
        raise AssertionError("Torch not compiled with CUDA enabled")


matmul = cuBLASModule()
cufft_plan_cache = cuFFTPlanCacheManager()
_flags: dict[str, Any] = {"fp16_accumulation": False, "fp32_precision": "none"}


def _set(name: str, enabled: bool) -> None:
    if enabled:
        _SDP.add(name)
    else:
        _SDP.discard(name)


def flash_sdp_enabled() -> bool:
    """Whether the flash scaled-dot-product-attention kernel may be chosen."""
    return "flash" in _SDP


def enable_flash_sdp(enabled: bool) -> None:
    """Allows or forbids the flash attention kernel."""
    _set("flash", enabled)


def mem_efficient_sdp_enabled() -> bool:
    """Whether the memory-efficient attention kernel may be chosen."""
    return "mem_efficient" in _SDP


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Allows or forbids the memory-efficient attention kernel."""
    _set("mem_efficient", enabled)


def math_sdp_enabled() -> bool:
    """Whether the math (composed) attention kernel may be chosen."""
    return "math" in _SDP


def enable_math_sdp(enabled: bool) -> None:
    """Allows or forbids the math attention kernel."""
    _set("math", enabled)


def cudnn_sdp_enabled() -> bool:
    """Whether the cuDNN attention kernel may be chosen."""
    return "cudnn" in _SDP


def enable_cudnn_sdp(enabled: bool) -> None:
    """Allows or forbids the cuDNN attention kernel."""
    _set("cudnn", enabled)


@contextlib.contextmanager
def sdp_kernel(enable_flash: bool = True, enable_math: bool = True,
               enable_mem_efficient: bool = True, enable_cudnn: bool = True):
    """Deprecated (torch's FutureWarning): within it only the enabled attention kernels may be
    chosen; ``nn.attention.sdpa_kernel`` is the current spelling."""
    warnings.warn("`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context "
                  "manager will be removed. Please see `torch.nn.attention.sdpa_kernel()` for "
                  "the new context manager, with updated signature.", FutureWarning,
                  stacklevel=3)
    from ..nn.attention import SDPBackend, sdpa_kernel
    backends = [b for b, on in ((SDPBackend.FLASH_ATTENTION, enable_flash),
                                (SDPBackend.EFFICIENT_ATTENTION, enable_mem_efficient),
                                (SDPBackend.MATH, enable_math),
                                (SDPBackend.CUDNN_ATTENTION, enable_cudnn)) if on]
    with sdpa_kernel(backends) as context:
        yield context
