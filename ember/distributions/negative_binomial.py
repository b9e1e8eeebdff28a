"""The negative binomial distribution: the number of successes before ``total_count``
failures, each trial succeeding with probability ``probs``."""
import ember

from . import constraints
from ._binary import BinaryParam
from .distribution import Distribution
from .gamma import Gamma
from .utils import lazy_property

__all__ = ["NegativeBinomial"]


class NegativeBinomial(BinaryParam, Distribution):
    """Negative binomial with a real ``total_count`` > 0 and ``probs`` or ``logits``; sampled
    as a Poisson whose rate is Gamma distributed (torch's gamma-Poisson mixture)."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None) -> None:
        batch_shape = self._set_count_and_param(total_count, probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """Batch dimensions expanded to ``batch_shape`` (views)."""
        return self._expand_params(NegativeBinomial, batch_shape, _instance,
                                   ("total_count", "probs", "logits"))

    @property
    def mean(self):
        """``total_count * exp(logits)``."""
        return self.total_count * ember.exp(self.logits)

    @property
    def mode(self):
        """``floor((total_count - 1) * exp(logits))``, at least 0."""
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        """``mean / sigmoid(-logits)``."""
        return self.mean / ember.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        return Gamma(concentration=self.total_count, rate=ember.exp(-self.logits),
                     validate_args=False)

    def sample(self, sample_shape=ember.Size()):
        """``poisson(rate)`` with ``rate ~ Gamma(total_count, exp(-logits))``."""
        with ember.no_grad():
            rate = self._gamma.sample(sample_shape=sample_shape)
            return ember.poisson(rate)

    def log_prob(self, value):
        """``total_count log(1 - p) + k log p - log B(k + 1, total_count) ...`` through
        logsigmoid and lgamma (0 at ``total_count + k == 0``)."""
        if self._validate_args:
            self._validate_sample(value)
        logsigmoid = ember.nn.functional.logsigmoid
        log_unnormalized_prob = (self.total_count * logsigmoid(-self.logits)
                                 + value * logsigmoid(self.logits))
        log_normalization = (-ember.lgamma(self.total_count + value) + ember.lgamma(1.0 + value)
                             + ember.lgamma(self.total_count))
        # the distribution is a point mass at 0 when total_count is 0
        log_normalization = log_normalization.masked_fill(self.total_count + value == 0.0, 0.0)
        return log_unnormalized_prob - log_normalization
