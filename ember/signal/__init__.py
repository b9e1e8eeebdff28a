"""``ember.signal`` (``torch.signal``): signal-processing helpers; ``windows`` holds the
window functions (scipy.signal.windows' definitions, torch's code)."""
from . import windows

__all__ = ["windows"]
