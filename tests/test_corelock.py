"""The lock that keeps the all-core tests (tests/dist: mpiexec -n 2, torchrun) from competing
with the other xdist workers: checked by event order across real processes, not by timing."""
import multiprocessing as mp
import os
import time

import pytest

from _corelock import CoreLock, fcntl, for_this_run

pytestmark = pytest.mark.skipif(fcntl is None, reason="POSIX flock only")


class _Log:
    """Events stamped with a shared counter at the moment they happen: a Queue's put is sent by
    a feeder thread later, so the order of arrival is not the order of events (that raced)."""

    def __init__(self, ctx):
        self.q, self.n = ctx.Queue(), ctx.Value("i", 0)

    def put(self, msg):
        with self.n.get_lock():
            self.n.value += 1
            self.q.put((self.n.value, msg))

    def count(self):
        with self.n.get_lock():
            return self.n.value


def _hold(path, mode, log, started, release):
    lock = CoreLock(path)
    started.set()
    with getattr(lock, mode)():
        log.put(f"{mode} in")
        release.wait(30)
        log.put(f"{mode} out")
    lock.close()


def _wait_until_turnstile_held(path):
    with open(path + ".turn", "a") as f:
        for _ in range(600):
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            fcntl.flock(f, fcntl.LOCK_UN)
            time.sleep(0.05)
    raise AssertionError("the exclusive holder never took the turnstile")


def _drain(log, n):
    return [msg for _, msg in sorted(log.q.get(timeout=30) for _ in range(n))]


def _proc(ctx, *args):
    p = ctx.Process(target=_hold, args=args, daemon=True)
    p.start()
    return p


def test_exclusive_waits_for_shared_and_blocks_new_shared(tmp_path):
    ctx = mp.get_context("fork")
    path, log = str(tmp_path / "cores.lock"), _Log(ctx)
    ev = {k: (ctx.Event(), ctx.Event()) for k in ("r1", "w", "r2")}

    procs = [_proc(ctx, path, "shared", log, *ev["r1"])]          # a worker inside a test
    assert _drain(log, 1) == ["shared in"]
    procs.append(_proc(ctx, path, "exclusive", log, *ev["w"]))    # an mpiexec test arrives
    _wait_until_turnstile_held(path)  # (by event, not a sleep: a loaded machine is slow)
    procs.append(_proc(ctx, path, "shared", log, *ev["r2"]))      # the worker's next test
    ev["r2"][0].wait(30)
    time.sleep(0.3)
    assert log.count() == 1           # neither the writer nor the new reader got in
    ev["r1"][1].set()                 # the first test ends: the writer goes first (fairness)
    assert _drain(log, 2) == ["shared out", "exclusive in"]
    time.sleep(0.3)
    assert log.count() == 3           # the next shared test still waits
    ev["w"][1].set()
    ev["r2"][1].set()
    assert _drain(log, 3) == ["exclusive out", "shared in", "shared out"]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0


def test_shared_holders_run_side_by_side(tmp_path):
    ctx = mp.get_context("fork")
    path, log = str(tmp_path / "cores.lock"), _Log(ctx)
    evs = [(ctx.Event(), ctx.Event()) for _ in range(2)]
    procs = [_proc(ctx, path, "shared", log, *e) for e in evs]
    assert _drain(log, 2) == ["shared in", "shared in"]   # both inside at once
    for e in evs:
        e[1].set()
    assert _drain(log, 2) == ["shared out", "shared out"]
    for p in procs:
        p.join(30)


def test_lock_is_per_xdist_run(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_TESTRUNUID", raising=False)
    assert for_this_run() is None
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "abc123")
    first = for_this_run().path
    assert os.path.basename(first) == "ember-pytest-cores-abc123.lock"
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "other")
    assert for_this_run().path != first
