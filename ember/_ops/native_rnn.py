"""torch's native (``torch._VF``) recurrent and bag functions: ``torch.lstm``, ``torch.gru``,
``torch.rnn_tanh``, ``torch.rnn_relu`` (padded form ``(input, hx, params, has_biases,
num_layers, dropout, train, bidirectional, batch_first)`` and packed form ``(data,
batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional)``), the native
``torch.embedding_bag`` (its 4-tuple) and ``conv_tbc`` (``ConvTbcBackward0``).

``nn.LSTM``/``GRU``/``RNN`` call ``_VF.lstm``/... in torch, so the native forms here run the
modules' own code on a weightless shell holding the given ``params``: values, graphs
(``grad_fn`` names) and dropout's random bits are the modules'.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._types import Array, Ctx, Grads, Namespace

__all__ = ["lstm", "gru", "rnn_tanh", "rnn_relu", "embedding_bag"]


def _shell(mode: str, params: Sequence[Tensor], has_biases: bool, num_layers: int,
           dropout: float, train: bool, bidirectional: bool, batch_first: bool,
           hidden: int, proj: int) -> Any:
    """An nn.LSTM/GRU/RNN object (no Module parameters) whose weights are ``params``."""
    from ..nn.modules import rnn as m
    from ..nn.modules.module import Module
    cls = {"LSTM": m.LSTM, "GRU": m.GRU}.get(mode, m.RNN)
    obj = cls.__new__(cls)
    Module.__init__(obj)
    dirs = 2 if bidirectional else 1
    stride = 2 + 2 * bool(has_biases) + (1 if proj else 0)
    params = list(params)
    if len(params) != stride * num_layers * dirs:
        raise RuntimeError(f"{mode.lower() if mode in ('LSTM', 'GRU') else 'rnn'}: "
                           f"expected {stride * num_layers * dirs} parameters but got "
                           f"{len(params)}")
    d = obj.__dict__
    d.update(mode=mode, input_size=int(params[0].shape[1]), hidden_size=hidden,
             num_layers=int(num_layers), bias=bool(has_biases), batch_first=bool(batch_first),
             dropout=float(dropout), bidirectional=bool(bidirectional), proj_size=proj,
             training=bool(train), nonlinearity="relu" if mode == "RNN_RELU" else "tanh")
    names: list[str] = []
    groups: list[list[str]] = []
    for k in range(num_layers * dirs):
        layer, direction = divmod(k, dirs)
        sfx = f"_l{layer}" + ("_reverse" if direction else "")
        g = ["weight_ih" + sfx, "weight_hh" + sfx]
        if has_biases:
            g += ["bias_ih" + sfx, "bias_hh" + sfx]
        if proj:
            g.append("weight_hr" + sfx)
        groups.append(g)
        names += g
    for n, p in zip(names, params):
        d[n] = p
    d["_flat_weights_names"] = names
    d["_all_weights"] = groups
    return obj


def _native(mode: str, args: tuple, name: str) -> Any:
    """Both signatures: padded ``(input, hx, params, has_biases, num_layers, dropout, train,
    bidirectional, batch_first)`` or packed ``(data, batch_sizes, hx, params, ...)``."""
    from ..nn.utils.rnn import PackedSequence
    if mode == "LSTM":  # the padded form's hx is a tuple, the packed form's batch_sizes a Tensor
        packed = len(args) > 1 and isinstance(args[1], Tensor)
    else:  # the packed form's third argument is hx (a Tensor), the padded form's the params
        packed = len(args) > 2 and isinstance(args[2], Tensor)
    if packed:
        data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidir = args
        batch_first = False
    else:
        if len(args) != 9:
            raise TypeError(f"{name}() takes 9 positional arguments ({len(args)} given)")
        data, hx, params, has_biases, num_layers, dropout, train, bidir, batch_first = args
        if data.dim() != 3:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[-{data.dim()}, {data.dim() - 1}], but got 2)")
    if mode == "LSTM":
        h0, c0 = hx
        hidden, proj = int(c0.shape[2]), int(h0.shape[2])
        proj = proj if proj != hidden else 0
    else:
        hidden, proj = int(hx.shape[2]), 0
    mod = _shell(mode, params, has_biases, num_layers, dropout, train, bidir, batch_first,
                 hidden, proj)
    x = PackedSequence(data, batch_sizes) if packed else data
    out, h = mod.forward(x, tuple(hx) if mode == "LSTM" else hx)
    if packed:
        out = out.data
    return (out, h[0], h[1]) if mode == "LSTM" else (out, h)


def lstm(*args: Any) -> tuple[Tensor, Tensor, Tensor]:
    """torch's native LSTM (``torch._VF.lstm``): ``lstm(input, (h0, c0), params, has_biases,
    num_layers, dropout, train, bidirectional, batch_first)`` or the packed form ``lstm(data,
    batch_sizes, (h0, c0), params, has_biases, num_layers, dropout, train, bidirectional)``;
    returns ``(output, h_n, c_n)`` as ``nn.LSTM`` computes them."""
    return _native("LSTM", args, "lstm")


def gru(*args: Any) -> tuple[Tensor, Tensor]:
    """torch's native GRU (``torch._VF.gru``): ``gru(input, hx, params, has_biases,
    num_layers, dropout, train, bidirectional, batch_first)`` or the packed form ``gru(data,
    batch_sizes, hx, params, ...)``; returns ``(output, h_n)``."""
    return _native("GRU", args, "gru")


def rnn_tanh(*args: Any) -> tuple[Tensor, Tensor]:
    """torch's native Elman RNN with tanh (``torch._VF.rnn_tanh``), signatures as ``gru``."""
    return _native("RNN_TANH", args, "rnn_tanh")


def rnn_relu(*args: Any) -> tuple[Tensor, Tensor]:
    """torch's native Elman RNN with ReLU (``torch._VF.rnn_relu``), signatures as ``gru``."""
    return _native("RNN_RELU", args, "rnn_relu")


# ------------------------------------------------------------------------------ embedding_bag


def _long_like(a: Array, dtype: Any) -> Tensor:
    return _make(xp.ascontiguousarray(a, dtype=dtype), False, None, 0, None)


def embedding_bag(weight: Tensor, indices: Tensor, offsets: Tensor,
                  scale_grad_by_freq: bool = False, mode: int = 0, sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """torch's native ``embedding_bag`` (modes 0 sum, 1 mean, 2 max): ``(output, offset2bag,
    bag_size, max_indices)`` with torch's CPU conventions for the three bookkeeping tensors
    (``offset2bag`` is empty on the float32 sum fast path; ``bag_size`` is zero for sum;
    ``max_indices`` is the row index of each maximum in max mode, ``bag_size`` in mean mode).
    The output is ``torch.nn.functional.embedding_bag``'s."""
    from ..nn import functional as F
    if not isinstance(offsets, Tensor):
        raise TypeError(f"embedding_bag(): argument 'offsets' (position 3) must be Tensor, "
                        f"not {type(offsets).__name__}")
    mode = int(mode)
    name = {0: "sum", 1: "mean", 2: "max"}[mode]
    out = F.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq, name, sparse,
                          per_sample_weights, include_last_offset, padding_idx)
    idx = indices._array.reshape(-1)
    offs = offsets._array.astype(xp.int64)
    n = idx.shape[0]
    nb = offs.shape[0] - 1 if include_last_offset else offs.shape[0]
    pad = -1 if padding_idx is None else int(padding_idx) % weight.shape[0]
    # each index's bag (searchsorted over the offsets, as make_offset2bag's cumsum)
    bag = xp.searchsorted(offs[:nb], xp.arange(n), side="right") - 1
    bag = xp.clip(bag, 0, max(nb - 1, 0))
    valid = idx != pad
    counts = xp.bincount(bag[valid], minlength=nb)[:nb] if n else xp.zeros(nb, xp.int64)
    dt = idx.dtype
    fast_sum = mode == 0 and pad < 0 and weight.dtype.np == xp.float32
    o2b = xp.zeros(0, dt) if fast_sum else bag.astype(dt)
    if mode == 0:
        bag_size = xp.zeros(nb, dt)
        max_idx = xp.zeros(nb, dt)
    else:
        bag_size = counts.astype(dt)
        max_idx = bag_size.copy()
    if mode == 2:
        w = weight._array
        D = w.shape[1]
        max_idx = xp.zeros((nb, D), dt)
        ends = list(offs[1:nb]) + [offs[nb] if include_last_offset else n]
        for b in range(nb):
            sel = idx[int(offs[b]):int(ends[b])]
            sel = sel[sel != pad]
            if sel.size:
                max_idx[b] = sel[xp.argmax(w[sel], axis=0)]
    return (out, _long_like(o2b, dt), _long_like(bag_size, dt), _long_like(max_idx, dt))


# ------------------------------------------------------------------------------ conv_tbc


def _windows(a: Any, n: int, k: int) -> Any:
    """(n, k, ...) windows of ``a`` along axis 0: ``a[t + j]`` (an integer-array index)."""
    return a[xp.arange(n)[:, None] + xp.arange(k)[None, :]]


class ConvTbc(Op):
    """conv_tbc: ``out[t] = bias + sum_k x_pad[t + k] @ weight[k]`` on (time, batch, channel)
    input and a (kernel, in, out) weight."""
    node_name = "ConvTbcBackward0"
    inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx: Ctx, x: Array, w: Array, b: Array, pad: int) -> Array:
        ctx.save_for_backward(x, w)
        ctx.pad = pad
        xp_ = xp.pad(x, ((pad, pad), (0, 0), (0, 0)))
        K = w.shape[0]
        n = xp_.shape[0] - K + 1
        return xp.einsum("tkbc,kco->tbo", _windows(xp_, n, K), w) + b

    @staticmethod
    def backward(ctx: Ctx, g: Any, ns: Namespace) -> Grads:
        x, w = ctx.saved_tensors
        p = ctx.pad
        K, T = w.shape[0], x.shape[0]
        n = T + 2 * p - K + 1
        xp_ = ns.pad(x, ((p, p), (0, 0), (0, 0)))
        gw = ns.einsum("tkbc,tbo->kco", _windows(xp_, n, K), g)
        gp = ns.pad(g, ((K - 1, K - 1), (0, 0), (0, 0)))
        gxp = ns.einsum("skbo,kco->sbc", _windows(gp, T + 2 * p, K), ns.flip(w, 0))
        return gxp[p:p + T], gw, ns.sum(g, (0, 1)), None


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """1-D convolution over (time, batch, channel) input with a (kernel_width, in_channels,
    out_channels) weight and a bias (``torch.conv_tbc``); ``pad`` zeros on both ends in time."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if input.dtype != weight.dtype:
        from .._dtype import spelling
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{spelling(input.dtype.np)} and {spelling(weight.dtype.np)}")
    n = input.shape[0] + 2 * int(pad) - weight.shape[0] + 1
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                           f"[{n}, {input.shape[1]}, {weight.shape[2]}]")
    return _apply(ConvTbc, (input, weight, bias, int(pad)), {}, None)
