"""``torch.backends.opt_einsum``: the opt_einsum package's flags; ember's ``einsum`` does not
use opt_einsum, so ``is_available()`` is False (as torch without the package)."""
from __future__ import annotations

__all__ = ["is_available", "get_opt_einsum", "enabled", "strategy"]

enabled = False
strategy = None


def is_available() -> bool:
    """False: ember's einsum contracts with NumPy, not opt_einsum."""
    return False


def get_opt_einsum() -> None:
    """The opt_einsum package if torch uses it: None."""
    return None
