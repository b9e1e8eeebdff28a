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

__all__ = ["LSTMLayer", "LSTMSeq", "GRULayer", "RNNLayer"]


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


# NumPy fast path.  Internally the gate blocks are reordered (o, i, f, g): the three sigmoid
# gates are one contiguous slice (one tanh over all gates, then one ``* 0.5 + 0.5`` on the first
# 3H columns; the 0.5 pre-scaling of the sigmoid pre-activations is folded into the weights,
# exact in binary floating point), and the three gates driven by dc in the backward (i, f, g) are
# one contiguous slice too.  _PERM maps internal block k to torch's block _PERM[k].
_PERM = [3, 0, 1, 2]
_UNPERM = [1, 2, 3, 0]


def _perm_rows(w, order):
    """Gate blocks of a (4H, ...) weight or bias reordered (a fresh contiguous array)."""
    H = w.shape[0] // 4
    return w.reshape((4, H) + w.shape[1:])[order].reshape(w.shape)


def _perm_cols(a, order):
    """Gate blocks along the last axis of a (..., 4H) array reordered (a fresh array)."""
    H = a.shape[-1] // 4
    return a.reshape(a.shape[:-1] + (4, H))[..., order, :].reshape(a.shape)


def _fwd_weights(w_hh):
    """(H, 4H) contiguous W_hh^T in internal order, sigmoid columns halved."""
    w = _perm_rows(w_hh, _PERM)
    w[:3 * (w.shape[0] // 4)] *= 0.5
    return xp.ascontiguousarray(w.T)


def _lstm_fwd_core(acts, w_t, h0, c0):
    """Run the recurrence.  ``acts`` (T, B, 4H) holds the input projections (internal order,
    sigmoid pre-activations halved) and is overwritten with the gate activations.  Returns
    hs (T+1, B, H) with hs[0] = h0, cs (T+1, B, H) with cs[0] = c0, and tanh(c) (T, B, H)."""
    T, B, G = acts.shape
    H = G // 4
    H2, H3 = 2 * H, 3 * H
    dt = acts.dtype
    hs = xp.empty((T + 1, B, H), dt)
    cs = xp.empty((T + 1, B, H), dt)
    tcs = xp.empty((T, B, H), dt)
    hs[0] = h0
    cs[0] = c0
    tmp = xp.empty((B, G), dt)
    tmph = xp.empty((B, H), dt)
    matmul, multiply, tanh = xp.matmul, xp.multiply, xp.tanh
    for t in range(T):
        a = acts[t]
        matmul(hs[t], w_t, out=tmp)
        a += tmp
        tanh(a, out=a)
        s = a[:, :H3]
        s *= 0.5
        s += 0.5
        c = cs[t + 1]
        multiply(a[:, H2:H3], cs[t], out=c)
        multiply(a[:, H:H2], a[:, H3:], out=tmph)
        c += tmph
        tc = tcs[t]
        tanh(c, out=tc)
        multiply(a[:, :H], tc, out=hs[t + 1])
    return hs, cs, tcs


def _lstm_bwd_core(gout, ghT, gcT, w_p, acts, hs, cs, tcs, need_h0):
    """Backward through time.  ``w_p``: W_hh (4H, H) in internal order, unscaled.  Returns the
    pre-activation gradients (T, B, 4H) in internal order, dh0 (None unless ``need_h0``), dc0."""
    T, B, G = acts.shape
    H = G // 4
    H2, H3 = 2 * H, 3 * H
    dt = acts.dtype
    # the factors that do not depend on the recurrence, for all steps at once:
    # d = [dh * tc * o', dc * g * i', dc * c_prev * f', dc * i * g'] with s' = s(1 - s) and
    # tanh' = 1 - g^2; dc += dh * o * (1 - tanh(c)^2)
    d = xp.multiply(acts, acts)
    xp.subtract(acts[..., :H3], d[..., :H3], out=d[..., :H3])
    xp.subtract(1, d[..., H3:], out=d[..., H3:])
    d[..., :H] *= tcs
    d[..., H:H2] *= acts[..., H3:]
    d[..., H2:H3] *= cs[:-1]
    d[..., H3:] *= acts[..., H:H2]
    q = xp.multiply(tcs, tcs)
    xp.subtract(1, q, out=q)
    q *= acts[..., :H]
    d4 = d.reshape(T, B, 4, H)
    dh = xp.empty((B, H), dt)
    dhn = xp.array(ghT, dt)
    dc = xp.array(gcT, dt)
    dc3 = dc[:, None, :]
    tmph = xp.empty((B, H), dt)
    matmul, multiply, add = xp.matmul, xp.multiply, xp.add
    for t in range(T - 1, -1, -1):
        add(gout[t], dhn, out=dh)
        multiply(dh, q[t], out=tmph)
        dc += tmph
        dt4 = d4[t]
        dt4[:, 0] *= dh
        dt4[:, 1:] *= dc3
        dc *= acts[t, :, H2:H3]
        if t or need_h0:
            matmul(d[t], w_p, out=dhn)
    return d, (dhn if need_h0 else None), dc


class LSTMLayer(Op):
    """(xw, W_hh, h0, c0) -> (outputs, h_T, c_T) for one LSTM layer and direction."""
    node_name = "LSTMBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx, xw, w_hh, h0, c0):
        H = h0.shape[-1]
        acts = _perm_cols(xw, _PERM)
        acts[..., :3 * H] *= 0.5
        hs, cs, tcs = _lstm_fwd_core(acts, _fwd_weights(w_hh), h0, c0)
        out = hs[1:]
        if ctx.needs_input_grad:
            ctx.dt = xw.dtype
            ctx.save_for_backward(xw, w_hh, h0, c0, out, acts, hs, cs, tcs)
        return out, hs[-1].copy(), cs[-1].copy()

    @staticmethod
    def backward(ctx, grads, xp):
        gout, ghT, gcT = grads
        xw, w_hh, h0, c0, out, acts, hs, cs, tcs = ctx.saved_tensors
        if xp.graph:
            scale = _lstm_scale(h0.shape[-1], ctx.dt)
            hs, acts, cs, tcs = _lstm_forward(xp, xw, w_hh, h0, c0, scale, False)
            return _lstm_backward(xp, gout, ghT, gcT, w_hh, h0, c0, hs, acts, cs, tcs)
        need = ctx.needs_input_grad
        d, dh0, dc0 = _lstm_bwd_core(gout, ghT, gcT, _perm_rows(w_hh, _PERM), acts, hs, cs,
                                     tcs, need[2])
        T, B, G = d.shape
        dw = None
        if need[1]:
            dw = _perm_rows(xp.matmul(d.reshape(T * B, G).T, hs[:-1].reshape(T * B, G // 4)),
                            _UNPERM)
        dxw = _perm_cols(d, _UNPERM) if need[0] else None
        return dxw, dw, dh0, dc0


class LSTMSeq(Op):
    """(x, W_ih, W_hh, b_ih, b_hh, h0, c0) -> (outputs, h_T, c_T): one LSTM layer and direction
    with the input projection fused in (one GEMM for all steps before the loop; dW_ih, dW_hh,
    db and dx as single GEMMs/reductions over all steps after the backward loop)."""
    node_name = "LSTMBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, c0):
        T, B, I = x.shape
        H = h0.shape[-1]
        G = 4 * H
        w = _perm_rows(w_ih, _PERM)
        w[:3 * H] *= 0.5
        acts = xp.empty((T, B, G), x.dtype)
        a2 = acts.reshape(T * B, G)
        xp.matmul(x.reshape(T * B, I), xp.ascontiguousarray(w.T), out=a2)
        if b_ih is not None:
            b = _perm_rows(b_ih + b_hh, _PERM)
            b[:3 * H] *= 0.5
            a2 += b
        hs, cs, tcs = _lstm_fwd_core(acts, _fwd_weights(w_hh), h0, c0)
        out = hs[1:]
        if ctx.needs_input_grad:
            ctx.dt = x.dtype
            ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, out, acts, hs, cs, tcs)
        return out, hs[-1].copy(), cs[-1].copy()

    @staticmethod
    def backward(ctx, grads, xp):
        gout, ghT, gcT = grads
        x, w_ih, w_hh, b_ih, b_hh, h0, c0, out, acts, hs, cs, tcs = ctx.saved_tensors
        if xp.graph:
            return _lstm_seq_graph(xp, gout, ghT, gcT, x, w_ih, w_hh, b_ih, b_hh, h0, c0, ctx.dt)
        need = ctx.needs_input_grad
        d, dh0, dc0 = _lstm_bwd_core(gout, ghT, gcT, _perm_rows(w_hh, _PERM), acts, hs, cs,
                                     tcs, need[5])
        T, B, G = d.shape
        I = x.shape[-1]
        d2 = d.reshape(T * B, G)
        dx = dw_ih = dw_hh = db = None
        if need[0]:
            dx = xp.matmul(d2, _perm_rows(w_ih, _PERM)).reshape(T, B, I)
        if need[1]:
            dw_ih = _perm_rows(xp.matmul(d2.T, x.reshape(T * B, I)), _UNPERM)
        if need[2]:
            dw_hh = _perm_rows(xp.matmul(d2.T, hs[:-1].reshape(T * B, G // 4)), _UNPERM)
        if b_ih is not None and (need[3] or need[4]):
            db = _perm_rows(d2.sum(0), _UNPERM)
        return dx, dw_ih, dw_hh, db, (db.copy() if db is not None and need[3] and need[4]
                                      else db), dh0, dc0


def _lstm_seq_graph(xp, gout, ghT, gcT, x, w_ih, w_hh, b_ih, b_hh, h0, c0, dt):
    """create_graph: replay the forward from the saved inputs through differentiable ops."""
    T, B, I = x.shape
    H = h0.shape[-1]
    x2 = x.reshape((T * B, I))
    xw = xp.matmul(x2, xp.swapaxes(w_ih, 0, 1))
    if b_ih is not None:
        xw = xw + (b_ih + b_hh)
    xw = xw.reshape((T, B, 4 * H))
    scale = _lstm_scale(H, dt)
    hs, acts, cs, tcs = _lstm_forward(xp, xw, w_hh, h0, c0, scale, False)
    dxw, dw_hh, dh0, dc0 = _lstm_backward(xp, gout, ghT, gcT, w_hh, h0, c0, hs, acts, cs, tcs)
    d2 = dxw.reshape((T * B, 4 * H))
    dx = xp.matmul(d2, w_ih).reshape((T, B, I))
    dw_ih = xp.matmul(xp.swapaxes(d2, 0, 1), x2)
    db = xp.sum(d2, axis=0) if b_ih is not None else None
    return dx, dw_ih, dw_hh, db, db, dh0, dc0


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
