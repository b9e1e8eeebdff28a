""":mod:`ember.optim`: optimization algorithms with PyTorch's API (``torch.optim``)."""
from . import lr_scheduler
from .adadelta import Adadelta
from .adafactor import Adafactor  # issue 13 (infra)
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from . import swa_utils  # issue 13 (infra): SWA / EMA of weights
from .muon import Muon  # issue 13 (h13-linalg): torch 2.13's Muon

__all__ = ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "lr_scheduler", "swa_utils"]
__all__ += ["Muon"]
