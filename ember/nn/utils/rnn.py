"""Variable-length sequences: pad_sequence, PackedSequence, pack/pad helpers."""
from __future__ import annotations

from collections import namedtuple

from ..._backend import xp
from ..._tensor import Tensor, _make

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]

_PackedSequenceBase = namedtuple("PackedSequence",
                                 ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _long(a):
    return _make(xp.asarray(a, dtype=xp.int64), False, None, 0, None)


class PackedSequence(_PackedSequenceBase):
    """``data``: the time-major concatenation of the non-padded steps; ``batch_sizes[t]``:
    how many sequences are longer than ``t``."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        data, batch_sizes = data  # (data, batch_sizes) tuple form
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def float(self):
        return self.to(dtype=__import__("ember").float32)

    def double(self):
        return self.to(dtype=__import__("ember").float64)

    def cpu(self):
        return self

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    if permutation is None:
        return None
    p = permutation._array
    out = xp.empty_like(p)
    out[p] = xp.arange(p.size, dtype=p.dtype)
    return _long(out)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths._array.astype(xp.int64).reshape(-1)
    return xp.asarray(list(lengths), dtype=xp.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if lens.size > 1 and (xp.diff(lens) > 0).any():
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        sorted_indices = None
    else:
        order = xp.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = _long(order)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    T = int(lens[0]) if lens.size else 0
    if T > input.shape[0]:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to {T}, but "
                           f"got {input.shape[0]}")
    batch_sizes = (lens[None, :] > xp.arange(T)[:, None]).sum(1)
    t_idx = xp.repeat(xp.arange(T), batch_sizes)
    b_idx = xp.concatenate([xp.arange(n) for n in batch_sizes]) if T else xp.zeros(0, xp.int64)
    data = input[_long(t_idx), _long(b_idx)]
    return PackedSequence(data, _long(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    bs = sequence.batch_sizes._array
    T = bs.size
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {T}")
    else:
        total_length = T
    B = int(bs[0]) if T else 0
    data = sequence.data
    from ..._creation import full
    out = full((total_length, B) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    t_idx = xp.repeat(xp.arange(T), bs)
    b_idx = xp.concatenate([xp.arange(n) for n in bs]) if T else xp.zeros(0, xp.int64)
    out[_long(t_idx), _long(b_idx)] = data
    lengths = (bs[None, :] > xp.arange(B)[:, None]).sum(1)
    if batch_first:
        out = out.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        u = sequence.unsorted_indices
        out = out.index_select(0 if batch_first else 1, u)
        lengths = lengths[u._array]
    return out, _long(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length tensors (L_i, *) into (T, B, *) (or (B, T, *)), padding."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    from ... import stack
    from .. import functional as F
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    T = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = T - s.shape[0]
        pads = [0, 0] * (s.dim() - 1) + ([0, extra] if padding_side == "right" else [extra, 0])
        padded.append(F.pad(s, pads, value=padding_value) if extra else s)
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
