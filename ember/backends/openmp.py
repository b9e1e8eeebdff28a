"""``torch.backends.openmp``: ember runs no OpenMP kernels (``is_available()`` is False)."""
from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """False: ember's own kernels are NumPy's (its BLAS threads: ``ember.get_num_threads``)."""
    return False
