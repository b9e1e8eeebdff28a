"""The engine: accumulation, retain_graph, diamonds, None branches, deep chains, hooks,
autograd.grad, grad modes, in-place rules, custom Functions, anomaly mode."""
import threading
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import Function


def t64(a, rg=True):
    return ember.tensor(np.asarray(a, dtype=np.float64), requires_grad=rg)


def test_accumulates_until_zeroed():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    for k in (1, 2, 3):
        (x * 3).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [3.0 * k] * 2)
    x.grad.zero_()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_grad_buffer_updated_in_place_and_not_aliased():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    ga = a.grad
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    (a + b).sum().backward()
    assert a.grad is ga  # same buffer, updated in place
    np.testing.assert_allclose(a.grad.numpy(), [2.0, 2.0])
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 2.0])


def test_seed_gradient_not_aliased_into_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    g = ember.tensor([1.0, 1.0])
    x.backward(g)
    x.backward(g)
    np.testing.assert_allclose(g.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_second_backward_raises_and_retain_graph_allows_it():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_diamond_and_shared_subexpression():
    x = t64([0.5, -1.5])
    a = x.sin()
    y = (a * a + a * 3).sum()  # a used three times
    y.backward()
    xa = np.array([0.5, -1.5])
    np.testing.assert_allclose(x.grad.numpy(), (2 * np.sin(xa) + 3) * np.cos(xa))


def test_none_gradient_branches_still_count_down():
    x = t64([1.0, 2.0])
    w = t64([3.0, 4.0])
    idx = (x > 1.5)  # no grad branch
    y = (x * w).sum() + ember.where(idx, x, w).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 5.0])
    np.testing.assert_allclose(w.grad.numpy(), [2.0, 2.0])


def test_deep_chain_100k_no_recursion():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_nonscalar_backward_requires_gradient():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar "
                                           "outputs"):
        (x * 2).backward()


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does "
                                           "not have a grad_fn"):
        ember.tensor([1.0]).sum().backward()


def test_nonleaf_grad_warns_and_retain_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.sum()
    y.retain_grad()
    z.backward()
    np.testing.assert_allclose(y.grad.numpy(), [1.0, 1.0])
    assert y.retains_grad
    w = x * 3
    w.sum().backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor"):
        assert w.grad is None


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        ember.tensor([1, 2]).requires_grad_()
    x = ember.tensor([1.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf"):
        y.requires_grad = False
    assert y.requires_grad and not y.is_leaf and x.is_leaf


def test_autograd_grad_allow_unused_and_create_graph():
    x = t64([2.0])
    z = t64([1.0])
    y = x ** 3
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ember.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = ember.autograd.grad(y, [x, z], allow_unused=True, create_graph=True)
    assert gz is None
    np.testing.assert_allclose(gx.numpy() if not gx.requires_grad else gx.detach().numpy(),
                               [12.0])
    (g2,) = ember.autograd.grad(gx.sum(), x)
    np.testing.assert_allclose(g2.numpy(), [12.0])
    assert x.grad is None  # grad() does not accumulate


def test_third_order():
    x = t64([1.5])
    y = x.sin() * x
    g1, = ember.autograd.grad(y, x, create_graph=True)
    g2, = ember.autograd.grad(g1, x, create_graph=True)
    g3, = ember.autograd.grad(g2, x)
    v = 1.5
    expected = -3 * np.sin(v) - v * np.cos(v)
    np.testing.assert_allclose(g3.numpy(), [expected], rtol=1e-10)


def test_backward_inputs_argument():
    a = t64([1.0])
    b = t64([2.0])
    (a * b).sum().backward(inputs=[a])
    assert b.grad is None
    np.testing.assert_allclose(a.grad.numpy(), [2.0])


def test_tensor_hooks_leaf_and_nonleaf():
    x = t64([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(("x", g.numpy().copy())))
    y = x * 2
    h = y.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 20.0])
    assert seen[0][0] == "x"
    h.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_node_hooks_and_next_functions():
    x = ember.tensor([1.0], requires_grad=True)
    y = x * 2 + 1
    assert type(y.grad_fn).__name__ == "AddBackward0"
    mul, _ = y.grad_fn.next_functions[0]
    assert type(mul).__name__ == "MulBackward0"
    assert y.grad_fn.next_functions[1] == (None, 0)
    acc = mul.next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x
    calls = []
    y.grad_fn.register_hook(lambda gi, go: calls.append(len(gi)))
    y.backward()
    assert calls == [2]


def test_no_grad_enable_grad_set_grad_enabled_and_threads():
    x = ember.tensor([1.0], requires_grad=True)
    with ember.no_grad():
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert (x * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()

    @ember.no_grad()
    def f():
        return x * 2
    assert not f().requires_grad

    res = []
    with ember.no_grad():
        th = threading.Thread(target=lambda: res.append((x * 2).requires_grad))
        th.start()
        th.join()
    assert res == [True]  # grad mode is thread-local
    with ember.inference_mode():
        assert not (x * 2).requires_grad


def test_detach_shares_storage_and_version():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad
    d[0] = 5.0
    assert x[0].item() == 5.0
    assert x._version == d._version == 1


def test_inplace_on_leaf_and_view_of_leaf():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:1].mul_(2)
    with ember.no_grad():
        x.add_(1)
    np.testing.assert_allclose(x.detach().numpy(), [2.0, 3.0])


def test_modified_saved_tensor_is_detected():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_nonleaf_gradients():
    x = t64([1.0, 2.0, 3.0])
    y = x * 2
    y.mul_(y)  # y = 4x^2 -> dy/dx = 8x (mul_ with itself)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [8.0, 16.0, 24.0])
    x.grad = None
    y = x * 1
    y[1:].mul_(3)  # through a view: CopySlices
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 3.0, 3.0])
    x.grad = None
    y = x * 1
    y[0] = 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 1.0, 1.0])


def test_setitem_with_grad_value():
    v = t64([5.0])
    out = ember.zeros(3, dtype=ember.float64)
    out[1] = v[0] * 2
    out.sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), [2.0])


def test_custom_function():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x ** 3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2 * ctx.k, None

    x = t64([1.0, 2.0])
    y = Cube.apply(x, 2.0)
    assert type(y.grad_fn).__name__ == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 24.0])
    assert ember.autograd.gradcheck(lambda t: Cube.apply(t, 2.0), (t64([0.3, -0.7]),))

    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
        Bad.apply(t64([1.0]), t64([2.0])).sum().backward()


def test_custom_function_higher_order():
    class Sq(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = t64([3.0])
    g, = ember.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
    g2, = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g2.numpy(), [2.0])


def test_detect_anomaly_names_op_on_nan():
    x = ember.tensor([0.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly():
            y = x.sqrt() * 0  # d sqrt at 0 -> inf; * 0 -> nan
            with pytest.raises(RuntimeError, match="returned nan values"):
                y.sum().backward()


def test_variable_legacy_api():
    from ember.autograd import Variable
    v = Variable(ember.ones(2), requires_grad=True)
    assert isinstance(v, ember.Tensor) and v.requires_grad
    (v * 2).sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), [2.0, 2.0])


def test_graph_freed_after_step():
    import gc
    import weakref
    x = ember.randn(10, requires_grad=True)
    y = (x * 2).exp()
    ref = weakref.ref(y.grad_fn)
    y.sum().backward()
    del y
    assert ref() is None  # no reference cycle keeps the graph alive
    gc.collect()


def test_functional_transforms():
    F = ember.autograd.functional
    x = t64([1.0, 2.0])
    J = F.jacobian(lambda v: v * v, x)
    np.testing.assert_allclose(J.numpy(), np.diag([2.0, 4.0]))
    H = F.hessian(lambda v: (v ** 3).sum(), x)
    np.testing.assert_allclose(H.numpy(), np.diag([6.0, 12.0]))
    _, jv = F.jvp(lambda v: v * v, x, t64([1.0, 1.0], False))
    np.testing.assert_allclose(jv.numpy(), [2.0, 4.0])


# ------------------------------------------------------------------------------ torch oracle


def test_error_texts_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda lib: lib.tensor([1.0]).sum().backward(),
        lambda lib: (lib.tensor([1.0, 2.0], requires_grad=True) * 2).backward(),
        lambda lib: lib.tensor([1.0], requires_grad=True).add_(1),
        lambda lib: lib.tensor([1.0], requires_grad=True).numpy(),
        lambda lib: lib.tensor([1, 2]).requires_grad_(),
        lambda lib: bool(lib.tensor([1.0, 2.0])),
        lambda lib: lib.zeros(2, 3).item(),
        lambda lib: lib.zeros(2, 3).view(-1, 4),
        lambda lib: lib.zeros(2, 3).t().view(6),
    ]
    for case in cases:
        msgs = []
        for lib in (torch, ember):
            with pytest.raises(Exception) as ei:
                case(lib)
            msgs.append((type(ei.value), str(ei.value)))
        assert msgs[0][0] is msgs[1][0], msgs
        assert msgs[1][1].replace("ember", "torch").startswith(msgs[0][1][:60]), msgs


def test_saved_tensor_version_message_matches_torch():
    torch = pytest.importorskip("torch")
    msgs = []
    for lib in (torch, ember):
        a = lib.ones(3, 4, requires_grad=True)
        c = a.exp()
        c.add_(1)
        with pytest.raises(RuntimeError) as ei:
            c.sum().backward()
        msgs.append(str(ei.value))
    assert msgs[0] == msgs[1]


def test_inplace_gradients_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))
    grads = []
    for lib in (torch, ember):
        x = lib.tensor(a, requires_grad=True)
        y = x * 2
        y[:, 1:3].mul_(y[:, 1:3].clone())
        y[0] = y[1] * 3
        y.relu_()
        z = (y.sigmoid() * x).sum()
        z.backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-10)


def test_grad_fn_names_through_engine_match_torch():
    torch = pytest.importorskip("torch")
    names = []
    for lib in (torch, ember):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = ((x + 2) * 3 - 1) / 4
        chain = []
        node = y.grad_fn
        while node is not None:
            chain.append(type(node).__name__)
            node = node.next_functions[0][0] if node.next_functions else None
        names.append(chain)
    assert names[0] == names[1]


def test_many_contributions_to_one_input_including_0d():
    # a node reached by several paths sums them (the engine adds in place into sums it made)
    for shape in [(), (3,)]:
        x = t64(np.full(shape, 0.5))
        y = x * 1.0
        total = y.sin() + y.cos() + y * 2 + y.exp() + y
        total.sum().backward()
        v = 0.5
        expected = np.cos(v) - np.sin(v) + 2 + np.exp(v) + 1
        np.testing.assert_allclose(x.grad.numpy(), np.full(shape, expected))


def test_data_changes_are_invisible_to_autograd_like_torch():
    x = ember.ones(2, requires_grad=True)
    y = x * x
    x.data.add_(1)  # not tracked: no version error, backward sees the new values
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])
    assert x._version == 0
