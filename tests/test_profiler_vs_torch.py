"""ember.profiler against torch.profiler: the schedule's actions, the profile state machine
(when spans record and on_trace_ready fires), the table, the Chrome trace, the legacy
torch.autograd.profiler API, and that op dispatch is left exactly as it was when no profile
records (ember names ops by its op classes, not torch's aten:: names)."""
import json
import os
import subprocess
import sys
import warnings
from collections import Counter

import numpy as np
import pytest

import ember
import ember.profiler as EP
from ember.profiler import _core

try:
    import torch
    import torch.profiler as TP
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEDULES = [dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=1, active=1, repeat=2),
             dict(wait=2, warmup=1, active=3, repeat=1, skip_first=3),
             dict(wait=1, warmup=2, active=1, skip_first=2, skip_first_wait=1),
             dict(wait=5, warmup=1, active=3, repeat=2, skip_first=10)]


@needs_torch
@pytest.mark.parametrize("kw", SCHEDULES)
def test_schedule_actions_match_torch(kw):
    e, t = EP.schedule(**kw), TP.schedule(**kw)
    assert [e(i).name for i in range(40)] == [t(i).name for i in range(40)]


@needs_torch
def test_schedule_errors_and_warnings_match_torch():
    for lib in (EP, TP):
        with pytest.raises(AssertionError, match="Invalid profiler schedule arguments"):
            lib.schedule(wait=0, warmup=1, active=0)
        with pytest.warns(UserWarning, match="Profiler won't be using warmup"):
            lib.schedule(wait=1, warmup=0, active=1)
    assert [a.name for a in EP.ProfilerAction] == [a.name for a in TP.ProfilerAction]
    assert EP.ProfilerActivity.CPU.name == "CPU" and hasattr(EP.ProfilerActivity, "CUDA")


def _state_machine(lib, P, kw, acc=False):
    x = lib.ones(8, 8)
    calls = []

    def ready(p):
        names = Counter(e.name for e in p.events() if e.name in ("ProfilerStep*", "work"))
        calls.append((p.step_num, sorted(names.items())))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with P.profile(activities=[P.ProfilerActivity.CPU], schedule=P.schedule(**kw),
                       on_trace_ready=ready, acc_events=acc) as prof:
            for _ in range(14):
                with P.record_function("work"):
                    (x * 2).sum()
                prof.step()
    return calls


@needs_torch
@pytest.mark.parametrize("kw", SCHEDULES[:4])
@pytest.mark.parametrize("acc", [False, True])
def test_profile_state_machine_matches_torch(kw, acc):
    assert _state_machine(ember, EP, kw, acc) == _state_machine(torch, TP, kw, acc)


def test_table_and_events_record_ops_and_ranges(tmp_path):
    x = ember.tensor(np.random.rand(4, 4).astype(np.float32), requires_grad=True)
    with EP.profile(activities=[EP.ProfilerActivity.CPU], record_shapes=True) as prof:
        with EP.record_function("model_inference"):
            for _ in range(3):
                y = (x @ x).relu().sum()
        y.backward()
    names = Counter(e.name for e in prof.events())
    assert names["model_inference"] == 1 and names["Relu"] == 3 and names["ReluBackward0"] == 1
    avg = {e.key: e for e in prof.key_averages()}
    assert avg["Relu"].count == 3 and avg["model_inference"].cpu_time_total > 0
    inf = next(e for e in prof.events() if e.name == "model_inference")
    assert {c.name for c in inf.cpu_children} >= {"Relu", "SumAll"}
    assert inf.cpu_time_total >= sum(c.cpu_time_total for c in inf.cpu_children)
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=3)
    lines = table.splitlines()
    assert lines[1].split()[:4] == ["Name", "Self", "CPU", "%"]
    assert lines[3].split()[0] == "model_inference" and lines[3].split()[-1] == "1"
    assert len(lines) == 3 + 3 + 2 and lines[-1].startswith("Self CPU time total: ")
    shaped = prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total")
    assert "Input Shapes" in shaped and "[[4, 4]]" in shaped
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    spans = [e for e in trace["traceEvents"] if e.get("ph") == "X"]
    assert {"model_inference", "Relu"} <= {e["name"] for e in spans}
    assert all(e["dur"] >= 0 and "ts" in e for e in spans)


def test_record_function_decorator_and_no_profile():
    @EP.record_function("decorated")
    def f(a):
        return a + 1
    assert f(ember.ones(1)).item() == 2.0  # no profile: runs as is
    with EP.profile() as prof:
        f(ember.ones(1))
        f(ember.ones(1))
    assert Counter(e.name for e in prof.events())["decorated"] == 2


def test_dispatch_untouched_when_not_recording():
    classes = _core._op_classes()
    before = {c: dict(vars(c)) for c in classes}
    nodes = {c: dict(vars(c._node_cls)) for c in classes if "_node_cls" in vars(c)}
    with EP.profile():
        ember.ones(2).relu()
        with ember.autograd.profiler.profile():  # nested recordings unhook once, at the end
            ember.ones(2).exp()
        assert _core.is_recording()
    assert not _core.is_recording()
    assert all(dict(vars(c)) == before[c] for c in classes)
    assert all(dict(vars(c._node_cls)) == nodes[c] for c in nodes)


def test_tensorboard_trace_handler_writes_chrome_json(tmp_path):
    with EP.profile(schedule=EP.schedule(wait=0, warmup=1, active=1, repeat=1),
                    on_trace_ready=EP.tensorboard_trace_handler(str(tmp_path), "worker0")) as p:
        for _ in range(3):
            ember.ones(3).sum()
            p.step()
    files = os.listdir(tmp_path)
    assert len(files) == 1 and files[0].startswith("worker0.") and \
        files[0].endswith(".pt.trace.json")
    events = json.loads((tmp_path / files[0]).read_text())["traceEvents"]
    assert any(e["name"] == "ProfilerStep#1" for e in events)
    assert any(e["name"] == "SumAll" for e in events)


@needs_torch
def test_legacy_autograd_profiler_api_as_torch():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        with lib.autograd.profiler.profile(record_shapes=True) as prof:
            with lib.autograd.profiler.record_function("label"):
                (x * 2).sum().backward()
        evs = prof.function_events
        return (type(evs).__name__, "label" in {e.name for e in evs},
                isinstance(prof.self_cpu_time_total, float),
                "Self CPU time total" in prof.key_averages().table())
    assert run(ember) == run(torch)


@needs_torch
def test_profiler_recipe_runs_as_in_torch(tmp_path):
    """The PyTorch profiler recipe (a small CNN for torchvision's resnet18) under torch and
    under ``ember run``: same record_function rows and counts, same trace-handler steps."""
    script = tmp_path / "recipe.py"
    script.write_text(RECIPE.replace("OUT", str(tmp_path)))
    env = dict(os.environ, PYTHONPATH=ROOT)
    outs = {}
    for lib, cmd in (("torch", [sys.executable, str(script)]),
                     ("ember", [sys.executable, "-m", "ember", "run", str(script)])):
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
        assert r.returncode == 0, r.stderr
        outs[lib] = r.stdout
    for out in outs.values():
        assert "model_inference" in out and "Self CPU time total" in out
    last = [o.strip().splitlines()[-1] for o in outs.values()]
    assert last[0] == last[1] == "trace_handler called at steps [19, 28]"
    for step in (19, 28):
        trace = json.loads((tmp_path / f"test_trace_{step}.json").read_text())
        assert sum(e["name"].startswith("ProfilerStep#") for e in trace["traceEvents"]) >= 1


RECIPE = '''
import torch
import torch.nn as nn
from torch.profiler import profile, record_function, ProfilerActivity, schedule

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(8 * 15 * 15, 10))
inputs = torch.randn(5, 3, 32, 32)
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
    with record_function("model_inference"):
        model(inputs)
print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
print(prof.key_averages(group_by_input_shape=True).table(sort_by="cpu_time_total", row_limit=10))
with profile(activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=True) as prof:
    model(inputs)
print(prof.key_averages().table(sort_by="self_cpu_memory_usage", row_limit=10))
with profile(activities=[ProfilerActivity.CPU]) as prof:
    model(inputs)
prof.export_chrome_trace("OUT/trace.json")
seen = []
def trace_handler(p):
    print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))
    seen.append(p.step_num)
    p.export_chrome_trace("OUT/test_trace_" + str(p.step_num) + ".json")
with profile(activities=[ProfilerActivity.CPU],
             schedule=schedule(skip_first=10, wait=5, warmup=1, active=3, repeat=2),
             on_trace_ready=trace_handler) as p:
    for idx in range(40):
        model(inputs)
        p.step()
print("trace_handler called at steps", seen)
'''


@needs_torch
def test_profile_memory_counts_new_arrays_as_torch():
    """torch counts the bytes each op allocates; ember the bytes of the arrays each op makes
    (views nothing): the same numbers for these ops, under ember's op names."""
    a = np.random.rand(64, 64).astype(np.float32)
    rows = {}
    for lib, P, names in ((ember, EP, ("Mm", "Relu", "SumAll", "View")),
                          (torch, TP, ("aten::mm", "aten::clamp_min", "aten::sum",
                                       "aten::view"))):
        x = lib.tensor(a)
        with P.profile(activities=[P.ProfilerActivity.CPU], profile_memory=True) as prof:
            (x @ x).relu().sum()
            x.view(-1)
        avg = {e.key: e for e in prof.key_averages()}
        rows[lib] = [avg[n].self_cpu_memory_usage for n in names]
        table = prof.key_averages().table(sort_by="self_cpu_memory_usage", row_limit=3)
        assert "CPU Mem  Self CPU Mem" in table and "16.00 KB" in table
    assert rows[ember] == rows[torch]
