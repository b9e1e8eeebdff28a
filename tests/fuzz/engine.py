"""Searching for mismatches: hypothesis draws cases of one op, every case goes through
``runner.check``, and each new (label, kind) mismatch is raised as its own exception class so
that hypothesis shrinks it to a minimal reproducer (the smallest shape, dtype float32, plain
values) separately from the others."""
from __future__ import annotations

import random
import signal
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, given, seed as hseed, settings

from .compare import Outcome
from .runner import check
from .spec import Case, FuzzOp, case_strategy

CASE_TIMEOUT_S = 60   # a case that runs longer than this is reported as a hang


class Mismatch(Exception):
    """Raised inside the hypothesis test for a mismatch not yet recorded."""

    def __init__(self, case: Case, outcome: Outcome):
        super().__init__(f"{case.label}: {outcome}")
        self.case, self.outcome = case, outcome


class CaseTimeout(Exception):
    pass


_CLASSES: dict = {}


def _mismatch_class(label, kind):
    """One exception class per (label, kind): hypothesis shrinks each one on its own."""
    key = (label, kind)
    if key not in _CLASSES:
        _CLASSES[key] = type(f"Mismatch[{label}|{kind}]", (Mismatch,), {})
    return _CLASSES[key]


@dataclass
class Finding:
    label: str
    kind: str
    op: str
    code: str             # the minimal case found (source of the case body)
    outcome: Outcome
    flaky: bool = False


@dataclass
class Stats:
    tried: int = 0                    # cases generated (shrinking runs not counted)
    shrink_runs: int = 0
    by_kind: Counter = field(default_factory=Counter)      # kind -> cases
    by_label: Counter = field(default_factory=Counter)     # label -> mismatching cases
    by_family: Counter = field(default_factory=Counter)    # family -> cases
    findings: dict = field(default_factory=dict)           # (label, kind) -> Finding
    errors: list = field(default_factory=list)             # (op, text): fuzzer faults, hangs

    def count(self, case: Case, outcome: Outcome):
        self.tried += 1
        self.by_kind[outcome.kind] += 1
        self.by_family[case.op.family] += 1
        if not outcome.ok:
            self.by_label[case.label] += 1

    @property
    def mismatches(self):
        return self.tried - self.by_kind["match"]


def _alarm(signum, frame):
    raise CaseTimeout(f"case ran longer than {CASE_TIMEOUT_S} s")


def _timed_check(case):
    use_alarm = hasattr(signal, "SIGALRM")
    if use_alarm:
        try:
            old = signal.signal(signal.SIGALRM, _alarm)
        except ValueError:   # not the main thread
            use_alarm = False
    if use_alarm:   # re-fires every second: an alarm landing in a gc callback is swallowed
        signal.setitimer(signal.ITIMER_REAL, CASE_TIMEOUT_S, 1.0)
    try:
        return check(case.op, case.code)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


_WARM = []

# run before the first timed case: torch imports modules lazily on its first backward and
# double backward (seconds on a loaded machine); an alarm must never interrupt an import
WARMUP = """\
a = lib.tensor(np.array([1.0, 2.0]), requires_grad=True)
out = (a.exp() * a).sum()
leaves = [a]
"""


def warm_up():
    if not _WARM:
        from .compare import ACCUM1
        check(FuzzOp("warmup", "warmup", None, tol=ACCUM1), WARMUP)
        _WARM.append(True)


def search(op: FuzzOp, stats: Stats, *, max_examples: int, seed: int | None = None,
           derandomize: bool = False, shrink: bool = True, skip=frozenset()) -> None:
    """Run ``max_examples`` cases of ``op``; record new mismatches, shrunk, in ``stats``.

    ``skip``: (label, kind) pairs not to raise for (counted, not reported again)."""
    warm_up()
    state = {"shrinking": False}

    def body(case):
        try:
            outcome = _timed_check(case)
        except CaseTimeout as exc:   # recorded, not shrunk: each try would cost the timeout
            stats.errors.append((op.name, f"{exc}:\n{case.code}"))
            return
        if state["shrinking"]:
            stats.shrink_runs += 1
        else:
            stats.count(case, outcome)
        key = (case.label, outcome.kind)
        if not outcome.ok and key not in stats.findings and key not in skip:
            state["shrinking"] = True
            raise _mismatch_class(*key)(case, outcome)

    test = given(case_strategy(op))(body)
    test = settings(max_examples=max_examples, derandomize=derandomize, database=None,
                    deadline=None, suppress_health_check=list(HealthCheck),
                    phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
                    report_multiple_bugs=True, verbosity=Verbosity.quiet,
                    print_blob=False)(test)
    if seed is not None and not derandomize:
        test = hseed(seed)(test)
    try:
        test()
    except BaseException as exc:  # noqa: BLE001 - sorted out below
        if isinstance(exc, KeyboardInterrupt):
            raise
        _collect(op, exc, stats)


def _leaves(exc):
    if isinstance(exc, BaseExceptionGroup):
        for e in exc.exceptions:
            yield from _leaves(e)
    else:
        yield exc


def _collect(op, exc, stats):
    flaky = type(exc).__name__ in ("Flaky", "FlakyFailure", "FlakyStrategyDefinition")
    for e in _leaves(exc):
        if isinstance(e, Mismatch):
            key = (e.case.label, e.outcome.kind)
            if key not in stats.findings:
                stats.findings[key] = Finding(e.case.label, e.outcome.kind, op.name,
                                              e.case.code, e.outcome, flaky)
        elif isinstance(e, KeyboardInterrupt):
            raise e
        else:
            tb = "".join(traceback.format_exception(type(e), e, e.__traceback__)[-6:])
            stats.errors.append((op.name, tb))


def run_for(ops_by_family: dict, seconds: float, *, seed: int = 0, chunk: int = 25,
            progress=None, stats: Stats | None = None) -> Stats:
    """Fuzz for ``seconds``: families in turn, each family's ops round-robin (shuffled per
    round), ``chunk`` random cases per turn.  ``progress(stats, elapsed)`` after each turn."""
    stats = stats or Stats()
    rnd = random.Random(seed)
    queues = {f: [] for f in ops_by_family}
    t0 = time.monotonic()
    families = sorted(ops_by_family)
    turn = 0
    while time.monotonic() - t0 < seconds:
        fam = families[turn % len(families)]
        turn += 1
        if not queues[fam]:
            queues[fam] = list(ops_by_family[fam])
            rnd.shuffle(queues[fam])
        op = queues[fam].pop()
        search(op, stats, max_examples=chunk, seed=rnd.getrandbits(32))
        if progress is not None:
            progress(stats, time.monotonic() - t0)
    return stats
