"""torch's process-wide switches and facts (issue 13, infra): deterministic-algorithm mode,
warn-always, anomaly mode, ``typename`` and the build flags of a CPU torch.

The deterministic switches are recorded and read back as torch's are; ember's NumPy kernels
are deterministic whatever they say, so no op needs to consult them. ``set_warn_always(True)``
makes ember's once-per-process warnings (torch's ``TORCH_WARN_ONCE``) warn every time.
"""
from __future__ import annotations

from typing import Any

__all__ = ["typename", "set_warn_always", "is_warn_always_enabled",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_anomaly_enabled", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "has_lapack", "has_mkl", "has_openmp",
           "has_spectral"]

# what a CPU build of torch 2.13 reports: ember provides LAPACK (NumPy's), FFTs and the
# MKL/OpenMP-backed functions (their NumPy equivalents), so programs that test these proceed
has_lapack = has_mkl = has_openmp = has_spectral = True

WARN_ALWAYS = [False]  # read by ember's warn-once sites
_deterministic = [False, False]  # (mode, warn_only)


def typename(obj: Any, /) -> str:
    """The fully qualified name of ``obj``'s type: a tensor's legacy type
    (``'torch.FloatTensor'``), else ``module.qualname`` (ember's own modules spelled
    ``torch.``, as programs written for torch print them)."""
    from ._tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    if module == "ember" or module.startswith("ember."):
        module = "torch" + module[5:]
    return f"{module}.{qualname}"


def _check_bool(fn: str, arg: str, value: Any, pos: int = 1) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be bool, not "
                        f"{type(value).__name__}")


def set_warn_always(b: bool, /) -> None:
    """When True, warnings torch gives once per process (``TORCH_WARN_ONCE``) are given
    every time; False (the default) restores once-only."""
    _check_bool("_set_warnAlways", "arg0", b)
    WARN_ALWAYS[0] = b


def is_warn_always_enabled() -> bool:
    """True when ``set_warn_always(True)`` is in effect."""
    return WARN_ALWAYS[0]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Records the deterministic-algorithms mode (read back by
    ``are_deterministic_algorithms_enabled``); ember's NumPy kernels are deterministic
    already, so nothing else changes."""
    _check_bool("_set_deterministic_algorithms", "mode", mode)
    _deterministic[:] = [mode, bool(warn_only)]


def are_deterministic_algorithms_enabled() -> bool:
    """True when ``use_deterministic_algorithms(True)`` is in effect."""
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """True when deterministic mode is on with ``warn_only=True``."""
    return _deterministic[1]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """The same switch as ``use_deterministic_algorithms``, by level: ``"default"``/0 (off),
    ``"warn"``/1 (on, warn only), ``"error"``/2 (on)."""
    if not isinstance(debug_mode, (int, str)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        names = {"default": 0, "warn": 1, "error": 2}
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    _deterministic[:] = [debug_mode != 0, debug_mode == 1]


def get_deterministic_debug_mode() -> int:
    """0, 1 or 2: off, on with warnings only, on (see ``set_deterministic_debug_mode``)."""
    return 0 if not _deterministic[0] else 1 if _deterministic[1] else 2


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turns autograd's anomaly mode on or off for the process (what
    ``autograd.set_detect_anomaly`` does inside its block)."""
    from .autograd import anomaly_mode
    _check_bool("set_anomaly_enabled", "enabled", enabled)
    anomaly_mode._enabled[0], anomaly_mode._check_nan[0] = enabled, bool(check_nan)


def is_anomaly_enabled() -> bool:
    """True while autograd's anomaly mode is on."""
    from .autograd import anomaly_mode
    return anomaly_mode._enabled[0]


def is_anomaly_check_nan_enabled() -> bool:
    """True when anomaly mode checks backward results for NaN (its ``check_nan``)."""
    from .autograd import anomaly_mode
    return anomaly_mode._check_nan[0]
