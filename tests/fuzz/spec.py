"""The fuzz op record and the registry every family adds to."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from hypothesis import strategies as st

from .compare import ELEM, Tol
from .inputs import Builder


@dataclass
class FuzzOp:
    """One fuzzed operation.

    ``build(cb)`` draws inputs and parameters through the Builder ``cb`` (which emits their
    source) and returns the expression whose value is the case's ``out``."""
    name: str
    family: str
    build: Callable[[Builder], str]
    tol: Tol = ELEM
    grad: bool = True          # draw float inputs with requires_grad and compare gradients
    grad2: bool = True         # also compare second-order gradients (create_graph=True)
    values: str = "full"       # the default value profile of its inputs (inputs.PROFILES)
    tags: tuple = field(default_factory=tuple)

    def __repr__(self):
        return self.name


class Case:
    """A drawn case: the op and the source of its body.  Its repr is the source, so that
    hypothesis prints a readable falsifying example."""

    __slots__ = ("op", "code", "label")

    def __init__(self, op: FuzzOp, code: str, label: str | None = None):
        self.op, self.code = op, code
        self.label = label or op.name   # what mismatches are grouped by

    def __repr__(self):
        return f"Case({self.label!r}, '''\n{self.code}''')"


OPS: dict[str, FuzzOp] = {}


def register(name, family, build, **kw) -> FuzzOp:
    if name in OPS:
        raise ValueError(f"duplicate fuzz op {name!r}")
    op = FuzzOp(name, family, build, **kw)
    OPS[name] = op
    return op


def case_strategy(op: FuzzOp):
    """Hypothesis strategy of Cases of ``op``."""
    @st.composite
    def cases(draw):
        cb = Builder(draw, op)
        expr = op.build(cb)
        label = op.name if cb.label is None or cb.label == op.name else f"{op.name}:{cb.label}"
        return Case(op, cb.code(expr), label)
    return cases()
