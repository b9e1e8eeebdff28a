"""glibc malloc settings for array-heavy eager code (applied once, at ``import ember``).

Eager autograd frees a whole step's activations at the end of each backward pass and allocates
them again in the next step.  With glibc's defaults, a freed block at the top of the heap beyond
128 KiB is handed back to the kernel (``M_TRIM_THRESHOLD``) and arrays above the (dynamic) mmap
threshold are unmapped on free, so every step faults the same pages in again: a Python-loop LSTM
took ~1,800 page faults per step, about a sixth of its time.

glibc already raises both thresholds by itself once the program frees a large mmapped block (up
to 32 MiB for mmap, twice that for trimming); ember starts at those ceilings instead of waiting.
Memory freed below 64 MiB at the top of the heap then stays with the process for reuse, as in a
caching allocator.

Opt out with ``EMBER_MALLOC_TUNE=0``.  Nothing is changed when the user has set glibc's own
``MALLOC_*_`` variables or ``GLIBC_TUNABLES``, on non-Linux systems, or when the C library has
no ``mallopt`` (musl).  This file imports nothing from ember, so the benchmark's NumPy floor can
use the same settings.
"""
from __future__ import annotations

import os
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # glibc's dynamic rule: trim = 2 * mmap threshold

_USER_VARS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
              "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES")

tuned = False  # whether tune() changed the settings in this process


def tune():
    """Apply the settings above; returns whether they were applied."""
    global tuned
    if tuned:
        return True
    if os.environ.get("EMBER_MALLOC_TUNE", "1").strip() in ("0", "false", "no", "off"):
        return False
    if not sys.platform.startswith("linux") or any(k in os.environ for k in _USER_VARS):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc only  # noqa: B018
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    tuned = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return tuned
