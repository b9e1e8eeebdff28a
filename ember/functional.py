"""``ember.functional``: the ``torch.functional`` module (``import torch.functional``).

torch keeps a few of its top-level functions here (``einsum``, ``split``, ``norm``,
``meshgrid``, ``unique`` ...); they are the same objects as ``torch.einsum`` etc., and this
module names ember's functions of those names (those ember has), plus ``F``
(``nn.functional``) and ``Tensor`` as torch's module does.
"""
from __future__ import annotations

import ember as _ember
from ember import Tensor  # noqa: F401 - torch.functional.Tensor
from ember.nn import functional as F  # noqa: F401, N812 - torch.functional.F

# torch.functional.__all__ (torch 2.13), kept to the names ember defines
_TORCH_NAMES = ("atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes",
                "broadcast_tensors", "cartesian_prod", "block_diag", "cdist", "chain_matmul",
                "einsum", "istft", "lu", "norm", "meshgrid", "pca_lowrank", "split", "stft",
                "svd_lowrank", "tensordot", "unique", "unique_consecutive", "unravel_index")

__all__ = [n for n in _TORCH_NAMES if hasattr(_ember, n)]
globals().update({n: getattr(_ember, n) for n in __all__})
