"""Internals of ember.utils.data, laid out like torch.utils.data._utils so that imports of
``..._utils.collate`` keep working."""

from . import collate, fetch, worker

MP_STATUS_CHECK_INTERVAL = 5.0
"""Seconds between checks that the workers (or the main process) are still alive."""

__all__ = ["collate", "fetch", "worker", "MP_STATUS_CHECK_INTERVAL"]
