"""torch.utils.model_zoo: the old home of ``load_url``, now torch.hub's
``load_state_dict_from_url`` (download once into ``<hub dir>/checkpoints``, check the hash
prefix, load with ``ember.load``)."""
from __future__ import annotations

from ..hub import _Progress
from ..hub import load_state_dict_from_url as load_url

try:
    from tqdm import tqdm
except ImportError:  # torch.hub's fallback progress bar, as torch
    tqdm = _Progress  # type: ignore[assignment,misc]

__all__ = ["load_url", "tqdm"]
