"""ember.utils: helpers that mirror ``torch.utils``."""

from . import data

__all__ = ["data", "checkpoint", "model_zoo"]


def __getattr__(name):
    if name in ("checkpoint", "_pytree", "model_zoo"):  # loaded on first use
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
