"""``ember.utils.benchmark``: torch.utils.benchmark's ``Timer``, ``Measurement`` and
``Compare`` (Python statements; ``torch`` in the timed code's globals is ember)."""
from .common import (Measurement, TaskSpec, ordered_unique, select_unit, set_torch_threads,
                     trim_sigfig, unit_to_english)
from .compare import Colorize, Compare
from .timer import Language, Timer, timer

__all__ = ["Timer", "timer", "Language", "Measurement", "TaskSpec", "Compare", "Colorize",
           "select_unit", "unit_to_english", "trim_sigfig", "ordered_unique",
           "set_torch_threads"]
