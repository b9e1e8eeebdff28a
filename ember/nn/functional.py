"""ember.nn.functional (torch.nn.functional): one public namespace over three implementation
files: ``_functional_core`` (linear, activations, distances, one_hot, pad ...),
``_functional_losses`` (every loss) and ``_functional_layers`` (conv, pooling, normalization,
dropout, embedding, interpolate ...), plus ``_functional_extra`` (max_unpool, grid_sample,
affine_grid, gumbel_softmax, ctc_loss ...)."""
from ._functional_core import *  # noqa: F401,F403
from ._functional_losses import *  # noqa: F401,F403
from ._functional_layers import *  # noqa: F401,F403
from ._functional_extra import *  # noqa: F401,F403
from .._ops.native_forms import pdist  # noqa: F401,E402 - issue 13 (h13-alias): torch's own
from .._ops.native_rnn import conv_tbc  # noqa: F401,E402 - issue 13 (h13-linalg)
from ._linear_cross_entropy import linear_cross_entropy  # noqa: F401,E402 - issue 13 (h13-linalg)
from ._functional_fractional import *  # noqa: F401,F403,E402 - issue 13 (h13-linalg)
from ._functional_names import *  # noqa: F401,F403,E402 - issue 13 (h13-utils): module names
