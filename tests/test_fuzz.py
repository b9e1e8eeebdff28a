"""The differential fuzzer in CI (tests/fuzz/): a small derandomized budget per fuzz op, every
case must match torch or be covered by a known, not yet fixed mismatch (tests/fuzz/known.py);
each known mismatch's reproducer runs as a strict xfail, so a fix turns it red until the
entry is removed.  Self-tests inject wrong ops into ember and check that the fuzzer reports
each outcome kind.  The long run: ``python -m tests.fuzz --minutes N`` (README, Development).
"""
from __future__ import annotations

import contextlib
import io
import os

import numpy as np
import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

import ember  # noqa: E402
import fuzz  # noqa: E402  (tests/fuzz/)
from fuzz import compare, engine, known, report  # noqa: E402
from fuzz.compare import ACCUM2, ELEM, Tol  # noqa: E402
from fuzz.spec import FuzzOp  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

COLLECT = os.environ.get("FUZZ_COLLECT")

# examples per family in CI (~200 each), spread over the family's ops
FAMILY_BUDGET = 200
MIN_PER_OP = {"table": 1}


@pytest.fixture(autouse=True)
def _no_local_constants(monkeypatch):
    """Reproducible CI examples: hypothesis seeds some draws with literals harvested from every
    loaded project module (providers._get_local_constants), so even derandomized examples
    would depend on which test modules an xdist worker imported first.  Pin that pool empty
    here (the long run keeps it: ember's own constants make good fuzz values)."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - another hypothesis version: nothing to pin
        yield
        return
    if not hasattr(providers, "_get_local_constants"):  # pragma: no cover
        yield
        return
    empty = Constants()
    monkeypatch.setattr(providers, "_get_local_constants", lambda: empty)
    providers.CONSTANTS_CACHE.cache.clear()
    yield
    providers.CONSTANTS_CACHE.cache.clear()


def _budget(op):
    n_ops = sum(1 for o in fuzz.OPS.values() if o.family == op.family)
    return max(MIN_PER_OP.get(op.family, 3), FAMILY_BUDGET // n_ops)


def _explain(case, outcome):
    return (f"{case.label}: {outcome}\n\nreproducer:\n"
            f"{fuzz.reproducer(case.label, case.code, outcome)}\n"
            f"if it is a known defect not fixed yet, list it in tests/fuzz/known.py:\n"
            f"{known.stub(case.label, outcome, case.code)}\n")


# ------------------------------------------------------------------------------ the families


@needs_torch
@pytest.mark.parametrize("op", list(fuzz.OPS.values()), ids=lambda o: o.name)
def test_fuzz_op_matches_torch(op):
    @settings(max_examples=_budget(op), derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=(Phase.generate, Phase.shrink))
    @given(fuzz.case_strategy(op))
    def run(case):
        outcome = fuzz.check(op, case.code)
        if outcome.ok or known.find(case.label, outcome) is not None:
            return
        if COLLECT:  # list every uncovered mismatch of this budget (see fuzz/known.py)
            with open(COLLECT, "a") as fh:
                fh.write(known.stub(case.label, outcome, case.code) + "\n")
            return
        raise AssertionError(_explain(case, outcome))

    run()


# ------------------------------------------------------------------------------ known mismatches


def _known_params():
    return [pytest.param(k, id=f"{k.repro_label}-{k.kind}",
                         marks=pytest.mark.xfail(strict=True, raises=AssertionError,
                                                 reason=k.detail))
            for k in known.KNOWN]


@needs_torch
@pytest.mark.parametrize("entry", _known_params())
def test_known_mismatch_is_still_there(entry):
    """Strict xfail: once the defect is fixed the reproducer matches, this passes and the
    suite turns red -- then delete the entry from tests/fuzz/known.py.  A reproducer that
    shows some other mismatch than its entry describes fails outright (not an xfail)."""
    outcome = fuzz.check(fuzz.OPS[entry.op], entry.repro)
    if not outcome.ok and not entry.covers(entry.repro_label, outcome):
        pytest.fail(f"the reproducer no longer shows the known mismatch, but: {outcome}")
    assert outcome.ok, str(outcome)


def test_known_entries_are_well_formed():
    for k in known.KNOWN:
        assert k.op in fuzz.OPS, k
        assert k.kind in compare.MISMATCH_KINDS, k
        assert k.repro_label in k.labels, k
        assert all(label.split(":")[0] in fuzz.OPS or label in fuzz.OPS for label in k.labels), k
        compile(k.repro, k.repro_label, "exec")


# ------------------------------------------------------------------------------ self-tests

def _float_input(cb):
    return cb.tensor(cb.shape(min_dims=1, min_side=1), cb.choice(["float32"]),
                     profile="small")


EXP = FuzzOp("selftest:exp", "selftest", lambda cb: f"lib.exp({_float_input(cb)})", tol=ELEM)


def _mm_build(cb):
    m, k, n = cb.int(1, 3), cb.int(1, 3), cb.int(1, 3)
    a = cb.tensor((m, k), "float32", profile="small")
    b = cb.tensor((k + cb.choice([1, 0]), n), "float32", profile="small")  # mostly misfit
    return f"lib.mm({a}, {b})"


MM = FuzzOp("selftest:mm", "selftest", _mm_build, tol=ACCUM2)


def _wrong_backward(factor, detach):
    """exp whose backward is ``factor`` times the true one, on a detached result when
    ``detach`` (right first order, no graph for the second)."""
    exp = ember.exp

    class Exp(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = exp(x)
            ctx.save_for_backward(x)
            return y

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            y = exp(x.detach() if detach else x)
            return g * y * factor

    return lambda x, *a, **k: Exp.apply(x)


def _swallow(replacement):
    """mm that behaves correctly on valid shapes and calls ``replacement`` where ember would
    raise."""
    mm = ember.mm

    def patched(a, b, *args, **kw):
        try:
            return mm(a, b, *args, **kw)
        except RuntimeError:
            return replacement(a, b)
    return patched


def _raise_type_error(a, b):
    raise TypeError("mm: shapes do not fit")


def _numpy_matmul(a, b):
    return np.matmul(a.detach().numpy(), b.detach().numpy())


def _exp_patch(fn):
    exp = ember.exp
    return lambda x, *a, **k: fn(exp(x))


# kind -> (fuzz op, ember attribute to patch, replacement)
INJECTED = {
    "value": (EXP, "exp", lambda: _exp_patch(lambda y: y * 1.5 + 1)),
    "dtype": (EXP, "exp", lambda: _exp_patch(lambda y: y.double())),
    "shape": (EXP, "exp", lambda: _exp_patch(lambda y: y.unsqueeze(0))),
    "requires_grad": (EXP, "exp", lambda: _exp_patch(lambda y: y.detach())),
    "grad": (EXP, "exp", lambda: _wrong_backward(2.0, detach=False)),
    "grad2": (EXP, "exp", lambda: _wrong_backward(1.0, detach=True)),
    "spurious_error": (EXP, "exp", lambda: _exp_patch(lambda y: (_ for _ in ()).throw(
        RuntimeError("injected")))),
    "missing_error": (MM, "mm", lambda: _swallow(lambda a, b: ember.zeros(a.shape[0],
                                                                          b.shape[1]))),
    "error_class": (MM, "mm", lambda: _swallow(_raise_type_error)),
    "numpy_leak": (MM, "mm", lambda: _swallow(_numpy_matmul)),
}


@needs_torch
@pytest.mark.parametrize("kind", sorted(INJECTED))
def test_fuzzer_reports_an_injected_defect(kind, monkeypatch):
    """Patch a wrong op into ember: the search must report exactly this kind, shrunk to a
    reproducer that still shows it, and the report must carry the reproducer."""
    op, attr, make = INJECTED[kind]
    monkeypatch.setattr(ember, attr, make())
    stats = engine.Stats()
    for seed in range(4):   # a few seeded rounds: each stops at its first new finding
        engine.search(op, stats, max_examples=40, seed=seed)
        if any(k == kind for (_, k) in stats.findings):
            break
    kinds = {k for (_, k) in stats.findings}
    assert kind in kinds, (kinds, stats.errors)
    finding = stats.findings[(op.name, kind)]
    assert fuzz.check(op, finding.code).kind == kind     # the shrunk case still shows it
    assert finding.code.count("\n") <= 8, finding.code   # and it is small
    text = report.render(stats, minutes=0, families=["selftest"], seed=0)
    assert f"`{op.name}` -- {compare.KINDS[kind]}" in text
    # the reproducer runs standalone and prints both libraries' results
    script = fuzz.reproducer(op.name, finding.code, finding.outcome)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(script, "<reproducer>", "exec"), {"__name__": "__repro__"})
    assert out.getvalue().startswith("torch") and "\nember" in out.getvalue()


@needs_torch
def test_fuzzer_reports_nothing_for_correct_ops():
    stats = engine.Stats()
    for op in (EXP, MM):
        engine.search(op, stats, max_examples=40, derandomize=True)
    assert not stats.findings and not stats.errors, (stats.findings, stats.errors)
    assert stats.tried >= 60


@needs_torch
def test_cli_writes_a_report(tmp_path, monkeypatch):
    from fuzz.__main__ import main
    monkeypatch.setattr(ember, "exp", _exp_patch(lambda y: y + 1))
    path = tmp_path / "report.md"
    main(["--minutes", "0.02", "--family", "unary", "--op", "^exp$", "--seed", "3",
          "--report", str(path), "--quiet"])
    text = path.read_text()
    assert "cases tried:" in text and "`exp` -- wrong value" in text
    assert "def case(lib):" in text and "out = " in text


# ------------------------------------------------------------------------------ compare rules


def test_float_tolerances_by_dtype():
    t = np.array([1.0, 100.0], dtype=np.float16)
    assert compare.compare_arrays(t * np.float16(1.004), t, ELEM, 1, 1.0) is None  # ~4 ulps
    assert compare.compare_arrays(t * np.float16(1.1), t, ELEM, 1, 1.0) is not None
    t32 = np.array([1.0, 100.0], dtype=np.float32)
    assert compare.compare_arrays(t32 * np.float32(1 + 1e-6), t32, ELEM, 1, 1.0) is None
    assert compare.compare_arrays(t32 * np.float32(1 + 1e-4), t32, ELEM, 1, 1.0) is not None
    t64 = np.array([1.0, 100.0])
    assert compare.compare_arrays(t64 * (1 + 1e-7), t64, ELEM, 1, 1.0) is not None  # f32 math
    # sums: the error bound grows with the number and the magnitude of the terms
    big = np.array([1000.0], dtype=np.float32)
    assert compare.compare_arrays(big + 0.02, big, Tol(deg=1), 48, 8.0) is None
    assert compare.compare_arrays(big + 0.02, big, ELEM, 48, 8.0) is not None


def test_nan_and_inf_positions_must_match():
    a = np.array([np.nan, 1.0, np.inf], dtype=np.float32)
    assert compare.compare_arrays(a, a.copy(), ELEM, 1, 1.0) is None
    assert "nan" in compare.compare_arrays(np.array([0.0, 1.0, np.inf], np.float32), a, ELEM,
                                           1, 1.0)
    assert "inf" in compare.compare_arrays(np.array([np.nan, 1.0, -np.inf], np.float32), a,
                                           ELEM, 1, 1.0)
    # at the edge of the range an overflow to inf is a rounding matter, not a mismatch
    edge = np.array([np.finfo(np.float32).max], np.float32)
    assert compare.compare_arrays(edge, np.array([np.inf], np.float32), ELEM, 1, 1.0) is None
    assert compare.compare_arrays(np.array([1e30], np.float32), np.array([np.inf], np.float32),
                                  ELEM, 1, 1.0) is not None


def test_error_classification():
    def raised(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            return e
    np_err = raised(lambda: np.ones(3).reshape(2))
    rt = RuntimeError("shape '[2]' is invalid for input of size 3")
    assert compare.classify_errors(np_err, rt).kind == "numpy_leak"
    assert compare.classify_errors(TypeError("x"), rt).kind == "error_class"
    assert compare.classify_errors(None, rt).kind == "missing_error"
    assert compare.classify_errors(rt, None).kind == "spurious_error"
    assert compare.classify_errors(RuntimeError("y"), rt).ok
    assert compare.classify_errors(None, None) is None
