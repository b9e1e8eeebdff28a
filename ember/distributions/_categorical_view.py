"""What Multinomial, OneHotCategorical and ExpRelaxedCategorical share: a ``Categorical`` kept
in ``_categorical`` that holds their parameters (torch repeats these properties in each)."""


class CategoricalParams:
    """Mixin: ``logits``, ``probs`` and ``param_shape`` read from ``self._categorical``."""

    @property
    def logits(self):
        """The categorical's normalised logits."""
        return self._categorical.logits

    @property
    def probs(self):
        """The categorical's normalised probabilities."""
        return self._categorical.probs

    @property
    def param_shape(self):
        """Shape of the parameter the distribution was built from."""
        return self._categorical.param_shape
