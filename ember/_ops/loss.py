"""Loss ops of torch.nn.functional (the ones torch runs as one kernel) and the nodes of a Python
number that composed losses record.  The public loss functions (argument checks, dtype rules,
the composed losses) are in ``ember/nn/_functional_losses.py``.

Backward formulas work on arrays (first order) and on Tensors (``create_graph=True``).
"""
from __future__ import annotations

from .._backend import xp
from ..autograd.function import Op


# ================================================================= nodes of a Python number


class _MulScalar(Op):
    """``tensor * number`` inside a composed loss: torch's C++ ``mul(Tensor, Scalar)``
    (MulBackward1, one edge), where Python's ``*`` would record MulBackward0."""
    node_name = "MulBackward1"

    @staticmethod
    def forward(ctx, a, s):
        ctx.s = s
        return a * s

    @staticmethod
    def backward(ctx, g, ns):
        return g * ctx.s


class _DivScalar(Op):
    """``tensor / number`` inside a composed loss (DivBackward1, one edge)."""
    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, s):
        ctx.s = s
        return a / s

    @staticmethod
    def backward(ctx, g, ns):
        return g / ctx.s


class _AddScalar(Op):
    """``tensor + number`` inside a composed loss (AddBackward1, one edge)."""
    node_name = "AddBackward1"

    @staticmethod
    def forward(ctx, a, s):
        return a + s

    @staticmethod
    def backward(ctx, g, ns):
        return g


class _FillNan(Op):
    """``t.fill_(nan)`` on a fresh result (an empty batch's mean): FillBackward2, zero grad."""
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, a):
        return xp.full(a.shape, xp.nan, a.dtype)

    @staticmethod
    def backward(ctx, g, ns):
        return g * 0
