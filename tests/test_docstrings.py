"""Every public callable of ``ember`` (its ``__all__``) and every public Tensor method or
property has a docstring: non-empty, a first line with text, and not cut off mid-sentence (it
ends with '.', ')' or ':').  ``help(ember.exp)`` must say what the function does."""
import inspect

import pytest

import ember
from ember import _docs

# name -> why it has no docstring of its own (keep this short; prefer writing one)
EXEMPT: dict[str, str] = {}


def _problem(doc):
    if not doc or not doc.strip():
        return "no docstring"
    text = doc.strip()
    if not text.splitlines()[0].strip():
        return "empty first line"
    if text[-1] not in ".):":
        return f"ends mid-sentence: ...{text[-40:]!r}"
    return None


def _public_functions():
    for name in ember.__all__:
        obj = getattr(ember, name)
        if not inspect.ismodule(obj) and callable(obj):
            yield f"ember.{name}", obj


def _public_tensor_members():
    for name in dir(ember.Tensor):
        if name.startswith("_"):
            continue
        obj = inspect.getattr_static(ember.Tensor, name)
        if isinstance(obj, property) or callable(obj):
            yield f"Tensor.{name}", getattr(ember.Tensor, name)


@pytest.mark.parametrize("kind", ["functions", "tensor"])
def test_public_docstrings(kind):
    items = _public_functions() if kind == "functions" else _public_tensor_members()
    bad = {qual: p for qual, obj in items
           if qual not in EXEMPT and (p := _problem(obj.__doc__)) is not None}
    assert bad == {}, f"{len(bad)} public {kind} lack a proper docstring: {bad}"


def test_counts_are_not_trivial():
    # the checks above run over the real API (a broken __all__ would make them vacuous)
    assert sum(1 for _ in _public_functions()) > 250
    assert sum(1 for _ in _public_tensor_members()) > 250


def test_exp_docstring_is_a_sentence_plus_its_derivative():
    doc = ember.exp.__doc__
    assert doc.startswith("Returns a new tensor with the exponential")
    assert "Derivative: d/dx exp(x) = exp(x)." in doc
    assert ember.Tensor.exp.__doc__.startswith("See :func:`ember.exp`")


def test_doc_table_entries_are_used():
    # an entry of ember/_docs.py whose function gained a docstring in its source is stale
    stale = _docs.shadowed()
    assert stale == [], f"remove these from ember/_docs.py (their source has a docstring): {stale}"
    missing = [n for n in _docs.FUNCTIONS if not hasattr(ember, n)]
    assert missing == [], missing
    missing = [n for n in _docs.TENSOR if not hasattr(ember.Tensor, n)]
    assert missing == [], missing
