"""The BLAS thread count behind ``ember.set_num_threads`` / ``ember.get_num_threads``.

ember's only multi-threaded kernels are NumPy's BLAS calls (matmul, the conv/linear GEMMs), so
these functions drive the BLAS thread pool, as ``torch.set_num_threads`` drives PyTorch's
intra-op pool.  OpenBLAS (NumPy's wheels bundle it, with a ``scipy_openblas`` symbol prefix) is
found among the loaded libraries and called through ctypes.  Elsewhere (another BLAS, or not
Linux) the number is only recorded and reported back; set ``OMP_NUM_THREADS`` /
``OPENBLAS_NUM_THREADS`` before starting Python instead.
"""
from __future__ import annotations

import operator
import os

_fns = None       # (set, get) OpenBLAS functions, or False when not found
_requested = None  # what set_num_threads was given, where BLAS can't be driven
_lib = None        # (ctypes library, symbol pattern) of NumPy's OpenBLAS, or False
_PATTERNS = ("scipy_openblas{}64_", "openblas{}64_", "scipy_openblas{}", "openblas{}")


def _find():
    """NumPy's OpenBLAS among the loaded libraries, and the symbol pattern its build uses."""
    global _lib
    if _lib is not None:
        return _lib
    _lib = False
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
        for path in paths:
            lib = ctypes.CDLL(path)
            for pat in _PATTERNS:
                if getattr(lib, pat.format("_set_num_threads"), None) is not None:
                    _lib = (lib, pat)
                    return _lib
    except (OSError, ValueError, IndexError):
        pass
    return _lib


def _openblas():
    global _fns
    if _fns is not None:
        return _fns
    _fns = False
    found = _find()
    if found:
        import ctypes
        lib, pat = found
        set_ = getattr(lib, pat.format("_set_num_threads"), None)
        get_ = getattr(lib, pat.format("_get_num_threads"), None)
        if set_ is not None and get_ is not None:
            set_.argtypes, set_.restype = (ctypes.c_int,), None
            get_.argtypes, get_.restype = (), ctypes.c_int
            _fns = (set_, get_)
    return _fns


def corename():
    """The kernel set NumPy's OpenBLAS runs (b"SkylakeX", b"Haswell", ...), or None."""
    found = _find()
    if not found:
        return None
    try:
        import ctypes
        lib, pat = found
        core = getattr(lib, pat.format("_get_corename"), None)
        if core is None:
            return None
        core.argtypes, core.restype = (), ctypes.c_char_p
        return core()
    except (OSError, ValueError, AttributeError):
        return None


def float32_transposer():
    """``(src, dst)`` -> None writing ``src.T`` (2-D float32, C-contiguous) into the C-contiguous
    ``dst`` with OpenBLAS's ``somatcopy``: 2-3x faster than NumPy's strided copy of a transposed
    array.  None where NumPy's BLAS is not OpenBLAS."""
    found = _find()
    if not found:
        return None
    try:
        import ctypes
        lib, pat = found
        prefix = pat.split("openblas")[0]  # "scipy_" or ""
        suffix = "64_" if pat.endswith("64_") else ""
        fn = getattr(lib, f"{prefix}cblas_somatcopy{suffix}", None)
        if fn is None:
            return None
        n = ctypes.c_int64 if suffix else ctypes.c_int
        fn.argtypes = (ctypes.c_int, ctypes.c_int, n, n, ctypes.c_float, ctypes.c_void_p, n,
                       ctypes.c_void_p, n)
        fn.restype = None
    except (OSError, ValueError, AttributeError):
        return None

    def transpose_into(src, dst):
        rows, cols = src.shape
        # CblasRowMajor (101), CblasTrans (112)
        fn(101, 112, rows, cols, 1.0, src.ctypes.data, cols, dst.ctypes.data, rows)

    return transpose_into


def get_num_threads() -> int:
    fns = _openblas()
    if fns:
        return int(fns[1]())
    if _requested is not None:
        return _requested
    env = os.environ.get("OMP_NUM_THREADS", "")
    return int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)


def set_num_threads(n) -> None:
    global _requested
    try:
        if n.__class__ is bool:
            raise TypeError
        n = operator.index(n)
    except TypeError:
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}") \
            from None
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    fns = _openblas()
    if fns:
        fns[0](n)
    else:
        _requested = n
