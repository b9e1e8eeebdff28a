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


def _openblas():
    global _fns
    if _fns is not None:
        return _fns
    _fns = False
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
        for path in paths:
            lib = ctypes.CDLL(path)
            for name in ("scipy_openblas{}64_", "openblas{}64_", "scipy_openblas{}",
                         "openblas{}"):
                set_ = getattr(lib, name.format("_set_num_threads"), None)
                get_ = getattr(lib, name.format("_get_num_threads"), None)
                if set_ is not None and get_ is not None:
                    set_.argtypes, set_.restype = (ctypes.c_int,), None
                    get_.argtypes, get_.restype = (), ctypes.c_int
                    _fns = (set_, get_)
                    return _fns
    except (OSError, ValueError, IndexError):
        pass
    return _fns


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
