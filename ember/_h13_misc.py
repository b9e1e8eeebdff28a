"""Small top-level torch names (issue 13, h13-utils): device modules by name, ..."""
from __future__ import annotations

from typing import Any

__all__ = ["get_device_module"]


def get_device_module(device: Any = None) -> Any:
    """The module of a device type (``ember.cpu`` for "cpu", ``ember.cuda`` for "cuda:0",
    ...); without a device, the current accelerator's, which is the CPU's in ember."""
    import ember
    if isinstance(device, ember.device):
        name = device.type
    elif isinstance(device, str):
        name = ember.device(device).type
    elif device is None:
        name = "cpu"  # ember has no accelerator
    else:
        raise RuntimeError(f"Invalid value of device '{device}', expect torch.device, str, "
                           "or None")
    module = getattr(ember, name, None)
    if module is None:
        raise RuntimeError(f"Device '{name}' does not have a corresponding module registered "
                           f"as 'torch.{name}'.")
    return module
