"""``torch.onnx``: importable, so that programs which ``import torch.onnx`` for an optional
export run; exporting itself is not in ember yet (planned), so its names are absent and say so.
"""
from __future__ import annotations

__all__ = ["is_in_onnx_export"]


def is_in_onnx_export() -> bool:
    """True while ``torch.onnx.export`` traces a model: never, in ember (no exporter yet)."""
    return False


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"module 'ember.onnx' has no attribute '{name}' (ember cannot export "
                         f"ONNX yet; save the state_dict with ember.save and export with torch)")
