"""detect_anomaly / set_detect_anomaly: remember where each node was created; NaN in backward
raises and names the forward op with that stack."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    _F = TypeVar("_F", bound=Callable[..., Any])

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

_enabled = [False]
_check_nan = [True]


def is_anomaly_enabled() -> bool:
    return _enabled[0]


class detect_anomaly:
    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = (False, True)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self.prev = (_enabled[0], _check_nan[0])
        _enabled[0], _check_nan[0] = True, self.check_nan

    def __exit__(self, *exc):
        _enabled[0], _check_nan[0] = self.prev
        return False

    def __call__(self, fn: _F) -> _F:
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)
        return cast("_F", wrapper)


class set_detect_anomaly:
    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_enabled[0], _check_nan[0])
        _enabled[0], _check_nan[0] = bool(mode), check_nan

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _enabled[0], _check_nan[0] = self.prev
        return False
