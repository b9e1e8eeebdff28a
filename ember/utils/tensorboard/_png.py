"""A minimal PNG encoder (zlib + struct): TensorBoard images without Pillow."""
from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["encode_png"]

_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> gray, gray+alpha, RGB, RGBA


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode_png(hwc: np.ndarray) -> bytes:
    """PNG bytes of an ``(H, W, C)`` (or ``(H, W)``) uint8 array, C in 1..4, 8 bits, no
    filtering."""
    a = np.ascontiguousarray(hwc, dtype=np.uint8)
    if a.ndim == 2:
        a = a[:, :, None]
    h, w, c = a.shape
    if c not in _COLOR_TYPE:
        raise ValueError(f"PNG images have 1 to 4 channels, got {c}")
    rows = np.zeros((h, w * c + 1), dtype=np.uint8)  # filter byte 0 (None) before each row
    rows[:, 1:] = a.reshape(h, w * c)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, _COLOR_TYPE[c], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))
