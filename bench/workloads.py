"""Benchmark workloads, each written once against a torch-style module ``lib``
(``lib=torch`` or ``lib=ember``), plus a hand-written NumPy "floor" of the same
math: forward and backward by hand, no graph, no objects — the best any NumPy
library can do.

Every builder returns a zero-argument ``step`` callable (one timed iteration)
and every workload has a ``check`` that builds fresh state from the same seed,
runs a couple of steps and returns a list of floats (losses / gradient sums).
All contenders start from identical weights and data (drawn here with NumPy),
so their check values agree to float32 rounding; the harness and the smoke
test compare them.

This module imports only NumPy; ``lib`` is passed in by the caller.
"""
import numpy as np

F32 = np.float32


def _rng(seed=0):
    return np.random.default_rng(seed)


def _randn(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(F32)


def _uniform(rng, shape, bound):
    return rng.uniform(-bound, bound, size=shape).astype(F32)


def _t(lib, arr, requires_grad=False):
    t = lib.from_numpy(np.ascontiguousarray(arr).copy())
    if requires_grad:
        t.requires_grad_(True)
    return t


def _load(lib, param, arr):
    with lib.no_grad():
        param.copy_(lib.from_numpy(np.ascontiguousarray(arr)))


# ---------------------------------------------------------------------------
# 1. 100-op chain of add / mul / tanh on small float32 tensors
# ---------------------------------------------------------------------------

def chain_data(n=16, seed=0):
    rng = _rng(seed)
    return _randn(rng, n, scale=0.5), _randn(rng, n, scale=0.5)


def chain_lib(lib, n=16, ops=100, seed=0):
    a0, b0 = chain_data(n, seed)
    a = _t(lib, a0, True)
    b = _t(lib, b0, True)

    def step():
        a.grad = None
        b.grad = None
        x = a
        for i in range(ops):
            k = i % 3
            if k == 0:
                x = x + b
            elif k == 1:
                x = x * a
            else:
                x = x.tanh()
        loss = x.sum()
        loss.backward()
        return loss

    def check():
        loss = step()
        return [float(loss.item()), float(a.grad.sum().item()), float(b.grad.sum().item())]

    return step, check


def chain_floor(n=16, ops=100, seed=0):
    a, b = chain_data(n, seed)
    one = F32(1)

    def step():
        saved = []
        x = a
        for i in range(ops):
            k = i % 3
            if k == 0:
                x = x + b
            elif k == 1:
                saved.append(x)
                x = x * a
            else:
                x = np.tanh(x)
                saved.append(x)
        loss = x.sum()
        g = np.ones_like(x)
        ga = np.zeros_like(a)
        gb = np.zeros_like(b)
        for i in range(ops - 1, -1, -1):
            k = i % 3
            if k == 0:
                gb += g
            elif k == 1:
                ga += g * saved.pop()
                g = g * a
            else:
                y = saved.pop()
                g = g * (one - y * y)
        ga += g  # x starts as a
        return loss, ga, gb

    def check():
        loss, ga, gb = step()
        return [float(loss), float(ga.sum()), float(gb.sum())]

    return step, check


# ---------------------------------------------------------------------------
# 2. MLP 784-512-256-10, ReLU, cross-entropy, SGD
# ---------------------------------------------------------------------------

MLP_SIZES = (784, 512, 256, 10)


def mlp_data(batch, sizes=MLP_SIZES, seed=0):
    rng = _rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        params.append(_uniform(rng, (fan_out, fan_in), bound))
        params.append(_uniform(rng, (fan_out,), bound))
    x = _randn(rng, batch, sizes[0])
    y = rng.integers(0, sizes[-1], size=batch).astype(np.int64)
    return params, x, y


def mlp_lib(lib, batch=64, lr=0.01, seed=0, sizes=MLP_SIZES):
    params, x0, y0 = mlp_data(batch, sizes, seed)
    nn = lib.nn
    layers = []
    for i, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(fi, fo))
    model = nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for k, lin in enumerate(linears):
        _load(lib, lin.weight, params[2 * k])
        _load(lib, lin.bias, params[2 * k + 1])
    opt = lib.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    x = _t(lib, x0)
    y = _t(lib, y0)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def check():
        return [float(step().item()) for _ in range(2)]

    return step, check


def _linear_floor(h, W, b):
    """h @ W.T + b.  With few rows and a wide output, OpenBLAS's SkylakeX sgemm is faster on
    (W @ h.T) transposed back (ember does the same, see ember._backend.matmul2); the transpose
    is fused into the bias add here (NumPy alone has no faster transposing copy)."""
    M, K = h.shape
    N = W.shape[0]
    if 4 <= M <= 64 and N >= 256 and K >= 96:
        z = np.empty((M, N), F32)
        np.add(np.matmul(W, h.T).T, b, out=z)
        return z
    z = h @ W.T
    z += b
    return z


def mlp_floor(batch=64, lr=0.01, seed=0, sizes=MLP_SIZES):
    params, x, y = mlp_data(batch, sizes, seed)
    n_layers = len(params) // 2
    rows = np.arange(batch)
    inv_b = F32(1.0 / batch)
    lr = F32(lr)

    def step():
        acts = [x]
        h = x
        for k in range(n_layers):
            W, b = params[2 * k], params[2 * k + 1]
            z = _linear_floor(h, W, b)
            if k < n_layers - 1:
                np.maximum(z, 0, out=z)
            acts.append(z)
            h = z
        # fused log-softmax + NLL
        z = acts.pop()
        m = z.max(axis=1, keepdims=True)
        e = z - m
        p = np.exp(e)
        s = p.sum(axis=1, keepdims=True)
        loss = (np.log(s[:, 0]) - e[rows, y]).mean()
        p /= s
        p[rows, y] -= 1
        p *= inv_b
        g = p
        for k in range(n_layers - 1, -1, -1):
            W, b = params[2 * k], params[2 * k + 1]
            h = acts.pop()
            gW = g.T @ h
            gb = g.sum(axis=0)
            if k:
                g = g @ W
                g *= h > 0
            W -= lr * gW
            b -= lr * gb
        return loss

    def check():
        return [float(step()) for _ in range(2)]

    return step, check


# ---------------------------------------------------------------------------
# 3. 1024 x 1024 matmul, forward + backward
# ---------------------------------------------------------------------------

def matmul_data(n, seed=0):
    rng = _rng(seed)
    return _randn(rng, n, n), _randn(rng, n, n), _randn(rng, n, n)


def matmul_lib(lib, n=1024, seed=0):
    a0, b0, g0 = matmul_data(n, seed)
    a = _t(lib, a0, True)
    b = _t(lib, b0, True)
    g = _t(lib, g0)

    def step():
        a.grad = None
        b.grad = None
        c = a @ b
        c.backward(g)
        return c

    def check():
        c = step()
        return [float(c.sum().item()), float(a.grad.sum().item()), float(b.grad.sum().item())]

    return step, check


def matmul_floor(n=1024, seed=0):
    a, b, g = matmul_data(n, seed)

    def step():
        c = a @ b
        ga = g @ b.T
        gb = a.T @ g
        return c, ga, gb

    def check():
        c, ga, gb = step()
        return [float(c.sum()), float(ga.sum()), float(gb.sum())]

    return step, check


# ---------------------------------------------------------------------------
# 4. CNN: conv(1->16,3x3,p1)-ReLU-maxpool-conv(16->32)-ReLU-maxpool-linear, Adam
# ---------------------------------------------------------------------------

def cnn_data(batch, hw=28, seed=0):
    rng = _rng(seed)
    b1 = 1.0 / np.sqrt(1 * 9)
    b2 = 1.0 / np.sqrt(16 * 9)
    nfc = 32 * (hw // 4) * (hw // 4)
    b3 = 1.0 / np.sqrt(nfc)
    params = [
        _uniform(rng, (16, 1, 3, 3), b1), _uniform(rng, (16,), b1),
        _uniform(rng, (32, 16, 3, 3), b2), _uniform(rng, (32,), b2),
        _uniform(rng, (10, nfc), b3), _uniform(rng, (10,), b3),
    ]
    x = _randn(rng, batch, 1, hw, hw)
    y = rng.integers(0, 10, size=batch).astype(np.int64)
    return params, x, y


def cnn_lib(lib, batch=64, hw=28, lr=1e-3, seed=0):
    params, x0, y0 = cnn_data(batch, hw, seed)
    nn = lib.nn
    conv1 = nn.Conv2d(1, 16, 3, padding=1)
    conv2 = nn.Conv2d(16, 32, 3, padding=1)
    pool = nn.MaxPool2d(2)
    fc = nn.Linear(32 * (hw // 4) ** 2, 10)
    mods = [conv1, conv2, fc]
    for k, m in enumerate(mods):
        _load(lib, m.weight, params[2 * k])
        _load(lib, m.bias, params[2 * k + 1])
    opt = lib.optim.Adam([p for m in mods for p in m.parameters()], lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    x = _t(lib, x0)
    y = _t(lib, y0)

    def step():
        opt.zero_grad()
        h = pool(conv1(x).relu())
        h = pool(conv2(h).relu())
        loss = loss_fn(fc(h.reshape(h.shape[0], -1)), y)
        loss.backward()
        opt.step()
        return loss

    def check():
        return [float(step().item()) for _ in range(2)]

    return step, check


class _WideConv:
    """3x3, stride-1, padding-1 convolution in the 'wide' channels-first layout
    (C, N, H, W): the padded input is one buffer (C, N, (H+3)*(W+2)); every
    (c, ki, kj) row of the im2col matrix is then a contiguous slice of it, so
    im2col is one strided copy, the convolution one GEMM (with two junk columns
    per output row, dropped by a view), and col2im nine contiguous slice-adds.
    Buffers are allocated once and reused (what a library's workspace does)."""

    def __init__(self, C, N, H, W):
        self.C, self.N, self.H, self.W = C, N, H, W
        self.wp = W + 2
        self.L = H * self.wp                      # wide output length per image
        self.xpd = np.zeros((C, N, H + 3, self.wp), F32)
        blk = self.xpd.strides[1]
        it = self.xpd.itemsize
        self.view = np.lib.stride_tricks.as_strided(
            self.xpd, (C, 3, 3, N, self.L),
            (self.xpd.strides[0], self.wp * it, it, blk, it), writeable=False)
        self.cols = np.empty((C, 3, 3, N, self.L), F32)
        self.G = np.zeros((0,), F32)

    def forward(self, x, w, b):
        """x (C, N, H, W), w (O, C, 3, 3) -> (O, N, H, W) (a view of the wide result)."""
        self.xpd[:, :, 1:1 + self.H, 1:1 + self.W] = x
        np.copyto(self.cols, self.view)
        cols = self.cols.reshape(self.C * 9, -1)
        r = w.reshape(w.shape[0], -1) @ cols
        z = r.reshape(w.shape[0], self.N, self.H, self.wp)[:, :, :, :self.W]
        z += b[:, None, None, None]
        return z

    def backward(self, gz, w, need_x):
        """gz (O, N, H, W) -> (gW, gb, gx or None)."""
        O = w.shape[0]
        if self.G.shape != (O, self.N, self.H, self.wp):
            self.G = np.zeros((O, self.N, self.H, self.wp), F32)
        self.G[:, :, :, :self.W] = gz            # junk columns stay 0
        G = self.G.reshape(O, -1)
        cols = self.cols.reshape(self.C * 9, -1)
        gW = (G @ cols.T).reshape(w.shape)
        gb = G.sum(axis=1)
        if not need_x:
            return gW, gb, None
        gc = (w.reshape(O, -1).T @ G).reshape(self.C, 3, 3, self.N, self.L)
        gxp = np.zeros((self.C, self.N, (self.H + 3) * self.wp), F32)
        for i in range(3):
            for j in range(3):
                off = i * self.wp + j
                gxp[:, :, off:off + self.L] += gc[:, i, j]
        gx = gxp.reshape(self.C, self.N, self.H + 3, self.wp)[:, :, 1:1 + self.H, 1:1 + self.W]
        return gW, gb, gx


def _pool_fwd(h):
    """2x2/2 max-pool over the last two axes of a 4-D h by strided windows, with
    the argmax (0..3) per window for the backward (first maximum wins, like torch)."""
    A, B, H, W = h.shape
    r = h.reshape(A, B, H // 2, 2, W // 2, 2)
    v0, v1 = r[:, :, :, 0, :, 0], r[:, :, :, 0, :, 1]
    v2, v3 = r[:, :, :, 1, :, 0], r[:, :, :, 1, :, 1]
    m01 = np.maximum(v0, v1)
    m23 = np.maximum(v2, v3)
    idx = (v1 > v0).view(np.uint8)
    i23 = (v3 > v2).view(np.uint8)
    i23 += 2
    np.copyto(idx, i23, where=m23 > m01)
    return np.maximum(m01, m23), idx


def _pool_bwd(g, idx, shape):
    A, B, H, W = shape
    gr = np.empty((A, B, H // 2, 2, W // 2, 2), g.dtype)
    for k in range(4):
        np.multiply(g, idx == k, out=gr[:, :, :, k // 2, :, k % 2])
    return gr.reshape(shape)


def cnn_floor(batch=64, hw=28, lr=1e-3, seed=0):
    params, x, y = cnn_data(batch, hw, seed)
    B = batch
    H1, H2, H3 = hw, hw // 2, hw // 4
    rows = np.arange(B)
    conv1 = _WideConv(1, B, H1, H1)
    conv2 = _WideConv(16, B, H2, H2)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    state = {"t": 0}

    def step():
        W1, c1, W2, c2, Wf, cf = params
        # forward, channels-first (C, N, H, W) inside; flatten in torch's (c, h, w) order
        a1 = np.maximum(conv1.forward(x.transpose(1, 0, 2, 3), W1, c1), 0)
        p1, i1 = _pool_fwd(a1)
        a2 = np.maximum(conv2.forward(p1, W2, c2), 0)
        p2, i2 = _pool_fwd(a2)
        flat = p2.transpose(1, 0, 2, 3).reshape(B, -1)
        logits = flat @ Wf.T
        logits += cf
        mx = logits.max(axis=1, keepdims=True)
        e = logits - mx
        pr = np.exp(e)
        s = pr.sum(axis=1, keepdims=True)
        loss = (np.log(s[:, 0]) - e[rows, y]).mean()
        # backward
        pr /= s
        pr[rows, y] -= 1
        pr *= F32(1.0 / B)
        gWf = pr.T @ flat
        gcf = pr.sum(axis=0)
        gp2 = (pr @ Wf).reshape(B, 32, H3, H3).transpose(1, 0, 2, 3)
        ga2 = _pool_bwd(gp2, i2, a2.shape)
        ga2 *= a2 > 0
        gW2, gc2, gp1 = conv2.backward(ga2, W2, True)
        ga1 = _pool_bwd(gp1, i1, a1.shape)
        ga1 *= a1 > 0
        gW1, gc1, _ = conv1.backward(ga1, W1, False)
        # Adam (torch's formula), in place
        state["t"] += 1
        t = state["t"]
        bc1 = 1 - b1 ** t
        bc2 = 1 - b2 ** t
        step_size = F32(lr / bc1)
        sq_bc2 = F32(np.sqrt(bc2))
        for p, g, mm, vv in zip(params, (gW1, gc1, gW2, gc2, gWf, gcf), m, v):
            mm *= F32(b1)
            mm += F32(1 - b1) * g
            vv *= F32(b2)
            vv += F32(1 - b2) * (g * g)
            denom = np.sqrt(vv)
            denom /= sq_bc2
            denom += F32(eps)
            p -= step_size * (mm / denom)
        return loss

    def check():
        return [float(step()) for _ in range(2)]

    return step, check


# ---------------------------------------------------------------------------
# 5./6. LSTM: nn.LSTM and the same cell as a Python loop of ops
# ---------------------------------------------------------------------------

def lstm_data(T, B, I, H, seed=0):
    rng = _rng(seed)
    bound = 1.0 / np.sqrt(H)
    params = [
        _uniform(rng, (4 * H, I), bound), _uniform(rng, (4 * H, H), bound),
        _uniform(rng, (4 * H,), bound), _uniform(rng, (4 * H,), bound),
    ]
    x = _randn(rng, T, B, I)
    gout = _randn(rng, T, B, H)
    return params, x, gout


def lstm_lib(lib, T=50, B=32, I=32, H=128, seed=0):
    params, x0, g0 = lstm_data(T, B, I, H, seed)
    lstm = lib.nn.LSTM(I, H, num_layers=1)
    names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    for name, arr in zip(names, params):
        _load(lib, getattr(lstm, name), arr)
    x = _t(lib, x0)
    gout = _t(lib, g0)
    ps = [getattr(lstm, n) for n in names]

    def step():
        for p in ps:
            p.grad = None
        out, _ = lstm(x)
        out.backward(gout)
        return out

    def check():
        out = step()
        return [float(out.sum().item())] + [float(p.grad.sum().item()) for p in ps]

    return step, check


def lstm_loop_lib(lib, T=50, B=32, I=32, H=128, seed=0):
    params, x0, g0 = lstm_data(T, B, I, H, seed)
    W_ih, W_hh, b_ih, b_hh = ps = [_t(lib, p, True) for p in params]
    x = _t(lib, x0)
    gout = _t(lib, g0)

    def step():
        for p in ps:
            p.grad = None
        h = lib.zeros(B, H)
        c = lib.zeros(B, H)
        outs = []
        for t in range(T):
            gates = x[t] @ W_ih.t() + b_ih + h @ W_hh.t() + b_hh
            i, f, g, o = gates.chunk(4, 1)
            i = i.sigmoid()
            f = f.sigmoid()
            g = g.tanh()
            o = o.sigmoid()
            c = f * c + i * g
            h = o * c.tanh()
            outs.append(h)
        out = lib.stack(outs)
        out.backward(gout)
        return out

    def check():
        out = step()
        return [float(out.sum().item())] + [float(p.grad.sum().item()) for p in ps]

    return step, check


def _sigmoid(z):
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += F32(1)
    np.reciprocal(z, out=z)
    return z


def lstm_floor(T=50, B=32, I=32, H=128, seed=0):
    """nn.LSTM by hand in the transposed layout (gates (4H, B) per step), so every
    gate block is a contiguous row block; one GEMM per step each way (the forward's
    carries the input projection and biases: [W_hh | W_ih | b] @ [h; x_t; 1]), weight
    gradients as one GEMM each, the bias gradient as one matrix-vector product."""
    (W_ih, W_hh, b_ih, b_hh), x, gout = lstm_data(T, B, I, H, seed)
    one, half = F32(1), F32(0.5)
    H2, H3 = 2 * H, 3 * H
    scale = np.full((4 * H, 1), half, F32)
    scale[H2:H3] = 1

    def step():
        # forward; sigmoid(z) = 0.5 tanh(z / 2) + 0.5 with the halving folded into
        # copies of the weights, so one tanh covers all four gates; the input projection and
        # the biases ride in each step's GEMM: [W_hh | W_ih | b] @ [h_t; x_t; 1]
        K = H + I + 1
        w = np.empty((4 * H, K), F32)
        np.multiply(W_hh, scale, out=w[:, :H])
        np.multiply(W_ih, scale, out=w[:, H:H + I])
        w[:, -1] = (b_ih + b_hh) * scale[:, 0]
        hx = np.empty((T + 1, K, B), F32)                       # hx[t] = [h_t; x_t; 1]
        hx[:T, H:H + I] = x.transpose(0, 2, 1)
        hx[:T, -1] = 1
        hx[0, :H] = 0
        hs = hx[:, :H]
        acts = np.empty((T, 4 * H, B), F32)
        cs = np.empty((T + 1, H, B), F32)
        tcs = np.empty((T, H, B), F32)
        cs[0] = 0
        for t in range(T):
            a = acts[t]
            np.matmul(w, hx[t], out=a)
            np.tanh(a, out=a)
            sig = a[:H2]
            sig *= half
            sig += half
            sig = a[H3:]
            sig *= half
            sig += half
            c = cs[t + 1]
            np.multiply(a[H:H2], cs[t], out=c)
            c += a[:H] * a[H2:H3]
            np.tanh(c, out=tcs[t])
            np.multiply(a[H3:], tcs[t], out=hs[t + 1])
        out = np.ascontiguousarray(hs[1:].transpose(0, 2, 1))  # (T, B, H)
        # backward through time; derivatives of the nonlinearities for all steps at once
        sg = acts * (one - acts)                                # sigmoid' = s (1 - s)
        gg = acts[:, H2:H3]
        np.multiply(gg, gg, out=sg[:, H2:H3])
        np.subtract(one, sg[:, H2:H3], out=sg[:, H2:H3])        # tanh' = 1 - t^2
        k = tcs * tcs
        np.subtract(one, k, out=k)
        k *= acts[:, H3:]                                       # o (1 - tanh(c)^2)
        gts = np.ascontiguousarray(gout.transpose(0, 2, 1))     # (T, H, B)
        w_t = np.ascontiguousarray(W_hh.T)                      # (H, 4H)
        d = np.empty((T, 4 * H, B), F32)
        dh = np.empty((H, B), F32)
        dhn = np.zeros((H, B), F32)
        dc = np.zeros((H, B), F32)
        for t in range(T - 1, -1, -1):
            a = acts[t]
            dt = d[t]
            np.add(gts[t], dhn, out=dh)
            np.multiply(dh, tcs[t], out=dt[H3:])                # d o
            dh *= k[t]
            dc += dh
            np.multiply(dc, a[H2:H3], out=dt[:H])               # d i
            np.multiply(dc, cs[t], out=dt[H:H2])                # d f
            np.multiply(dc, a[:H], out=dt[H2:H3])               # d g
            dc *= a[H:H2]
            dt *= sg[t]
            np.matmul(w_t, dt, out=dhn)
        d2 = np.ascontiguousarray(d.transpose(1, 0, 2)).reshape(4 * H, T * B)
        gW_ih = d2 @ x.reshape(T * B, I)
        gW_hh = d2[:, B:] @ out[:-1].reshape((T - 1) * B, H)  # h_prev = [h0 = 0; out[:-1]]
        gb = d2 @ np.ones(T * B, F32)  # row sums as one BLAS matrix-vector product
        return out, (gW_ih, gW_hh, gb, gb)

    def check():
        out, grads = step()
        return [float(out.sum())] + [float(g.sum()) for g in grads]

    return step, check


# ---------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------

class Workload:
    """name, lib builder, floor builder, params, per-step unit divisor."""

    def __init__(self, name, title, lib_fn, floor_fn, params, per=1, unit="ms"):
        self.name, self.title = name, title
        self.lib_fn, self.floor_fn = lib_fn, floor_fn
        self.params = params
        self.per = per
        self.unit = unit

    def build(self, contender, lib=None, **override):
        p = dict(self.params, **override)
        if contender == "floor":
            return self.floor_fn(**p)
        return self.lib_fn(lib, **p)


WORKLOADS = {
    "chain": Workload("chain", "100-op add/mul/tanh chain, 16 floats, fwd+bwd (per op)",
                      chain_lib, chain_floor, dict(n=16, ops=100), per=100, unit="us"),
    "mlp64": Workload("mlp64", "MLP 784-512-256-10 + CE + SGD, batch 64",
                      mlp_lib, mlp_floor, dict(batch=64)),
    "mlp1024": Workload("mlp1024", "MLP 784-512-256-10 + CE + SGD, batch 1024",
                        mlp_lib, mlp_floor, dict(batch=1024)),
    "matmul": Workload("matmul", "1024x1024 matmul fwd+bwd",
                       matmul_lib, matmul_floor, dict(n=1024)),
    "cnn": Workload("cnn", "CNN 2 conv + 2 pool + linear, Adam, batch 64 of 28x28",
                    cnn_lib, cnn_floor, dict(batch=64)),
    "lstm": Workload("lstm", "nn.LSTM 32->128, seq 50, batch 32, fwd+bwd",
                     lstm_lib, lstm_floor, dict()),
    "lstm_loop": Workload("lstm_loop", "LSTM as a Python loop of cell ops, fwd+bwd",
                          lstm_loop_lib, lstm_floor, dict()),
}

SWEEP_BATCHES = (16, 64, 256, 1024)
SWEEP_KEYS = {}
for _b in SWEEP_BATCHES:
    _k = "mlp%d" % _b
    if _k not in WORKLOADS:
        WORKLOADS[_k] = Workload(_k, "MLP step, batch %d (sweep)" % _b, mlp_lib, mlp_floor,
                                 dict(batch=_b))
    SWEEP_KEYS[_b] = _k
