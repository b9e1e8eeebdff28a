"""``ember.return_types``: the named-tuple classes that ops return (``torch.return_types``).

``torch.max(x, 1)`` returns a ``torch.return_types.max`` with fields ``values`` and
``indices``; each class here is that op's result type (``isinstance`` works, the repr is
torch's) and is a pytree node that flattens to its fields, as torch registers its structseqs.
"""
from __future__ import annotations

from typing import Any

from ._ops import linalg_legacy as _linalg_legacy, linalg_more as _linalg_more  # noqa: F401
from ._ops import special as _special, statistics as _statistics  # noqa: F401
from ._ops.reduction import _RETURN_TYPES, _return_type

_return_type("frexp", ("mantissa", "exponent"))  # made on first use by frexp otherwise

__all__ = ["pytree_register_structseq", "all_return_types"]

all_return_types: list[type] = []


def pytree_register_structseq(cls: type) -> None:
    """Registers the result class ``cls`` as a pytree node (children: its fields; the spec
    names the class itself, as torch's structseq registration does)."""
    from .utils import _pytree

    _pytree._STRUCTSEQ.add(cls)
    _pytree.register_pytree_node(
        cls, lambda s: (list(s), None), lambda values, context: cls(*values),
        flatten_with_keys_fn=lambda s: ([(_pytree.SequenceKey(i), v) for i, v in enumerate(s)],
                                        None))


def _install() -> None:
    for name, cls in sorted(_RETURN_TYPES.items()):
        globals()[name] = cls
        __all__.append(name)
        all_return_types.append(cls)
        pytree_register_structseq(cls)


_install()


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'torch.return_types' has no attribute '{name}'")
