"""The half-normal distribution: ``|X|`` for ``X ~ N(0, scale**2)``."""
import math

from ._folded import FoldedAtZero
from .normal import Normal

__all__ = ["HalfNormal"]


class HalfNormal(FoldedAtZero):
    """Half-normal distribution with ``scale``, on ``[0, inf)``."""

    _base = Normal

    @property
    def mean(self):
        """``scale * sqrt(2 / pi)``."""
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        """``scale**2 (1 - 2 / pi)``."""
        return self.scale.pow(2) * (1 - 2 / math.pi)
