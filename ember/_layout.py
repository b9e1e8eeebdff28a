"""``torch.layout`` and ``torch.memory_format``: the named constants (``torch.strided``,
``torch.channels_last``, ...) as instances of their own types, printing, comparing, hashing and
pickling as torch's do. ember keeps every tensor in one strided row-major layout: a memory
format is accepted where torch accepts one and changes no values (README: deliberate
differences)."""
from __future__ import annotations

__all__ = ["layout", "memory_format"]


class _Named:
    __slots__ = ("_name",)
    _registry: dict

    def __new__(cls, name: str):
        known = cls._registry.get(name)
        if known is not None:
            return known
        self = object.__new__(cls)
        self._name = name
        cls._registry[name] = self
        return self

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self):
        return (_lookup, (type(self).__name__, self._name))


class layout(_Named):
    """A tensor's memory layout (``torch.strided``; the sparse layouts exist as names only,
    ember has no sparse tensors)."""
    __slots__ = ()
    _registry: dict = {}


class memory_format(_Named):
    """The order of a tensor's dimensions in memory (``torch.contiguous_format``,
    ``torch.channels_last``, ``torch.channels_last_3d``, ``torch.preserve_format``)."""
    __slots__ = ()
    _registry: dict = {}


def _lookup(kind: str, name: str):
    return (layout if kind == "layout" else memory_format)(name)


LAYOUTS = ("strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc",
           "_mkldnn", "jagged")
MEMORY_FORMATS = ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format",
                  "legacy_contiguous_format")
CONSTANTS = {n: layout(n) for n in LAYOUTS} | {n: memory_format(n) for n in MEMORY_FORMATS}
