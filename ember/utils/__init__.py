"""ember.utils: helpers that mirror ``torch.utils``."""

from . import data

__all__ = ["data", "checkpoint"]


def __getattr__(name):
    if name in ("checkpoint", "_pytree"):  # loaded on first use, as the rest of the extras
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
