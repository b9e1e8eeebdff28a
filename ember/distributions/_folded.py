"""What HalfNormal and HalfCauchy share: ``|X|`` for ``X`` from a distribution symmetric
about 0 with a ``scale`` (torch writes the two classes out in full; ember once)."""
import math

import ember

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform


class FoldedAtZero(TransformedDistribution):
    """``|X|`` for ``X ~ base(0, scale)``, on ``[0, inf)``; subclasses name ``_base`` (a
    location-scale class symmetric about 0) and give ``mean`` and ``variance``."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _base: type
    _cast_value = False  # HalfCauchy converts ``value`` to a tensor in log_prob, as torch's

    def __init__(self, scale, validate_args=None) -> None:
        base_dist = self._base(0, scale, validate_args=False)
        super().__init__(base_dist, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """Batch dimensions expanded to ``batch_shape`` (views)."""
        new = self._get_checked_instance(type(self), _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def scale(self):
        """The base distribution's scale."""
        return self.base_dist.scale

    @property
    def mode(self):
        """0."""
        return ember.zeros_like(self.scale)

    def log_prob(self, value):
        """The base log density plus ``log 2`` on ``x >= 0``, ``-inf`` below."""
        if self._validate_args:
            self._validate_sample(value)
        if self._cast_value:
            value = ember.as_tensor(value, dtype=self.base_dist.scale.dtype,
                                    device=self.base_dist.scale.device)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return ember.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value):
        """``2 F(x) - 1`` with the base CDF ``F``."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        """The base icdf at ``(p + 1) / 2``."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        """The base entropy minus ``log 2``."""
        return self.base_dist.entropy() - math.log(2)
