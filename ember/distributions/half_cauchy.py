"""The half-Cauchy distribution: ``|X|`` for ``X ~ Cauchy(0, scale)``."""
import math

import ember

from ._folded import FoldedAtZero
from .cauchy import Cauchy

__all__ = ["HalfCauchy"]


class HalfCauchy(FoldedAtZero):
    """Half-Cauchy distribution with ``scale``, on ``[0, inf)``."""

    _base = Cauchy
    _cast_value = True

    @property
    def mean(self):
        """Infinity."""
        return ember.full(self._extended_shape(), math.inf, dtype=self.scale.dtype,
                          device=self.scale.device)

    @property
    def variance(self):
        """The base Cauchy's (infinite) variance."""
        return self.base_dist.variance
