"""ember.utils.benchmark against torch.utils.benchmark: with the same deterministic clock
both Timers must take the same measurements (block sizes, raw times, median, IQR,
significant figures, repr) and Compare must print the same tables."""
import numpy as np
import pytest

import ember
from ember.utils import benchmark as eb

try:
    import torch
    from torch.utils import benchmark as tb
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


class Clock:
    """A fake clock: each ``tick()`` (the timed statement) advances it by the next cost."""

    def __init__(self, costs):
        self.t, self.k, self.costs = 0.0, 0, costs

    def tick(self):
        self.t += self.costs[self.k % len(self.costs)]
        self.k += 1

    def __call__(self):
        return self.t


def _costs(seed, base=2e-6, spread=0.3, n=1013):
    rng = np.random.default_rng(seed)
    c = base * (1 + spread * rng.random(n))
    c[rng.random(n) < 0.02] *= 20  # rare slow runs
    return c.tolist()


def _measure(bench, how, costs, **kw):
    clock = Clock(costs)
    t = bench.Timer("clock.tick()", setup="x = 1", globals={"clock": clock}, timer=clock,
                    label="tick", sub_label="fake", description="clock")
    if how == "timeit":
        return t.timeit(5000)
    return getattr(t, how)(**kw)


def _same(me, mt):
    assert me.number_per_run == mt.number_per_run
    assert me.raw_times == mt.raw_times
    assert me.times == mt.times
    assert (me.median, me.iqr) == (mt.median, mt.iqr)
    assert me.mean == pytest.approx(mt.mean, rel=1e-13)  # summation order: last bits
    assert me.significant_figures == mt.significant_figures
    assert me.has_warnings == mt.has_warnings
    assert me.meets_confidence(0.05) == mt.meets_confidence(0.05)
    assert me.title == mt.title and me.as_row_name == mt.as_row_name
    # repr: the same text after the first line (the object's address and module)
    assert repr(me).split("\n", 1)[1] == repr(mt).split("\n", 1)[1]


@needs_torch
@pytest.mark.parametrize("how,kw,seed", [
    ("timeit", {}, 0),
    ("blocked_autorange", {"min_run_time": 0.05}, 1),
    ("blocked_autorange", {"min_run_time": 0.02}, 2),
    ("adaptive_autorange", {"threshold": 0.1, "max_run_time": 0.1}, 3),
    ("adaptive_autorange", {"threshold": 0.02, "min_run_time": 0.03, "max_run_time": 0.06}, 4),
])
def test_timer_measurements_match_torch(how, kw, seed):
    costs = _costs(seed)
    _same(_measure(eb, how, costs, **kw), _measure(tb, how, costs, **kw))


@needs_torch
def test_callback_and_errors_match_torch():
    for bench in (eb, tb):
        calls = []
        _measure(bench, "blocked_autorange", [1e-5], min_run_time=0.001,
                 callback=lambda n, t: calls.append(n))
        assert calls and len(set(calls)) == 1
        with pytest.raises(ValueError, match="Currently only a `str` stmt is supported."):
            bench.Timer(stmt=lambda: None)
        with pytest.raises(ValueError, match="global_setup is C\\+\\+ only"):
            bench.Timer("pass", global_setup="int x;")
        with pytest.raises(ValueError, match="Invalid language `rust`."):
            bench.Timer("pass", language="rust")
        with pytest.raises(NotImplementedError, match="See `Timer.blocked_autorange.`"):
            bench.Timer("pass").repeat()


def _measurements(bench, rng_seed):
    rng = np.random.default_rng(rng_seed)
    out = []
    for threads in (1, 4):
        for sub in ("small", "large"):
            for desc, scale in (("ember", 1.0), ("torch", 1.7)):
                spec = bench.TaskSpec(stmt="f(x)", setup="pass", label="matmul",
                                      sub_label=sub, description=desc, num_threads=threads)
                base = (3e-6 if sub == "small" else 4e-4) * scale / threads
                times = (base * (1 + 0.3 * rng.random(7))).tolist()
                out.append(bench.Measurement(number_per_run=10, raw_times=[t * 10 for t in times],
                                             task_spec=spec))
    spec = bench.TaskSpec(stmt="g(y)\nh(y)", setup="a = 1\nb = 2", label="other",
                          description="two lines")
    out.append(bench.Measurement(number_per_run=1, raw_times=[1.5, 1.6], task_spec=spec))
    return out


@needs_torch
@pytest.mark.parametrize("options", [(), ("trim",), ("trim", "warn", "color"), ("rowwise",)])
def test_compare_prints_torchs_tables(options):
    texts = []
    for bench in (eb, tb):
        c = bench.Compare(_measurements(bench, 5))
        if "trim" in options:
            c.trim_significant_figures()
        if "warn" in options:
            c.highlight_warnings()
        if "color" in options:
            c.colorize()
        if "rowwise" in options:
            c.colorize(rowwise=True)
        texts.append(str(c))
    assert texts[0] == texts[1]
    assert "matmul" in texts[0] and "4 threads: " in texts[0]
    for bench in (eb, tb):
        with pytest.raises(ValueError, match="Expected an instance of `Measurement`"):
            bench.Compare([1])


@needs_torch
def test_merge_and_units_match_torch():
    ms = [_measurements(b, 6) for b in (eb, tb)]
    me, mt = (b.Measurement.merge(m + m) for b, m in zip((eb, tb), ms))
    assert [m.times for m in me] == [m.times for m in mt]
    for t in (3e-10, 2.5e-8, 7e-6, 4e-3, 12.0, 1e-3, 1e-6):
        assert eb.select_unit(t) == tb.select_unit(t)
    for x, n in ((123.456, 2), (0.0012345, 3), (98765.0, 1)):
        assert eb.trim_sigfig(x, n) == tb.trim_sigfig(x, n)


def test_real_timer_runs_ember_code():
    t = eb.Timer("torch.mm(a, b)", setup="a = torch.randn(32, 32); b = torch.randn(32, 32)",
                 description="mm", num_threads=1)
    m = t.blocked_autorange(min_run_time=0.02)
    assert m.number_per_run >= 1 and len(m.times) >= 1 and m.median > 0
    assert "torch.mm(a, b)" in repr(m) and "setup: a = torch.randn(32, 32)" in repr(m)
    assert t._globals["torch"] is ember
    m2 = t.adaptive_autorange(max_run_time=0.2)
    assert m2.median > 0
