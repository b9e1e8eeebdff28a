"""``ember.torch_version``: ``TorchVersion``, the ``str`` that compares as a version
(``torch.torch_version``)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._version_cmp import InvalidVersion, version_key

__all__ = ["TorchVersion"]


class TorchVersion(str):
    """A version string that compares with strings (``'1.10' > '1.9'`` as versions), tuples
    (``(1, 10)``) and ``packaging`` versions by PEP 440 rules, falling back to plain string
    comparison for text that is not a version, as torch's does."""

    __slots__ = ()

    def _convert_to_version(self, inp: Any) -> str:
        if isinstance(inp, str):
            return inp
        if hasattr(inp, "release") and hasattr(inp, "epoch"):  # packaging.version.Version
            return str(inp)
        if isinstance(inp, Iterable):
            return ".".join(str(item) for item in inp)
        raise InvalidVersion(inp)

    def _cmp_wrapper(self, cmp: Any, method: str) -> bool:
        try:
            mine, theirs = version_key(self), version_key(self._convert_to_version(cmp))
        except InvalidVersion:
            return getattr(super(), method)(cmp)
        return getattr(mine, method)(theirs)

    def __gt__(self, other: Any) -> bool:
        return self._cmp_wrapper(other, "__gt__")

    def __lt__(self, other: Any) -> bool:
        return self._cmp_wrapper(other, "__lt__")

    def __eq__(self, other: Any) -> bool:
        return self._cmp_wrapper(other, "__eq__")

    def __ge__(self, other: Any) -> bool:
        return self._cmp_wrapper(other, "__ge__")

    def __le__(self, other: Any) -> bool:
        return self._cmp_wrapper(other, "__le__")

    __hash__ = str.__hash__
