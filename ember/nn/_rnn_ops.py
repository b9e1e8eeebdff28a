"""Fused recurrent layers: one op per (layer, direction) runs the whole time loop.

The input projection for all time steps is computed outside as one big matmul (``xw``, shape
(T, B, G*H), biases included); inside, each step is one ``h @ W_hh^T`` GEMM plus elementwise
gate math, with one ``tanh`` over all gates (sigmoid(x) = 0.5 * tanh(x / 2) + 0.5).  The backward
is closed-form BPTT; ``dW_hh`` is one GEMM over all steps at the end.

The step functions take the array namespace ``xp`` as an argument: NumPy in the forward and the
first-order backward, ember's graph namespace under ``create_graph`` (the forward is then replayed
from the saved inputs through differentiable ops so that higher-order gradients are exact).
"""
from __future__ import annotations

from .._backend import nx, xp
from ..autograd.function import Op

__all__ = ["LSTMLayer", "GRULayer", "RNNLayer"]


def _seq(xs, xp):
    return xs if not isinstance(xs, list) else xp.stack(xs, 0)


# -------------------------------------------------------------------------------------- LSTM


def _lstm_scale(h, dtype):
    s = xp.full((4 * h,), 0.5, dtype)
    s[2 * h:3 * h] = 1.0
    return s


def _lstm_forward(xp, xw, w_hh, h0, c0, scale, numpy_mode):
    """Returns outputs (T,B,H), h_T, c_T and the per-step (acts, cells, tanh_cells)."""
    T = xw.shape[0]
    H = h0.shape[-1]
    w_t = xp.swapaxes(w_hh, 0, 1)
    h, c = h0, c0
    hs, acts, cs, tcs = [], [], [], []
    for t in range(T):
        gates = xw[t] + xp.matmul(h, w_t)
        a = xp.tanh(gates * scale)
        if numpy_mode:
            a[:, :2 * H] *= 0.5
            a[:, :2 * H] += 0.5
            a[:, 3 * H:] *= 0.5
            a[:, 3 * H:] += 0.5
            s = a
        else:
            s = xp.concatenate([a[:, :2 * H] * 0.5 + 0.5, a[:, 2 * H:3 * H],
                                a[:, 3 * H:] * 0.5 + 0.5], 1)
        i, f, g, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
        c = f * c + i * g
        tc = xp.tanh(c)
        h = o * tc
        hs.append(h)
        acts.append(s)
        cs.append(c)
        tcs.append(tc)
    return hs, acts, cs, tcs


def _lstm_backward(xp, gout, ghT, gcT, w_hh, h0, c0, hs, acts, cs, tcs):
    T = len(hs)
    H = h0.shape[-1]
    dh, dc = ghT, gcT
    dxw = [None] * T
    for t in range(T - 1, -1, -1):
        dh = dh + gout[t]
        s, tc = acts[t], tcs[t]
        i, f, g, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
        c_prev = cs[t - 1] if t > 0 else c0
        do = dh * tc
        dc = dc + dh * o * (1 - tc * tc)
        di, df, dg = dc * g, dc * c_prev, dc * i
        dgates = xp.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g),
                                 do * o * (1 - o)], 1)
        dxw[t] = dgates
        dc = dc * f
        dh = xp.matmul(dgates, w_hh)
    dxw = xp.stack(dxw, 0)
    hprev = xp.concatenate([h0[None], _seq(hs, xp)[:-1]], 0)
    B = h0.shape[0]
    dw = xp.matmul(xp.swapaxes(dxw.reshape(T * B, 4 * H), 0, 1), hprev.reshape(T * B, H))
    return dxw, dw, dh, dc


def _lstm_forward_np(xw, w_hh, h0, c0, scale):
    """NumPy fast path: results written into preallocated (T, ...) buffers."""
    T, B = xw.shape[0], xw.shape[1]
    H = h0.shape[-1]
    dt = xw.dtype
    out = xp.empty((T, B, H), dt)
    acts = xp.empty((T, B, 4 * H), dt)
    cs = xp.empty((T, B, H), dt)
    tcs = xp.empty((T, B, H), dt)
    w_t = w_hh.T
    h, c = h0, c0
    for t in range(T):
        a = acts[t]
        xp.matmul(h, w_t, out=a)
        a += xw[t]
        a *= scale
        xp.tanh(a, out=a)
        a[:, :2 * H] *= 0.5
        a[:, :2 * H] += 0.5
        a[:, 3 * H:] *= 0.5
        a[:, 3 * H:] += 0.5
        ct = cs[t]
        xp.multiply(a[:, H:2 * H], c, out=ct)
        ct += a[:, :H] * a[:, 2 * H:3 * H]
        xp.tanh(ct, out=tcs[t])
        xp.multiply(a[:, 3 * H:], tcs[t], out=out[t])
        h, c = out[t], ct
    return out, acts, cs, tcs


def _lstm_backward_np(gout, ghT, gcT, w_hh, h0, c0, out, acts, cs, tcs):
    T, B, H = out.shape
    dxw = xp.empty((T, B, 4 * H), out.dtype)
    dh, dc = ghT, gcT.copy()
    for t in range(T - 1, -1, -1):
        dh = dh + gout[t]
        s, tc = acts[t], tcs[t]
        i, f, g, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
        c_prev = cs[t - 1] if t > 0 else c0
        d = dxw[t]
        dc += dh * o * (1 - tc * tc)
        xp.multiply(dh * tc, o * (1 - o), out=d[:, 3 * H:])
        xp.multiply(dc * g, i * (1 - i), out=d[:, :H])
        xp.multiply(dc * c_prev, f * (1 - f), out=d[:, H:2 * H])
        xp.multiply(dc * i, 1 - g * g, out=d[:, 2 * H:3 * H])
        dc *= f
        dh = xp.matmul(d, w_hh)
    hprev = xp.empty_like(out)
    hprev[0] = h0
    hprev[1:] = out[:-1]
    dw = xp.matmul(dxw.reshape(T * B, 4 * H).T, hprev.reshape(T * B, H))
    return dxw, dw, dh, dc


class LSTMLayer(Op):
    """(xw, W_hh, h0, c0) -> (outputs, h_T, c_T) for one LSTM layer and direction."""
    node_name = "LSTMBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx, xw, w_hh, h0, c0):
        scale = _lstm_scale(h0.shape[-1], xw.dtype)
        out, acts, cs, tcs = _lstm_forward_np(xw, w_hh, h0, c0, scale)
        hT = out[-1].copy() if len(out) else h0.copy()
        cT = cs[-1].copy() if len(cs) else c0.copy()
        if ctx.needs_input_grad:
            ctx.scale = scale
            ctx.save_for_backward(xw, w_hh, h0, c0, out, acts, cs, tcs)
        return out, hT, cT

    @staticmethod
    def backward(ctx, grads, xp):
        gout, ghT, gcT = grads
        xw, w_hh, h0, c0, out, acts, cs, tcs = ctx.saved_tensors
        if xp.graph:
            hs, acts, cs, tcs = _lstm_forward(xp, xw, w_hh, h0, c0, ctx.scale, False)
            return _lstm_backward(xp, gout, ghT, gcT, w_hh, h0, c0, hs, acts, cs, tcs)
        return _lstm_backward_np(gout, ghT, gcT, w_hh, h0, c0, out, acts, cs, tcs)


# --------------------------------------------------------------------------------------- GRU


def _gru_forward(xp, xw, w_hh, b_hn, h0, numpy_mode):
    T = xw.shape[0]
    H = h0.shape[-1]
    w_t = xp.swapaxes(w_hh, 0, 1)
    h = h0
    hs, rzs, ns, hns = [], [], [], []
    for t in range(T):
        hh = xp.matmul(h, w_t)
        x = xw[t]
        rz = xp.tanh((x[:, :2 * H] + hh[:, :2 * H]) * 0.5) * 0.5 + 0.5
        hn = hh[:, 2 * H:] + b_hn if b_hn is not None else hh[:, 2 * H:]
        r, z = rz[:, :H], rz[:, H:]
        n = xp.tanh(x[:, 2 * H:] + r * hn)
        h = n + z * (h - n)
        hs.append(h)
        rzs.append(rz)
        ns.append(n)
        hns.append(hn)
    return hs, rzs, ns, hns


def _gru_backward(xp, gout, ghT, w_hh, b_hn, h0, hs, rzs, ns, hns):
    T = len(hs)
    H = h0.shape[-1]
    dh = ghT
    dxw, dhh = [None] * T, [None] * T
    for t in range(T - 1, -1, -1):
        dh = dh + gout[t]
        rz, n, hn = rzs[t], ns[t], hns[t]
        r, z = rz[:, :H], rz[:, H:]
        h_prev = hs[t - 1] if t > 0 else h0
        dn = dh * (1 - z)
        dz = dh * (h_prev - n)
        dnp = dn * (1 - n * n)
        dr = dnp * hn
        drz = xp.concatenate([dr * r * (1 - r), dz * z * (1 - z)], 1)
        dhn = dnp * r
        dxw[t] = xp.concatenate([drz, dnp], 1)
        dhh[t] = xp.concatenate([drz, dhn], 1)
        dh = dh * z + xp.matmul(dhh[t], w_hh)
    dxw, dhh = xp.stack(dxw, 0), xp.stack(dhh, 0)
    B = h0.shape[0]
    hprev = xp.concatenate([h0[None], _seq(hs, xp)[:-1]], 0)
    dw = xp.matmul(xp.swapaxes(dhh.reshape(T * B, 3 * H), 0, 1), hprev.reshape(T * B, H))
    db_hn = xp.sum(dhh[:, :, 2 * H:].reshape(T * B, H), axis=0) if b_hn is not None else None
    return dxw, dw, db_hn, dh


class GRULayer(Op):
    """(xw, W_hh, b_hn, h0) -> (outputs, h_T); xw holds b_ih and the r/z parts of b_hh."""
    node_name = "GRUBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx, xw, w_hh, b_hn, h0):
        hs, rzs, ns, hns = _gru_forward(xp, xw, w_hh, b_hn, h0, True)
        out = xp.stack(hs, 0) if hs else xp.zeros((0,) + h0.shape, xw.dtype)
        hT = hs[-1] if hs else h0.copy()
        if ctx.needs_input_grad:
            ctx.save_for_backward(xw, w_hh, b_hn, h0, out, xp.stack(rzs, 0), xp.stack(ns, 0),
                                  xp.stack(hns, 0))
        return out, hT

    @staticmethod
    def backward(ctx, grads, xp):
        gout, ghT = grads
        xw, w_hh, b_hn, h0, out, rzs, ns, hns = ctx.saved_tensors
        if xp.graph:
            hs, rzs, ns, hns = _gru_forward(xp, xw, w_hh, b_hn, h0, False)
            return _gru_backward(xp, gout, ghT, w_hh, b_hn, h0, hs, rzs, ns, hns)
        return _gru_backward(nx, gout, ghT, w_hh, b_hn, h0, out, rzs, ns, hns)


# ------------------------------------------------------------------------------ Elman RNN


def _rnn_forward(xp, xw, w_hh, h0, relu):
    w_t = xp.swapaxes(w_hh, 0, 1)
    h = h0
    hs = []
    for t in range(xw.shape[0]):
        pre = xw[t] + xp.matmul(h, w_t)
        h = xp.maximum(pre, 0) if relu else xp.tanh(pre)
        hs.append(h)
    return hs


def _rnn_backward(xp, gout, ghT, w_hh, h0, hs, relu):
    T = len(hs)
    dh = ghT
    dxw = [None] * T
    for t in range(T - 1, -1, -1):
        dh = dh + gout[t]
        h = hs[t]
        dpre = dh * (h > 0) if relu else dh * (1 - h * h)
        dxw[t] = dpre
        dh = xp.matmul(dpre, w_hh)
    dxw = xp.stack(dxw, 0)
    B, H = h0.shape
    hprev = xp.concatenate([h0[None], _seq(hs, xp)[:-1]], 0)
    dw = xp.matmul(xp.swapaxes(dxw.reshape(T * B, H), 0, 1), hprev.reshape(T * B, H))
    return dxw, dw, dh


class RNNLayer(Op):
    """(xw, W_hh, h0) -> (outputs, h_T) with tanh or relu."""
    node_name = "RNNBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx, xw, w_hh, h0, relu):
        hs = _rnn_forward(xp, xw, w_hh, h0, relu)
        out = xp.stack(hs, 0) if hs else xp.zeros((0,) + h0.shape, xw.dtype)
        hT = hs[-1] if hs else h0.copy()
        if ctx.needs_input_grad:
            ctx.relu = relu
            ctx.save_for_backward(xw, w_hh, h0, out)
        return out, hT

    @staticmethod
    def backward(ctx, grads, xp):
        gout, ghT = grads
        xw, w_hh, h0, out = ctx.saved_tensors
        if xp.graph:
            hs = _rnn_forward(xp, xw, w_hh, h0, ctx.relu)
            return _rnn_backward(xp, gout, ghT, w_hh, h0, hs, ctx.relu) + (None,)
        return _rnn_backward(nx, gout, ghT, w_hh, h0, out, ctx.relu) + (None,)
