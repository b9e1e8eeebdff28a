"""Small top-level torch names (issue 13, h13-utils): device modules by name, the CPU's
Event and Stream, two exception classes, thread and denormal switches with their honest
answers on NumPy, and the deprecated IPU/XLA autocast switches."""
from __future__ import annotations

from typing import Any

__all__ = ["get_device_module", "AcceleratorError", "FatalError", "init_num_threads",
           "is_vulkan_available", "set_flush_denormal", "thread_safe_generator", "Event",
           "Stream", "is_autocast_ipu_enabled", "set_autocast_ipu_enabled",
           "get_autocast_ipu_dtype", "set_autocast_ipu_dtype", "is_autocast_xla_enabled",
           "set_autocast_xla_enabled", "get_autocast_xla_dtype", "set_autocast_xla_dtype"]


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


class AcceleratorError(RuntimeError):
    """Exception raised while executing on device."""


class FatalError(Exception):
    """An unrecoverable error inside the library (torch's ``torch.FatalError``)."""


def init_num_threads() -> None:
    """Initializes the number of parallel threads used on the current thread. ember's only
    threads are BLAS's, set process-wide by ``set_num_threads``, so a new thread already has
    them: nothing is left to propagate."""


def is_vulkan_available() -> bool:
    """Whether the Vulkan backend is built in: never in ember (False, as torch's CPU wheel)."""
    return False


def set_flush_denormal(mode: bool) -> bool:
    """Asks to flush denormal floats to zero; returns whether that is supported and was set.
    NumPy offers no control of the CPU's flush-to-zero / denormals-are-zero flags, so ember
    returns False (torch's answer on a CPU without that support) and changes nothing."""
    return False


def thread_safe_generator() -> Any:
    """The generator of the DataLoader thread worker calling it, None elsewhere; ember's
    DataLoader workers are processes, so it is None (use the global generator), as in
    torch's main process and process workers."""
    return None


def _device_type_of(device: Any) -> tuple[str, int]:
    import ember
    if device is None:
        return "cpu", -1
    if isinstance(device, int) and not isinstance(device, bool):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    d = ember.device(device)
    if d.type not in ("cpu", "meta"):
        raise RuntimeError(f"PyTorch is not linked with support for {d.type} devices")
    return d.type, -1


_NO_EVENTS = "cpu backend doesn't support events."


class Event:
    """``torch.Event`` on ember's only device, the CPU: work is done when an op returns, so
    ``query`` is True and ``synchronize``/``wait`` return at once; the CPU backend records no
    events (``record`` raises torch's RuntimeError), so no elapsed time can be measured."""

    def __init__(self, device: Any = None, *, enable_timing: bool = False,
                 blocking: bool = False, interprocess: bool = False) -> None:
        import ember
        self._type, self._index = _device_type_of(device)
        self.device = ember.device(self._type)
        self._flag = int(bool(enable_timing))
        self.event_id = 0

    def query(self) -> bool:
        """Whether the work recorded is done: always, on the CPU."""
        return True

    def record(self, stream: Any = None) -> None:
        """Record the event in a stream: the CPU backend has no events."""
        raise RuntimeError(_NO_EVENTS)

    def synchronize(self) -> None:
        """Wait for the recorded work: done already."""

    def wait(self, stream: Any = None) -> None:
        """Make a stream wait for the event: nothing to wait for."""

    def elapsed_time(self, end_event: Event) -> float:
        """Milliseconds between two recorded timing events (never recorded on the CPU)."""
        if not (self._flag and end_event._flag):
            raise ValueError("Both events must be created with argument 'enable_timing=True'.")
        raise ValueError("Both events must be recorded before calculating elapsed time.")

    def ipc_handle(self) -> Any:
        """Share the event with another process (not supported, as torch)."""
        raise NotImplementedError("torch.Event ipc is not supported yet, please open an issue "
                                  "if you need this!")

    def __repr__(self) -> str:
        return (f"torch.Event device_type={self._type}, device_index={self._index}, "
                f"event_flag={self._flag}, event_id={self.event_id}")


class Stream:
    """``torch.Stream`` on the CPU: one stream (id 0) whose work is always complete."""

    def __init__(self, device: Any = None, *, priority: int = 0) -> None:
        import ember
        self._type, self.device_index = _device_type_of(device)
        self.device = ember.device(self._type)
        self.device_type = 0 if self._type == "cpu" else 9  # c10::DeviceType
        self.stream_id = 0

    def query(self) -> bool:
        """Whether all work on the stream is done: always, on the CPU."""
        return True

    def synchronize(self) -> None:
        """Wait for the stream's work: done already."""

    def record_event(self, event: Any = None) -> Any:
        """Record an event on the stream: the CPU backend has no events."""
        raise RuntimeError(_NO_EVENTS)

    def wait_stream(self, stream: Any) -> None:
        """Make this stream wait for another (through an event: none on the CPU)."""
        raise RuntimeError(_NO_EVENTS)

    def wait_event(self, event: Any) -> None:
        """Make the stream wait for an event: nothing to wait for."""

    def is_capturing(self) -> bool:
        """Whether a graph capture runs on the stream: never."""
        return False

    @property
    def native_handle(self) -> Any:
        """The backend's stream handle (the CPU backend has none)."""
        raise RuntimeError("Backend doesn't support getting stream native handle.")

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stream):
            return NotImplemented
        return (self._type, self.device_index, self.stream_id) == (
            other._type, other.device_index, other.stream_id)

    def __hash__(self) -> int:
        return hash((self._type, self.device_index, self.stream_id))

    def __repr__(self) -> str:
        return (f"torch.Stream device_type={self._type}, device_index={self.device_index}, "
                f"stream_id={self.stream_id}")


# the deprecated per-device autocast switches of IPU and XLA: state as any device type's
def _autocast_deprecated(old: str, new: str) -> None:
    import warnings
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_ipu_enabled() -> bool:
    """Deprecated: ``is_autocast_enabled('ipu')``."""
    from . import _autocast
    _autocast_deprecated("is_autocast_ipu_enabled()", "is_autocast_enabled('ipu')")
    return _autocast.is_autocast_enabled("ipu")


def set_autocast_ipu_enabled(enabled: bool) -> None:
    """Deprecated: ``set_autocast_enabled('ipu', enabled)``."""
    from . import _autocast
    _autocast_deprecated("set_autocast_ipu_enabled(enabled)",
                         "set_autocast_enabled('ipu', enabled)")
    _autocast.set_autocast_enabled("ipu", enabled)


def get_autocast_ipu_dtype() -> Any:
    """Deprecated: ``get_autocast_dtype('ipu')``."""
    from . import _autocast
    _autocast_deprecated("get_autocast_ipu_dtype()", "get_autocast_dtype('ipu')")
    return _autocast.get_autocast_dtype("ipu")


def set_autocast_ipu_dtype(dtype: Any) -> None:
    """Deprecated: ``set_autocast_dtype('ipu', dtype)``."""
    from . import _autocast
    _autocast_deprecated("set_autocast_ipu_dtype(dtype)", "set_autocast_dtype('ipu', dtype)")
    _autocast.set_autocast_dtype("ipu", dtype)


def is_autocast_xla_enabled() -> bool:
    """Deprecated: ``is_autocast_enabled('xla')``."""
    from . import _autocast
    _autocast_deprecated("is_autocast_xla_enabled()", "is_autocast_enabled('xla')")
    return _autocast.is_autocast_enabled("xla")


def set_autocast_xla_enabled(enabled: bool) -> None:
    """Deprecated: ``set_autocast_enabled('xla', enabled)``."""
    from . import _autocast
    _autocast_deprecated("set_autocast_xla_enabled(enabled)",
                         "set_autocast_enabled('xla', enabled)")
    _autocast.set_autocast_enabled("xla", enabled)


def get_autocast_xla_dtype() -> Any:
    """Deprecated: ``get_autocast_dtype('xla')``."""
    from . import _autocast
    _autocast_deprecated("get_autocast_xla_dtype()", "get_autocast_dtype('xla')")
    return _autocast.get_autocast_dtype("xla")


def set_autocast_xla_dtype(dtype: Any) -> None:
    """Deprecated: ``set_autocast_dtype('xla', dtype)``."""
    from . import _autocast
    _autocast_deprecated("set_autocast_xla_dtype(dtype)", "set_autocast_dtype('xla', dtype)")
    _autocast.set_autocast_dtype("xla", dtype)
