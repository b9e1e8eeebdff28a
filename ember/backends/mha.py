"""``torch.backends.mha``: the fast-path flag of ``nn.MultiheadAttention`` (torch's default;
ember always runs the composed path, whose numbers the flag does not change)."""
from __future__ import annotations

__all__ = ["get_fastpath_enabled", "set_fastpath_enabled"]

_fastpath = [True]


def get_fastpath_enabled() -> bool:
    """Whether the fast path of MultiheadAttention / TransformerEncoder is enabled."""
    return _fastpath[0]


def set_fastpath_enabled(value: bool) -> None:
    """Enables or disables the fast path."""
    _fastpath[0] = bool(value)
