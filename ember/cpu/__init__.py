"""``ember.cpu`` (``torch.cpu``): the CPU device module; ``amp`` holds the deprecated
``torch.cpu.amp.autocast`` and ``GradScaler`` spellings."""
from . import amp

__all__ = ["amp", "current_device", "device_count", "is_available", "is_initialized",
           "set_device", "synchronize"]


def is_available() -> bool:
    """True: ember always runs on the CPU."""
    return True


def device_count() -> int:
    """1 (torch counts the CPU as one device)."""
    return 1


def current_device() -> str:
    """'cpu'."""
    return "cpu"


def set_device(device: object) -> None:
    """Accepted for device-agnostic code; there is only the CPU."""


def is_initialized() -> bool:
    """True."""
    return True


def synchronize(device: object = None) -> None:
    """Returns at once: ember's CPU ops finish before they return."""
