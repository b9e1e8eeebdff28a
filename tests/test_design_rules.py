"""ARCHITECTURE.md's structural promises, checked on the source: the array seam, small files, no
heavy imports at `import ember` time."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent / "ember"
# op code: every array call goes through the backend seam (`xp`), never NumPy directly
OP_DIRS = ["_ops", "autograd", "nn", "optim"]
DIRECT_NUMPY = re.compile(r"^\s*(import numpy|from numpy)|\bnp\.", re.MULTILINE)


def _sources(dirs):
    for d in dirs:
        yield from sorted((ROOT / d).rglob("*.py"))


def test_op_code_uses_the_array_seam():
    offenders = []
    for path in _sources(OP_DIRS):
        text = path.read_text()
        # strip docstrings/comments roughly: only code lines count
        code = "\n".join(line.split("#")[0] for line in text.splitlines())
        if DIRECT_NUMPY.search(code):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"direct NumPy use (go through ember._backend.xp): {offenders}"


def test_files_stay_small():
    big = [(str(p.relative_to(ROOT)), n) for p in ROOT.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > 1500]
    assert big == [], f"files over 1500 lines: {big}"


# ------------------------------------------------------------------------- function length

# functions allowed past 80 lines, each with its reason (keep this list short)
LONG_FUNCTIONS = {
    ("autograd/engine.py", "run_backward"):
        "the engine's one loop: splitting it costs a call per node on the hottest path",
    **{("autograd/function.py", f): "an op entry point with its no-grad and graph paths "
       "inline (each forward under NumPy's quiet error state): a helper call per op costs "
       "what the inlining saves" for f in ("_apply", "_apply2")},
    ("nn/_functional_layers.py", "multi_head_attention_forward"):
        "torch's own function, ported line for line so that the graph is torch's",
    ("_svg.py", "layered_svg"): "one layout pass of the fallback graph renderer",
    ("optim/lbfgs.py", "step"): "torch's LBFGS.step, kept in torch's shape for comparison",
    ("utils/data/dataloader.py", "__init__"): "DataLoader's argument checks, in torch's order",
    ("_out.py", "write_out"): "torch's out= rules (resize, dtype, aliasing) in one place",
}


def test_functions_stay_short():
    import ast
    long_ = {}
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > 80:
                    long_[(str(path.relative_to(ROOT)), node.name)] = n
    assert set(long_) <= set(LONG_FUNCTIONS), \
        f"functions over 80 lines (split them or give the reason in LONG_FUNCTIONS): " \
        f"{ {k: v for k, v in long_.items() if k not in LONG_FUNCTIONS} }"
    stale = set(LONG_FUNCTIONS) - set(long_)
    assert not stale, f"LONG_FUNCTIONS entries that are no longer long: {stale}"


# ------------------------------------------------------------------------- every Op is tested

# Op classes the op table does not reach, each with why and where else it is tested
OP_TABLE_EXEMPT = {
    **{name: "random in-place fills (uniform_, normal_, bernoulli_, random_, exponential_, "
             "geometric_, cauchy_, log_normal_): random values (torch's, bit for bit: "
             "tests/test_random_vs_torch.py); graphs and errors in "
             "tests/test_tensor_basics.py and tests/test_promotion_vs_torch.py"
       for name in ("RandomFill", "UniformBackward0", "NormalBackward0", "BernoulliBackward1",
                    "BernoulliBackward2", "RandomBackward0", "RandomBackward1",
                    "RandomBackward2", "ExponentialBackward0", "GeometricBackward0",
                    "CauchyBackward0", "LogNormalBackward0")},
    "DropoutOp": "random mask; nn.Dropout and F.dropout against torch with a shared mask in "
                 "tests/test_nn_norm_dropout_embedding.py",
    **{name: "fused RNN layers: gradcheck/gradgradcheck and torch parity in "
             "tests/test_nn_rnn.py (test_fused_ops_gradcheck_and_gradgradcheck)"
       for name in ("GRULayer", "LSTMCellStep", "LSTMLayer", "LSTMSeq", "RNNLayer",
                    "UnsafeSplit")},
    "IndexEmpty": "an out-of-range index that gathers nothing: the op-table entry "
                  "index_empty_out_of_range reaches it where NumPy raises there (2.4), not "
                  "on NumPy 2.1, which returns the empty result itself",
}
# exemptions whose reach depends on the NumPy version (not reported as stale)
_VERSION_DEPENDENT = {"IndexEmpty"}


def _op_classes():
    from op_classes import all_op_classes
    return all_op_classes()


def _reached_by_the_op_table(ops):
    """Op classes whose forward runs, or whose node appears in a graph, when every op-table
    sample runs forward (float64 with grad, float32, int64 where the entry allows) and twice
    backward (create_graph, with grad_outputs that require grad, as gradgradcheck does)."""
    import warnings

    import numpy as np

    import ember
    from op_table import OPS
    seen = set()
    saved = {}

    def spy(cls, f):
        if isinstance(f, classmethod):
            fn = f.__func__
            return classmethod(lambda c, *a, **k: (seen.add(c), fn(c, *a, **k))[1])
        fn = f.__func__ if isinstance(f, staticmethod) else f
        return staticmethod(lambda *a, **k: (seen.add(cls), fn(*a, **k))[1])

    def walk(ts):
        stack, done = [t.grad_fn for t in ts if isinstance(t, ember.Tensor)], set()
        while stack:
            n = stack.pop()
            if n is None or id(n) in done:
                continue
            done.add(id(n))
            if getattr(type(n), "_op", None) is not None:
                seen.add(type(n)._op)
            stack.extend(u for u, _ in getattr(n, "next_functions", ()))

    for cls in ops:
        if "forward" in cls.__dict__:
            saved[cls] = cls.__dict__["forward"]
            cls.forward = spy(cls, saved[cls])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for o in OPS:
                for s in o.samples:
                    for dt in ("float64", "float32") + (("int64",) if o.int_ok else ()):
                        req = o.grad and dt == "float64"
                        args = [ember.tensor(a.astype(dt) if a.dtype.kind == "f" else a,
                                             requires_grad=req and a.dtype.kind == "f")
                                if isinstance(a, np.ndarray) else a for a in s.args]
                        try:
                            out = o.fn(ember, *args)
                            outs = list(out) if isinstance(out, (tuple, list)) else [out]
                            walk(outs)
                            outs = [t for t in outs if isinstance(t, ember.Tensor)
                                    and t.requires_grad]
                            leaves = [a for a in args if isinstance(a, ember.Tensor)
                                      and a.requires_grad]
                            if not (outs and leaves):
                                continue
                            gos = [ember.ones_like(t).requires_grad_() for t in outs]
                            gs = ember.autograd.grad(outs, leaves, gos, create_graph=True,
                                                     allow_unused=True)
                            gs = [g for g in gs if g is not None and g.requires_grad]
                            walk(gs)
                            if gs:
                                ember.autograd.grad(gs, leaves + gos,
                                                    [ember.ones_like(g) for g in gs],
                                                    allow_unused=True)
                        except Exception:  # noqa: BLE001 - failures are test_ops_table's job
                            pass
    finally:
        for cls, f in saved.items():
            setattr(cls, "forward", f)
    return seen


def test_every_op_is_reached_by_the_op_table():
    """Every Op class is exercised by tests/op_table.py (so values, gradients, grad_fn names
    are compared with torch and gradcheck/gradgradcheck run on it), or is on
    OP_TABLE_EXEMPT with the reason; base classes (those with subclasses) and torch's
    ``NotImplemented`` nodes (ops without a derivative: their backward only raises) aside."""
    ops = _op_classes()
    reached = _reached_by_the_op_table(ops)
    missing = sorted(
        f"{c.__module__}.{c.__name__}" for c in ops - reached
        if c.__name__ not in OP_TABLE_EXEMPT and not c.__subclasses__()
        and getattr(c, "node_name", None) != "NotImplemented")
    assert missing == [], f"Op classes no op-table entry reaches (add one): {missing}"
    stale = set(OP_TABLE_EXEMPT) - {c.__name__ for c in ops - reached} - _VERSION_DEPENDENT
    assert not stale, f"OP_TABLE_EXEMPT entries that the op table now reaches: {stale}"


def test_ember_all_lists_the_public_names():
    """``ember.__all__`` is the public surface (tools/gen_all.py writes it): every public name
    bound in ember/__init__.py, and nothing it does not bind."""
    import types

    import ember
    public = {n for n, v in vars(ember).items() if not n.startswith("_")
              and not isinstance(v, types.ModuleType) and n not in ("annotations", "builtins_bool",
                                                                     "builtins_int")}
    public |= set(ember._LAZY_NAMES)
    listed = set(ember.__all__)
    assert len(ember.__all__) == len(listed), "duplicates in ember.__all__"
    assert public - listed == set(), f"public names missing from __all__: {public - listed}"
    assert listed - public - {"autograd"} == set(), f"not defined: {listed - public}"


def test_single_sources():
    """One home for the version bump and for torch's dtype spellings."""
    bumps, tables = [], []
    spelled = re.compile(
        r"""["']float32["']\s*:\s*["'](Float|float|FloatTensor|torch\.FloatTensor)""")
    for path in ROOT.rglob("*.py"):
        rel = str(path.relative_to(ROOT))
        text = path.read_text()
        if "._version_counter[0] += 1" in text and rel != "_tensor.py":
            bumps.append(rel)
        if spelled.search(text) and rel != "_dtype.py":
            tables.append(rel)
    assert bumps == [], f"version bumps outside _tensor.bump_version: {bumps}"
    assert tables == [], f"dtype-name tables outside _dtype (use dtype.scalar_name ...): {tables}"


def test_importing_a_submodule_keeps_the_function_of_its_name():
    """`import ember.autograd.gradcheck` (a module of that name exists, as in torch) must leave
    `ember.autograd.gradcheck` the function: every package's functions stay functions after all
    of ember's modules are imported."""
    import importlib

    import ember
    from op_classes import all_op_classes
    all_op_classes()  # imports every module of ember
    importlib.import_module("ember.autograd.gradcheck")
    for pkg, name in [(ember.autograd, "gradcheck"), (ember.autograd, "gradgradcheck"),
                      (ember.autograd, "grad"), (ember.autograd, "backward")]:
        assert callable(getattr(pkg, name)), f"{pkg.__name__}.{name} is not callable"
