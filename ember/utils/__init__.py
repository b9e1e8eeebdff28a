"""ember.utils: helpers that mirror ``torch.utils``."""

from . import data

__all__ = ["data", "checkpoint"]


def __getattr__(name):
    if name == "checkpoint":  # loaded on first use, as the rest of ember.utils' extras
        import importlib
        return importlib.import_module(".checkpoint", __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
