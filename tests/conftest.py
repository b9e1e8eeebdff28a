"""Shared test settings: small hypothesis budgets so the suite stays fast on 2 cores."""
import os

import numpy as np
import pytest

try:
    from hypothesis import settings

    # derandomize: CI sees the same examples every run (no flaky red from a new draw);
    # HYPOTHESIS_PROFILE=explore widens the search when hunting bugs
    settings.register_profile("ember", max_examples=25, deadline=None, derandomize=True)
    settings.register_profile("explore", max_examples=300, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ember"))
except ImportError:  # pragma: no cover
    pass


_CORES = None


def pytest_configure(config):
    global _CORES
    config.addinivalue_line(
        "markers", "exclusive: the test uses every core itself (mpiexec, torchrun); the other "
        "xdist workers wait between tests while it runs (tests/_corelock.py)")
    from _corelock import for_this_run
    _CORES = for_this_run()


def pytest_unconfigure(config):
    if _CORES is not None:
        _CORES.close(remove=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if _CORES is None:
        yield
        return
    hold = _CORES.exclusive if item.get_closest_marker("exclusive") else _CORES.shared
    with hold():
        yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _seeded_random_streams():
    """Every test starts from the same random streams (ember's, NumPy's legacy global one and
    torch's), whatever ran before it in its xdist worker: draws such as dropout masks must not
    depend on test order."""
    import ember
    ember.manual_seed(0)
    np.random.seed(0)
    torch = __import__("sys").modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)
    yield
