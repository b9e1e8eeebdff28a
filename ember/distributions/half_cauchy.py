"""The half-Cauchy distribution: ``|X|`` for ``X ~ Cauchy(0, scale)``."""
import math

import ember

from . import constraints
from .cauchy import Cauchy
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform

__all__ = ["HalfCauchy"]


class HalfCauchy(TransformedDistribution):
    """Half-Cauchy distribution with ``scale``, on ``[0, inf)``."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None) -> None:
        base_dist = Cauchy(0, scale, validate_args=False)
        super().__init__(base_dist, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """Batch dimensions expanded to ``batch_shape`` (views)."""
        new = self._get_checked_instance(HalfCauchy, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def scale(self):
        """The base Cauchy's scale."""
        return self.base_dist.scale

    @property
    def mean(self):
        """Infinity."""
        return ember.full(self._extended_shape(), math.inf, dtype=self.scale.dtype,
                          device=self.scale.device)

    @property
    def mode(self):
        """0."""
        return ember.zeros_like(self.scale)

    @property
    def variance(self):
        """The base Cauchy's (infinite) variance."""
        return self.base_dist.variance

    def log_prob(self, value):
        """The Cauchy's log density plus ``log 2`` on ``x >= 0``, ``-inf`` below."""
        if self._validate_args:
            self._validate_sample(value)
        value = ember.as_tensor(value, dtype=self.base_dist.scale.dtype,
                                device=self.base_dist.scale.device)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return ember.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value):
        """``2 F(x) - 1`` with the Cauchy's CDF ``F``."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        """The Cauchy's icdf at ``(p + 1) / 2``."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        """The Cauchy's entropy minus ``log 2``."""
        return self.base_dist.entropy() - math.log(2)
