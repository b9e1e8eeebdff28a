"""torch.cuda.streams on a CPU build: ``Stream`` and ``Event`` need CUDA (RuntimeError)."""
from __future__ import annotations

from . import Event, Stream

__all__ = ["Event", "Stream"]
