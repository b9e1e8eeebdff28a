"""``ember.utils.tensorboard``: ``SummaryWriter`` writing TensorBoard event files (needs the
optional ``tensorboard`` package: ``pip install ember[tensorboard]``)."""
try:
    from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: F401
except ImportError:
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above") from None

from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
