"""``nn.DataParallel`` without GPUs: torch's module then wraps ``module`` and calls it (no
scatter, no replicas), keeping it as ``.module`` so checkpoints carry the ``module.`` prefix."""
from __future__ import annotations

from typing import Any

from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Implements data parallelism at the module level (``torch.nn.DataParallel``).

    On a machine with no accelerator (ember's case) torch's DataParallel ignores
    ``device_ids``, ``output_device`` and ``dim``, sets ``device_ids`` to ``[]`` and forwards
    every call to ``module``; so does this one."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[int] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """``module(*inputs, **kwargs)``."""
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids: Any = None,
                  output_device: Any = None, dim: int = 0, module_kwargs: Any = None) -> Any:
    """The functional DataParallel: needs an accelerator (RuntimeError, as torch on a CPU)."""
    raise RuntimeError("device type could not be determined")
