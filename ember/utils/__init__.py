"""ember.utils: helpers that mirror ``torch.utils``."""

from . import data

__all__ = ["data"]
