"""Fused recurrent layers: one op per (layer, direction) runs the whole time loop.

LSTM (``LSTMSeq``, used by nn.LSTM and nn.LSTMCell) takes x and all weights: the input projection
and the biases ride in each step's GEMM ([W_hh | W_ih | b] @ [h; x_t; 1]), and dx, dW_ih, dW_hh,
db are single GEMMs over all steps after the backward loop.  ``LSTMLayer``/``GRULayer``/``RNNLayer``
take the input projection ``xw`` (T, B, G*H), biases included, computed outside as one matmul.
Inside, each step is one recurrent GEMM plus in-place elementwise gate math on preallocated
buffers, with one ``tanh`` over all gates (sigmoid(x) = 0.5 * tanh(x / 2) + 0.5); see the NumPy
fast path below for the layout.  The backward is closed-form BPTT; dW_hh is one GEMM at the end.

The generic step functions take the namespace ``ns`` as an argument: they make each op's reference
``backward``, which replays the forward from the saved inputs (through differentiable ops under
``create_graph``, so that higher-order gradients are exact); the fused BPTT on the forward's
saved activations is the op's first-order ``fast_backward``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from .._backend import xp as _xp  # constant index/mask arrays, also under create_graph
from .._scratch import buffer
from ..autograd.function import Op

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from .._tensor import Tensor

    from ._types import Array, Ctx, Grads, Namespace, OutGrads

__all__ = ["LSTMLayer", "LSTMSeq", "LSTMCellStep", "GRULayer", "RNNLayer", "UnsafeSplit"]


def _seq(xs, ns):
    return xs if not isinstance(xs, list) else ns.stack(xs, 0)


# -------------------------------------------------------------------------------------- LSTM


def _lstm_scale(h, dtype):
    s = xp.full((4 * h,), 0.5, dtype)
    s[2 * h:3 * h] = 1.0
    return s


def _lstm_forward(ns, xw, w_hh, h0, c0, scale):
    """Returns outputs (T,B,H), h_T, c_T and the per-step (acts, cells, tanh_cells)."""
    T = xw.shape[0]
    H = h0.shape[-1]
    w_t = ns.swapaxes(w_hh, 0, 1)
    h, c = h0, c0
    hs, acts, cs, tcs = [], [], [], []
    for t in range(T):
        gates = xw[t] + ns.matmul(h, w_t)
        a = ns.tanh(gates * scale)
        s = ns.concatenate([a[:, :2 * H] * 0.5 + 0.5, a[:, 2 * H:3 * H],
                            a[:, 3 * H:] * 0.5 + 0.5], 1)
        i, f, g, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
        c = f * c + i * g
        tc = ns.tanh(c)
        h = o * tc
        hs.append(h)
        acts.append(s)
        cs.append(c)
        tcs.append(tc)
    return hs, acts, cs, tcs


def _lstm_backward(ns, gout, ghT, gcT, w_hh, h0, c0, hs, acts, cs, tcs, gcs=None):
    """``gcs`` (T, B, H), optional: gradient reaching each step's cell state from outside
    (the final states of variable-length sequences)."""
    T = len(hs)
    H = h0.shape[-1]
    dh, dc = ghT, gcT
    dxw = [None] * T
    for t in range(T - 1, -1, -1):
        dh = dh + gout[t]
        if gcs is not None:
            dc = dc + gcs[t]
        s, tc = acts[t], tcs[t]
        i, f, g, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
        c_prev = cs[t - 1] if t > 0 else c0
        do = dh * tc
        dc = dc + dh * o * (1 - tc * tc)
        di, df, dg = dc * g, dc * c_prev, dc * i
        dgates = ns.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g),
                                 do * o * (1 - o)], 1)
        dxw[t] = dgates
        dc = dc * f
        dh = ns.matmul(dgates, w_hh)
    dxw = ns.stack(dxw, 0)
    hprev = ns.concatenate([h0[None], _seq(hs, ns)[:-1]], 0)
    B = h0.shape[0]
    dw = ns.matmul(ns.swapaxes(dxw.reshape(T * B, 4 * H), 0, 1), hprev.reshape(T * B, H))
    return dxw, dw, dh, dc


# NumPy fast path.  Internally the state is kept transposed, (H, B) per step, and the gates as
# (4H, B) blocks, so that every per-gate slice is one contiguous block (NumPy is several times
# slower on strided 2-D slices of this size) and the step GEMMs are W (4H, H) @ h^T (H, B) and
# W^T (H, 4H) @ dgates^T (4H, B).  The gate blocks are reordered (o, i, f, g): the three sigmoid
# gates are one contiguous block (one tanh over all gates, then one ``* 0.5 + 0.5`` on the first
# 3H rows; the 0.5 pre-scaling of the sigmoid pre-activations is folded into the weights, exact
# in binary floating point), and the three gates driven by dc in the backward (i, f, g) are one
# block too.  _PERM maps internal block k to torch's block _PERM[k].
_PERM = [3, 0, 1, 2]


# Scratch buffers.  The big per-call arrays (gate activations, states, gate gradients: several
# MiB) would otherwise be fresh allocations on every call: thousands of page faults per call, a
# third of the time.  So they are reusable buffers of ``ember._scratch`` (handed out again once
# nothing but the pool references them: outputs and saved arrays are referenced by their
# tensors/nodes until released).  Only internal buffers and the layer output come from there,
# never returned gradients.


def _scaled(w):
    """Internal-order copy (pooled scratch) of a (4H, ...) weight or bias with the sigmoid rows
    halved."""
    H = w.shape[0] // 4
    w4 = w.reshape((4, H) + w.shape[1:])
    out = buffer(w.shape, w.dtype)
    xp.take(w4, _PERM, axis=0, out=out.reshape(w4.shape))
    out[:3 * H] *= 0.5
    return out


def _acts_from_xw(xw):
    """(T, B, 4H) torch-order projections -> (T, 4H, B) internal order, sigmoid rows halved."""
    T, B, G = xw.shape
    H = G // 4
    acts = xp.empty((T, 4, H, B), xw.dtype)
    x4 = xw.reshape(T, B, 4, H)
    for k, p in enumerate(_PERM):
        acts[:, k] = x4[:, :, p].transpose(0, 2, 1)
    acts[:, :3] *= 0.5
    return acts.reshape(T, G, B)


def _xw_from_dgates(d):
    """(T, 4H, B) internal-order gate gradients -> (T, B, 4H) in torch order."""
    T, G, B = d.shape
    H = G // 4
    out = xp.empty((T, B, 4, H), d.dtype)
    d4 = d.reshape(T, 4, H, B)
    for k, p in enumerate(_PERM):
        out[:, :, p] = d4[:, k].transpose(0, 2, 1)
    return out.reshape(T, B, G)


def _lstm_fwd_core(acts, w, h0, c0, xin=None):
    """Run the recurrence.  ``acts`` (T, 4H, B) holds the input projections (internal order,
    sigmoid pre-activations halved) and is overwritten with the gate activations; ``w`` is
    the matching (4H, H) recurrent weight; h0, c0 are (B, H).  With ``xin`` (T, K, B) the input
    projection is folded into the step's GEMM instead: ``w`` is (4H, H + K), each step computes
    ``w @ [h; xin[t]]`` straight into ``acts[t]`` (which then needs no initial values).
    Returns the output (T, B, H), h_T (B, H), the transposed cell states cs (T+1, H, B) with
    cs[0] = c0^T and tanh(c) (T, H, B)."""
    T, G, B = acts.shape
    H = G // 4
    H2, H3 = 2 * H, 3 * H
    dt = acts.dtype
    if xin is None:
        hx = hts = buffer((T + 1, H, B), dt)
    else:  # hx[t] = [h_t; xin[t]], one contiguous (H + K, B) GEMM operand per step
        hx = buffer((T + 1, H + xin.shape[1], B), dt)
        hx[:T, H:] = xin
        hts = hx[:, :H]
    cs = buffer((T + 1, H, B), dt)
    tcs = buffer((T, H, B), dt)
    hts[0] = h0.T
    cs[0] = c0.T
    tmp = buffer((G, B), dt)
    tmph = buffer((H, B), dt)
    matmul, multiply, tanh = xp.matmul, xp.multiply, xp.tanh
    for t in range(T):
        a = acts[t]
        if xin is None:
            matmul(w, hts[t], out=tmp)
            a += tmp
        else:
            matmul(w, hx[t], out=a)
        tanh(a, out=a)
        s = a[:H3]
        s *= 0.5
        s += 0.5
        c = cs[t + 1]
        multiply(a[H2:H3], cs[t], out=c)
        multiply(a[H:H2], a[H3:], out=tmph)
        c += tmph
        tc = tcs[t]
        tanh(c, out=tc)
        multiply(a[:H], tc, out=hts[t + 1])
    out = buffer((T, B, H), dt)
    xp.copyto(out, hts[1:].transpose(0, 2, 1))
    return out, hts[-1].T.copy(), cs, tcs


def _dw_hh(d2, out, h0):
    """dW_hh (4H, H) = dgates (4H, T*B) @ h_prev (T*B, H), h_prev = [h0, out[:-1]]."""
    T, B, H = out.shape
    dw = xp.matmul(d2[:, :B], h0)
    if T > 1:
        dw += xp.matmul(d2[:, B:], out[:-1].reshape((T - 1) * B, H))
    return dw


def _lstm_bwd_core(gout, ghT, gcT, w_t, acts, cs, tcs, need_h0, gcs=None):
    """Backward through time.  ``w_t``: W_hh^T (H, 4H) in internal order, unscaled, contiguous;
    gout (T, B, H), ghT, gcT (B, H); ``gcs`` (T, H, B), optional: gradient reaching each step's
    cell state from outside (final states of variable-length sequences).  Returns the
    pre-activation gradients (T, 4H, B) in internal order, dh0 (B, H; None unless
    ``need_h0``) and dc0 (B, H)."""
    T, G, B = acts.shape
    H = G // 4
    H2, H3 = 2 * H, 3 * H
    dt = acts.dtype
    # the factors that do not depend on the recurrence, for all steps at once:
    # d = [dh * tc * o', dc * g * i', dc * c_prev * f', dc * i * g'] with s' = s(1 - s) and
    # tanh' = 1 - g^2; dc += dh * o * (1 - tanh(c)^2)
    d = xp.multiply(acts, acts, out=buffer(acts.shape, dt))
    xp.subtract(acts[:, :H3], d[:, :H3], out=d[:, :H3])
    xp.subtract(1, d[:, H3:], out=d[:, H3:])
    d[:, :H] *= tcs
    d[:, H:H2] *= acts[:, H3:]
    d[:, H2:H3] *= cs[:-1]
    d[:, H3:] *= acts[:, H:H2]
    q = xp.multiply(tcs, tcs, out=buffer(tcs.shape, dt))
    xp.subtract(1, q, out=q)
    q *= acts[:, :H]
    gts = buffer((T, H, B), dt)
    xp.copyto(gts, gout.transpose(0, 2, 1))
    d4 = d.reshape(T, 4, H, B)
    dh = buffer((H, B), dt)
    dhn = buffer((H, B), dt)
    dc = buffer((H, B), dt)
    xp.copyto(dhn, ghT.T)
    xp.copyto(dc, gcT.T)
    tmph = buffer((H, B), dt)
    matmul, multiply, add = xp.matmul, xp.multiply, xp.add
    for t in range(T - 1, -1, -1):
        add(gts[t], dhn, out=dh)
        if gcs is not None:
            dc += gcs[t]
        multiply(dh, q[t], out=tmph)
        dc += tmph
        dt4 = d4[t]
        dt4[0] *= dh
        dt4[1:] *= dc
        dc *= acts[t, H2:H3]
        if t or need_h0:
            matmul(w_t, d[t], out=dhn)
    return d, (dhn.T.copy() if need_h0 else None), dc.T.copy()


def _flat_dgates(d, lstm=False):
    """(T, G, B) -> (G, T*B) contiguous, for the weight-gradient GEMMs.  ``lstm``: ``d`` is in
    the LSTM's internal gate order, and the rows come out in torch's (so the GEMMs' results
    need no reordering): torch's (i, f, g, o) is the internal (o, i, f, g) rotated by one."""
    T, G, B = d.shape
    out = buffer((G, T, B), d.dtype)
    if lstm:
        H = G // 4
        xp.copyto(out[:G - H], d[:, H:].transpose(1, 0, 2))
        xp.copyto(out[G - H:], d[:, :H].transpose(1, 0, 2))
    else:
        xp.copyto(out, d.transpose(1, 0, 2))
    return out.reshape(G, T * B)


def _w_t_internal(w_hh):
    """W_hh^T (H, 4H) with its columns in internal gate order, contiguous (pooled)."""
    G = w_hh.shape[0]
    H = G // 4
    w_t = buffer(w_hh.shape[::-1], w_hh.dtype)
    xp.copyto(w_t[:, :H], w_hh[G - H:].T)
    xp.copyto(w_t[:, H:], w_hh[:G - H].T)
    return w_t


class LSTMLayer(Op):
    """(xw, W_hh, h0, c0[, lengths]) -> (outputs, h_n, c_n) for one LSTM layer and direction.

    With ``lengths`` (variable-length batch, packed input) every sequence runs all T steps, and
    h_n / c_n are each sequence's state after its own last step: steps past a sequence's end
    never feed its earlier ones, their outputs are discarded by the caller, and the backward
    injects the gradients of h_n / c_n at each sequence's last step, so they get none."""
    node_name = "LSTMBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, xw: Array, w_hh: Array, h0: Array, c0: Array,
                lengths: tuple[Tensor, ...] | None = None) -> tuple[Array, ...]:
        acts = _acts_from_xw(xw)
        out, hT, cs, tcs = _lstm_fwd_core(acts, _scaled(w_hh), h0, c0)
        if lengths is None:
            cT = cs[-1].T.copy()
        else:
            last, cols = _last_steps(lengths)
            hT = out[last, cols]                  # (B, H)
            cT = cs[last + 1, :, cols]            # cs[t + 1] is the cell state after step t
        if ctx.needs_input_grad:
            ctx.dt, ctx.lengths = xw.dtype, lengths
            ctx.save_for_backward(xw, w_hh, h0, c0, out, acts, cs, tcs)
        return out, hT, cT

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # (the forward replayed from the saved inputs)
        xw, w_hh, h0, c0, out, acts, cs, tcs = ctx.saved_tensors
        gout, ghT, gcT, gcs = _final_state_grads(ctx, grads, out)
        scale = _lstm_scale(h0.shape[-1], ctx.dt)
        hs, acts, cs, tcs = _lstm_forward(ns, xw, w_hh, h0, c0, scale)
        return _lstm_backward(ns, gout, ghT, gcT, w_hh, h0, c0, hs, acts, cs, tcs,
                              gcs) + (None,) * (len(ctx.needs_input_grad) - 4)

    @staticmethod
    def fast_backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # (the forward's saved activations, fused BPTT)
        xw, w_hh, h0, c0, out, acts, cs, tcs = ctx.saved_tensors
        gout, ghT, gcT, gcs = _final_state_grads(ctx, grads, out)
        need = ctx.needs_input_grad
        w_t = _w_t_internal(w_hh)
        if gcs is not None:
            gcs = _xp.ascontiguousarray(gcs.transpose(0, 2, 1))  # (T, H, B), the core's layout
        d, dh0, dc0 = _lstm_bwd_core(gout, ghT, gcT, w_t, acts, cs, tcs, need[2], gcs)
        T, G, B = d.shape
        dw = None
        if need[1]:
            dw = _dw_hh(_flat_dgates(d, lstm=True), out, h0)
        dxw = _xw_from_dgates(d) if need[0] else None
        return (dxw, dw, dh0, dc0) + (None,) * (len(need) - 4)  # (lengths, when given)


def _final_state_grads(ctx, grads, out):
    """(gout, ghT, gcT, gcs): with ``lengths`` the final-state gradients enter at each
    sequence's end (``gcs``: the cell-state ones, else None)."""
    gout, ghT, gcT = grads
    gcs = None
    if ctx.lengths is not None:
        last, cols = _last_steps(ctx.lengths)
        T, B, H = out.shape
        hot = _xp.zeros((T, B, 1), ctx.dt)
        hot[last, cols] = 1
        gout = gout + hot * ghT[None]
        gcs = hot * gcT[None]                 # (T, B, H)
        ghT, gcT = ghT * 0, gcT * 0
    return gout, ghT, gcT, gcs


def _last_steps(lengths):
    """(index of each sequence's last step, batch column index)."""
    last = _xp.asarray(lengths, _xp.int64) - 1
    return last, _xp.arange(last.shape[0])


class LSTMSeq(Op):
    """(x, W_ih, W_hh, b_ih, b_hh, h0, c0[, reverse]) -> (outputs, h_T, c_T): one LSTM layer and
    direction with the input projection fused in (one batched GEMM for all steps before the
    loop; dW_ih, dW_hh, db and dx as single GEMMs/reductions over all steps after the backward
    loop).  ``reverse`` runs the sequence backwards (the reverse direction of a bidirectional
    layer) without flipping the input or output tensors.

    This is torch's float32 CPU LSTM layer (oneDNN's ``mkldnn_rnn_layer``): the same node name
    and edges (input, W_ih, W_hh, b_ih, b_hh, hx, cx; a missing bias is a (None, 0) edge)."""
    node_name = "MkldnnRnnLayerBackward0"
    multi_output = True
    inputs = (0, 1, 2, 3, 4, 5, 6)

    @staticmethod
    def forward(ctx: Ctx, x: Array, w_ih: Array, w_hh: Array, b_ih: Array | None,
                b_hh: Array | None, h0: Array, c0: Array,
                reverse: bool = False) -> tuple[Array, ...]:
        # the input projection (and the biases, against a row of ones) rides in each step's
        # GEMM: w = [W_hh | W_ih | b] @ [h; x_t; 1], one GEMM a step and none before the loop
        # (the batched (4H, I) x (I, B) products before did not use a second BLAS thread)
        xs = x[::-1] if reverse else x
        T, B, I = x.shape
        H = h0.shape[-1]
        G = 4 * H
        K = I + (b_ih is not None)
        xin = buffer((T, K, B), x.dtype)
        xp.copyto(xin[:, :I], xs.transpose(0, 2, 1))
        w = buffer((G, H + K), x.dtype)
        w[:, :H] = _scaled(w_hh)
        w[:, H:H + I] = _scaled(w_ih)
        if b_ih is not None:
            xin[:, I] = 1
            w[:, H + I] = _scaled(b_ih + b_hh)
        acts = buffer((T, G, B), x.dtype)
        out, hT, cs, tcs = _lstm_fwd_core(acts, w, h0, c0, xin)
        res = out[::-1] if reverse else out
        if ctx.needs_input_grad:
            ctx.dt, ctx.rev = x.dtype, reverse
            ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, res, acts, cs, tcs)
        return res, hT, cs[-1].T.copy()

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # (the forward replayed from the saved inputs)
        gout, ghT, gcT = grads
        x, w_ih, w_hh, b_ih, b_hh, h0, c0, out, acts, cs, tcs = ctx.saved_tensors
        rev = ctx.rev
        if rev:
            gout, x = ns.flip(gout, 0), ns.flip(x, 0)
        gs = _lstm_seq_ref(ns, gout, ghT, gcT, x, w_ih, w_hh, b_ih, b_hh, h0, c0, ctx.dt)
        if rev:
            gs = (ns.flip(gs[0], 0),) + gs[1:]
        return gs + (None,) * (len(ctx.needs_input_grad) - 7)  # (reverse, when given)

    @staticmethod
    def fast_backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # (the forward's saved activations, fused BPTT)
        gout, ghT, gcT = grads
        x, w_ih, w_hh, b_ih, b_hh, h0, c0, out, acts, cs, tcs = ctx.saved_tensors
        rev = ctx.rev
        if rev:
            gout, x, out = gout[::-1], x[::-1], out[::-1]
        need = ctx.needs_input_grad
        d, dh0, dc0 = _lstm_bwd_core(gout, ghT, gcT, _w_t_internal(w_hh), acts, cs, tcs,
                                     need[5])
        T, G, B = d.shape
        I = x.shape[-1]
        d2 = _flat_dgates(d, lstm=True)  # (torch's gate order: nothing below is reordered)
        dx = dw_ih = dw_hh = db = None
        if need[0]:
            dx = ns.matmul(d2.T, w_ih).reshape(T, B, I)
            if rev:
                dx = dx[::-1]
        if need[1]:
            dw_ih = ns.matmul(d2, x.reshape(T * B, I))
        if need[2]:
            dw_hh = _dw_hh(d2, out, h0)
        if b_ih is not None and (need[3] or need[4]):
            # row sums as one BLAS matrix-vector product: 3-6x faster than sum(1) here
            db = ns.matmul(d2, ns.ones(T * B, d2.dtype))
        return (dx, dw_ih, dw_hh, db, db.copy() if db is not None and need[3] and need[4]
                else db, dh0, dc0) + (None,) * (len(need) - 7)  # (reverse, when given)


class LSTMCellStep(LSTMSeq):
    """nn.LSTMCell's fused step: LSTMSeq over a one-step sequence."""
    node_name = "LSTMCellBackward0"


def _lstm_seq_ref(ns, gout, ghT, gcT, x, w_ih, w_hh, b_ih, b_hh, h0, c0, dt):
    """The reference backward: replay the forward from the saved inputs (through
    differentiable ops under create_graph)."""
    T, B, I = x.shape
    H = h0.shape[-1]
    x2 = x.reshape((T * B, I))
    xw = ns.matmul(x2, ns.swapaxes(w_ih, 0, 1))
    if b_ih is not None:
        xw = xw + (b_ih + b_hh)
    xw = xw.reshape((T, B, 4 * H))
    scale = _lstm_scale(H, dt)
    hs, acts, cs, tcs = _lstm_forward(ns, xw, w_hh, h0, c0, scale)
    dxw, dw_hh, dh0, dc0 = _lstm_backward(ns, gout, ghT, gcT, w_hh, h0, c0, hs, acts, cs, tcs)
    d2 = dxw.reshape((T * B, 4 * H))
    dx = ns.matmul(d2, w_ih).reshape((T, B, I))
    dw_ih = ns.matmul(ns.swapaxes(d2, 0, 1), x2)
    db = ns.sum(d2, axis=0) if b_ih is not None else None
    return dx, dw_ih, dw_hh, db, db, dh0, dc0


# --------------------------------------------------------------------------------------- GRU


def _gru_forward(ns, xw, w_hh, b_hn, h0):
    T = xw.shape[0]
    H = h0.shape[-1]
    w_t = ns.swapaxes(w_hh, 0, 1)
    h = h0
    hs, rzs, n_gates, hns = [], [], [], []
    for t in range(T):
        hh = ns.matmul(h, w_t)
        x = xw[t]
        rz = ns.tanh((x[:, :2 * H] + hh[:, :2 * H]) * 0.5) * 0.5 + 0.5
        hn = hh[:, 2 * H:] + b_hn if b_hn is not None else hh[:, 2 * H:]
        r, z = rz[:, :H], rz[:, H:]
        n = ns.tanh(x[:, 2 * H:] + r * hn)
        h = n + z * (h - n)
        hs.append(h)
        rzs.append(rz)
        n_gates.append(n)
        hns.append(hn)
    return hs, rzs, n_gates, hns


def _gru_backward(ns, gout, ghT, w_hh, b_hn, h0, hs, rzs, n_gates, hns):
    T = len(hs)
    H = h0.shape[-1]
    dh = ghT
    dxw, dhh = [None] * T, [None] * T
    for t in range(T - 1, -1, -1):
        dh = dh + gout[t]
        rz, n, hn = rzs[t], n_gates[t], hns[t]
        r, z = rz[:, :H], rz[:, H:]
        h_prev = hs[t - 1] if t > 0 else h0
        dn = dh * (1 - z)
        dz = dh * (h_prev - n)
        dnp = dn * (1 - n * n)
        dr = dnp * hn
        drz = ns.concatenate([dr * r * (1 - r), dz * z * (1 - z)], 1)
        dhn = dnp * r
        dxw[t] = ns.concatenate([drz, dnp], 1)
        dhh[t] = ns.concatenate([drz, dhn], 1)
        dh = dh * z + ns.matmul(dhh[t], w_hh)
    dxw, dhh = ns.stack(dxw, 0), ns.stack(dhh, 0)
    B = h0.shape[0]
    hprev = ns.concatenate([h0[None], _seq(hs, ns)[:-1]], 0)
    dw = ns.matmul(ns.swapaxes(dhh.reshape(T * B, 3 * H), 0, 1), hprev.reshape(T * B, H))
    db_hn = ns.sum(dhh[:, :, 2 * H:].reshape(T * B, H), axis=0) if b_hn is not None else None
    return dxw, dw, db_hn, dh


def _gru_fwd_core(xw, w_hh, b_hn, h0):
    """NumPy forward, transposed (H, B) layout as for the LSTM; the r/z pre-activations are
    halved in the copies of xw and W_hh so one tanh gives both sigmoids.  Returns the output
    (T, B, H), h_T, the activations (T, 3H, B) = [r, z, n], the states (T+1, H, B) and
    W_hn h + b_hn (T, H, B)."""
    T, B, G = xw.shape
    H = G // 3
    H2 = 2 * H
    dt = xw.dtype
    acts = buffer((T, G, B), dt)
    xp.copyto(acts, xw.transpose(0, 2, 1))
    acts[:, :H2] *= 0.5
    w = buffer(w_hh.shape, dt)
    xp.copyto(w, w_hh)
    w[:H2] *= 0.5
    hts = buffer((T + 1, H, B), dt)
    hts[0] = h0.T
    hns = buffer((T, H, B), dt)
    tmp = buffer((G, B), dt)
    tmph = buffer((H, B), dt)
    bn = b_hn[:, None] if b_hn is not None else None
    matmul, multiply, tanh, subtract = xp.matmul, xp.multiply, xp.tanh, xp.subtract
    for t in range(T):
        a = acts[t]
        matmul(w, hts[t], out=tmp)
        rz = a[:H2]
        rz += tmp[:H2]
        tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        hn = hns[t]
        if bn is not None:
            xp.add(tmp[H2:], bn, out=hn)
        else:
            xp.copyto(hn, tmp[H2:])
        n = a[H2:]
        multiply(a[:H], hn, out=tmph)
        n += tmph
        tanh(n, out=n)
        h = hts[t + 1]
        subtract(hts[t], n, out=h)
        h *= a[H:H2]
        h += n
    out = buffer((T, B, H), dt)
    xp.copyto(out, hts[1:].transpose(0, 2, 1))
    return out, hts[-1].T.copy(), acts, hts, hns


def _gru_bwd_core(gout, ghT, w_hh, acts, hts, hns, need_h0):
    """Backward through time; returns the gradients of the input pre-activations dX and of the
    recurrent ones dHH, both (T, 3H, B) ([dr, dz, dn] and [dr, dz, dn * r]), and dh0."""
    T, G, B = acts.shape
    H = G // 3
    H2 = 2 * H
    dt = acts.dtype
    r, z, n = acts[:, :H], acts[:, H:H2], acts[:, H2:]
    # recurrence-free factors: dz = dh * (h_prev - n) z(1-z); dn = dh * (1-z)(1-n^2);
    # dr = dn * hn r(1-r)
    p = buffer((T, G, B), dt)
    tb = buffer((T, H, B), dt)
    pr, pz, pn = p[:, :H], p[:, H:H2], p[:, H2:]
    xp.multiply(r, r, out=pr)
    xp.subtract(r, pr, out=pr)
    pr *= hns
    xp.multiply(z, z, out=pz)
    xp.subtract(z, pz, out=pz)
    xp.subtract(hts[:-1], n, out=tb)
    pz *= tb
    xp.multiply(n, n, out=pn)
    xp.subtract(1, pn, out=pn)
    xp.subtract(1, z, out=tb)
    pn *= tb
    gts = buffer((T, H, B), dt)
    xp.copyto(gts, gout.transpose(0, 2, 1))
    w_t = buffer(w_hh.shape[::-1], dt)
    xp.copyto(w_t, w_hh.T)
    dX = buffer((T, G, B), dt)
    dHH = buffer((T, G, B), dt)
    dh = buffer((H, B), dt)
    dhn = buffer((H, B), dt)
    xp.copyto(dhn, ghT.T)
    matmul, multiply, add = xp.matmul, xp.multiply, xp.add
    for t in range(T - 1, -1, -1):
        add(gts[t], dhn, out=dh)
        dxn = dX[t, H2:]
        hh = dHH[t]
        multiply(dh, pn[t], out=dxn)
        multiply(dh, pz[t], out=hh[H:H2])
        multiply(dxn, pr[t], out=hh[:H])
        multiply(dxn, r[t], out=hh[H2:])
        if t or need_h0:
            matmul(w_t, hh, out=dhn)
            dh *= z[t]
            dhn += dh
    dX[:, :H2] = dHH[:, :H2]
    return dX, dHH, (dhn.T.copy() if need_h0 else None)


class GRULayer(Op):
    """(xw, W_hh, b_hn, h0) -> (outputs, h_T); xw holds b_ih and the r/z parts of b_hh."""
    node_name = "GRUBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, xw: Array, w_hh: Array, b_hn: Array | None,
                h0: Array) -> tuple[Array, ...]:
        out, hT, acts, hts, hns = _gru_fwd_core(xw, w_hh, b_hn, h0)
        if ctx.needs_input_grad:
            ctx.save_for_backward(xw, w_hh, b_hn, h0, out, acts, hts, hns)
        return out, hT

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # (the forward replayed from the saved inputs)
        gout, ghT = grads
        xw, w_hh, b_hn, h0, out, acts, hts, hns = ctx.saved_tensors
        hs, rzs, n_gates, hns = _gru_forward(ns, xw, w_hh, b_hn, h0)
        return _gru_backward(ns, gout, ghT, w_hh, b_hn, h0, hs, rzs, n_gates, hns)

    @staticmethod
    def fast_backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # (the forward's saved activations, fused BPTT)
        gout, ghT = grads
        xw, w_hh, b_hn, h0, out, acts, hts, hns = ctx.saved_tensors
        need = ctx.needs_input_grad
        dX, dHH, dh0 = _gru_bwd_core(gout, ghT, w_hh, acts, hts, hns, need[3])
        dxw = ns.ascontiguousarray(dX.transpose(0, 2, 1)) if need[0] else None
        dw = db = None
        if need[1] or (b_hn is not None and need[2]):
            d2 = _flat_dgates(dHH)
            if need[1]:
                dw = _dw_hh(d2, out, h0)
            if b_hn is not None and need[2]:
                db = d2[2 * (d2.shape[0] // 3):].sum(1)
        return dxw, dw, db, dh0


# ------------------------------------------------------------------------------ Elman RNN


def _rnn_forward(ns, xw, w_hh, h0, relu):
    w_t = ns.swapaxes(w_hh, 0, 1)
    h = h0
    hs = []
    for t in range(xw.shape[0]):
        pre = xw[t] + ns.matmul(h, w_t)
        h = ns.maximum(pre, 0) if relu else ns.tanh(pre)
        hs.append(h)
    return hs


def _rnn_backward(ns, gout, ghT, w_hh, h0, hs, relu):
    T = len(hs)
    dh = ghT
    dxw = [None] * T
    for t in range(T - 1, -1, -1):
        dh = dh + gout[t]
        h = hs[t]
        dpre = dh * (h > 0) if relu else dh * (1 - h * h)
        dxw[t] = dpre
        dh = ns.matmul(dpre, w_hh)
    dxw = ns.stack(dxw, 0)
    B, H = h0.shape
    hprev = ns.concatenate([h0[None], _seq(hs, ns)[:-1]], 0)
    dw = ns.matmul(ns.swapaxes(dxw.reshape(T * B, H), 0, 1), hprev.reshape(T * B, H))
    return dxw, dw, dh


class RNNLayer(Op):
    """(xw, W_hh, h0) -> (outputs, h_T) with tanh or relu."""
    node_name = "RNNBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, xw: Array, w_hh: Array, h0: Array, relu: bool) -> tuple[Array, ...]:
        hs = _rnn_forward(xp, xw, w_hh, h0, relu)
        out = xp.stack(hs, 0) if hs else xp.zeros((0,) + h0.shape, xw.dtype)
        hT = hs[-1] if hs else h0.copy()
        if ctx.needs_input_grad:
            ctx.relu = relu
            ctx.save_for_backward(xw, w_hh, h0, out)
        return out, hT

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # (the forward replayed from the saved inputs)
        gout, ghT = grads
        xw, w_hh, h0, out = ctx.saved_tensors
        hs = _rnn_forward(ns, xw, w_hh, h0, ctx.relu)
        return _rnn_backward(ns, gout, ghT, w_hh, h0, hs, ctx.relu) + (None,)

    @staticmethod
    def fast_backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # (the forward's saved outputs)
        gout, ghT = grads
        xw, w_hh, h0, out = ctx.saved_tensors
        return _rnn_backward(ns, gout, ghT, w_hh, h0, out, ctx.relu) + (None,)


# ------------------------------------------------------------------------------- cell pieces


class UnsafeSplit(Op):
    """torch's ``unsafe_chunk``/``unsafe_split`` (what its RNN cells split their gates with):
    equal chunks along ``dim`` that share the input's memory but are not views of it for
    autograd (in-place ops on them are recorded on their own nodes)."""
    node_name = "UnsafeSplitBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, chunks: int, dim: int) -> tuple[Array, ...]:
        ctx.dim = dim
        return tuple(xp.split(a, chunks, axis=dim))

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        # missing output gradients arrive as zeros
        return ns.concatenate(list(grads), axis=ctx.dim), None, None
