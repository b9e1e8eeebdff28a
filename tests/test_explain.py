"""ember.autograd.explain: the recorded pass equals the real one, and reads as the chain rule."""
import io

import numpy as np
import pytest

import ember
from ember.autograd._explain import Explanation, LeafGrad, Step


def run(loss, **kw):
    buf = io.StringIO()
    res = ember.autograd.explain(loss, file=buf, **kw)
    return res, buf.getvalue()


def arr(t):
    return None if t is None else t.detach().numpy()


def sent_to_leaves(res):
    """Sum, per leaf name, of every gradient the steps sent to ``<name>.grad``."""
    total = {}
    for step in res:
        for g, target in zip(step.grads_out, step.targets):
            if target is not None and target.endswith(".grad"):
                name = target[:-5]
                total[name] = total.get(name, 0) + arr(g)
    return total


def check_against_backward(res, leaves):
    """Recorded gradients == the real .grad, three ways."""
    sent = sent_to_leaves(res)
    by_name = {lg.name: lg for lg in res.leaves}
    assert set(by_name) == set(leaves)
    for name, t in leaves.items():
        np.testing.assert_array_equal(arr(by_name[name].grad), arr(t.grad))
        np.testing.assert_array_equal(arr(by_name[name].total), arr(t.grad))
        np.testing.assert_allclose(sent[name], arr(t.grad), rtol=1e-6, atol=1e-7)


def check_flow(res):
    """Each node's incoming gradient is the sum of what the earlier steps sent it."""
    received = {}
    for step in res:
        for k, g in enumerate(step.grad_in):
            key = (id(step.node), k)
            if key in received:
                np.testing.assert_allclose(arr(g), received[key], rtol=1e-6, atol=1e-7)
        for (u, nr), g in zip(step.node.next_functions, step.grads_out):
            if u is not None and g is not None:
                key = (id(u), nr)
                received[key] = received.get(key, 0) + arr(g)


# ------------------------------------------------------------------------------ seed examples


def test_square_reads_like_the_derivation():
    x = ember.tensor(2.0, requires_grad=True)
    y = x ** 2
    buf = io.StringIO()
    res = ember.autograd.explain(y, file=buf)  # names come from the caller's variables
    text = buf.getvalue()
    assert "PowBackward0" in text
    assert "incoming  dL/dy = 1" in text
    assert "local     dy/dx = 2*x = 4" in text
    assert "dL/dx = dL/dy * dy/dx = 4 -> x.grad" in text
    assert "x.grad = 4" in text
    assert x.grad.item() == 4.0
    assert isinstance(res, Explanation) and len(res) == 1
    step = res[0]
    assert isinstance(step, Step)
    assert step.op == "PowBackward0" and step.output == "y" and step.inputs[0] == "x"
    assert step.formula == "2*x"
    assert arr(step.grad_in[0]) == 1.0 and arr(step.local[0]) == 4.0
    assert arr(step.grads_out[0]) == 4.0 and step.targets[0] == "x.grad"
    assert res.grads() == {"x": res.leaves[0].grad}
    assert str(res) == text.rstrip("\n")


def test_square_at_three_and_its_second_derivative():
    # seed 003: y = x**2 at x = 3, dy/dx = 6, d2y/dx2 = 2 (autograd.grad with create_graph)
    x = ember.tensor([3.0], requires_grad=True)
    y = ember.pow(x, 2)
    (g,) = ember.autograd.grad(y, x, create_graph=True)
    res, text = run(g.sum())
    assert x.grad.tolist() == [2.0]
    check_against_backward(res, {"x": x})
    x.grad = None
    res, text = run(ember.pow(x, 2).sum())
    assert "6" in text and x.grad.tolist() == [6.0]


def test_bce_net_matches_backward_and_torch():
    torch = pytest.importorskip("torch")
    F = ember.nn.functional
    ember.manual_seed(0)
    x = ember.ones(5)
    y = ember.zeros(3)
    w = ember.randn(5, 3, requires_grad=True)
    b = ember.randn(3, requires_grad=True)
    z = ember.matmul(x, w) + b
    if hasattr(F, "binary_cross_entropy_with_logits"):
        loss = F.binary_cross_entropy_with_logits(z, y)
    else:
        p = z.sigmoid()
        loss = -((1 - y) * (1 - p).log() + y * p.log()).mean()
    res, text = run(loss)
    check_against_backward(res, {"w": w, "b": b})
    check_flow(res)
    assert "-> b.grad" in text and "-> w.grad" in text
    if hasattr(F, "binary_cross_entropy_with_logits"):
        assert "sigmoid(z) - y" in text
        local = arr(res[0].local[0])
        expect = (1 / (1 + np.exp(-arr(z))) - arr(y)) / 3
        np.testing.assert_allclose(local, expect, rtol=1e-6)
    tw = torch.tensor(arr(w), requires_grad=True)
    tb = torch.tensor(arr(b), requires_grad=True)
    tl = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.ones(5) @ tw + tb, torch.zeros(3))
    tl.backward()
    np.testing.assert_allclose(arr(w.grad), tw.grad.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(arr(b.grad), tb.grad.numpy(), rtol=1e-5, atol=1e-7)


def three_layer(batch=4):
    """Seed 002's walkthrough: z1 = x W1 + b1, a1 = s(z1), z2 = a1 W2 + b2, a2 = s(z2),
    y = a2 W3 + b3, L = mean((y - target)**2)."""
    ember.manual_seed(1)
    x = ember.randn(batch, 2)
    target = ember.randn(batch, 1)
    P = {"W1": ember.randn(2, 3), "b1": ember.zeros(3), "W2": ember.randn(3, 3),
         "b2": ember.zeros(3), "W3": ember.randn(3, 1), "b3": ember.zeros(1)}
    for t in P.values():
        t.requires_grad_()
    a1 = (x @ P["W1"] + P["b1"]).sigmoid()
    a2 = (a1 @ P["W2"] + P["b2"]).sigmoid()
    y = a2 @ P["W3"] + P["b3"]
    return ((y - target) ** 2).mean(), P


def test_three_layer_chain_matches_a_plain_backward():
    loss, P = three_layer()
    res, text = run(loss, params=P)
    check_against_backward(res, P)
    check_flow(res)
    ref_loss, ref_P = three_layer()
    ref_loss.backward()
    for k in P:
        np.testing.assert_array_equal(arr(P[k].grad), arr(ref_P[k].grad))
    ops = [s.op for s in res]
    assert ops.count("SigmoidBackward0") == 2 and ops.count("MmBackward0") == 3
    assert ops[0] == "MeanBackward0"
    # the order is the engine's: each node after every node that feeds it
    pos = {id(s.node): i for i, s in enumerate(res)}
    for s in res:
        for u, _ in s.node.next_functions:
            if id(u) in pos:
                assert pos[id(u)] > pos[id(s.node)]
    assert "a*(1 - a)" not in text  # symbols are the caller's: nothing generic leaks
    assert "rule      dL/dW3 = " in text and "-> W3.grad" in text
    assert "summed over broadcast dims" in text  # b1 broadcast over the batch
    assert "sigmoid(" in text and "dL/d" in text


def test_names_from_locals_and_modules():
    nn = ember.nn
    if not hasattr(nn, "Linear"):
        pytest.skip("nn.Linear not available yet")
    ember.manual_seed(0)
    model = nn.Linear(3, 2)
    inp = ember.randn(4, 3)
    out = model(inp).sum()
    res, text = run(out)
    assert {lg.name for lg in res.leaves} == {"model.weight", "model.bias"}
    assert "-> model.weight.grad" in text
    check_against_backward(res, dict(("model." + k, v) for k, v in model.named_parameters()))


# ------------------------------------------------------------------------------ semantics


def test_accumulates_like_backward():
    x = ember.tensor([1.0, -2.0], requires_grad=True)
    x.grad = ember.tensor([10.0, 10.0])
    res, text = run((x * x * x).sum())
    np.testing.assert_array_equal(arr(x.grad), [13.0, 22.0])
    np.testing.assert_array_equal(arr(res.leaves[0].grad), [3.0, 12.0])
    np.testing.assert_array_equal(arr(res.leaves[0].total), [13.0, 22.0])
    assert "this pass added" in text


def test_retain_graph_and_hooks_removed():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    nodes = ember.viz.graph_nodes(y)
    run(y, retain_graph=True)
    assert all(n._pre_hooks is None and n._hooks is None for n in nodes)
    g1 = arr(x.grad).copy()
    res, _ = run(y)
    np.testing.assert_allclose(arr(x.grad), 2 * g1, rtol=1e-6)
    np.testing.assert_allclose(arr(res.leaves[0].grad), g1, rtol=1e-6)
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_inputs_limits_accumulation():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0, 4.0], requires_grad=True)
    res, text = run((a * b).sum(), inputs=[a])
    assert b.grad is None
    np.testing.assert_array_equal(arr(a.grad), [3.0, 4.0])
    by = {lg.name: lg for lg in res.leaves}
    assert "b" not in by  # as in torch, nothing is computed for an edge not leading to inputs
    assert "b.grad" not in text and "a.grad = [3, 4]" in text


def test_user_hooks_still_run_and_gradient_argument():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    seen = []
    y.grad_fn.register_prehook(lambda g: seen.append(arr(g[0]).copy()))
    res, text = run(y, gradient=ember.tensor([1.0, 0.5, 0.0]))
    np.testing.assert_array_equal(seen[0], [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(arr(x.grad), [2.0, 1.0, 0.0])
    assert "gradient given to backward" in text
    assert y.grad_fn._pre_hooks[-1]  # the user's hook stays


def test_broadcast_and_shared_leaf():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = ember.tensor([0.5, -0.5], requires_grad=True)
    z = (x + b) * x  # x used twice: two contributions reach its .grad
    res, text = run(z.sum())
    check_against_backward(res, {"x": x, "b": b})
    check_flow(res)
    np.testing.assert_allclose(arr(x.grad), 2 * arr(x) + arr(b))
    np.testing.assert_allclose(arr(b.grad), arr(x).sum(0))


def test_large_tensors_print_shape_and_norm():
    w = ember.randn(20, 30, requires_grad=True)
    res, text = run((w.tanh() ** 2).sum(), max_values=12)
    assert "<shape (20, 30), norm " in text
    norm = float(np.linalg.norm(arr(w.grad)))
    assert f"{norm:.4g}" in text
    check_against_backward(res, {"w": w})


def test_no_print_and_custom_function():
    class Cube(ember.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t ** 3

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return 3 * t * t * g

    x = ember.tensor([2.0], requires_grad=True)
    cube = Cube.apply(x)
    buf = io.StringIO()
    res = ember.autograd.explain(cube.sum(), file=None)
    assert buf.getvalue() == ""
    assert arr(x.grad).tolist() == [12.0]
    assert res[1].op == "CubeBackward" and "backward" in res[1].formula
    check_against_backward(res, {"x": x})


def test_cnn_matches_backward():
    nn = ember.nn
    if not all(hasattr(nn, k) for k in ("Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear")):
        pytest.skip("ember.nn layers not available yet")

    def build():
        ember.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(3 * 3 * 3, 4))
        x = ember.randn(2, 1, 6, 6)
        return model, (model(x) ** 2).mean()

    model, loss = build()
    params = dict(model.named_parameters())
    res, text = run(loss, params=params)
    check_against_backward(res, params)
    check_flow(res)
    assert "ConvolutionBackward0" in text and "-> 0.weight.grad" in text
    ref_model, ref_loss = build()
    ref_loss.backward()
    for (k, p), (_, q) in zip(model.named_parameters(), ref_model.named_parameters()):
        np.testing.assert_array_equal(arr(p.grad), arr(q.grad))


def test_explain_is_a_plain_function():
    import ember.autograd._explain as mod
    assert ember.autograd.explain is mod.explain
    x = ember.tensor(1.0, requires_grad=True)
    assert isinstance(ember.autograd.explain((x * 3), file=None), Explanation)
    assert isinstance(LeafGrad("x", x, None, None), LeafGrad)


def test_rejects_non_tensor():
    with pytest.raises(TypeError):
        ember.autograd.explain(1.0)
    with pytest.raises(RuntimeError):
        run(ember.tensor([1.0, 2.0], requires_grad=True) * 2)  # non-scalar, no gradient
