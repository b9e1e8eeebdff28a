"""parameters_to_vector / vector_to_parameters."""
from __future__ import annotations

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """Flatten and concatenate parameters into one (differentiable) vector."""
    from ... import cat
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters) -> None:
    """Copy slices of ``vec`` into the parameters' data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
