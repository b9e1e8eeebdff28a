"""A fair reader-writer lock across the xdist workers of one test run, so that tests which use
every core themselves (``mpiexec -n 2``, ``torchrun``) do not compete with the other workers.

Ordinary tests hold the lock *shared* (they run side by side, as xdist runs them); a test marked
``exclusive`` holds it *exclusively*: it waits until the other workers finish the test they are
in, and they wait, between tests, until it is done. A turnstile file makes the lock fair: once an
exclusive test is waiting, no worker starts a new shared test, so the exclusive test cannot
starve. POSIX ``flock``; where that is missing (Windows) the lock does nothing."""
import contextlib
import os

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None


class CoreLock:
    def __init__(self, path):
        self.path = path
        self._main = self._turn = None

    def _files(self):
        if self._main is None:
            self._main = open(self.path, "a")
            self._turn = open(self.path + ".turn", "a")
        return self._main, self._turn

    @contextlib.contextmanager
    def shared(self):
        if fcntl is None:
            yield
            return
        main, turn = self._files()
        fcntl.flock(turn, fcntl.LOCK_EX)      # pass the turnstile: wait while a writer waits
        fcntl.flock(turn, fcntl.LOCK_UN)
        fcntl.flock(main, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(main, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def exclusive(self):
        if fcntl is None:
            yield
            return
        main, turn = self._files()
        fcntl.flock(turn, fcntl.LOCK_EX)      # hold the turnstile: no new shared holders
        try:
            fcntl.flock(main, fcntl.LOCK_EX)  # wait for the current shared holders to leave
            try:
                yield
            finally:
                fcntl.flock(main, fcntl.LOCK_UN)
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)

    def close(self, remove=False):
        for f in (self._main, self._turn):
            if f is not None:
                f.close()
        self._main = self._turn = None
        if remove:  # the workers already holding the files keep their inodes; fine to unlink
            for name in (self.path, self.path + ".turn"):
                with contextlib.suppress(OSError):
                    os.unlink(name)


def for_this_run():
    """The lock shared by the workers of this xdist run, or None outside xdist (one process:
    nothing to compete with)."""
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not uid or fcntl is None:
        return None
    import tempfile
    return CoreLock(os.path.join(tempfile.gettempdir(), f"ember-pytest-cores-{uid}.lock"))
