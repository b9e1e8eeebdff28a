"""``SyncBatchNorm``'s autograd function (torch's ``nn.modules._functions.SyncBatchNorm``):
batch statistics gathered from every rank of the process group, the input gradient's two
channel sums all-reduced in backward. ``grad_weight``/``grad_bias`` stay local (DDP averages
them). Runs on ember.distributed (MPI) on the CPU, where torch's needs a GPU."""
from __future__ import annotations

from typing import Any

from ..._backend import xp
from ...autograd.function import Function


def _arr(t: Any) -> Any:
    return None if t is None else t._array


class SyncBatchNorm(Function):
    """Forward: per-rank mean/invstd/count, all-gathered and combined; backward: all-reduced
    ``sum(dy)`` and ``sum(dy * (x - mean))``."""

    @staticmethod
    def forward(ctx: Any, input: Any, weight: Any, bias: Any, running_mean: Any,
                running_var: Any, eps: float, momentum: float, process_group: Any,
                world_size: int) -> Any:
        from ... import distributed as dist
        from ..._tensor import _make, bump_version
        x = input._array
        c = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        aff = (1, c) + (1,) * (x.ndim - 2)
        n = x.size // max(c, 1)
        if n == 1 and world_size < 2:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {n}")
        if x.size:
            mean = x.mean(axis=axes)
            invstd = 1.0 / xp.sqrt(x.var(axis=axes) + eps)
            combined = xp.concatenate([mean, invstd, xp.array([n], x.dtype)]).astype(x.dtype)
        else:
            combined = xp.zeros(2 * c + 1, x.dtype)
        every = [_make(xp.empty_like(combined), False, None, 0, None) for _ in range(world_size)]
        dist.all_gather(every, _make(combined, False, None, 0, None), group=process_group)
        stacked = xp.stack([t._array for t in every])
        stacked = stacked[stacked[:, -1] >= 1]
        means, invstds, counts = stacked[:, :c], stacked[:, c:2 * c], stacked[:, -1:]
        total = counts.sum()
        mean = (means * counts).sum(0) / total
        var = ((1.0 / invstds ** 2 - eps + (means - mean) ** 2) * counts).sum(0) / total
        invstd = 1.0 / xp.sqrt(var + eps)
        for buf, new in ((running_mean, mean), (running_var, var * total / (total - 1))):
            if buf is not None:
                a = buf._array
                a[...] = (1 - momentum) * a + momentum * new.astype(a.dtype)
                bump_version(buf)
        mean, invstd = mean.astype(x.dtype), invstd.astype(x.dtype)
        ctx.stats = (mean, invstd, float(total), axes, aff)
        ctx.process_group = process_group
        ctx.save_for_backward(input, weight)
        out = (x - mean.reshape(aff)) * invstd.reshape(aff)
        if weight is not None:
            out = out * weight._array.reshape(aff)
        if bias is not None:
            out = out + bias._array.reshape(aff)
        return _make(out.astype(x.dtype, copy=False), False, None, 0, None)

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        from ... import distributed as dist
        from ..._tensor import _make
        input, weight = ctx.saved_tensors
        mean, invstd, total, axes, aff = ctx.stats
        x, dy = input._array, grad_output._array
        xmu = x - mean.reshape(aff)
        sum_dy = dy.sum(axis=axes)
        sum_dy_xmu = (dy * xmu).sum(axis=axes)
        needs = ctx.needs_input_grad
        grad_weight = _make(sum_dy_xmu * invstd, False, None, 0, None) \
            if weight is not None and needs[1] else None
        grad_bias = _make(sum_dy.copy(), False, None, 0, None) \
            if weight is not None and needs[2] else None
        grad_input = None
        if needs[0]:
            c = sum_dy.shape[0]
            combined = _make(xp.concatenate([sum_dy, sum_dy_xmu]), False, None, 0, None)
            dist.all_reduce(combined, group=ctx.process_group)
            both = combined._array
            mean_dy, mean_dy_xmu = both[:c] / total, both[c:] / total
            inv = invstd.reshape(aff)
            g = (dy - mean_dy.reshape(aff) - xmu * inv * inv * mean_dy_xmu.reshape(aff)) * inv
            if weight is not None:
                g = g * weight._array.reshape(aff)
            grad_input = _make(g.astype(x.dtype, copy=False), False, None, 0, None)
        return grad_input, grad_weight, grad_bias, None, None, None, None, None, None
