"""A view's history follows its base, as in torch: a view made before its base (or another view
of it) changed in place gets the base's current history when it is next used; a view of a
tensor that requires grad made in no_grad mode requires grad, has no gradient edge, and may not
be modified in place with grad mode on.  Each scenario logs what it sees; the logs must be equal
to torch's."""
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


def name(node):
    return None if node is None else type(node).__name__


def stale_select(lib, log):
    y = lib.ones(3, requires_grad=True)
    x = y * 1
    s = x[0]
    x.mul_(2)
    s.sum().backward()
    log.append((v(y.grad), name(s.grad_fn)))


def stale_after_sibling_view_write(lib, log):
    y = lib.arange(6.0).reshape(2, 3).requires_grad_(True)
    x = y * 1
    a, b = x[0], x[:, 1]
    a.mul_(3)
    (b * lib.tensor([1.0, 10.0])).sum().backward()
    log.append((v(y.grad), name(b.grad_fn)))


def stale_transpose_chain(lib, log):
    y = lib.arange(6.0).reshape(2, 3).requires_grad_(True)
    x = y + 0
    t = x.t()[1:]
    x.exp_()
    (t * 2).sum().backward()
    log.append(v(y.grad))


def view_written_twice(lib, log):
    y = lib.ones(4, requires_grad=True)
    x = y * 1
    s = x[1:3]
    s.mul_(2)
    s.mul_(5)
    x.sum().backward()
    log.append((v(y.grad), name(s.grad_fn), name(x.grad_fn)))


def stale_retain_grad(lib, log):
    y = lib.ones(3, requires_grad=True)
    x = y * 1
    s = x[:2]
    x.add_(1)
    s.retain_grad()
    (s * 3).sum().backward()
    log.append((v(s.grad), v(y.grad)))


def no_grad_view_flags(lib, log):
    x = lib.ones(3, requires_grad=True).clone()
    with lib.no_grad():
        s, w, u, d = x[:2], x.view(3), x.t(), x.detach()
    log.append([(t.requires_grad, t.is_leaf, name(t.grad_fn)) for t in (s, w, u, d)])
    y = s * 2
    log.append((y.requires_grad, [(name(n), k) for n, k in y.grad_fn.next_functions]))
    y.sum().backward()
    log.append((v(s.grad), name(x.grad_fn)))


def no_grad_view_inplace(lib, log):
    x = lib.ones(3, requires_grad=True).clone()
    with lib.no_grad():
        s = x[:2]
    for f in (lambda: s.mul_(2), lambda: s.add_(lib.ones(2, requires_grad=True)),
              lambda: s.t().mul_(2), lambda: s.__setitem__(0, 5.0)):
        try:
            f()
            log.append("ok")
        except RuntimeError as e:
            log.append(str(e)[:60])
    with lib.no_grad():
        s.mul_(2)  # both in no_grad: allowed
    log.append(v(x))


def no_grad_view_of_parameter(lib, log):
    p = lib.nn.Parameter(lib.ones(3))
    with lib.no_grad():
        s = p[:2]
    try:
        s.mul_(2)
    except RuntimeError as e:
        log.append(str(e)[:60])
    log.append((s.requires_grad, v(p)))


def base_changed_under_no_grad(lib, log):
    y = lib.ones(3, requires_grad=True)
    x = y * 2
    s = x[1:]
    with lib.no_grad():
        x.add_(1)
    (s * s).sum().backward()
    log.append((v(y.grad), name(s.grad_fn)))


SCENARIOS = [stale_select, stale_after_sibling_view_write, stale_transpose_chain,
             view_written_twice, stale_retain_grad, no_grad_view_flags, no_grad_view_inplace,
             no_grad_view_of_parameter, base_changed_under_no_grad]


@needs_torch
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_view_history_vs_torch(scenario):
    assert run(ember, scenario) == run(torch, scenario)


def test_stale_view_gradient_without_torch():
    """The first scenario's numbers, as the chain rule gives them: s = 2 * y[0] after x *= 2."""
    log = run(ember, stale_select)
    assert log == [([2.0, 0.0, 0.0], "AsStridedBackward0")]
