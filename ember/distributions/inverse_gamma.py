"""The inverse gamma distribution: ``1 / X`` for ``X ~ Gamma(concentration, rate)``, a
``TransformedDistribution`` through ``PowerTransform(-1)`` as in torch."""
import ember

from . import constraints
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    """Inverse gamma distribution with ``concentration`` and ``rate`` (those of the gamma it
    inverts); ``rsample`` is reparameterised through the gamma's."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None) -> None:
        base_dist = Gamma(concentration, rate, validate_args=validate_args)
        neg_one = -base_dist.rate.new_ones(())
        super().__init__(base_dist, PowerTransform(neg_one), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """Batch dimensions expanded to ``batch_shape`` (the base gamma expanded)."""
        new = self._get_checked_instance(InverseGamma, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def concentration(self):
        """The gamma's concentration."""
        return self.base_dist.concentration

    @property
    def rate(self):
        """The gamma's rate."""
        return self.base_dist.rate

    @property
    def mean(self):
        """``rate / (concentration - 1)`` (inf where ``concentration <= 1``)."""
        result = self.rate / (self.concentration - 1)
        return ember.where(self.concentration > 1, result, ember.inf)

    @property
    def mode(self):
        """``rate / (concentration + 1)``."""
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        """``rate^2 / ((a - 1)^2 (a - 2))`` (inf where ``a <= 2``)."""
        result = self.rate.square() / ((self.concentration - 1).square()
                                       * (self.concentration - 2))
        return ember.where(self.concentration > 2, result, ember.inf)

    def entropy(self):
        """``a + log(rate) + lgamma(a) - (1 + a) digamma(a)``."""
        return (self.concentration + self.rate.log() + self.concentration.lgamma()
                - (1 + self.concentration) * self.concentration.digamma())
