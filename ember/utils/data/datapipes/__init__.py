"""ember.utils.data.datapipes: composable datasets (``IterDataPipe``, ``MapDataPipe``) with
functional forms, as torch.utils.data.datapipes."""
from . import iter, map  # noqa: A004 - torch's module names; registers the functional forms
from ._decorator import (argument_validation, functional_datapipe,
                         guaranteed_datapipes_determinism, non_deterministic,
                         runtime_validation, runtime_validation_disabled)
from .datapipe import DataChunk, DFIterDataPipe, IterDataPipe, MapDataPipe

__all__ = ["DataChunk", "DFIterDataPipe", "IterDataPipe", "MapDataPipe", "argument_validation",
           "functional_datapipe", "guaranteed_datapipes_determinism", "iter", "map",
           "non_deterministic", "runtime_validation", "runtime_validation_disabled"]
