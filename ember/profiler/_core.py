"""The recorder behind ``ember.profiler`` and ``ember.autograd.profiler``.

Costs nothing while no profile records: op dispatch is not touched. When the first recording
starts, every ``Op`` class's ``forward`` (and the first-order backward of its graph node) is
swapped for a timing wrapper; when the last recording stops the originals are put back. Events
are named by ember's op classes (``Mul``, ``Matmul``, ``MulBackward0``), not torch's ``aten::``
names; ``record_function`` ranges and ``ProfilerStep#N`` use the names given.
"""
from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

_active: list[_Recorder] = []   # the recordings now open (profiles in a RECORD phase)
_saved: list[tuple[type, str, bool, Any]] = []  # (class, attribute, had its own, original)
_local = threading.local()       # per-thread stack of open events
_lock = threading.Lock()


class FunctionEvent:
    """One recorded op call or ``record_function`` range: ``name``, ``thread``, start and end
    (microseconds), ``input_shapes``, ``cpu_children``; ``cpu_time_total`` /
    ``self_cpu_time_total`` in microseconds."""

    def __init__(self, id: int, name: str, thread: int, start_us: float,
                 input_shapes: list[Any] | None, sequence: int) -> None:
        self.id, self.thread = id, thread
        self.trace_name = name  # torch's: the table merges the steps as "ProfilerStep*"
        self.name = self.key = "ProfilerStep*" if name.startswith("ProfilerStep#") else name
        self.start_us, self.end_us = start_us, start_us
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.count = 1
        self.node_id = -1
        self.is_async = False
        self.seq = sequence

    @property
    def cpu_time_total(self) -> float:
        """Wall time of the call, children included (microseconds)."""
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:
        """The call's time less its children's (microseconds)."""
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_memory_usage(self) -> int:
        """Bytes of new arrays made by the call and its children (``profile_memory``)."""
        return self.self_cpu_memory_usage + sum(c.cpu_memory_usage for c in self.cpu_children)

    cpu_time = cpu_time_total
    device_time_total = self_device_time_total = device_time = 0.0
    cuda_time_total = self_cuda_time_total = cuda_time = 0.0
    self_cpu_memory_usage = 0  # set per event when memory is profiled

    def __repr__(self) -> str:
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time="
                f"{_format_time(self.cpu_time_total)} start_us={self.start_us:.3f} end_us="
                f"{self.end_us:.3f} cpu_children={[c.id for c in self.cpu_children]} "
                f"thread={self.thread} input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """The events of one name (and input shapes, when grouped so) summed: ``count``,
    ``cpu_time_total``, ``self_cpu_time_total`` and the average ``cpu_time``."""

    def __init__(self, key: str, input_shapes: Any = None) -> None:
        self.key, self.input_shapes = key, input_shapes if input_shapes is not None else []
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.cpu_parent: Any = None
        self.node_id = -1
        self.is_async = False

    def add(self, evt: Any) -> FunctionEventAvg:
        """Adds an event (or another average) into this one."""
        self.count += evt.count
        self.cpu_time_total += evt.cpu_time_total
        self.self_cpu_time_total += evt.self_cpu_time_total
        self.cpu_memory_usage += evt.cpu_memory_usage
        self.self_cpu_memory_usage += evt.self_cpu_memory_usage
        return self

    @property
    def cpu_time(self) -> float:
        """Average time per call (microseconds)."""
        return self.cpu_time_total / self.count if self.count else 0.0

    device_time_total = self_device_time_total = device_time = 0.0
    cuda_time_total = self_cuda_time_total = cuda_time = 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time="
                f"{_format_time(self.self_cpu_time_total)} cpu_time="
                f"{_format_time(self.cpu_time)} input_shapes={self.input_shapes}>")


def _format_time(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _share(t: float, total: float) -> str:
    return "NaN" if total == 0 else f"{t * 100.0 / total:.2f}%"


def _format_memory(nbytes: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if abs(nbytes) >= size:
            return f"{nbytes * 1.0 / size:.2f} {unit}"
    return f"{nbytes} B"


class EventList(list):
    """A list of events with torch's summaries: ``key_averages``, ``table``,
    ``export_chrome_trace``, ``self_cpu_time_total``, ``total_average``."""

    profile_memory = False  # a table with memory columns (set by a memory profile)

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """One ``FunctionEventAvg`` per name (and input shapes), in first-seen order."""
        stats: dict[Any, FunctionEventAvg] = {}
        for e in self:
            key = (e.key, str(e.input_shapes)) if group_by_input_shape else e.key
            if key not in stats:
                stats[key] = FunctionEventAvg(e.key, e.input_shapes if group_by_input_shape
                                              else None)
            stats[key].add(e)
        out = EventList(stats.values())
        out.profile_memory = self.profile_memory
        return out

    @property
    def self_cpu_time_total(self) -> float:
        """Sum of the events' self times (microseconds)."""
        return sum(e.self_cpu_time_total for e in self)

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one average named ``Total``."""
        total = FunctionEventAvg("Total")
        for e in self:
            total.add(e)
        return total

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = 55,
              max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False, time_unit: str | None = None) -> str:
        """torch's text table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time
        avg, # of Calls (and Input Shapes when recorded), sorted by ``sort_by`` (an event
        attribute such as ``"cpu_time_total"`` or ``"self_cpu_time_total"``)."""
        return _build_table(self, sort_by, row_limit, max_name_column_width,
                            max_shapes_column_width, header, top_level_events_only, time_unit)

    def export_chrome_trace(self, path: str) -> None:
        """Writes the events as a Chrome trace (``chrome://tracing``, Perfetto) JSON file."""
        pid = os.getpid()
        events: list[dict[str, Any]] = [
            {"ph": "M", "name": "process_name", "ts": 0, "pid": pid, "tid": 0,
             "args": {"name": "python"}}]
        for e in self:
            events.append({"ph": "X", "cat": "cpu_op", "name": e.trace_name, "pid": pid,
                           "tid": e.thread, "ts": e.start_us, "dur": e.cpu_time_total,
                           "args": {"Input Dims": e.input_shapes, "Sequence number": e.seq}})
        with open(path, "w") as f:
            json.dump({"schemaVersion": 1, "displayTimeUnit": "ms", "traceEvents": events,
                       "traceName": path}, f)


def _build_table(events: EventList, sort_by: str | None, row_limit: int, max_name: int,
                 max_shapes: int, header: str | None, top_only: bool,
                 time_unit: str | None) -> str:
    if len(events) == 0:
        return ""
    has_shapes = any(len(e.input_shapes) > 0 for e in events)
    if sort_by is not None:
        attr = sort_by.replace("cuda", "device")
        mem = events.profile_memory
        events = EventList(sorted(events, key=lambda e: getattr(e, attr), reverse=True))
        events.profile_memory = mem
    name_w = min(max(len(e.key) for e in events) + 4, max_name)
    shapes_w = min(max(len(str(e.input_shapes)) for e in events) + 4, max_shapes)
    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if events.profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
    headers.append("# of Calls")
    widths = [name_w] + [12] * (len(headers) - 1)
    if has_shapes:
        headers.append("Input Shapes")
        widths.append(shapes_w)
    row = "".join("{: >" + str(w) + "}  " for w in widths)
    sep = "".join("-" * w + "  " for w in widths)
    line = sum(w + 2 for w in widths) - 2

    def fmt(us: float) -> str:
        scale = {"s": (1e6, "s"), "ms": (1e3, "ms"), "us": (1.0, "us")}.get(time_unit or "")
        return f"{us / scale[0]:.3f}{scale[1]}" if scale else _format_time(us)
    total_self = sum(e.self_cpu_time_total for e in events)
    out: list[str] = []
    if header is not None:
        out += ["=" * line, header]
    if top_only:
        out += ["=" * line, "This report only display top-level ops statistics"]
    out += [sep, row.format(*headers), sep]
    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key if len(e.key) < max_name - 3 else e.key[:max_name - 3] + "..."
        values = [name, _share(e.self_cpu_time_total, total_self), fmt(e.self_cpu_time_total),
                  _share(e.cpu_time_total, total_self), fmt(e.cpu_time_total),
                  fmt(e.cpu_time)]
        if events.profile_memory:
            values += [_format_memory(e.cpu_memory_usage),
                       _format_memory(e.self_cpu_memory_usage)]
        values.append(e.count)
        if has_shapes:
            shapes = str(e.input_shapes)
            values.append(shapes if len(shapes) < max_shapes - 3
                          else shapes[:max_shapes - 3] + "...")
        out.append(row.format(*values))
    out += [sep, f"Self CPU time total: {fmt(total_self)}"]
    return "".join(s + "\n" for s in out)


class _Recorder:
    """One recording: its events, in start order."""

    def __init__(self, record_shapes: bool, profile_memory: bool = False) -> None:
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.events = EventList()
        self.events.profile_memory = profile_memory
        self.t0 = time.perf_counter_ns()


def _stack() -> list[Any]:
    st = getattr(_local, "stack", None)
    if st is None:
        st = _local.stack = []
    return st


_ids = iter(range(1, 1 << 62))


def _open(name: str, args: tuple[Any, ...] | None) -> list[tuple[_Recorder, FunctionEvent]]:
    now = time.perf_counter_ns()
    opened = []
    tid = threading.get_ident()
    for rec in list(_active):
        shapes = None
        if rec.record_shapes and args is not None:
            shapes = [list(sh) if isinstance(sh := getattr(a, "shape", None), tuple) else []
                      for a in args]
        st = _stack()
        e = FunctionEvent(next(_ids), name, tid, (now - rec.t0) / 1e3, shapes, -1)
        parent = next((p for r, p in reversed(st) if r is rec), None) if st else None
        if parent is not None:
            e.cpu_parent = parent
            parent.cpu_children.append(e)
        rec.events.append(e)
        st.append((rec, e))
        opened.append((rec, e))
    return opened


def _new_bytes(result: Any) -> int:
    """Bytes of the arrays an op's forward made (views of other arrays count nothing)."""
    outs = result if isinstance(result, tuple) else (result,)
    return sum(o.nbytes for o in outs if hasattr(o, "flags") and o.flags.owndata)


def _close(opened: list[tuple[_Recorder, FunctionEvent]], result: Any = None) -> None:
    now = time.perf_counter_ns()
    st = _stack()
    for rec, e in opened:
        e.end_us = (now - rec.t0) / 1e3
        if rec.profile_memory and result is not None:
            e.self_cpu_memory_usage = _new_bytes(result)
        if st and st[-1] == (rec, e):
            st.pop()
        elif (rec, e) in st:
            st.remove((rec, e))


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        if not _active:
            return fn(*args, **kwargs)
        opened = _open(name, args[1:])
        result = None
        try:
            result = fn(*args, **kwargs)
            return result
        finally:
            _close(opened, result)
    timed.__wrapped__ = fn  # type: ignore[attr-defined]
    return timed


def _op_classes() -> list[type]:
    from ..autograd.function import Op
    seen: list[type] = []
    todo = [Op]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def _hook() -> None:
    """Swaps timing wrappers into every op's forward and first-order backward."""
    classes = _op_classes()
    plan = []
    for cls in classes:
        plan.append((cls, "forward", cls.__name__, cls.forward))
        node = cls.__dict__.get("_node_cls")
        if node is not None and node._bw is not None:
            plan.append((node, "_bw", node.__name__, node._bw))
    for owner, attr, name, fn in plan:
        _saved.append((owner, attr, attr in owner.__dict__, owner.__dict__.get(attr)))
        setattr(owner, attr, staticmethod(_timed(name, fn)))


def _unhook() -> None:
    while _saved:
        owner, attr, had, orig = _saved.pop()
        if had:
            setattr(owner, attr, orig)
        else:
            delattr(owner, attr)


def start_recording(record_shapes: bool, profile_memory: bool = False) -> _Recorder:
    """Opens a recording (hooking op dispatch if it is the first)."""
    rec = _Recorder(record_shapes, profile_memory)
    with _lock:
        if not _active:
            _hook()
        _active.append(rec)
    return rec


def stop_recording(rec: _Recorder) -> EventList:
    """Closes a recording (unhooking op dispatch after the last) and returns its events."""
    with _lock:
        if rec in _active:
            _active.remove(rec)
        if not _active:
            _unhook()
    st = _stack()
    st[:] = [(r, e) for r, e in st if r is not rec]
    return rec.events


def is_recording() -> bool:
    """True while some profile records."""
    return bool(_active)


class record_function:
    """Labels a block (context manager) or every call of a function (decorator) with ``name``:
    the range appears in the profile's events, table and trace, with the ops inside it as its
    children. Costs one list test when no profile records."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name, self.args = name, args
        self._opened: list[tuple[_Recorder, FunctionEvent]] = []

    def __enter__(self) -> record_function:
        if _active:
            self._opened = _open(self.name, None)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._opened:
            _close(self._opened)
            self._opened = []

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            with record_function(self.name, self.args):
                return fn(*a, **k)
        return wrapper


class profile:
    """``torch.autograd.profiler.profile``: records ember's ops (by op class name, with CPU
    times and counts) and ``record_function`` ranges while the block runs; then
    ``key_averages().table(...)``, ``function_events``, ``export_chrome_trace``."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False,
                 use_device: str | None = None, record_shapes: bool = False,
                 with_flops: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_modules: bool = False, use_kineto: bool = False,
                 use_cpu: bool = True, experimental_config: Any = None,
                 acc_events: bool = False, custom_trace_id_callback: Any = None) -> None:
        self.enabled, self.record_shapes = enabled, record_shapes
        self.profile_memory = profile_memory
        self._rec: _Recorder | None = None
        self.function_events: EventList | None = None
        self.entered = False

    def __enter__(self) -> profile:
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._rec = start_recording(self.record_shapes, self.profile_memory)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._rec is not None:
            self.function_events = stop_recording(self._rec)
            self._rec = None

    def _events(self) -> EventList:
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """One summary row per op or range name (see ``EventList.key_averages``)."""
        return self._events().key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, *args: Any, **kwargs: Any) -> str:
        """The table of all events (see ``EventList.table``)."""
        return self._events().table(*args, **kwargs)

    def export_chrome_trace(self, path: str) -> None:
        """Writes the events as a Chrome trace JSON file."""
        self._events().export_chrome_trace(path)

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one average."""
        return self._events().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """Sum of the events' self times (microseconds)."""
        return self._events().self_cpu_time_total

    def __str__(self) -> str:
        return self.table()

