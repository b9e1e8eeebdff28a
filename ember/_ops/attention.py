"""Fused scaled dot-product attention: torch's CPU flash-attention kernel as one node.

For 4-D query/key/value with equal batch, head and head sizes, no dropout and a mask that
needs no gradient, torch runs ``_scaled_dot_product_flash_attention_for_cpu``: one
``ScaledDotProductFlashAttentionForCpuBackward0`` node with edges (query, key, value).
``FlashAttention`` is that node: softmax(q @ k^T * scale + mask) @ v, with a row that the mask
blocks entirely giving zeros (torch's safe softmax), and the closed-form backward

    dv = p^T g,   dp = g v^T,   ds = p * (dp - rowsum(dp * p)),   dq = ds k * scale,
    dk = ds^T q * scale.

The reference ``backward`` recomputes the probabilities from the saved inputs (through
differentiable ops under ``create_graph``, so higher-order gradients are exact); the first-order
``fast_backward`` reuses the forward's.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from .pointwise import Mul
from .reduction import Softmax
from ..autograd.function import Op

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from .._tensor import Tensor

    from ._types import Array, Ctx, Grads, Namespace, Value

__all__ = ["FlashAttention", "SafeSoftmax", "MulScalar", "flash_ok", "SDP_ENABLED"]

# the backends scaled_dot_product_attention may use (torch.nn.attention.sdpa_kernel sets them)
SDP_ENABLED = {"cudnn", "flash", "mem_efficient", "math", "overrideable"}


def flash_ok(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, dropout_p: float) -> bool:
    """Whether torch takes its CPU flash kernel (``use_flash_attention_cpp``'s checks)."""
    if dropout_p > 0.0 or q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        return False
    qs, ks, vs = q.shape, k.shape, v.shape
    if not (qs[0] == ks[0] == vs[0] and qs[1] == ks[1] == vs[1] and qs[3] == ks[3] == vs[3]):
        return False
    if qs[2] == 0 or ks[2] == 0 or q._array.dtype.kind not in "fV":  # (V: bfloat16)
        return False
    for t in (q, k, v):
        a = t._array
        if a.strides[-1] != a.itemsize:
            return False
    if mask is not None:
        if getattr(mask, "_requires_grad", False):
            return False
        ms = tuple(mask.shape)
        if len(ms) not in (2, 4) or ms[-2] not in (qs[2], 1) or ms[-1] not in (ks[2], 1):
            return False
        if len(ms) == 4 and (ms[0] not in (1, qs[0]) or ms[1] not in (1, qs[1])):
            return False
    return True


def _probs(s):
    """Row softmax of scores ``s`` (arrays); a row of -inf gives zeros."""
    m = xp.amax(s, axis=-1, keepdims=True)
    blocked = m == -xp.inf
    if blocked.any():
        m = xp.where(blocked, 0, m)
    e = xp.exp(s - m, out=s)
    d = xp.sum(e, axis=-1, keepdims=True)
    if blocked.any():
        d = xp.where(d == 0, 1, d)
    e /= d
    return e


class FlashAttention(Op):
    """(q, k, v, additive mask array or None, scale) -> softmax(q k^T * scale + mask) v."""
    node_name = "ScaledDotProductFlashAttentionForCpuBackward0"
    inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx: Ctx, q: Array, k: Array, v: Array, mask: Array | None, scale: float) -> Array:
        s = xp.matmul(q, xp.swapaxes(k, -1, -2))
        s *= scale
        if mask is not None:
            s += mask
        p = _probs(s)
        if ctx.needs_input_grad:
            ctx.geo = (mask, scale)
            ctx.save_for_backward(q, k, v, p)
        if q.dtype.kind == "V":  # bfloat16: scores and softmax in float32, as torch's kernel
            return xp.matmul(p.astype(q.dtype), v).astype(q.dtype)
        # the output is laid out as the query is (torch's kernel does the same; MHA's
        # permute + reshape of it is then a view)
        out = xp.empty_like(q)
        return xp.matmul(p, v, out=out)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        q, k, v, p = ctx.saved_tensors
        mask, scale = ctx.geo
        # the probabilities again (through differentiable ops under create_graph)
        s = ns.matmul(q, ns.swapaxes(k, -1, -2)) * scale
        if mask is not None:
            s = s + mask
        return _attention_grads(g, q, k, v, ns.apply(SafeSoftmax, s, -1), scale, ns)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:  # (the forward's probabilities)
        q, k, v, p = ctx.saved_tensors
        return _attention_grads(g, q, k, v, p, ctx.geo[1], ns)


def _attention_grads(g, q, k, v, p, scale, ns):
    dv = ns.matmul(ns.swapaxes(p, -1, -2), g)
    dp = ns.matmul(g, ns.swapaxes(v, -1, -2))
    ds = p * (dp - ns.sum(dp * p, axis=-1, keepdims=True))
    dq = ns.matmul(ds, k) * scale
    dk = ns.matmul(ns.swapaxes(ds, -1, -2), q) * scale
    return dq, dk, dv, None, None


class SafeSoftmax(Softmax):
    """torch's _safe_softmax (the math attention's): softmax over the last axis, with a row
    that is all -inf giving zeros instead of NaN."""
    node_name = "SafeSoftmaxBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int | None) -> Array:
        e = _probs(xp.array(a, copy=True))
        ctx.save_for_backward(e)
        ctx.axis = a.ndim - 1
        return e


class MulScalar(Mul):
    """``tensor * number`` in ATen code (the Scalar overload): the number is no graph input
    (MulBackward1, one edge)."""
    node_name = "MulBackward1"
    inputs = None
