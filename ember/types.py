"""``ember.types``: the type aliases torch's annotations use (``torch.types``)."""
from __future__ import annotations

import os
from typing import IO, TypeAlias, Union

from ._backend import Device as _device
from ._tensor import Size, Tensor  # noqa: F401 - torch.types exports them too

__all__ = ["Number", "Device", "FileLike", "Storage"]

Number: TypeAlias = Union[int, float, bool]
Device: TypeAlias = Union[_device, str, int, None]
FileLike: TypeAlias = Union[str, os.PathLike, IO[bytes]]
IntLikeType: TypeAlias = int
FloatLikeType: TypeAlias = float
BoolLikeType: TypeAlias = bool
py_sym_types: tuple[type, ...] = ()  # ember has no symbolic shapes


class Storage:
    """The storage protocol of torch's annotations (ember tensors keep NumPy arrays)."""

