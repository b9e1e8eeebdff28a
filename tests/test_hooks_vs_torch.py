"""Hooks and engine callbacks behave as torch's: the order of tensor hooks, retain_grad, node
pre-hooks, accumulation, post-accumulate-grad hooks and node post hooks (on leaves' AccumulateGrad
nodes too, the pattern Horovod and DDP use), what autograd.grad / backward(inputs=) run and
skip, ``Variable._execution_engine.queue_callback``, and backward through split/chunk/unbind
that return a single piece.  Each scenario logs what it sees; the logs must be equal."""

from __future__ import annotations

import pytest

import ember
from scenario_log import run

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def v(t):
    return None if t is None else [round(float(x), 4) for x in t.detach().reshape(-1)]


def leaf_order(lib, log):
    p = lib.ones(2, requires_grad=True)
    acc = p.expand_as(p).grad_fn.next_functions[0][0]
    p.register_hook(lambda g: log.append(("tensor", v(g))) or g * 2)
    acc.register_prehook(lambda go: log.append(("pre", [v(g) for g in go])) or (go[0] + 1,))
    acc.register_hook(lambda gi, go: log.append(("post", len(gi), [v(g) for g in go], v(p.grad))))
    p.register_post_accumulate_grad_hook(lambda t: log.append(("postacc", v(t.grad))))
    (p * 3).sum().backward()
    log.append(("grad", v(p.grad)))


def leaf_grad_api(lib, log):
    p = lib.ones(2, requires_grad=True)
    acc = p.expand_as(p).grad_fn.next_functions[0][0]
    p.register_hook(lambda g: log.append(("tensor", v(g))) or g * 2)
    acc.register_prehook(lambda go: log.append(("pre", [v(g) for g in go])))
    acc.register_hook(lambda gi, go: log.append(("post",)))
    p.register_post_accumulate_grad_hook(lambda t: log.append(("postacc",)))
    (g,) = lib.autograd.grad((p * 3).sum(), p)
    log.append(("res", v(g), v(p.grad)))


def nonleaf_order(lib, log):
    x = lib.ones(2, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: log.append(("tensor", v(g))) or g * 2)
    y.retain_grad()
    y.grad_fn.register_prehook(lambda go: log.append(("pre", [v(g) for g in go])) or (go[0] + 1,))
    y.grad_fn.register_hook(
        lambda gi, go: log.append(("post", [v(g) for g in gi], [v(g) for g in go]))
    )
    (y * 3).sum().backward()
    log.append(("grads", v(y.grad), v(x.grad)))


def retain_then_hook(lib, log):
    x = lib.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    (y * 3).sum().backward()
    log.append(("grads", v(y.grad), v(x.grad)))


def postacc_nonleaf(lib, log):
    x = lib.ones(2, requires_grad=True)
    y = x * 2
    y.register_post_accumulate_grad_hook(lambda t: None)


def postacc_noreq(lib, log):
    x = lib.ones(2)
    x.register_post_accumulate_grad_hook(lambda t: None)


def postacc_remove(lib, log):
    x = lib.ones(2, requires_grad=True)
    h = x.register_post_accumulate_grad_hook(lambda t: log.append("called"))
    h.remove()
    (x * 2).sum().backward()
    log.append(v(x.grad))


def postacc_twice(lib, log):
    x = lib.ones(2, requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: log.append(("a", v(t.grad))))
    x.register_post_accumulate_grad_hook(lambda t: log.append(("b", v(t.grad))))
    (x * 2).sum().backward()
    (x * 3).sum().backward()


def postacc_optimizer(lib, log):
    # the optimizer-in-backward pattern from the torch tutorial
    model = lib.nn.Linear(2, 1)
    with lib.no_grad():
        model.weight.fill_(1.0)
        model.bias.fill_(0.0)
    opts = {p: lib.optim.SGD([p], lr=0.1) for p in model.parameters()}

    def hook(p):
        opts[p].step()
        opts[p].zero_grad()

    for p in model.parameters():
        p.register_post_accumulate_grad_hook(hook)
    model(lib.ones(3, 2)).sum().backward()
    log.append((v(model.weight), v(model.bias), model.weight.grad))


def queue_cb(lib, log):
    p = lib.ones(2, requires_grad=True)

    def h(g):
        log.append("hook")
        lib.autograd.Variable._execution_engine.queue_callback(
            lambda: log.append(("cb1", v(p.grad)))
        )
        lib.autograd.Variable._execution_engine.queue_callback(
            lambda: (
                log.append("cb2"),
                lib.autograd.Variable._execution_engine.queue_callback(lambda: log.append("cb3")),
            )
        )
        return g

    p.register_hook(h)
    (p * 3).sum().backward()
    log.append("after")


def queue_outside(lib, log):
    lib.autograd.Variable._execution_engine.queue_callback(lambda: None)


def variable_isinstance(lib, log):
    t = lib.ones(2)
    log.append(isinstance(t, lib.autograd.Variable))
    vv = lib.autograd.Variable(t, requires_grad=True)
    log.append((type(vv).__name__, vv.requires_grad, vv.is_leaf))
    log.append(isinstance(3, lib.autograd.Variable))


def split_single(lib, log):
    x = lib.ones(1, 3, requires_grad=True)
    for f in (
        lambda x: x.split(1, 0),
        lambda x: x.chunk(1, 0),
        lambda x: x.unbind(0),
        lambda x: x.split([1], 0),
        lambda x: x.tensor_split(1, 0),
        lambda x: lib.split(x, 3, 1),
    ):
        ps = f(x)
        sum(q.sum() for q in ps).backward()
        log.append((len(ps), type(ps[0].grad_fn).__name__, v(x.grad)))
        x.grad = None


def acc_hook_multi(lib, log):
    p = lib.ones(2, requires_grad=True)
    acc = p.expand_as(p).grad_fn.next_functions[0][0]
    acc.register_hook(lambda gi, go: log.append(("post", [v(g) for g in go])))
    ((p * 3).sum() + (p * 4).sum()).backward()
    log.append(v(p.grad))


def backward_inputs(lib, log):
    a = lib.ones(2, requires_grad=True)
    b = lib.ones(2, requires_grad=True)
    y = a * b
    z = (y * 2).sum()
    z.backward(inputs=[a, y], retain_graph=True)
    log.append((v(a.grad), v(b.grad), v(y.grad)))
    acc_b = (b * 1).grad_fn.next_functions[0][0]
    acc_b.register_prehook(lambda go: log.append("b pre"))
    z.backward(inputs=[a])
    log.append((v(a.grad), v(b.grad), v(y.grad)))


def grad_prunes(lib, log):
    a = lib.ones(2, requires_grad=True)
    b = lib.ones(2, requires_grad=True)
    ya = a * 2
    yb = b * 3
    ya.grad_fn.register_prehook(lambda go: log.append("ya pre"))
    yb.grad_fn.register_prehook(lambda go: log.append("yb pre"))
    (g,) = lib.autograd.grad((ya + yb).sum(), a)
    log.append(v(g))


def grad_nonleaf_capture(lib, log):
    a = lib.ones(2, requires_grad=True)
    y = a * 2
    y.register_hook(lambda g: log.append(("yhook", v(g))) or g * 5)
    y.grad_fn.register_prehook(lambda go: log.append("ypre"))
    (g,) = lib.autograd.grad((y * 3).sum(), y)
    log.append(v(g))


SCENARIOS = [
    f
    for name, f in sorted(globals().items())
    if callable(f)
    and getattr(f, "__module__", None) == __name__
    and name not in ("v", "run")
    and not name.startswith("test_")
]


@needs_torch
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_hooks_vs_torch(scenario):
    assert run(ember, scenario) == run(torch, scenario)


def test_hook_scenarios_run_without_torch():
    """The same scenarios in ember alone: the ones torch completes must not error."""
    for scenario in SCENARIOS:
        log = run(ember, scenario)
        if scenario.__name__ not in ("postacc_nonleaf", "postacc_noreq", "queue_outside"):
            assert not any(e and e[0] == "ERR" for e in log if isinstance(e, tuple)), log
