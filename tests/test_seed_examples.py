"""The seed-tutorial example scripts (ember/examples/, listed in SEED_EXAMPLES).

Each script is run in-process twice, once under ember and once, with ``ember`` replaced by
``torch`` in its source, under PyTorch.  The random functions of both libraries (randn, rand,
randint, normal, manual_seed) and the initialisation of ``nn.Linear`` draw from one shared,
seeded NumPy stream, so both runs see the same data and the same initial weights; their printed
outputs must then agree: the same text once object addresses and numbers are masked, and the
numbers within a relative 1e-4.  Without torch, each script must still run and print the values
the seed documents derive (y = x**2 at x = 2 gives 4, the 4/2 then 8/4 Jacobian products ...).
"""
import contextlib
import io
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ember
import ember.examples as examples
from graph_sig import node_signature

EXAMPLE_DIR = Path(examples.__file__).parent
NAMES = examples.SEED_EXAMPLE_NAMES

RTOL = 1e-4
ATOL = 1e-6
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


# ----------------------------------------------------------------------------- running a script

def example_source(name, lib_name="ember"):
    text = (EXAMPLE_DIR / f"{name}.py").read_text(encoding="utf-8")
    if lib_name == "torch":
        text = re.sub(r"\bember\b", "torch", text)
    return text


def run_example(name, lib_name="ember", graphs=None):
    """Execute the script's source (as `lib_name`'s program) and return what main() prints.
    With a list ``graphs``, also record the whole backward graph (tests/graph_sig.py) of every
    printed tensor that has a ``grad_fn`` and of every printed graph node."""
    path = EXAMPLE_DIR / f"{name}.py"
    code = compile(example_source(name, lib_name), str(path), "exec")
    namespace = {"__name__": f"_seed_example_{lib_name}", "__file__": str(path)}
    if graphs is not None:
        def print_recording(*args, **kwargs):
            for a in args:
                node = a if hasattr(a, "next_functions") else getattr(a, "grad_fn", None)
                if node is not None:
                    graphs.append(node_signature(node))
            print(*args, **kwargs)
        namespace["print"] = print_recording
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
        namespace["main"]()
    return out.getvalue()


class SharedStream:
    """One seeded NumPy stream that stands in for the random functions of a library."""

    def __init__(self, seed=2024):
        self.rng = np.random.default_rng(seed)

    def manual_seed(self, seed):
        self.rng = np.random.default_rng(10_000 + int(seed))

    def install(self, monkeypatch, lib):
        stream = self

        def tensor(arr, dtype, requires_grad, default):
            t = lib.tensor(np.asarray(arr), dtype=dtype if dtype is not None else default)
            return t.requires_grad_(True) if requires_grad else t

        def randn(*size, generator=None, out=None, dtype=None, requires_grad=False, **kw):
            return tensor(stream.rng.standard_normal(_size(size)), dtype, requires_grad,
                          lib.get_default_dtype())

        def rand(*size, generator=None, out=None, dtype=None, requires_grad=False, **kw):
            return tensor(stream.rng.random(_size(size)), dtype, requires_grad,
                          lib.get_default_dtype())

        def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None,
                    requires_grad=False, **kw):
            if high is None:
                low, high = 0, low
            return tensor(stream.rng.integers(low, high, _size(size)), dtype, requires_grad,
                          lib.int64)

        def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
                   requires_grad=False, **kw):
            m, s = _np(mean), _np(std)
            shape = _size(size) if size is not None else np.broadcast_shapes(m.shape, s.shape)
            return tensor(m + s * stream.rng.standard_normal(shape), dtype, requires_grad,
                          lib.get_default_dtype())

        def manual_seed(seed):
            stream.manual_seed(seed)

        def reset_parameters(self):  # nn.Linear: kaiming_uniform_(a=sqrt(5)) bounds
            fan_in = self.weight.shape[1]
            bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            with lib.no_grad():
                for p in (self.weight, self.bias):
                    if p is not None:
                        draw = stream.rng.uniform(-bound, bound, tuple(p.shape))
                        p.copy_(lib.tensor(draw, dtype=p.dtype))

        for fname, fn in [("randn", randn), ("rand", rand), ("randint", randint),
                          ("normal", normal), ("manual_seed", manual_seed)]:
            monkeypatch.setattr(lib, fname, fn)
        monkeypatch.setattr(lib.nn.Linear, "reset_parameters", reset_parameters)


def _size(size):
    if size is None:
        return ()
    if isinstance(size, int):
        return (size,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _np(v):
    if hasattr(v, "detach"):
        return np.asarray(v.detach().numpy(), dtype=np.float64)
    return np.asarray(v, dtype=np.float64)


# ----------------------------------------------------------------------------- comparing outputs

def mask(text):
    return NUMBER.sub("<num>", ADDRESS.sub("0x?", text))


def _last_digit(token):
    """The value of one unit in the last printed digit, or 0 for fewer than 4 decimals."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    if decimals < 4:
        return 0.0
    return 10.0 ** (-decimals + int(exponent or 0))


def numbers_close(got, want):
    a, b = float(got), float(want)
    if math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL):
        return True
    # two nearly equal values may round to neighbouring last printed digits
    return abs(a - b) <= 1.01 * max(_last_digit(got), _last_digit(want))


def assert_same_output(got, want):
    got_masked, want_masked = mask(got), mask(want)
    if got_masked != want_masked:
        got_lines, want_lines = got_masked.splitlines(), want_masked.splitlines()
        for i, (g, w) in enumerate(zip(got_lines, want_lines)):
            if g != w:
                pytest.fail(f"line {i} differs:\n ember: {got.splitlines()[i]!r}\n"
                            f" torch: {want.splitlines()[i]!r}")
        pytest.fail(f"{len(got_lines)} lines printed by ember, {len(want_lines)} by torch:\n"
                    f"--- ember\n{got}\n--- torch\n{want}")
    got_nums, want_nums = NUMBER.findall(got), NUMBER.findall(want)
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got_nums, want_nums))
           if not numbers_close(g, w)]
    if bad:
        pytest.fail(f"{len(bad)} of {len(got_nums)} numbers differ (ember, torch): "
                    f"{[(g, w) for _, g, w in bad[:10]]}\n--- ember\n{got}\n--- torch\n{want}")


def test_mask_and_compare_helpers():
    a = "f = <AddBackward0 object at 0x7f00aa>\ntensor([0.0549, -1.2500e-05])\nEpoch:3\n"
    b = "f = <AddBackward0 object at 0x0000022EDB445C30>\ntensor([0.0550, -1.2500e-05])\nEpoch:3\n"
    assert mask(a) == mask(b)
    assert_same_output(a, b)  # 0.0549 vs 0.0550: one unit in the last printed digit
    with pytest.raises(pytest.fail.Exception):
        assert_same_output(a, a.replace("Epoch:3", "Epoch:4"))
    with pytest.raises(pytest.fail.Exception):
        assert_same_output("tensor([4., 2.])", "tensor([4., 3.])")
    with pytest.raises(pytest.fail.Exception):
        assert_same_output("x True", "x False")
    assert NUMBER.findall("dL/dW3: tensor([[1.5, -2e-3]]) fc2.bias Epoch:12") == \
        ["1.5", "-2e-3", "12"]


# ----------------------------------------------------------------------------- the package

def test_example_list_matches_files():
    on_disk = sorted(p.stem for p in EXAMPLE_DIR.glob("*.py")
                     if p.stem not in ("__init__", "__main__", "digits", "ddp_digits", "jvp"))
    assert sorted(NAMES) == on_disk
    seeds = [seed for _, seed, _ in examples.SEED_EXAMPLES]
    assert seeds == sorted(seeds)  # the documents' order
    for name, seed, _ in examples.SEED_EXAMPLES:
        src = example_source(name)
        assert src.startswith('"""Seed document ' + seed), name
        assert "\nimport ember as torch\n" in src, name
        assert "\ndef main():\n" in src and '\nif __name__ == "__main__":\n    main()\n' in src
        code = src.split('"""', 2)[2]  # the typos the docstrings name must be gone from the code
        for typo in ("le-6", "loss.data[0]", "torch.nn.module", "super(Module", "optimer"):
            assert typo not in code, (name, typo)


@pytest.mark.parametrize("name", NAMES)
def test_example_matches_torch(name, monkeypatch):
    torch = pytest.importorskip("torch")
    outputs = {}
    for lib_name, lib in (("ember", ember), ("torch", torch)):
        with monkeypatch.context() as m:
            SharedStream().install(m, lib)
            outputs[lib_name] = run_example(name, lib_name)
    assert outputs["torch"].strip(), "the PyTorch program printed nothing"
    assert_same_output(outputs["ember"], outputs["torch"])


@pytest.mark.parametrize("name", NAMES)
def test_example_graphs_match_torch(name, monkeypatch):
    """Every graph a tutorial prints (``z.grad_fn``, ``y`` with its grad_fn) is torch's node
    for node: class names, ``next_functions`` order and ``None`` edges."""
    torch = pytest.importorskip("torch")
    graphs = {}
    for lib_name, lib in (("ember", ember), ("torch", torch)):
        with monkeypatch.context() as m:
            SharedStream().install(m, lib)
            graphs[lib_name] = []
            run_example(name, lib_name, graphs[lib_name])
    assert graphs["ember"] == graphs["torch"]


def test_shared_stream_gives_both_libraries_the_same_draws(monkeypatch):
    torch = pytest.importorskip("torch")
    draws = {}
    for lib in (ember, torch):
        with monkeypatch.context() as m:
            SharedStream().install(m, lib)
            lib.manual_seed(3)
            draws[lib.__name__] = [lib.randn(2, 3).numpy(), lib.rand((4,)).numpy(),
                                   lib.randint(0, 5, (3,)).numpy(),
                                   lib.normal(0.0, 2.0, size=(2,)).numpy()]
            layer = lib.nn.Linear(4, 2)
            draws[lib.__name__] += [layer.weight.detach().numpy(), layer.bias.detach().numpy()]
    assert len(draws["ember"]) == len(draws["torch"])
    for e, t in zip(draws["ember"], draws["torch"]):
        assert e.dtype == t.dtype and e.shape == t.shape
        np.testing.assert_array_equal(e, t)


# ----------------------------------------------------------------------------- ember alone

def _numbers(text):
    return [float(v) for v in NUMBER.findall(text)]


def _losses(text, key):
    return [float(v) for v in re.findall(key + r"\s*([-+.\deE]+)", text)]


JACOBIAN_4x5 = """First call
tensor([[4., 2., 2., 2., 2.],
        [2., 4., 2., 2., 2.],
        [2., 2., 4., 2., 2.],
        [2., 2., 2., 4., 2.]])

Second call
tensor([[8., 4., 4., 4., 4.],
        [4., 8., 4., 4., 4.],
        [4., 4., 8., 4., 4.],
        [4., 4., 4., 8., 4.]])

Call after zeroing gradients
tensor([[4., 2., 2., 2., 2.],
        [2., 4., 2., 2., 2.],
        [2., 2., 4., 2., 2.],
        [2., 2., 2., 4., 2.]])
"""


def _check_one_layer_bce(out, sep):
    lines = out.splitlines()
    assert lines[0].startswith(f"Gradient function for z{sep} <AddBackward0 object at 0x")
    assert lines[1].startswith(
        f"Gradient function for loss{sep} <BinaryCrossEntropyWithLogitsBackward0 object at 0x")
    assert lines[-3:] == ["True", "False", "False"]
    grads = _numbers("\n".join(lines[2:-3]))
    assert len(grads) == 18
    w_grad, b_grad = np.array(grads[:15]).reshape(5, 3), np.array(grads[15:])
    # x = ones, y = zeros: d loss / d w[i, j] = d loss / d b[j] = sigmoid(z_j) / 3
    np.testing.assert_array_equal(w_grad, np.broadcast_to(b_grad, (5, 3)))
    assert np.all((b_grad >= 0) & (b_grad <= 1 / 3))


def check_bce_net_graph(out):
    _check_one_layer_bce(out, " =")


def check_vector_jacobian_product(out):
    assert out == JACOBIAN_4x5


def _check_manual_training(out):
    losses = _losses(out, r"Loss:")
    assert [int(e) for e in re.findall(r"Epoch:(\d+)", out)] == list(range(20))
    assert len(losses) == 20 and all(math.isfinite(v) and v > 0 for v in losses)
    assert losses[-1] < losses[0]


def check_manual_training(out):
    _check_manual_training(out)


def check_custom_module(out):
    _check_manual_training(out)
    # the same seed, data, weights and updates as the hand-written loop: the same losses
    assert out == run_example("manual_training")


def check_sequential_adam(out):
    losses = _losses(out, r"Loss:")
    assert len(losses) == 20 and all(0.3 < v < 3 for v in losses)  # MSE of N(0, 1) targets
    assert losses[-1] <= losses[0]


def check_gradient_of_square(out):
    assert out == "tensor(4.)\ntensor(4.)\n"


def check_linear_regression(out):
    values = {}
    for when in ("before step", "after step"):
        for pname in ("linear.weight", "linear.bias"):
            m = re.search(rf"{when}:\s+{re.escape(pname)} = (.*)", out)
            values[when, pname] = np.array(_numbers(m.group(1)))
    grads = [np.array(_numbers(line)) for line in out.splitlines() if line.startswith("tensor")]
    assert len(grads) == 2
    for pname, g in zip(("linear.weight", "linear.bias"), grads):
        np.testing.assert_allclose(values["after step", pname],
                                   values["before step", pname] - 0.01 * g, atol=2e-4)
    before = float(re.search(r"loss = ([\d.]+)", out).group(1))
    after = float(re.search(r"loss after one step = ([\d.]+)", out).group(1))
    assert after < before


def check_chain_rule_by_hand(out):
    verdicts = re.findall(r"equal: (\w+)", out)
    assert verdicts == ["True"] * 10


def check_zero_grad_loop(out):
    losses = _losses(out, r"loss")
    assert len(losses) == 5 and losses[-1] < losses[0]
    final = float(re.search(r"final output ([-\d.]+)", out).group(1))
    assert abs(final - 1.0) < 0.05
    once = _numbers(re.search(r"one backward:\s+(.*)", out).group(1))
    twice = _numbers(re.search(r"two backwards:\s+(.*)", out).group(1))
    # d/db of (out - 0)^2 at out ~ 1: about 2, then twice that
    assert len(once) == 1 and 1.8 < once[0] < 2.2
    assert twice[0] == pytest.approx(2 * once[0], abs=2e-4)


def check_retain_grad_leaves(out):
    expected = [
        "w.grad: tensor([5.])", "x.grad: tensor([2.])", "is_leaf: True True False False False",
        "grad_fn of w, x: None None", "grad_fn of a: <AddBackward0 object at 0x?>",
        "grad_fn of b: <AddBackward0 object at 0x?>", "grad_fn of y: <MulBackward0 object at 0x?>",
        "a.grad: tensor([2.])", "b.grad: None",
        "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being "
        "accessed."]
    assert ADDRESS.sub("0x?", out).splitlines() == expected


def check_grad_tensors_higher_order(out):
    assert out == ("w.grad with grad_tensors [1, 2]: tensor([9.])\n"
                   "w.grad of y0 alone: tensor([5.])\n"
                   "(tensor([6.], grad_fn=<MulBackward0>),)\n"
                   "(tensor([2.]),)\n")


def check_accumulation_inplace(out):
    assert out == (
        "iteration 0: w.grad = tensor([5.])\niteration 1: w.grad = tensor([10.])\n"
        "iteration 2: w.grad = tensor([15.])\niteration 3: w.grad = tensor([20.])\n"
        "iteration 0 with zeroing: w.grad = tensor([5.])\n"
        "iteration 1 with zeroing: w.grad = tensor([5.])\n"
        "requires_grad of a, b, y: True True True\n"
        "t = t + 1 keeps the memory: False\nt += 1 keeps the memory: True\n"
        "w.add_(1) -> RuntimeError: a leaf Variable that requires grad is being used in an "
        "in-place operation.\n")


def check_grad_fn_detach(out):
    _check_one_layer_bce(out, "=")


def _matrix(diag, off, n_rows=5, n_cols=5, prefix="tensor(", suffix=")"):
    rows = [", ".join(diag if j == i else off for j in range(n_cols)) for i in range(n_rows)]
    pad = " " * (len(prefix) + 1)
    return prefix + "[[" + ("],\n" + pad + "[").join(rows) + "]]" + suffix


def check_jacobian_eye(out):
    assert out == (f"inp= {_matrix('1.', '0.', suffix=', requires_grad=True)')}\n\n"
                   f"out= {_matrix('4.', '1.', suffix=', grad_fn=<PowBackward0>)')}\n\n"
                   f"First call\n {_matrix('4.', '2.')}\n\n"
                   f"Second call\n {_matrix('8.', '4.')}\n\n"
                   f"Call after zeroing gradients\n {_matrix('4.', '2.')}\n")


def test_every_example_has_a_check():
    assert sorted(NAMES) == sorted(n[len("check_"):] for n in globals()
                                   if n.startswith("check_"))


@pytest.mark.parametrize("name", NAMES)
def test_example_runs_under_ember_alone(name):
    out = run_example(name)
    assert out.strip()
    globals()[f"check_{name}"](out)


def test_run_as_module_and_runner():
    env_cmd = [sys.executable, "-m"]
    done = subprocess.run(env_cmd + ["ember.examples.gradient_of_square"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "tensor(4.)\ntensor(4.)\n"
    listing = subprocess.run(env_cmd + ["ember.examples"], capture_output=True, text=True,
                             timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert all(name in listing.stdout for name in NAMES)
    ran = subprocess.run(env_cmd + ["ember.examples", "vector_jacobian_product",
                                    "grad_tensors_higher_order"],
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert JACOBIAN_4x5 in ran.stdout and "(tensor([2.]),)" in ran.stdout
    bad = subprocess.run(env_cmd + ["ember.examples", "no_such_example"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "unknown example" in bad.stderr
