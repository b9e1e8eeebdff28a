"""issue 13 (h13-utils) against real torch: torch.utils.model_zoo, torch.cond (eager),
torch.compiler in eager code."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
LIBS = [ember] + ([torch] if torch is not None else [])


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class and text are what we compare
        return type(e), str(e)
    return None, None


# ---------------------------------------------------------------- torch.utils.model_zoo

@needs_torch
def test_model_zoo_load_url_loads_a_torch_checkpoint_into_a_model(tmp_path, monkeypatch):
    """torchvision's old pattern: ``model.load_state_dict(model_zoo.load_url(url))``."""
    import torch.utils.model_zoo as tzoo

    import ember.utils.model_zoo as ezoo
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    rng = np.random.default_rng(0)
    tnet = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    src = tmp_path / "net-0000.pth"
    torch.save(tnet.state_dict(), src)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    outs = []
    for lib, zoo in ((torch, tzoo), (ember, ezoo)):
        net = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.ReLU(), lib.nn.Linear(3, 2))
        net.load_state_dict(zoo.load_url(src.as_uri(), model_dir=str(tmp_path / lib.__name__),
                                         progress=False))
        outs.append((net(lib.tensor(x)).detach().numpy(), net[2].weight.detach().numpy()))
        assert zoo.tqdm is torch.hub.tqdm or zoo is ezoo
    np.testing.assert_array_equal(outs[0][1], outs[1][1])  # the weights, bit for bit
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-6)
    assert sorted(p.name for p in (tmp_path / "ember").iterdir()) == ["net-0000.pth"]


# ---------------------------------------------------------------- torch.cond

def _pair(arr, grad=False):
    return [lib.tensor(arr, requires_grad=grad) for lib in LIBS]


@needs_torch
@pytest.mark.parametrize("pred", [True, False, 1, 0.0, "tensor_true", "tensor_false",
                                  "float_tensor"])
def test_cond_picks_the_branch_and_backprops_like_torch(pred):
    rng = np.random.default_rng(1)
    xa, wa = rng.normal(size=3), rng.normal(size=3)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        p = {"tensor_true": lib.tensor(True), "tensor_false": lib.tensor([False]),
             "float_tensor": lib.tensor(0.5)}.get(pred, pred) if isinstance(pred, str) else pred
        out = lib.cond(p, lambda a: (a * w).sin(), lambda a: a.cos() - w, (x,))
        name = type(out.grad_fn).__name__
        out.sum().backward()
        res.append((out.detach().numpy(), x.grad.numpy(), w.grad.numpy(), name))
    for a, b in zip(res[0][:3], res[1][:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert res[0][3] == res[1][3]  # CondAutogradOpBackward for a tensor pred


@needs_torch
def test_cond_outputs_pytrees_ints_and_no_grad():
    xa = np.arange(3.0)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(xa)
        out = lib.cond(lib.tensor(True), lambda a, b: {"s": a + b, "n": 2},
                       lambda a, b: {"s": a - b, "n": 3}, [x, {"k": x * 2}["k"]])
        assert out["s"].grad_fn is None and not out["s"].requires_grad
        res.append((out["s"].numpy(), out["n"]))
        with lib.no_grad():  # inference: torch lets the branch mutate and alias its operand
            y = lib.cond(lib.tensor(True), lambda a: a.add_(1), lambda a: a, (x,))
        res.append(y.numpy())
    np.testing.assert_array_equal(res[0][0], res[2][0])
    assert res[0][1] == res[2][1] == 2
    np.testing.assert_array_equal(res[1], res[3])


@needs_torch
def test_cond_errors_match_torch():
    xa = np.arange(3.0)

    def cases(lib):
        x = lib.tensor(xa)
        p = lib.tensor(True)
        return [
            lambda: lib.cond(lib.tensor([True, False]), lambda a: a, lambda a: a, (x,)),
            lambda: lib.cond("s", lambda a: a, lambda a: a, (x,)),
            lambda: lib.cond(p, 3, lambda a: a, (x,)),
            lambda: lib.cond(p, lambda a, b: a + 1, lambda a, b: a + 1, (x, 3)),
            lambda: lib.cond(p, lambda a: a + 1, lambda a: a + 1, x),
            lambda: lib.cond(True, lambda a: a + 1, lambda a: a + 1, (x, x)),  # TypeError
            lambda: lib.cond(True, 3, lambda a: a, (x,)),
        ]
    for e, t in zip(cases(ember), cases(torch)):
        (ec, em), (tc, tm) = _err(e), _err(t)
        assert ec is tc and tc is not None
        if ec is RuntimeError:
            assert em.replace("ember", "torch") == tm.replace("torch.float64", "torch.float64")


@needs_torch
@pytest.mark.parametrize("case,headline", [
    ("mutate", "Encountered input mutation during higher order op tracing"),
    ("alias", "Encountered aliasing during higher order op tracing"),
    ("view", "Encountered aliasing during higher order op tracing"),
    ("none", "torch.cond: unsupported branch return type (constant non-int)"),
])
def test_cond_tracer_rules_under_grad_match_torch(case, headline):
    branch = {"mutate": lambda a: a.add_(1), "alias": lambda a: a, "view": lambda a: a.view(3),
              "none": lambda a: None}[case]
    errs = []
    for lib in (ember, torch):
        x = lib.tensor(np.arange(3.0))
        cls, msg = _err(lambda: lib.cond(lib.tensor(True), branch, branch, (x,)))
        assert cls is not None and issubclass(cls, RuntimeError)
        assert cls.__name__ == "UncapturedHigherOrderOpError"
        errs.append(msg)
    for msg in errs:
        assert msg.startswith("This higher order operator doesn't work unless it is captured "
                              "completely with torch.compile. Got graph break/error:\n\n"
                              + headline + "\n  Higher Order Operator: torch.cond\n")


# ---------------------------------------------------------------- torch.compiler

@needs_torch
def test_compiler_eager_answers_match_torch():
    import torch.compiler as tc

    import ember.compiler as ec
    for c in (ec, tc):
        assert c.is_compiling() is False and c.is_dynamo_compiling() is False
        assert c.is_exporting() is False and c.reset() is None

        def f(x):
            return x + 1
        assert c.allow_in_graph(f) is f and c.assume_constant_result(f) is f
        g = c.disable(f)
        assert g is not f and g.__name__ == "f"
        assert c.disable(recursive=False)(f).__name__ == "f"
        assert c.nested_compile_region(f)(1) == 2
    outs = []
    for lib, c in ((ember, ec), (torch, tc)):
        x = lib.tensor(np.arange(4.0).reshape(2, 2))
        w = c.wrap_numpy(lambda a, b: (a @ b, 3, {"t": a.T}))(x, b=x)
        assert isinstance(w[0], lib.Tensor) and isinstance(w[2]["t"], lib.Tensor)
        outs.append((w[0].numpy(), w[1], w[2]["t"].numpy(), c.disable(lambda t: t * 2)(x).numpy()))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)
