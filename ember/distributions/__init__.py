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

# ---- h15-dist-b: multivariate normals, mixtures, counts, gamma-based families ----
from .beta import Beta
from .binomial import Binomial
from .chi2 import Chi2
from .dirichlet import Dirichlet
from .fishersnedecor import FisherSnedecor
from .gamma import Gamma
from .inverse_gamma import InverseGamma
from .lkj_cholesky import LKJCholesky
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .studentT import StudentT
from .von_mises import VonMises
from .wishart import Wishart

__all__ = ["Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Normal",
           "Uniform", "kl_divergence", "register_kl"]

# h15-dist-a: transforms, constraint registry, TransformedDistribution, Independent and the
# univariate / discrete / relaxed families
from . import transforms  # noqa: E402
from .cauchy import Cauchy  # noqa: E402
from .constraint_registry import biject_to, transform_to  # noqa: E402
from .continuous_bernoulli import ContinuousBernoulli  # noqa: E402
from .exponential import Exponential  # noqa: E402
from .generalized_pareto import GeneralizedPareto  # noqa: E402
from .geometric import Geometric  # noqa: E402
from .gumbel import Gumbel  # noqa: E402
from .half_cauchy import HalfCauchy  # noqa: E402
from .half_normal import HalfNormal  # noqa: E402
from .independent import Independent  # noqa: E402
from .kumaraswamy import Kumaraswamy  # noqa: E402
from .laplace import Laplace  # noqa: E402
from .log_normal import LogNormal  # noqa: E402
from .logistic_normal import LogisticNormal  # noqa: E402
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough  # noqa: E402
from .pareto import Pareto  # noqa: E402
from .poisson import Poisson  # noqa: E402
from .relaxed_bernoulli import RelaxedBernoulli  # noqa: E402
from .relaxed_categorical import RelaxedOneHotCategorical  # noqa: E402
from .transformed_distribution import TransformedDistribution  # noqa: E402
from .transforms import *  # noqa: E402,F401,F403
from .weibull import Weibull  # noqa: E402

__all__ += ["Cauchy", "ContinuousBernoulli", "Exponential", "GeneralizedPareto", "Geometric",
            "Gumbel", "HalfCauchy", "HalfNormal", "Independent", "Kumaraswamy", "Laplace",
            "LogNormal", "LogisticNormal", "OneHotCategorical",
            "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "RelaxedBernoulli",
            "RelaxedOneHotCategorical", "TransformedDistribution", "Weibull", "biject_to",
            "transform_to"] + transforms.__all__
__all__ += ["Beta", "Binomial", "Chi2", "Dirichlet", "FisherSnedecor", "Gamma", "InverseGamma",
            "LKJCholesky", "LowRankMultivariateNormal", "MixtureSameFamily", "Multinomial",
            "MultivariateNormal", "NegativeBinomial", "StudentT", "VonMises",
            "Wishart"]  # h15-dist-b
