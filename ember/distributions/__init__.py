"""Probability distributions with PyTorch's API (torch.distributions): parameters, shapes,
sampling (torch's random numbers after ``manual_seed``), reparameterised ``rsample``,
``log_prob``, ``entropy``, moments, argument validation with torch's texts, constraints and KL
divergences.

Families live one per module, as in torch (``ember.distributions.normal.Normal``); each module
declares its KL closed forms in :mod:`.kl`."""
from . import constraints, utils  # noqa: F401  (torch.distributions.constraints)
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .kl import kl_divergence, register_kl
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Normal",
           "Uniform", "kl_divergence", "register_kl"]
