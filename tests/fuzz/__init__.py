"""A differential fuzzer: ember against torch on the same random inputs.

Layout (one home per thing):
- ``compare``: outcome kinds, float tolerances, error classification;
- ``runner``: run one case in both libraries (``check``) and render reproducers;
- ``inputs``: the Builder that draws shapes, dtypes, values, layouts and scalars;
- ``spec``: the FuzzOp record, the registry ``OPS`` and ``case_strategy``;
- ``ops_*``/``from_table``: the families (what is fuzzed);
- ``engine``: hypothesis-driven search with shrinking, time-boxed runs;
- ``report``: the markdown mismatch report; ``known``: the known, not yet fixed mismatches;
- ``__main__``: ``python -m tests.fuzz --minutes N [--family F] [--seed S] [--report PATH]``.
"""
from . import ops_elementwise, ops_reduce, ops_shape, ops_index, ops_nn, from_table  # noqa: F401
from .compare import KINDS, MISMATCH_KINDS, Outcome  # noqa: F401
from .runner import check, reproducer  # noqa: F401
from .spec import OPS, Case, FuzzOp, case_strategy  # noqa: F401

FAMILIES = sorted({o.family for o in OPS.values()})


def ops_of(family=None):
    return [o for o in OPS.values() if family in (None, "all", o.family)]
