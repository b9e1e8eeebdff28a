"""What the distributions of a binary outcome share (Bernoulli, Binomial, Geometric,
NegativeBinomial, LogitRelaxedBernoulli): ``probs`` and ``logits`` (log-odds), each computed
lazily from the one the distribution was built from (kept in ``_param``). torch repeats these
lines in each class; ember writes them once."""
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits


class BinaryProbsLogits:
    """Mixin: ``probs`` <-> ``logits`` of a binary outcome."""

    @lazy_property
    def logits(self):
        """Log-odds of success."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        """Probability of success."""
        return logits_to_probs(self.logits, is_binary=True)


class BinaryParam(BinaryProbsLogits):
    """Mixin: also ``param_shape`` and ``_new`` from the parameter kept in ``_param``
    (Geometric has neither, in torch)."""

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    @property
    def param_shape(self):
        """Shape of the parameter the distribution was built from."""
        return self._param.size()

    def _set_count_and_param(self, total_count, probs, logits):
        """Binomial's and NegativeBinomial's constructor: ``total_count`` broadcast with the
        one parameter given (and of its dtype); returns the batch shape."""
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        name, value = ("probs", probs) if probs is not None else ("logits", logits)
        count, param = broadcast_all(total_count, value)
        self.total_count = count.type_as(param)
        setattr(self, name, param)
        self._param = param
        return param.size()
