"""Random numbers: PyTorch's CPU generator, bit for bit.

A ``Generator`` is the 32-bit Mersenne Twister that torch's ``CPUGeneratorImpl`` runs (seeded
the same way: a new ``Generator()`` with 67280421310721, the default one from the operating
system at startup), and each distribution turns its draws into values
by the formula torch's CPU kernels use, consuming the same number of draws in the same order.
So after ``manual_seed(s)``, ``rand``/``randn``/``randint``/``randperm``, the in-place fills
(``uniform_`` ... ``random_``), the layers' initialisation, dropout masks and DataLoader
shuffling give PyTorch's numbers. ``get_rng_state`` is torch's 5,056-byte state.

``randn`` of 16+ float32 values follows torch's AVX2 kernel (its Cephes log and sincos, fused
multiply-adds included), so those agree to the bit too. Where torch differs by machine: on
Intel CPUs torch draws ``bernoulli_(p)`` (dropout) from MKL's own stream, so masks there differ
from torch's (they agree on AMD); half-precision ``randn`` of 16+ values may differ in the last
place.
"""
from __future__ import annotations

import os
import struct

from . import _dtype as D
from ._backend import check_usable, xp
from ._tensor import Tensor, _make

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator", "rand", "randn", "randint", "randperm", "normal", "bernoulli",
           "multinomial", "rand_like", "randn_like", "randint_like", "poisson"]

_DEFAULT_SEED = 67280421310721
_N = 624
_STATE_SIZE = 5056  # sizeof(CPUGeneratorImplState)
_LEGACY_SIZE = 5048  # sizeof(THGeneratorState)
_M32 = 0xFFFFFFFF


def _mt_key(seed32: int):
    """The Mersenne Twister's initial state for a 32-bit seed (init_genrand)."""
    key = [0] * _N
    key[0] = x = seed32
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & _M32
        key[j] = x
    return xp.asarray(key, dtype=xp.uint32)


class Generator:
    """``torch.Generator``: an independent random stream (torch's CPU Mersenne Twister)."""

    def __init__(self, device="cpu"):
        from ._backend import Device
        self.device = Device(device)
        self._bg = xp.random.MT19937(0)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed) -> Generator:
        """Seed the stream (an int in [-2**63, 2**64); negative seeds wrap as in torch)."""
        seed = int(seed)  # (torch's ValueError/TypeError for what int() refuses)
        if not -(1 << 63) <= seed < (1 << 64):
            raise ValueError("Overflow when unpacking long long")
        seed &= (1 << 64) - 1
        self._seed = seed
        self._bg.state = {"bit_generator": "MT19937",
                          "state": {"key": _mt_key(seed & _M32), "pos": _N}}
        self._normal = None  # torch's cached second Box-Muller value (double)
        self._normal_float = None
        self._fresh = True  # torch's mt19937 says next=0 (not 624) until the first draw
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    # --- draws: 32-bit words of the twister, and torch's 64-bit pairs (first word high)
    def u32(self, n: int):
        if _VMAP_CHECK[0] is not None:  # a draw inside vmap (ember.func: randomness=)
            _VMAP_CHECK[0]()
        self._fresh = False
        return self._bg.random_raw(n).astype(xp.uint32)

    def u64(self, n: int):
        if _VMAP_CHECK[0] is not None:
            _VMAP_CHECK[0]()
        self._fresh = False
        r = self._bg.random_raw(2 * n)
        return (r[0::2] << xp.uint64(32)) | r[1::2]

    def get_state(self) -> Tensor:
        """torch's CPUGeneratorImplState as a uint8 tensor (5,056 bytes)."""
        st = self._bg.state["state"]
        pos = int(st["pos"])
        left, nxt = (1, 0 if self._fresh else pos) if pos >= _N else (_N + 1 - pos, pos)
        has_n = self._normal is not None
        raw = struct.pack("<QiiQ", self._seed, left, 1, nxt)
        raw += st["key"].astype("<u8").tobytes()
        raw += struct.pack("<dddi4x", 0.0, self._normal if has_n else 0.0, 0.0, int(has_n))
        has_f = self._normal_float is not None
        raw += struct.pack("<f?3x", self._normal_float if has_f else 0.0, has_f)
        return _make(xp.frombuffer(raw, dtype=xp.uint8).copy(), False, None, 0, None)

    def set_state(self, new_state) -> Generator:
        if not isinstance(new_state, Tensor) or new_state._array.dtype != xp.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = new_state._array.reshape(-1).tobytes()
        if len(raw) not in (_STATE_SIZE, _LEGACY_SIZE):
            raise RuntimeError("Expected a CPUGeneratorImplState of size 5056 but found the "
                               f"input RNG state size to be {len(raw)}")
        seed, left, _, nxt = struct.unpack_from("<QiiQ", raw, 0)
        key = xp.frombuffer(raw, dtype="<u8", count=_N, offset=24).astype(xp.uint32)
        _, ny, _, valid = struct.unpack_from("<dddi", raw, 24 + 8 * _N)
        self._seed = seed
        pos = _N if left == 1 else int(nxt)
        self._fresh = left == 1 and nxt == 0
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._normal = ny if valid else None
        self._normal_float = None
        if len(raw) == _STATE_SIZE:
            f, fv = struct.unpack_from("<f?", raw, _LEGACY_SIZE)
            self._normal_float = f if fv else None
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {id(self):#x}>"


# while a vmap runs: ember.func's check of its ``randomness`` mode, called by every draw
_VMAP_CHECK: list = [None]

default_generator = Generator()
default_generator.seed()  # torch seeds its default generator from the OS at startup


def _gen(generator) -> Generator:
    return generator if generator is not None else default_generator


def manual_seed(seed) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


# ------------------------------------------------------------------ torch's CPU distributions

_DIGITS = {"float32": 24, "float64": 53}  # half and bfloat16 draw as float (opmath)


def _digits(npdtype) -> int:
    return _DIGITS.get(xp.dtype(npdtype).name, 24)


def uniform01(g: Generator, n: int, npdtype):
    """torch's uniform_real_distribution<T>(0, 1): the low ``digits`` bits of one word (of a
    64-bit pair for double) times 2**-digits, in float (double for double)."""
    d = _digits(npdtype)
    if d == 53:
        return (g.u64(n) & xp.uint64((1 << 53) - 1)).astype(xp.float64) * 2.0 ** -53
    return (g.u32(n) & xp.uint32((1 << d) - 1)).astype(xp.float32) * xp.float32(2.0 ** -d)


def _fma64(a, b: float, c: float):
    """``a * b + c`` rounded once, as the FMA instruction torch's compiled kernels use:
    Dekker's exact product and Knuth's exact sum, then one rounding."""
    p = a * b
    split = 134217729.0  # 2**27 + 1
    t = split * a
    ah = t - (t - a)
    al = a - ah
    tb = split * b
    bh = tb - (tb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # p + e == a * b exactly
    s = p + c
    v = s - p
    r = (p - (s - v)) + (c - v)  # s + r == p + c exactly
    return s + (r + e)


def uniform_values(g: Generator, n: int, npdtype, a: float, b: float):
    """uniform_(a, b): ``fma(x, b - a, a)`` in the accumulate type (float for float, half and
    bfloat16; double for double), ``b - a`` rounded to that type first."""
    x = uniform01(g, n, npdtype)
    if x.dtype == xp.float64:
        return _fma64(x, float(b) - float(a), float(a))
    lo, hi = xp.float32(a), xp.float32(b)
    # a float product is exact in double, so one double add and a rounding is the float fma
    return (x.astype(xp.float64) * float(hi - lo) + float(lo)).astype(xp.float32)


def _normal_serial(g: Generator, n: int, mean: float, std: float):
    """normal_distribution<double>, value by value, with torch's cached second value."""
    out = xp.empty(n, dtype=xp.float64)
    i = 0
    if n and g._normal is not None:
        out[0], g._normal, i = g._normal, None, 1
    pairs = (n - i + 1) // 2
    if pairs:
        u = uniform01(g, 2 * pairs, xp.float64)
        u1, u2 = u[0::2], u[1::2]
        r = xp.sqrt(-2.0 * xp.log1p(-u2))
        theta = 2.0 * xp.pi * u1
        vals = xp.empty(2 * pairs)
        vals[0::2], vals[1::2] = r * xp.cos(theta), r * xp.sin(theta)
        out[i:] = vals[:n - i]
        if (n - i) % 2:
            g._normal = float(vals[-1])
    return out * std + mean


def _fma32(a, b, c):
    """float ``a * b + c`` rounded once (a float product is exact in double)."""
    return (xp.asarray(a, xp.float64) * xp.asarray(b, xp.float64) + c).astype(xp.float32)


_LOG_P = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
          1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
          3.3333331174e-1]


def _log_avx(x):
    """log of float32 values in (0, 1] as torch's AVX2 ``log256_ps`` computes it (Cephes'
    polynomial, with the fused multiply-adds its compiled form has), so the values agree to
    the bit."""
    f = xp.float32
    bits = x.view(xp.int32)
    e = ((bits >> 23) - 0x7F).astype(f) + f(1)
    x = ((bits & ~0x7F800000) | 0x3F000000).view(f)
    small = x < f(0.707106781186547524)
    x = (x - f(1)) + xp.where(small, x, f(0))
    e = e - small.astype(f)
    z = x * x
    y = xp.full_like(x, f(_LOG_P[0]))
    for p in _LOG_P[1:]:
        y = _fma32(y, x, f(p))
    y = _fma32(y * x, z, e * f(-2.12194440e-4))
    y = y - z * f(0.5)
    return (x + y) + e * f(0.693359375)


def _sincos_avx(x):
    """(sin, cos) of float32 values in [0, 2*pi) as torch's AVX2 ``sincos256_ps``."""
    f = xp.float32
    j = ((x * f(1.27323954473516)).astype(xp.int32) + 1) & ~1
    y = j.astype(f)
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma32(y, f(dp), x)
    z = x * x
    c = xp.full_like(x, f(2.443315711809948e-5))
    for p in (-1.388731625493765e-3, 4.166664568298827e-2):
        c = _fma32(c, z, f(p))
    c = _fma32(c * z, z, -(z * f(0.5))) + f(1)
    s = xp.full_like(x, f(-1.9515295891e-4))
    for p in (8.3321608736e-3, -1.6666654611e-1):
        s = _fma32(s, z, f(p))
    s = _fma32(s * z, x, x)
    first = (j & 2) == 0
    sin, cos = xp.where(first, s, c), xp.where(first, c, s)
    sin = xp.where((j & 4) != 0, -sin, sin)
    cos = xp.where(((~(j - 2)) & 4) != 0, -cos, cos)
    return sin, cos


def _fill16(d, mean, std):
    """normal_fill_16 over every block of 16 (rows of ``d``): Box-Muller on the halves; float
    blocks as torch's AVX2 kernel computes them (its log/sincos and a final fma)."""
    u1, u2 = 1 - d[:, :8], d[:, 8:]
    if d.dtype == xp.float64:
        radius = xp.sqrt(-2.0 * xp.log(u1))
        theta = 2.0 * xp.pi * u2
        d[:, :8] = radius * xp.cos(theta) * std + mean
        d[:, 8:] = radius * xp.sin(theta) * std + mean
        return
    f = xp.float32
    if _cpu_capability() != "AVX2":  # torch's scalar kernel: libm's float log/cos/sin
        radius = xp.sqrt(f(-2) * xp.log(u1.astype(xp.float64)).astype(f))
        theta = (f(2.0 * xp.pi) * u2).astype(xp.float64)
        d[:, :8] = radius * xp.cos(theta).astype(f) * f(std) + f(mean)
        d[:, 8:] = radius * xp.sin(theta).astype(f) * f(std) + f(mean)
        return
    radius = xp.sqrt(f(-2) * _log_avx(u1.astype(f)))
    sin, cos = _sincos_avx(f(2.0 * xp.pi) * u2.astype(f))
    d[:, :8] = _fma32(radius * cos, f(std), f(mean))
    d[:, 8:] = _fma32(radius * sin, f(std), f(mean))


_CAPABILITY: list[str] = []


def _cpu_capability() -> str:
    """The kernel set torch picks on this CPU (``torch.backends.cpu.get_cpu_capability()``):
    AVX512 where the CPU has avx512f/vl/bw/dq, else AVX2 (ATEN_CPU_CAPABILITY overrides)."""
    if not _CAPABILITY:
        cap = os.environ.get("ATEN_CPU_CAPABILITY", "").upper()
        if not cap:
            try:
                with open("/proc/cpuinfo") as fh:
                    flags = set(fh.read().split())
            except OSError:
                flags = set()
            cap = "AVX512" if {"avx512f", "avx512vl", "avx512bw", "avx512dq"} <= flags else \
                "AVX2"
        _CAPABILITY.append(cap)
    return _CAPABILITY[0]


def normal_values(g: Generator, n: int, npdtype, mean: float, std: float, contiguous: bool = True):
    """normal_(mean, std): torch's normal_fill for 16+ contiguous values (uniforms first,
    Box-Muller on blocks of 16, the last block redrawn when 16 does not divide n), else
    normal_distribution<double> value by value."""
    if n < 16 or not contiguous:
        return _normal_serial(g, n, mean, std)
    d = uniform01(g, n, npdtype)
    full = n // 16 * 16
    blocks = d[:full].reshape(-1, 16)
    _fill16(blocks, mean, std)
    d[:full] = blocks.reshape(-1)
    if n % 16:
        tail = uniform01(g, 16, npdtype).reshape(1, 16)
        _fill16(tail, mean, std)
        d[n - 16:] = tail[0]
    return d


def random_from_to(g: Generator, n: int, npdtype, lo: int, hi: int):
    """random_(lo, hi) / randint: ``word % (hi - lo) + lo`` (a 64-bit pair when the range needs
    it and the dtype is 64-bit or floating)."""
    rng = hi - lo
    wide = rng >= (1 << 32) and (xp.dtype(npdtype).itemsize == 8 or
                                 xp.dtype(npdtype).kind == "f" or
                                 xp.dtype(npdtype).name == "bfloat16")
    w = g.u64(n) if wide else g.u32(n).astype(xp.uint64)
    return ((w % xp.uint64(rng)).astype(xp.int64) + lo)


def random_full(g: Generator, n: int, npdtype):
    """random_() over the dtype's whole range: int64/double from 64-bit pairs, others from one
    word; floats up to 2**digits, bool the low bit."""
    dt = xp.dtype(npdtype)
    if dt.kind == "b":
        return (g.u32(n) & xp.uint32(1)).astype(bool)
    if dt.kind == "f" or dt.name == "bfloat16":
        d = {"float16": 11, "bfloat16": 8}.get(dt.name, _digits(dt))
        w = g.u64(n) if d == 53 else g.u32(n).astype(xp.uint64)
        return (w % xp.uint64((1 << d) + 1)).astype(xp.float64)
    mod = xp.uint64(int(xp.iinfo(dt).max) + 1)
    w = g.u64(n) if dt == xp.int64 else g.u32(n).astype(xp.uint64)
    return (w % mod).astype(xp.int64)


def bernoulli_scalar(g: Generator, n: int, p: float):
    """bernoulli_(p): a double uniform below ``p`` (torch's default CPU kernel)."""
    return uniform01(g, n, xp.float64) < p


def exponential(g: Generator, n: int, lambd: float):
    return -1.0 / lambd * xp.log1p(-uniform01(g, n, xp.float64))


def sample(kind, target, a, b, generator):
    """Values for the in-place fills (uniform_, normal_, ...) of the array ``target``, drawn in
    the order torch's kernels visit its elements (memory order)."""
    g = _gen(generator)
    shape, npdtype = target.shape, target.dtype
    n = int(target.size)
    contiguous = bool(target.flags.c_contiguous)
    perm = None
    if not contiguous and target.ndim > 1:  # torch iterates in memory order
        perm = sorted(range(target.ndim), key=lambda d: -abs(target.strides[d]))
        shape = tuple(target.shape[d] for d in perm)
    if kind == "uniform":
        flat = uniform_values(g, n, npdtype, a, b)
    elif kind == "normal":
        flat = normal_values(g, n, npdtype, a, b, contiguous)
    elif kind == "bernoulli":
        if isinstance(a, Tensor):
            p = xp.broadcast_to(a._array, target.shape)
            if perm is not None:
                p = p.transpose(perm)
            p = p.reshape(-1)
            pdt = p.dtype if p.dtype.kind == "f" else xp.float64
            flat = uniform01(g, n, pdt) < p.astype(pdt)
        else:
            flat = bernoulli_scalar(g, n, a)
    elif kind == "exponential":
        flat = exponential(g, n, a)
    elif kind == "geometric":
        flat = xp.ceil(xp.log(uniform01(g, n, xp.float64)) / xp.log1p(-a))
    elif kind == "cauchy":
        flat = _fma64(xp.tan(xp.pi * (uniform01(g, n, xp.float64) - 0.5)), float(b), float(a))
    elif kind == "log_normal":
        flat = xp.exp(_normal_serial(g, n, a, b))
    elif kind == "random":
        flat = random_full(g, n, npdtype) if b is None else random_from_to(g, n, npdtype, a, b)
    else:
        raise ValueError(kind)
    out = flat.reshape(shape)
    if perm is not None:
        out = out.transpose(xp.argsort(perm))
    return out.astype(npdtype, copy=False)


def _fill_method(kind: str, node: str, check):
    def method(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
        from ._ops.inplace import random_fill_
        check(self, a, b)
        return random_fill_(self, kind, a, b, generator=generator, node=node)
    return method


def _check_geometric(t, p, _):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")


def _check_float(name):
    def check(t, a, b):
        if t._array.dtype.kind != "f":
            raise RuntimeError(f"{name} is a continuous probability distribution. dtype must "
                               f"be a floating point but you specified "
                               f"{D.spelling(t._array.dtype, 'cpp_name')}")
        if b <= 0:
            raise RuntimeError(f"{name.split()[0].lower()}_ expects sigma > 0.0, but found "
                               f"sigma={b}" if "Cauchy" in name else
                               f"log_normal_ expects std > 0.0, but found std={b}")
    return check


def _install_fills() -> None:
    """Tensor.geometric_(p), cauchy_(median=0, sigma=1), log_normal_(mean=1, std=2)."""
    geo = _fill_method("geometric", "GeometricBackward0", _check_geometric)

    def geometric_(self, p, *, generator=None):
        """Fills with samples of the geometric distribution: trials until the first success."""
        return geo(self, p, 0.0, generator=generator)
    cau = _fill_method("cauchy", "CauchyBackward0", _check_float("Cauchy distribution"))

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        """Fills with samples of the Cauchy distribution."""
        return cau(self, median, sigma, generator=generator)
    lnm = _fill_method("log_normal", "LogNormalBackward0", _check_float("LogNormal"))

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        """Fills with samples of the log-normal distribution (``exp`` of a normal)."""
        return lnm(self, mean, std, generator=generator)
    for f in (geometric_, cauchy_, log_normal_):
        f.__qualname__ = f"Tensor.{f.__name__}"
        setattr(Tensor, f.__name__, f)


_install_fills()


# ------------------------------------------------------------------------------ torch.rand ...

def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)) or \
            len(size) == 1 and hasattr(size[0], "__iter__"):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _fdt(dtype, kernel="check_uniform_bounds"):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if not dt.is_floating_point:
        from ._ops._utils import not_implemented
        raise not_implemented(kernel, dt.np)
    return dt


def _out(arr, requires_grad):
    t = _make(arr, False, None, 0, None)
    if requires_grad:
        from ._creation import require_grad
        require_grad(t)
    return t


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _complex_fill(fill, size, dtype, generator, a, b, requires_grad):
    """torch fills a complex tensor through its real view (normal_: std / sqrt(2))."""
    shape = _shape(size)
    cdt = D.to_dtype(dtype).np
    rdt = xp.float32 if cdt == xp.complex64 else xp.float64
    arr = fill(_gen(generator), 2 * _numel(shape), rdt, a, b).astype(rdt, copy=False)
    return _out(xp.ascontiguousarray(arr).view(cdt).reshape(shape), requires_grad)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    check_usable(device)
    if dtype is not None and D.to_dtype(dtype).is_complex:  # issue 13 (fft): complex rand
        return _complex_fill(uniform_values, size, dtype, generator, 0.0, 1.0, requires_grad)
    dt = _fdt(dtype)
    shape = _shape(size)
    arr = uniform_values(_gen(generator), _numel(shape), dt.np, 0.0, 1.0)
    return _out(arr.reshape(shape).astype(dt.np, copy=False), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    check_usable(device)
    if dtype is not None and D.to_dtype(dtype).is_complex:  # issue 13 (fft): complex randn
        return _complex_fill(normal_values, size, dtype, generator, 0.0, 1.0 / 2.0 ** 0.5,
                             requires_grad)
    dt = _fdt(dtype, "normal_kernel_cpu")
    shape = _shape(size)
    arr = normal_values(_gen(generator), _numel(shape), dt.np, 0.0, 1.0)
    return _out(arr.reshape(shape).astype(dt.np, copy=False), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    check_usable(device)
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    shape = tuple(size)
    arr = random_from_to(_gen(generator), _numel(shape), dt.np, int(low), int(high))
    return _out(arr.reshape(shape).astype(dt.np), requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    check_usable(device)
    # torch's CPU shuffle: for i in 0..n-2, swap r[i] with r[i + word % (n - i)]
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    r = list(range(n))
    if n > 1:
        z = (_gen(generator).u32(n - 1).astype(xp.int64) %
             xp.arange(n, 1, -1, dtype=xp.int64)).tolist()
        for i, k in enumerate(z):
            j = i + k
            r[i], r[j] = r[j], r[i]
    return _out(xp.asarray(r, dtype=dt.np), requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    # torch: a normal fill, then ``* std`` and ``+ mean`` where either is a tensor
    g = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._array if isinstance(mean, Tensor) else mean
        s = std._array if isinstance(std, Tensor) else std
        shape = xp.broadcast_shapes(xp.shape(m), xp.shape(s))
        dtn = (mean if isinstance(mean, Tensor) else std)._array.dtype
        if isinstance(std, Tensor):
            z = normal_fill(g, shape, dtn, 0.0, 1.0)
            res = z * s.astype(dtn) + xp.asarray(m, dtn)
        else:
            z = normal_fill(g, shape, dtn, 0.0, float(s))
            res = z + m.astype(dtn)
        return _out(res.astype(dtn, copy=False), requires_grad)
    dt = _fdt(dtype, "normal_kernel_cpu")
    shape = _shape((size,))
    return _out(normal_fill(g, shape, dt.np, float(mean), float(std)), requires_grad)


def normal_fill(g: Generator, shape, npdtype, mean: float, std: float):
    return normal_values(g, _numel(shape), npdtype, mean, std).reshape(shape).astype(npdtype,
                                                                             copy=False)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input._array if p is None else xp.full(input._array.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    g = _gen(generator)
    n = int(probs.size)
    if p is None:
        pdt = probs.dtype if probs.dtype.kind == "f" else xp.float64
        draw = uniform01(g, n, pdt) < probs.reshape(-1).astype(pdt)
    else:
        draw = bernoulli_scalar(g, n, float(p))
    return _out(draw.reshape(probs.shape).astype(input._array.dtype), False)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    # torch's CPU kernel: without replacement (or one sample), the top ``num_samples`` of
    # ``p / q`` with ``q ~ Exp(1)``; with replacement, a binary search of a double uniform in
    # the normalised cumulative sums, row by row
    w = input._array
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{D.spelling(w.dtype)}")
    if (w < 0).any() or not xp.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    g = _gen(generator)
    if not replacement or num_samples == 1:
        q = exponential(g, rows.size, 1.0).reshape(rows.shape).astype(w.dtype)
        key = rows / q
        arr = xp.argsort(-key, axis=1, kind="stable")[:, :num_samples]
    else:
        res = []
        for r in rows:
            cum = xp.cumsum(r)
            cum = cum / cum[-1]
            cum[-1] = 1
            res.append(xp.searchsorted(cum, uniform01(g, num_samples, xp.float64), "left"))
        arr = xp.asarray(res)
    arr = arr.astype(xp.int64)
    if w.ndim == 1:
        arr = arr[0]
    return _out(arr, False)


def _poisson_one(u, lam: float) -> int:
    """torch's sample_poisson: transformed rejection (Hoermann) for lambda >= 10, else the
    product of uniforms; ``u()`` draws a double uniform."""
    import math
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = u() - 0.5
            V = u()
            us = 0.5 - abs(U)
            if us == 0:  # (C: k = floor(-inf), rejected below)
                continue
            k = math.floor((2 * a / us + b) * U + lam + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            logv = math.log(V) if V > 0 else -math.inf
            if (logv + math.log(invalpha) - math.log(a / (us * us) + b)) <= \
                    (-lam + k * loglam - math.lgamma(k + 1)):
                return k
    if lam == 0:
        return 0
    enlam, x, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= u()
        if prod > enlam:
            x += 1
        else:
            return x


def poisson(input, generator=None):
    g = _gen(generator)
    if input._array.dtype.kind != "f" and input._array.dtype.name != "bfloat16":
        from ._ops._utils import not_implemented
        raise not_implemented("poisson_cpu", input._array.dtype)
    lam = input._array.reshape(-1).astype(xp.float64)
    if not (lam >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    lam = lam.tolist()
    from ._ops.sampling import _Draws  # doubles read ahead, the generator settled exactly
    dr = _Draws(g, 2 * len(lam))
    try:
        arr = xp.asarray([_poisson_one(dr.uniform, v) for v in lam], dtype=xp.float64)
    finally:
        dr.settle()
    out = _out(arr.reshape(input._array.shape).astype(input._array.dtype), False)
    if input.requires_grad:  # issue 15: torch's PoissonBackward0 (a zero gradient)
        from ._ops.sampling import poisson_node
        return poisson_node(input, out)
    return out


def rand_like(input, *, dtype=None, requires_grad=False, **kw):
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **kw):
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, **kw):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype)
