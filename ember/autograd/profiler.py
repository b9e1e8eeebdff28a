"""``ember.autograd.profiler``: torch's older profiler API (``profile``, ``record_function``)
on the recorder of ``ember.profiler`` (ops named by ember's op classes)."""
from __future__ import annotations

from ..profiler._core import (EventList, FunctionEvent, FunctionEventAvg, profile,
                              record_function)

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]
