"""Smoke test of the benchmark harness (bench/): no timing assertions.

It runs the harness's ember contender on the smallest workload (the small-op
chain) for one round, in its worker subprocess exactly as `python bench/run.py`
does, and checks that ember's loss and gradients equal the hand-written NumPy
floor's — which is also a correctness check of the floor's hand-derived
backward.
"""
import gc
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")


@pytest.fixture(scope="module")
def bench_modules():
    sys.path.insert(0, BENCH)
    try:
        import run
        import workloads
        yield run, workloads
    finally:
        sys.path.remove(BENCH)
        for name in ("run", "workloads"):  # generic names: don't leave them behind
            sys.modules.pop(name, None)


# bench/run.py leaves its worker's pipes to the garbage collector (outside the tests' files)
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_harness_chain_one_round(bench_modules, tmp_path):
    run, _ = bench_modules
    report = run.main(["--only", "chain", "--rounds", "1", "--threads", "1",
                       "--contenders", "ember,floor", "--target", "0.005",
                       "--out", str(tmp_path)])
    gc.collect()  # the leaked pipes are finalised here, under this test's filters
    res = report["runs"]["1"]["items"]["chain"]
    ember_cell, floor_cell = res["contenders"]["ember"], res["contenders"]["floor"]
    assert "error" not in ember_cell, ember_cell.get("error")
    assert "error" not in floor_cell, floor_cell.get("error")
    assert len(ember_cell["samples"]) == 1 and len(floor_cell["samples"]) == 1
    # loss, sum of a.grad, sum of b.grad: same weights, same float32 math
    np.testing.assert_allclose(ember_cell["check"], floor_cell["check"], rtol=1e-4, atol=1e-4)
    assert res["agreement"] == {"ember": "ok"}
    assert (tmp_path / "latest.json").exists() and (tmp_path / "latest.md").exists()


@pytest.mark.parametrize("name,params", [("chain", {"n": 5, "ops": 30}),
                                         ("matmul", {"n": 8})])
def test_ember_matches_floor_in_process(bench_modules, name, params):
    import ember
    _, W = bench_modules
    w = W.WORKLOADS[name]
    _, ember_check = w.build("ember", ember, **params)
    _, floor_check = w.build("floor", **params)
    np.testing.assert_allclose(ember_check(), floor_check(), rtol=1e-4, atol=1e-4)
