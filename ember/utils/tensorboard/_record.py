"""A tiny TFRecord event-file writer (length, masked crc32c, data, masked crc32c), used when
the ``tensorboard`` package has no ``EventFileWriter`` to lend."""
from __future__ import annotations

import os
import socket
import struct
import threading
import time

__all__ = ["masked_crc32c", "RecordEventFileWriter"]


def _table():
    poly, t = 0x82F63B78, []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        t.append(c)
    return t


_T = _table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of ``data``."""
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: rotate right by 15 and add a constant."""
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


_uid_lock = threading.Lock()
_uid = [0]


class RecordEventFileWriter:
    """Writes serialized ``Event`` protos to ``events.out.tfevents.<time>.<host>.<pid>.<n>``
    in ``logdir`` (the name and the first ``file_version`` event as TensorBoard writes them)."""

    def __init__(self, logdir, max_queue_size=10, flush_secs=120, filename_suffix=""):
        from tensorboard.compat.proto import event_pb2
        self._logdir = str(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        with _uid_lock:
            n = _uid[0]
            _uid[0] += 1
        name = (f"events.out.tfevents.{time.time():010.0f}.{socket.gethostname()}."
                f"{os.getpid()}.{n}{filename_suffix}")
        self._path = os.path.join(self._logdir, name)
        self._file = open(self._path, "wb")
        self._closed = False
        self.add_event(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.flush()

    def get_logdir(self):
        """The directory this writer writes to."""
        return self._logdir

    def add_event(self, event):
        """Appends one Event record."""
        data = event.SerializeToString()
        header = struct.pack("<Q", len(data))
        self._file.write(header + struct.pack("<I", masked_crc32c(header)) + data
                         + struct.pack("<I", masked_crc32c(data)))

    def flush(self):
        """Writes buffered records to disk."""
        if not self._closed:
            self._file.flush()

    def close(self):
        """Flushes and closes the file."""
        if not self._closed:
            self._file.close()
            self._closed = True

    def reopen(self):
        """Does nothing (a closed writer stays closed; SummaryWriter opens a new file)."""
