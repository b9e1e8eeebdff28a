"""ember.nn.functional (torch.nn.functional): one public namespace over two implementation
files: ``_functional_core`` (linear, activations, losses, one_hot, pad ...) and
``_functional_layers`` (conv, pooling, normalization, dropout, embedding, interpolate ...)."""
from ._functional_core import *  # noqa: F401,F403
from ._functional_layers import *  # noqa: F401,F403
