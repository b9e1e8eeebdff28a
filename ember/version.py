"""``ember.version``: build facts as ``torch.version`` has them (a CPU build: no CUDA, HIP,
ROCm or XPU); ``__version__`` is ember's own version string (``ember.__version__``)."""
from __future__ import annotations

from . import __version__

__all__ = ["__version__", "debug", "cuda", "git_version", "hip", "rocm", "xpu"]

debug = False
cuda: str | None = None
git_version = "Unknown"  # torch's value for a build made outside a git checkout
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
