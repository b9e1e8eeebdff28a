"""Padding ops of torch.nn.functional.pad: ConstantPadNd and the reflection / replication /
circular pad ops (``_PAD_OPS``, keyed by mode and number of padded dims).  ``pad`` itself
(argument checks) is in ``ember/nn/_functional_core.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ..autograd.function import Op

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, Value


class ConstantPadNd(Op):
    """Pad with a constant (negative pads crop); backward slices the gradient back out."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, pairs: tuple[tuple[int, int], ...], value: float) -> Array:
        shape, src, dst = [], [], []
        for n, (lo, hi) in zip(a.shape, pairs):
            s0, s1 = max(-lo, 0), n - max(-hi, 0)
            size = n + lo + hi
            if size < 0 or s1 < s0:
                raise RuntimeError(
                    f"The input size {n}, plus negative padding {lo} and {hi} resulted in a "
                    f"negative output size, which is invalid. Check dimension of your input.")
            d0 = max(lo, 0)
            shape.append(size)
            src.append(slice(s0, s1))
            dst.append(slice(d0, d0 + (s1 - s0)))
        out = xp.full(tuple(shape), value, dtype=a.dtype)
        out[tuple(dst)] = a[tuple(src)]
        ctx.src, ctx.dst, ctx.shape = tuple(src), tuple(dst), a.shape
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.put_at(ctx.shape, ctx.src, g[ctx.dst]), None, None


def _pad_index(n, lo, hi, mode):
    i = xp.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1) if n > 1 else 1
        i = xp.abs(i) % period
        return xp.where(i >= n, period - i, i)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    return i % n  # circular


def _index_pad_op(name):
    def forward(ctx, a, pairs, mode):
        per_dim = [_pad_index(n, lo, hi, mode) for n, (lo, hi) in zip(a.shape, pairs)]
        ctx.idx, ctx.shape = xp.ix_(*per_dim), a.shape
        out = a
        for d, (lo, hi) in enumerate(pairs):  # one take per padded axis (not an ix_ gather)
            if lo or hi:
                out = xp.take(out, per_dim[d], axis=d)
        return out if out is not a else a.copy()

    def backward(ctx, g, ns):
        return ns.add_at(ctx.shape, ctx.idx, g), None, None

    return type(name, (Op,), {"forward": staticmethod(forward),
                              "backward": staticmethod(backward),
                              "node_name": name + "Backward0"})


_PAD_OPS = {}
for _k in (1, 2, 3):
    _PAD_OPS[("reflect", _k)] = _index_pad_op(f"ReflectionPad{_k}D")
    _PAD_OPS[("replicate", _k)] = _index_pad_op(f"ReplicationPad{_k}D")
    _PAD_OPS[("circular", _k)] = _index_pad_op(f"CircularPad{_k}D")
