"""``ember.backends``: ``torch.backends`` as a CPU-only build of PyTorch has it.

Each submodule (``cudnn``, ``cuda``, ``mps``, ``mkldnn``, ``mkl``, ``openmp``, ``opt_einsum``,
``mha``) loads on first use and holds torch's flags with torch's defaults, so scripts that set
them (``torch.backends.cudnn.benchmark = True``) run unchanged.  ember computes with NumPy
alone: ``is_available()`` is False for every library backend (CUDA, cuDNN, MPS, oneDNN, MKL,
OpenMP, opt_einsum), and the flags change nothing in ember's numbers.
"""
from __future__ import annotations

from typing import Any

__all__ = ["cudnn", "cuda", "mps", "mkldnn", "mkl", "openmp", "opt_einsum", "mha"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ember.backends' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
