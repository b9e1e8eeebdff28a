"""Recurrent layers (torch.nn): RNN, LSTM, GRU and their cells.

Parameter names, shapes, gate order (LSTM: i, f, g, o; GRU: r, z, n) and initialisation
(U(-1/sqrt(hidden), 1/sqrt(hidden))) are PyTorch's, so state dicts load both ways.  Each layer
and direction runs as one fused op (``ember._ops.rnn``); LSTM's op includes the input
projection, GRU/RNN get it as one big matmul before the op.
"""
from __future__ import annotations

import math

from ... import _autocast as _ac
from ... import _creation as _cr
from ..._ops.linalg import addmm
from ..._ops.shape import cat, stack
from ...autograd.function import _apply
from .. import functional as F
from ..._ops import rnn as rnn_ops
from ..._creation import empty
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _proj(x, w_ih, b):
    """x (T, B, I) @ W_ih^T + b as one GEMM -> (T, B, G*H)."""
    T, B = x.shape[0], x.shape[1]
    x2 = x.reshape(T * B, x.shape[2])
    if b is None:
        y = x2.matmul(w_ih.t())
    else:
        y = addmm(b, x2, w_ih.t())
    return y.reshape(T, B, w_ih.shape[0])


def _same_dtype(x, *ws):
    dt = x.dtype
    return all(w is None or w.dtype == dt for w in ws)


def _size(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _list(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


class RNNBase(Module):
    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be greater than 0" if isinstance(hidden_size, int)
                             else f"hidden_size should be of type int, got: "
                             f"{type(hidden_size).__name__}")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than 0")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        gate = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        real_h = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for d in range(dirs):
                in_sz = input_size if layer == 0 else real_h * dirs
                sfx = "_reverse" if d == 1 else ""
                names = [f"weight_ih_l{layer}{sfx}", f"weight_hh_l{layer}{sfx}"]
                shapes = [(gate, in_sz), (gate, real_h)]
                if bias:
                    names += [f"bias_ih_l{layer}{sfx}", f"bias_hh_l{layer}{sfx}"]
                    shapes += [(gate,), (gate,)]
                if proj_size > 0:
                    names.append(f"weight_hr_l{layer}{sfx}")
                    shapes.append((proj_size, hidden_size))
                for n, s in zip(names, shapes):
                    setattr(self, n, Parameter(empty(s, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        pass

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # -- forward ---------------------------------------------------------------------------
    def _prepare(self, input, hx):
        """Validate; return (x as (T, B, I), hx list per layer/dir, unbatched, packed info)."""
        from ..utils import rnn as rnn_utils
        packed = None
        if isinstance(input, getattr(rnn_utils, "PackedSequence", ())):
            packed = input
            x, lengths = rnn_utils.pad_packed_sequence(input, batch_first=False)
            unbatched = False
        else:
            x = input
            lengths = None
            if x.dim() not in (2, 3):
                raise ValueError(f"{self.mode if self.mode in ('LSTM', 'GRU') else 'RNN'}: "
                                 f"Expected input to be 2D or 3D, got {x.dim()}D tensor instead")
            unbatched = x.dim() == 2
            if unbatched:
                x = x.unsqueeze(1)
            elif self.batch_first:
                x = x.transpose(0, 1)
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        return x, unbatched, packed, lengths

    def _zeros_h(self, B, size, dtype):
        dirs = 2 if self.bidirectional else 1
        return _cr.zeros(self.num_layers * dirs, B, size, dtype=dtype)

    def _check_hidden(self, h, B, size, msg):
        dirs = 2 if self.bidirectional else 1
        expected = (self.num_layers * dirs, B, size)
        if tuple(h.shape) != expected:
            raise RuntimeError(f"{msg} {_size(expected)}, got {_list(h.shape)}")

    def _run(self, x, hs, lengths):
        """All layers/directions; hs: list of per-state tensors (num_layers*dirs, B, H)."""
        dirs = 2 if self.bidirectional else 1
        finals = [[] for _ in hs]
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                names = self._all_weights[k]
                ws = [getattr(self, n) for n in names]
                init = [h[k] for h in hs]
                out, fin = self._cell_seq(layer_in, ws, init, lengths, d == 1)
                outs.append(out)
                for f, v in zip(finals, fin):
                    f.append(v)
            layer_in = outs[0] if dirs == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        return layer_in, [stack(f, 0) for f in finals]

    def _split(self, ws):
        if self.bias:
            return ws[0], ws[1], ws[2], ws[3], ws[4:]
        return ws[0], ws[1], None, None, ws[2:]

    def _cell_seq(self, x, ws, init, lengths, reverse):
        """One layer and direction: (outputs, [final states]); ``reverse`` runs it backwards
        in time (within each sequence's length)."""
        if not reverse:
            return self._layer(x, ws, init, lengths)
        out, fin = self._layer(_reverse(x, lengths), ws, init, lengths)
        return _reverse(out, lengths), fin


def _reverse(x, lengths):
    """Reverse each sequence in time (within its length for packed input)."""
    if lengths is None:
        return x.flip(0)
    from ..._backend import xp
    from ..._ops.indexing import gather
    T, B, H = x.shape
    t = xp.arange(T)[:, None]
    ln = xp.asarray(lengths)[None, :]
    idx = xp.where(t < ln, ln - 1 - t, t)
    idx = xp.ascontiguousarray(xp.broadcast_to(idx[:, :, None], (T, B, H)))
    return gather(x, 0, _cr.tensor(idx))


class RNN(RNNBase):
    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(mode, *args, **kwargs)

    def _layer(self, x, ws, init, lengths):
        w_ih, w_hh, b_ih, b_hh, _ = self._split(ws)
        xw = _proj(x, w_ih, b_ih + b_hh if b_ih is not None else None)
        out, hT = _apply(rnn_ops.RNNLayer, (xw, w_hh, init[0], self.mode == "RNN_RELU"), {}, None)
        if lengths is not None:
            hT = _last_valid(out, lengths)
        return out, [hT]

    def forward(self, input, hx=None):
        x, unbatched, packed, lengths = self._prepare(input, hx)
        B = x.shape[1]
        if hx is None:
            h = self._zeros_h(B, self.hidden_size, x.dtype)
        else:
            h = hx.unsqueeze(1) if unbatched else hx
            if unbatched and hx.dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{hx.dim()}-D tensor")
            self._check_hidden(h, B, self.hidden_size, "Expected hidden size")
        out, (hn,) = self._run(x, [h], lengths)
        return _finish(self, out, [hn], unbatched, packed)[0], \
            _finish(self, out, [hn], unbatched, packed)[1][0]


def _last_valid(out, lengths):
    from ..._backend import xp
    from ..._ops.indexing import gather
    B, H = out.shape[1], out.shape[2]
    idx = (xp.asarray(lengths) - 1).reshape(1, B, 1) * xp.ones((1, 1, H), xp.int64)
    return gather(out, 0, _cr.tensor(idx)).squeeze(0)


def _finish(mod, out, states, unbatched, packed):
    if packed is not None:
        from ..utils import rnn as rnn_utils
        lengths = packed_lengths(packed)  # in the packed (sorted) order
        if packed.sorted_indices is not None:  # out is in the caller's order: re-sort it
            out = out.index_select(1, packed.sorted_indices)
        out = rnn_utils.pack_padded_sequence(out, lengths)
        return rnn_utils.PackedSequence(out.data, out.batch_sizes, packed.sorted_indices,
                                        packed.unsorted_indices), states
    if unbatched:
        return out.squeeze(1), [s.squeeze(1) for s in states]
    if mod.batch_first:
        out = out.transpose(0, 1)
    return out, states


def packed_lengths(packed):
    from ..._backend import xp
    bs = packed.batch_sizes._array
    B = int(bs[0])
    lengths = (bs[None, :] > xp.arange(B)[:, None]).sum(1)
    return lengths.tolist()


class LSTM(RNNBase):
    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def _fused(self, x, init, lengths):
        """torch's float32 path (oneDNN's fused layer) and ember's fast one for every dtype:
        one LSTMSeq (MkldnnRnnLayerBackward0) node per layer and direction."""
        return not self.proj_size and lengths is None and _same_dtype(
            x, *self._flat_weights, *init)

    def _cell_seq(self, x, ws, init, lengths, reverse):
        if self._fused(x, init, lengths):
            w_ih, w_hh, b_ih, b_hh, _ = self._split(ws)
            out, hT, cT = _apply(rnn_ops.LSTMSeq, (x, w_ih, w_hh, b_ih, b_hh, init[0], init[1],
                                             reverse), {}, None)
            return out, [hT, cT]
        return RNNBase._cell_seq(self, x, ws, init, lengths, reverse)

    def _layer(self, x, ws, init, lengths):
        w_ih, w_hh, b_ih, b_hh, rest = self._split(ws)
        xw = _proj(x, w_ih, b_ih + b_hh if b_ih is not None else None)
        if self.proj_size:
            return _lstm_proj_seq(xw, w_hh, rest[0], init[0], init[1], lengths)
        if lengths is not None:  # variable lengths: the fused layer, final states per sequence
            out, hT, cT = _apply(rnn_ops.LSTMLayer,
                                 (xw, w_hh, init[0], init[1], tuple(lengths)), {}, None)
            return out, [hT, cT]
        out, hT, cT = _apply(rnn_ops.LSTMLayer, (xw, w_hh, init[0], init[1]), {}, None)
        return out, [hT, cT]

    def forward(self, input, hx=None):
        x, unbatched, packed, lengths = self._prepare(input, hx)
        B = x.shape[1]
        real_h = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h = self._zeros_h(B, real_h, x.dtype)
            c = self._zeros_h(B, self.hidden_size, x.dtype)
        else:
            h, c = hx
            if unbatched:
                if h.dim() != 2 or c.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D "
                                       f"but got ({h.dim()}-D, {c.dim()}-D) tensors")
                h, c = h.unsqueeze(1), c.unsqueeze(1)
            self._check_hidden(h, B, real_h, "Expected hidden[0] size")
            self._check_hidden(c, B, self.hidden_size, "Expected hidden[1] size")
        if self._fused(x, [h, c], lengths):
            x = x.contiguous()  # as oneDNN's path takes it (a CloneBackward0 when it copies)
        out, (hn, cn) = self._run(x, [h, c], lengths)
        out, (hn, cn) = _finish(self, out, [hn, cn], unbatched, packed)
        return out, (hn, cn)


def _lstm_proj_seq(xw, w_hh, w_hr, h0, c0, lengths):
    """LSTM with projections (proj_size > 0): a loop of differentiable ember ops."""
    H = c0.shape[-1]
    h, c = h0, c0
    hs = []
    T = xw.shape[0]
    for t in range(T):
        gates = xw[t] + h.matmul(w_hh.t())
        i, f, g, o = gates.split(H, 1)
        c_new = i.sigmoid() * g.tanh() + f.sigmoid() * c
        h_new = (o.sigmoid() * c_new.tanh()).matmul(w_hr.t())
        if lengths is not None:
            m = _step_mask(lengths, t, h_new)
            h_new = h_new * m + h * (1 - m)
            c_new = c_new * m + c * (1 - m)
        h, c = h_new, c_new
        hs.append(h_new)
    return stack(hs, 0), [h, c]


def _step_mask(lengths, t, like):
    from ..._backend import xp
    from ..._ops._utils import wrap
    return wrap((xp.asarray(lengths) > t).astype(like._array.dtype)[:, None])


class GRU(RNNBase):
    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def _layer(self, x, ws, init, lengths):
        w_ih, w_hh, b_ih, b_hh, _ = self._split(ws)
        H = self.hidden_size
        if b_ih is not None:
            b = b_ih + cat([b_hh[:2 * H], b_hh[2 * H:] * 0], 0)
            b_hn = b_hh[2 * H:]
        else:
            b, b_hn = None, None
        xw = _proj(x, w_ih, b)
        out, hT = _apply(rnn_ops.GRULayer, (xw, w_hh, b_hn, init[0]), {}, None)
        if lengths is not None:
            hT = _last_valid(out, lengths)
        return out, [hT]

    def forward(self, input, hx=None):
        if _ac.on:  # torch's CPU GRU is not autocast: it runs (and returns) float32
            with _ac.suspended():
                return self.forward(input, hx)
        x, unbatched, packed, lengths = self._prepare(input, hx)
        B = x.shape[1]
        if hx is None:
            h = self._zeros_h(B, self.hidden_size, x.dtype)
        else:
            if unbatched and hx.dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{hx.dim()}-D tensor")
            h = hx.unsqueeze(1) if unbatched else hx
            self._check_hidden(h, B, self.hidden_size, "Expected hidden size")
        out, (hn,) = self._run(x, [h], lengths)
        out, (hn,) = _finish(self, out, [hn], unbatched, packed)
        return out, hn


# ------------------------------------------------------------------------------------ cells


class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]
    _gates = 1

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        g = self._gates * hidden_size
        self.weight_ih = Parameter(empty((g, input_size), dtype=dtype))
        self.weight_hh = Parameter(empty((g, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty((g,), dtype=dtype))
            self.bias_hh = Parameter(empty((g,), dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def _input(self, input, hx, n_states):
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        unb = input.dim() == 1
        x = input.unsqueeze(0) if unb else input
        return x, unb

    def _xw(self, x):
        b = self.bias_ih + self.bias_hh if self.bias else None
        y = addmm(b, x, self.weight_ih.t()) if b is not None else x.matmul(self.weight_ih.t())
        return y.unsqueeze(0)

    def _state(self, hx, x, unb, name="hx"):
        if hx is None:
            return _cr.zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
        h = hx.unsqueeze(0) if unb else hx
        if h.shape[0] != x.shape[0]:
            raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden0 batch size "
                               f"{h.shape[0]}")
        if h.shape[1] != self.hidden_size:
            raise RuntimeError(f"hidden0 has inconsistent hidden_size: got {h.shape[1]}, "
                               f"expected {self.hidden_size}")
        return h


def _linear(x, w, b):
    """at::linear on 2-D input: addmm(b, x, w.t()), or x @ w.t() without a bias."""
    return addmm(b, x, w.t()) if b is not None else x.matmul(w.t())


def _chunks(t, n):
    return _apply(rnn_ops.UnsafeSplit, (t, n, 1), {}, None)


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity
        if nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")

    def forward(self, input, hx=None):
        # torch's rnn_tanh_cell / rnn_relu_cell: act(linear_hh(h).add_(linear_ih(x)))
        x, unb = self._input(input, hx, 1)
        h = self._state(hx, x, unb)
        g = _linear(h, self.weight_hh, self.bias_hh).add_(
            _linear(x, self.weight_ih, self.bias_ih))
        hy = g.tanh() if self.nonlinearity == "tanh" else g.relu()
        return hy.squeeze(0) if unb else hy


class LSTMCell(RNNCellBase):
    """One fused node per step (LSTMCellBackward0), not torch's 13 (two addmm, unsafe_chunk,
    sigmoid/tanh, mul, add): composed, a step of a small cell (batch 4, hidden 32) took about
    twice as long (a deliberate difference; GRUCell and RNNCell are composed as torch's)."""
    _gates = 4

    def forward(self, input, hx=None):
        x, unb = self._input(input, hx, 2)
        if hx is None:
            h = c = self._state(None, x, unb)
        else:
            h, c = self._state(hx[0], x, unb), self._state(hx[1], x, unb)
        ws = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if _same_dtype(x, *ws) and h.dtype == x.dtype and c.dtype == x.dtype:
            _, hT, cT = _apply(rnn_ops.LSTMCellStep, (x.unsqueeze(0),) + ws + (h, c, False), {},
                               None)
        else:
            _, hT, cT = _apply(rnn_ops.LSTMLayer, (self._xw(x), self.weight_hh, h, c), {}, None)
        return (hT.squeeze(0), cT.squeeze(0)) if unb else (hT, cT)


class GRUCell(RNNCellBase):
    _gates = 3

    def forward(self, input, hx=None):
        # torch's gru_cell on CPU, op for op
        x, unb = self._input(input, hx, 1)
        h = self._state(hx, x, unb)
        ir, iz, inn = _chunks(_linear(x, self.weight_ih, self.bias_ih), 3)
        hr, hz, hn = _chunks(_linear(h, self.weight_hh, self.bias_hh), 3)
        r = hr.add_(ir).sigmoid_()
        z = hz.add_(iz).sigmoid_()
        n = inn.add(hn.mul_(r)).tanh_()
        hy = (h - n).mul_(z).add_(n)
        return hy.squeeze(0) if unb else hy
