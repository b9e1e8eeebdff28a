"""``ember.profiler``: torch.profiler's API over ember's own recorder (``_core.py``).

``profile`` records the CPU time and call count of every ember op (named by ember's op classes,
e.g. ``Matmul``, ``Relu``, ``MulBackward0``: not torch's ``aten::`` names) and of each
``record_function`` range, following torch's ``schedule``/``ProfilerAction`` state machine and
calling ``on_trace_ready`` at the end of each active span; ``key_averages().table(...)``
prints torch's table and ``export_chrome_trace``/``tensorboard_trace_handler`` write Chrome
trace JSON. When no profile records, op dispatch runs untouched (no cost).
"""
from __future__ import annotations

import enum
import gzip
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ._core import EventList, _Recorder, record_function, start_recording, stop_recording

__all__ = ["profile", "schedule", "supported_activities", "tensorboard_trace_handler",
           "ProfilerAction", "ProfilerActivity", "kineto_available", "DeviceType",
           "record_function"]


class ProfilerActivity(enum.Enum):
    """The kinds of activity a profile may collect; ember records ``CPU``."""
    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class DeviceType(enum.Enum):
    """Device kinds of recorded events (ember records CPU events)."""
    CPU = 0
    CUDA = 1


class ProfilerAction(enum.Enum):
    """What the profiler does at a step: nothing, warm up, record, or record and then hand the
    trace to ``on_trace_ready``."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    DEVICE_STOPPED = 4


def supported_activities() -> set[ProfilerActivity]:
    """The activities ember can record: CPU."""
    return {ProfilerActivity.CPU}


def kineto_available() -> bool:
    """True: the ``torch.profiler.profile`` API is available (on ember's recorder)."""
    return True


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """The step -> ``ProfilerAction`` function torch's profiler follows: skip ``skip_first``
    steps, then cycles of ``wait`` idle, ``warmup`` warm-up and ``active`` recorded steps (the
    last one ``RECORD_AND_SAVE``), ``repeat`` times (0: forever)."""
    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return (ProfilerAction.RECORD if mod_step < num_steps - 1
                else ProfilerAction.RECORD_AND_SAVE)
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
            f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)
    return schedule_fn


_warned = [False]  # torch's _warn_once about events cleared between cycles


def _default_schedule_fn(_: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False,
                              use_python_export: bool = False) -> Callable[[Any], None]:
    """An ``on_trace_ready`` handler writing each trace to
    ``dir_name/<worker_name>.<time_ns>.pt.trace.json[.gz]`` (TensorBoard's profile plugin reads
    that directory); ``worker_name`` defaults to ``<hostname>_<pid>``."""
    def handler_fn(prof: Any) -> None:
        os.makedirs(dir_name, exist_ok=True)
        name = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{name}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else "")
        path = os.path.join(dir_name, file_name)
        if use_gzip:
            tmp = path[:-3]
            prof.export_chrome_trace(tmp)
            with open(tmp, "rb") as src, gzip.open(path, "wb") as dst:
                dst.write(src.read())
            os.remove(tmp)
        else:
            prof.export_chrome_trace(path)
    return handler_fn


class profile:
    """torch.profiler.profile on ember: records ops and ``record_function`` ranges on the CPU
    while the schedule says RECORD (always, without a schedule); ``step()`` advances the
    schedule; ``on_trace_ready(prof)`` runs after each active span; ``key_averages()``,
    ``events()``, ``export_chrome_trace(path)`` read the last span."""

    def __init__(self, *, activities: Iterable[Any] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[[Any], Any] | None = None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, experimental_config: Any = None,
                 execution_trace_observer: Any = None, acc_events: bool = False,
                 use_cuda: bool | None = None, custom_trace_id_callback: Any = None,
                 post_processing_timeout_s: float | None = None) -> None:
        acts = set(activities) if activities is not None else supported_activities()
        self.activities = acts
        self.record_shapes, self.profile_memory, self.with_stack = (record_shapes,
                                                                    profile_memory, with_stack)
        self.acc_events = acc_events
        self.record_steps = schedule is not None
        self.schedule = schedule if schedule is not None else _default_schedule_fn
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self._prev_schedule_action = self.current_action
        self._rec: _Recorder | None = None
        self._events: EventList | None = None
        self._step_rec: record_function | None = None
        A = ProfilerAction
        self.action_map: dict[tuple[ProfilerAction, ProfilerAction | None], list[Any]] = {
            (A.NONE, A.NONE): [], (A.NONE, A.WARMUP): [self.prepare_trace],
            (A.NONE, A.RECORD): [self.prepare_trace, self.start_trace],
            (A.NONE, A.RECORD_AND_SAVE): [self.prepare_trace, self.start_trace],
            (A.WARMUP, A.NONE): [lambda: warnings.warn(
                "Incorrect schedule: WARMUP followed by NONE", stacklevel=4),
                self.start_trace, self.stop_trace],
            (A.WARMUP, A.WARMUP): [], (A.WARMUP, A.RECORD): [self.start_trace],
            (A.WARMUP, A.RECORD_AND_SAVE): [self.start_trace],
            (A.RECORD, A.NONE): [lambda: warnings.warn(
                "Incorrect schedule: RECORD followed by NONE", stacklevel=4), self.stop_trace],
            (A.RECORD, A.WARMUP): [lambda: warnings.warn(
                "Incorrect schedule: RECORD followed by WARMUP", stacklevel=4),
                self.stop_trace],
            (A.RECORD, A.RECORD): [], (A.RECORD, A.RECORD_AND_SAVE): [],
            (A.RECORD_AND_SAVE, A.NONE): [self.stop_trace, self._trace_ready],
            (A.RECORD_AND_SAVE, A.WARMUP): [self.stop_trace, self._trace_ready,
                                            self.prepare_trace],
            (A.RECORD_AND_SAVE, A.RECORD): [self.stop_trace, self._trace_ready,
                                            self.prepare_trace, self.start_trace],
            (A.RECORD_AND_SAVE, A.RECORD_AND_SAVE): [self.stop_trace, self._trace_ready,
                                                     self.prepare_trace, self.start_trace],
            (A.WARMUP, None): [self.start_trace, self.stop_trace],
            (A.RECORD, None): [self.stop_trace, self._trace_ready],
            (A.RECORD_AND_SAVE, None): [self.stop_trace, self._trace_ready],
        }

    # the phases (torch's _KinetoProfile): a trace is prepared, started, stopped
    def prepare_trace(self) -> None:
        """Gets ready for the next span (torch's once-per-process warning when an earlier
        span's events are about to be dropped)."""
        if self._events is not None and not self.acc_events and not _warned[0]:
            _warned[0] = True
            warnings.warn("Warning: Profiler clears events at the end of each cycle. Only "
                          "events from the current cycle will be reported. To keep events "
                          "across cycles, set acc_events=True.", stacklevel=2)

    def start_trace(self) -> None:
        """Starts recording ops and ranges."""
        if self._rec is None:
            self._rec = start_recording(self.record_shapes, self.profile_memory)

    def stop_trace(self) -> None:
        """Stops recording; the span's events become this profile's events."""
        if self._rec is not None:
            if self._step_rec is not None:  # the open ProfilerStep range ends with the span
                self._step_rec.__exit__(None, None, None)
                self._step_rec = None
            events = stop_recording(self._rec)
            if self.acc_events and self._events is not None:
                merged = EventList(self._events + events)
                merged.profile_memory = events.profile_memory
                events = merged
            self._events = events
            self._rec = None

    def _trace_ready(self) -> None:
        if self.on_trace_ready:
            self.on_trace_ready(self)

    def _transit_action(self, prev: ProfilerAction, cur: ProfilerAction | None) -> None:
        for action in self.action_map.get((prev, cur), []):
            action()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> None:
        """Starts profiling at the current step's action."""
        self._transit_action(ProfilerAction.NONE, self.current_action)
        if self.record_steps:
            self._step_rec = record_function(f"ProfilerStep#{self.step_num}")
            self._step_rec.__enter__()

    def stop(self) -> None:
        """Ends profiling (a recording span still open is handed to ``on_trace_ready``)."""
        if self.record_steps and self._step_rec is not None:
            self._step_rec.__exit__(None, None, None)
            self._step_rec = None
        self._transit_action(self.current_action, None)
        self.current_action = self._prev_schedule_action

    def step(self) -> None:
        """Signals that the next training step begins: advances the schedule (recording,
        stopping and handing traces over as it says)."""
        if self.record_steps and self._step_rec is not None:
            self._step_rec.__exit__(None, None, None)
            self._step_rec = None
        prev = self.current_action
        self.step_num += 1
        self.current_action = self._prev_schedule_action = self.schedule(self.step_num)
        self._transit_action(prev, self.current_action)
        if self.record_steps:
            self._step_rec = record_function(f"ProfilerStep#{self.step_num}")
            self._step_rec.__enter__()

    def events(self) -> EventList:
        """The events of the last recorded span (in start order)."""
        if self._events is None:
            raise AssertionError("Profiler must be initialized before getting events")
        return self._events

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """One summary row per op or range name (and input shapes when grouped so)."""
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path: str) -> None:
        """Writes the last span's events as Chrome trace JSON (gzip when ``path`` ends in
        ``.gz``)."""
        if path.endswith(".gz"):
            tmp = path[:-3]
            self.events().export_chrome_trace(tmp)
            with open(tmp, "rb") as src, gzip.open(path, "wb") as dst:
                dst.write(src.read())
            os.remove(tmp)
        else:
            self.events().export_chrome_trace(path)

