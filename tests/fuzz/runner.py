"""Running one case in ember and in torch and judging it (``check``), and rendering it as a
standalone script (``reproducer``).

A case is Python source: the body of ``def case(lib)``, written once for both libraries
(``lib`` is ``ember`` or ``torch``), that builds its inputs from NumPy literals and sets
``out`` (a result or a tuple of results) and ``leaves`` (the tensors to differentiate with
respect to).  The gradient stages are the functions of ``STAGES_SRC``: the runner executes
that very text, and every reproducer carries it verbatim, so a report shows exactly what ran.
"""
from __future__ import annotations

import re
import warnings
from math import inf, nan

import numpy as np

from . import compare
from .compare import MATCH, Outcome

STAGES_SRC = '''\
def flat(out):
    """Results as a flat list (tuples, lists and namedtuples unpacked)."""
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in flat(o)]
    return [out]


def upstream(lib, ts, seed):
    """A fixed random gradient for each tensor, the same numbers for both libraries."""
    rng = np.random.default_rng(seed)
    return [lib.tensor(rng.standard_normal(tuple(t.shape)).astype(str(t.dtype).split(".")[-1]))
            for t in ts]


def grads(lib, out, leaves, create_graph):
    """d(out)/d(leaves) for a random upstream gradient (None for an unused leaf)."""
    outs = [o for o in flat(out) if isinstance(o, lib.Tensor) and o.requires_grad]
    return lib.autograd.grad(outs, leaves, upstream(lib, outs, 1), allow_unused=True,
                             create_graph=create_graph)


def grads2(lib, g1, leaves):
    """Second order: the gradient of <g1, v> for a random v (g1 from create_graph=True)."""
    g1 = [g for g in g1 if g is not None]
    pairs = [(g, v) for g, v in zip(g1, upstream(lib, g1, 2)) if g.requires_grad]
    return lib.autograd.grad([g for g, _ in pairs], leaves, [v for _, v in pairs],
                             allow_unused=True)
'''

_STAGES: dict = {"np": np}
exec(compile(STAGES_SRC, "<fuzz stages>", "exec"), _STAGES)
flat, grads, grads2 = _STAGES["flat"], _STAGES["grads"], _STAGES["grads2"]

_INPUT_LINE = re.compile(r"^(\w+) = lib\.tensor\(", re.MULTILINE)


class FuzzerFault(Exception):
    """The case itself is broken (torch cannot even run it as Python): a fuzzer bug."""


# what torch raises only when the case, not the library, is wrong
_FAULTS = (SyntaxError, NameError, AttributeError)


class Run:
    """One library's run of a case: its namespace, results and the exception raised, if any."""

    def __init__(self, lib, code):
        self.lib = lib
        self.ns = {"lib": lib, "np": np, "nan": nan, "inf": inf}
        self.error = None
        try:
            exec(code, self.ns)
        except Exception as exc:  # noqa: BLE001 - any exception is an outcome
            self.error = exc
        self.out = flat(self.ns.get("out")) if self.error is None else []
        self.leaves = list(self.ns.get("leaves", [])) if self.error is None else []

    def input_scale(self, code: str):
        """(largest input numel, largest finite input magnitude, at least 1): the tolerances'
        n and S (see compare.Tol)."""
        n, S = 1, 1.0
        for name in _INPUT_LINE.findall(code):
            t = self.ns.get(name)
            if isinstance(t, self.lib.Tensor):
                a = t.detach().numpy()
                n = max(n, a.size)
                if a.dtype.kind == "f" and a.size:
                    fin = np.abs(a[np.isfinite(a)].astype(np.float64))
                    if fin.size:
                        S = max(S, float(fin.max()))
        return n, S


def _to_numpy(t):
    t = t.detach()
    if getattr(t, "_is_zerotensor", None) is not None and t._is_zerotensor():
        return t.numpy(force=True)   # torch's symbolic zero gradients
    return np.asarray(t.numpy())


def _quiet(fn, *args):
    try:
        return fn(*args), None
    except Exception as exc:  # noqa: BLE001
        return None, exc


def check(op, code: str) -> Outcome:
    """Run ``code`` in ember and torch and classify the outcome (compare.KINDS).

    ``op`` supplies ``tol`` (compare.Tol), ``grad`` (compare first-order gradients) and
    ``grad2`` (second order through create_graph)."""
    import ember
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _check(op, code, ember, torch)


def _check(op, source, ember, torch):
    try:
        code = compile(source, "<fuzz case>", "exec")
    except SyntaxError as exc:
        raise FuzzerFault(f"case does not compile: {exc}") from exc
    te, ee = Run(torch, code), Run(ember, code)
    if isinstance(te.error, _FAULTS):
        raise FuzzerFault(f"torch raised {compare.describe_error(te.error)}") from te.error
    err = compare.classify_errors(ee.error, te.error)
    if err is not None:
        return err
    n, S = te.input_scale(source)

    # gradients flow back through the outputs: their least precise dtype bounds the precision
    floor = compare.coarsest(*(str(o.dtype).split(".")[-1] for o in te.out
                               if isinstance(o, torch.Tensor)))

    def cmp(e, t, what, stage_extra=0, rg="strict"):
        return compare.compare_outputs(
            e, t, lambda x: isinstance(x, ember.Tensor), lambda x: isinstance(x, torch.Tensor),
            _to_numpy, op.tol, n, S, what=what, extra_deg=stage_extra, requires_grad=rg,
            floor=floor if stage_extra else None)

    bad = cmp(ee.out, te.out, "output")
    if bad is not None:
        return Outcome(*bad)

    t_diff = [o for o in te.out if isinstance(o, torch.Tensor) and o.requires_grad]
    if not (op.grad and te.leaves and t_diff):
        return MATCH
    # ---- first order, on the graph just built (create_graph=False: ember's array path)
    out = _grad_stage(ee, te, cmp, create_graph=False, kind="grad")
    if out is not None or not op.grad2:
        return out or MATCH
    # ---- second order: fresh graphs, first-order grads with create_graph=True, then again
    te, ee = Run(torch, code), Run(ember, code)
    return _grad_stage(ee, te, cmp, create_graph=True, kind="grad2") or MATCH


def _grad_stage(ee, te, cmp, create_graph, kind):
    lib_e, lib_t = ee.lib, te.lib
    ge, e_err = _quiet(grads, lib_e, ee.ns["out"], ee.leaves, create_graph)
    gt, t_err = _quiet(grads, lib_t, te.ns["out"], te.leaves, create_graph)
    first = "first-order grads (create_graph=True)" if create_graph else "grad"
    bad = _stage_errors(e_err, t_err, kind, first)
    if bad is not None or t_err is not None:
        return bad
    bad = cmp(list(ge), list(gt), f"{first} of leaf", 1, rg="lost" if create_graph else "no")
    if bad is not None:
        return Outcome(kind, f"{bad[0]}: {bad[1]}" if bad[0] != "value" else bad[1], kind)
    if not create_graph:
        return None
    if not any(g is not None and g.requires_grad for g in gt):
        return None
    g2e, e_err = _quiet(grads2, lib_e, ge, ee.leaves)
    g2t, t_err = _quiet(grads2, lib_t, gt, te.leaves)
    bad = _stage_errors(e_err, t_err, kind, "2nd-order grad")
    if bad is not None or t_err is not None:
        return bad
    bad = cmp(list(g2e), list(g2t), "2nd-order grad of leaf", 2, rg="no")
    if bad is not None:
        return Outcome(kind, f"{bad[0]}: {bad[1]}" if bad[0] != "value" else bad[1], kind)
    return None


def _stage_errors(e_err, t_err, kind, what):
    out = compare.classify_errors(e_err, t_err)
    if out is None or out.ok:
        return None
    return Outcome(kind, f"{what}: {compare.KINDS[out.kind]}: {out.detail}", kind)


# ------------------------------------------------------------------------------ reproducers


def reproducer(op_name: str, code: str, outcome: Outcome | None = None) -> str:
    """A standalone script that runs the case in both libraries and prints what differs."""
    body = "\n".join("    " + line if line else "" for line in code.rstrip().splitlines())
    head = f"# fuzz case: {op_name}"
    if outcome is not None and not outcome.ok:
        head += f" -- {compare.KINDS[outcome.kind]}\n# {outcome.detail}"
    stage = outcome.stage if outcome is not None else "forward"
    lines = [head, "import numpy as np", "from math import inf, nan", "import torch",
             "import ember", "", "", "def case(lib):", body, "    return out, leaves", ""]
    if stage != "forward":
        lines += ["", STAGES_SRC.rstrip(), ""]
    lines += ["", "for lib in (torch, ember):", "    try:",
              "        out, leaves = case(lib)"]
    if stage == "forward":
        lines += ["        print(lib.__name__, out)"]
    elif stage == "grad":
        lines += ["        print(lib.__name__, grads(lib, out, leaves, False))"]
    else:
        lines += ["        g1 = grads(lib, out, leaves, True)",
                  "        print(lib.__name__, g1, grads2(lib, g1, leaves))"]
    lines += ["    except Exception as e:",
              "        print(lib.__name__, 'raised', type(e).__name__, e)"]
    return "\n".join(lines) + "\n"
