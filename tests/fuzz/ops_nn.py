"""Family ``nn``: torch.nn.functional -- activations, softmax, losses, conv/pool,
normalisation, embedding, interpolate, pad and friends."""
from __future__ import annotations

from .compare import ACCUM_LOOSE, ELEM_LOOSE, EXACT, Tol
from .inputs import FLOATS
from .spec import register

F = "lib.nn.functional"
NN_LOOSE = Tol(deg=2, scale=30.0)   # conv/normalisation: sums of products, long formulas


def _nn(name, build, tol=ACCUM_LOOSE, values="tame", **kw):
    register(name, "nn", build, tol=tol, values=values, **kw)


def _fdt(cb):
    """Float dtypes mostly; sometimes any (torch must raise for ints, so must ember)."""
    return cb.dtype(FLOATS, prefer=FLOATS) if cb.often(8) else cb.dtype()


# ------------------------------------------------------------------------------ activations

_ACTS = {
    "relu": [""], "relu6": [""], "elu": ["", "alpha=0.5"], "selu": [""],
    "celu": ["", "alpha=2.0"], "gelu": ["", "approximate='tanh'", "approximate='none'"],
    "silu": [""], "mish": [""], "softplus": ["", "beta=2.0", "beta=0.5, threshold=1.0"],
    "softsign": [""], "hardtanh": ["", "-0.5, 2.0", "min_val=1.0, max_val=0.0"],
    "hardsigmoid": [""], "hardswish": [""], "leaky_relu": ["", "0.2", "negative_slope=-1.0"],
    "logsigmoid": [""], "tanhshrink": [""], "softshrink": ["", "0.25", "lambd=1.5"],
    "hardshrink": ["", "0.25", "lambd=1.5"], "threshold": ["0.5, -1.0", "0.0, 2.0"],
    "sigmoid": [""], "tanh": [""],
}


def _act(name, opts):
    def build(cb):
        a = cb.tensor(dtype=_fdt(cb))
        kw = cb.choice(opts)
        return f"{F}.{name}({a}{', ' + kw if kw else ''})"
    _nn("F." + name, build, tol=ELEM_LOOSE, values="full")


for _n, _o in _ACTS.items():
    _act(_n, _o)


def _dim_act(cb):
    shape = cb.shape(min_dims=0)
    a = cb.tensor(shape, _fdt(cb))
    fn = cb.choice(["softmax", "log_softmax", "softmin", "glu", "normalize"])
    cb.label = fn
    d = cb.dim(len(shape))
    if fn == "glu":
        return f"{F}.glu({a}, {d})"
    if fn == "normalize":
        return f"{F}.normalize({a}, p={cb.choice(['1', '2', '3', 'inf'])}, dim={d})"
    kw = f", dtype=lib.{cb.choice(['float64', 'float32'])}" if cb.rarely(4) else ""
    return f"{F}.{fn}({a}, dim={d}{kw})"


_nn("F.softmax", _dim_act, tol=Tol(deg=1, scale=10.0), values="full")


def _prelu(cb):
    shape = cb.shape(min_dims=0)
    dt = _fdt(cb)
    a = cb.tensor(shape, dt)
    c = shape[1] if len(shape) >= 2 else 1
    w = cb.tensor((cb.choice([1, c]),), dt)
    return f"{F}.prelu({a}, {w})"


_nn("F.prelu", _prelu, tol=ELEM_LOOSE, values="full")

# ------------------------------------------------------------------------------ losses

_RED = ["", ", reduction='mean'", ", reduction='sum'", ", reduction='none'"]


def _pair_loss(cb):
    s1, s2 = cb.broadcast_shapes(2) if cb.rarely(6) else [cb.shape()] * 2
    dt = _fdt(cb)
    a, b = cb.tensor(s1, dt), cb.tensor(s2, dt if cb.often(8) else _fdt(cb))
    fn = cb.choice(["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
                    "kl_div", "poisson_nll_loss", "binary_cross_entropy",
                    "binary_cross_entropy_with_logits", "gaussian_nll_loss",
                    "multilabel_soft_margin_loss", "hinge_embedding_loss"])
    cb.label = fn
    red = cb.choice(_RED)
    extra = {"smooth_l1_loss": ["", ", beta=0.5", ", beta=0.0"],
             "huber_loss": ["", ", delta=0.5"],
             "kl_div": ["", ", log_target=True"],
             "poisson_nll_loss": ["", ", log_input=False", ", full=True"],
             "hinge_embedding_loss": ["", ", margin=0.5"]}.get(fn, [""])
    ex = cb.choice(extra)
    if fn == "binary_cross_entropy":
        a = f"{a}.sigmoid()" if cb.often(4) else a
        b = f"{b}.sigmoid()"
    if fn == "binary_cross_entropy_with_logits" and cb.rarely(3):
        ex = f", pos_weight={cb.tensor(s1[-1:], dt)}"
    if fn == "gaussian_nll_loss":
        v = cb.tensor(s1, dt)
        return f"{F}.gaussian_nll_loss({a}, {b}, {v}.abs() + 0.1{red})"
    if fn == "hinge_embedding_loss":
        b = f"{b}.sign()"
    return f"{F}.{fn}({a}, {b}{ex}{red})"


_nn("F.mse_loss", _pair_loss)


def _class_loss(cb):
    n, c = cb.int(0, 3), cb.int(1, 4)
    extra_dims = tuple(cb.int(1, 2) for _ in range(cb.int(0, 1)))
    batched = cb.often(6)
    shape = ((n,) if batched else ()) + (c,) + (extra_dims if batched else ())
    tshape = ((n,) if batched else ()) + (extra_dims if batched else ())
    dt = _fdt(cb)
    x = cb.tensor(shape, dt)
    fn = cb.choice(["cross_entropy", "nll_loss", "cross_entropy_probs", "multi_margin_loss"])
    cb.label = fn
    red = cb.choice(_RED)
    kw = ""
    if cb.rarely(3):
        kw += f", weight={cb.tensor((c,), dt, grad=False)}"
    if fn == "cross_entropy_probs":
        t = cb.tensor(shape, dt, grad=False)
        ls = f", label_smoothing={cb.choice([0.1, 0.5])}" if cb.rarely(3) else ""
        return f"{F}.cross_entropy({x}, {t}.softmax({1 if batched else 0}){kw}{ls}{red})"
    t = cb.index_tensor(tshape, c, low=0)
    if cb.rarely(4):
        cb.stmt(f"{t}[...] = lib.where({t} == 0, -100, {t})" if tshape
                else f"{t} = lib.tensor(-100)")
        kw += ", ignore_index=-100"
    if fn == "multi_margin_loss":
        if n == 0:  # torch reduces an empty batch to uninitialised memory: no reduction
            return f"{F}.multi_margin_loss({x}, {t}, reduction='none')"
        if not batched or extra_dims:
            return f"{F}.multi_margin_loss({x}, {t}{red})"
        return f"{F}.multi_margin_loss({x}, {t}, p={cb.choice([1, 2])}, margin=0.5{red})"
    if fn == "cross_entropy" and cb.rarely(3):
        kw += f", label_smoothing={cb.choice([0.1, 0.5])}"
    if fn == "nll_loss":
        x = f"{x}.log_softmax({1 if batched else 0})" if cb.often(2) else x
    return f"{F}.{fn}({x}, {t}{kw}{red})"


_nn("F.cross_entropy", _class_loss)


def _embed_loss(cb):
    n, d = cb.int(0, 3), cb.int(1, 4)
    dt = _fdt(cb)
    fn = cb.choice(["cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
                    "cosine_similarity", "pairwise_distance"])
    cb.label = fn
    red = cb.choice(_RED)
    if fn == "margin_ranking_loss":
        a, b, y = cb.tensor((n,), dt), cb.tensor((n,), dt), cb.tensor((n,), dt, grad=False)
        return f"{F}.margin_ranking_loss({a}, {b}, {y}.sign(), margin={cb.choice([0.0, 0.5])}{red})"
    a, b = cb.tensor((n, d), dt), cb.tensor((n, d), dt)
    if fn == "cosine_embedding_loss":
        y = cb.tensor((n,), dt, grad=False)
        return f"{F}.cosine_embedding_loss({a}, {b}, {y}.sign(){red})"
    if fn == "triplet_margin_loss":
        c = cb.tensor((n, d), dt)
        return f"{F}.triplet_margin_loss({a}, {b}, {c}, p={cb.choice([1, 2])}{red})"
    if fn == "cosine_similarity":
        return f"{F}.cosine_similarity({a}, {b}, dim={cb.choice([0, 1, -1])})"
    return f"{F}.pairwise_distance({a}, {b}, p={cb.choice([1.0, 2.0, 3.0])})"


_nn("F.cosine_embedding_loss", _embed_loss)

# ------------------------------------------------------------------------------ conv / pool


def _spatial(cb, nd, lo=1, hi=5):
    return tuple(cb.int(lo, hi) for _ in range(nd))


def _conv(cb):
    nd = cb.choice([1, 2])
    transpose = cb.rarely(3)
    g = cb.choice([1, 1, 2])
    ci, co = g * cb.int(1, 2), g * cb.int(1, 2)
    k = _spatial(cb, nd, 1, 3)
    stride, dil = cb.int(1, 2), cb.int(1, 2)
    batched = cb.often(6)
    n = cb.int(0, 2)
    L = _spatial(cb, nd, 1, 5)
    dt = _fdt(cb)
    x = cb.tensor(((n,) if batched else ()) + (ci,) + L, dt)
    if transpose:
        w = cb.tensor((ci, co // g) + k, dt)
    else:
        w = cb.tensor((co, ci // g) + k, dt)
    b = cb.tensor((co,), dt) if cb.often(2) else "None"
    if transpose:
        pad = cb.int(0, 1)
        outp = cb.int(0, max(stride, dil) - 1)
        fn = f"conv_transpose{nd}d"
        return (f"{F}.{fn}({x}, {w}, {b}, stride={stride}, padding={pad}, "
                f"output_padding={outp}, groups={g}, dilation={dil})")
    pad = cb.choice([0, 1, 2, "'same'", "'valid'"])
    if pad == "'same'" and not cb.rarely(8):
        stride = 1
    return f"{F}.conv{nd}d({x}, {w}, {b}, stride={stride}, padding={pad}, dilation={dil}, " \
           f"groups={g})"


_nn("F.conv", _conv, tol=NN_LOOSE)


def _pool(cb):
    nd = cb.choice([1, 2])
    batched = cb.often(4)
    c = cb.int(1, 2)
    L = _spatial(cb, nd, 1, 6)
    x = cb.tensor(((cb.int(1, 2),) if batched else ()) + (c,) + L, _fdt(cb))
    fn = cb.choice(["max", "avg", "adaptive_avg", "adaptive_max", "lp"])
    cb.label = fn
    k = cb.int(1, 3)
    stride = cb.choice(["None", 1, 2, 3])
    pad = cb.int(0, k // 2) if not cb.rarely(16) else k
    ceil = cb.choice([True, False])
    if fn == "max":
        dil = cb.int(1, 2)
        ri = ", return_indices=True" if cb.rarely(3) else ""
        return (f"{F}.max_pool{nd}d({x}, {k}, stride={stride}, padding={pad}, dilation={dil}, "
                f"ceil_mode={ceil}{ri})")
    if fn == "avg":
        cip = cb.choice([True, False])
        dov = f", divisor_override={cb.int(1, 3)}" if nd == 2 and cb.rarely(4) else ""
        return (f"{F}.avg_pool{nd}d({x}, {k}, stride={stride}, padding={pad}, ceil_mode={ceil}, "
                f"count_include_pad={cip}{dov})")
    if fn == "lp":
        st_ = 1 if stride == "None" else stride
        return f"{F}.lp_pool{nd}d({x}, {cb.choice([1, 2, 3])}, {k}, stride={st_}, ceil_mode={ceil})"
    out = cb.int(1, 4) if nd == 1 else cb.choice([cb.int(1, 4), (cb.int(1, 3), cb.int(1, 3)),
                                                (None, cb.int(1, 3))])
    ri = ", return_indices=True" if fn == "adaptive_max" and cb.rarely(3) else ""
    return f"{F}.{fn}_pool{nd}d({x}, {out!r}{ri})"


_nn("F.pool", _pool, tol=Tol(deg=1, scale=10.0), values="tame")

# ------------------------------------------------------------------------------ normalisation


def _norm(cb):
    fn = cb.choice(["batch_norm", "layer_norm", "group_norm", "instance_norm",
                    "local_response_norm"])
    cb.label = fn
    dt = _fdt(cb)
    n, c = cb.int(1, 3), cb.int(1, 4)
    spatial = _spatial(cb, cb.int(0, 2), 1, 3)
    shape = (n, c) + spatial
    x = cb.tensor(shape, dt)
    eps = f", eps={cb.choice([1e-5, 0.1])}" if cb.rarely(3) else ""
    wb = cb.often(2)
    w = cb.tensor((c,), dt) if wb else "None"
    b = cb.tensor((c,), dt) if wb else "None"
    if fn == "batch_norm":
        training = cb.choice([True, False])
        stats = cb.often(3) or not training
        if stats:
            rm = cb.tensor((c,), dt, grad=False, layout=False, profile="nonan")
            rv = cb.tensor((c,), dt, grad=False, layout=False, profile="nonan")
            cb.stmt(f"{rv} = {rv}.abs() + 0.5")
        else:
            rm = rv = "None"
        mom = f", momentum={cb.choice([0.1, 0.5, None])}" if cb.rarely(3) else ""
        cb.stmt(f"y = {F}.batch_norm({x}, {rm}, {rv}, {w}, {b}, training={training}{mom}{eps})")
        return f"(y, {rm}, {rv})" if stats else "y"
    if fn == "layer_norm":
        k = cb.int(1, len(shape))
        ns = shape[-k:]
        w = cb.tensor(ns, dt) if wb else "None"
        b = cb.tensor(ns, dt) if wb else "None"
        return f"{F}.layer_norm({x}, {ns!r}, {w}, {b}{eps})"
    if fn == "group_norm":
        g = cb.choice([d for d in range(1, c + 1) if c % d == 0])
        return f"{F}.group_norm({x}, {g}, {w}, {b}{eps})"
    if fn == "instance_norm":
        return f"{F}.instance_norm({x}, weight={w}, bias={b}{eps})"
    return f"{F}.local_response_norm({x}, {cb.int(1, 3)})"


_nn("F.batch_norm", _norm, tol=NN_LOOSE)

# ------------------------------------------------------------------------------ the rest


def _embedding(cb):
    v, d = cb.int(1, 5), cb.int(1, 3)
    dt = _fdt(cb)
    w = cb.tensor((v, d), dt, layout=False)
    i = cb.index_tensor(cb.shape(max_dims=2), v, low=0 if not cb.rarely(16) else -1)
    kw = ""
    if cb.rarely(3):
        kw += f", padding_idx={cb.int(-v, v - 1)}"
    if cb.rarely(4):
        kw += ", scale_grad_by_freq=True"
    if cb.rarely(4):
        cb.stmt(f"y = {F}.embedding({i}, {w}, max_norm={cb.choice([0.5, 1.0])}{kw})")
        return f"(y, {w})"
    return f"{F}.embedding({i}, {w}{kw})"


_nn("F.embedding", _embedding, tol=ELEM_LOOSE, values="tame")


def _interpolate(cb):
    nd = cb.choice([1, 2])
    mode = cb.choice(["nearest", "linear" if nd == 1 else "bilinear", "nearest-exact",
                      "area"] + (["bicubic"] if nd == 2 else []))
    x = cb.tensor((cb.int(1, 2), cb.int(1, 2)) + _spatial(cb, nd, 1, 4), _fdt(cb))
    if cb.often(2):
        size = cb.int(1, 6) if nd == 1 or cb.often(2) else (cb.int(1, 5), cb.int(1, 5))
        spec = f"size={size!r}"
    else:
        spec = f"scale_factor={cb.choice([0.5, 1.5, 2, 2.0, 3, 0.7])}"
        if cb.rarely(3):
            spec += ", recompute_scale_factor=True"
    ac = ""
    if mode in ("linear", "bilinear", "bicubic") and cb.often(2):
        ac = f", align_corners={cb.choice([True, False])}"
    return f"{F}.interpolate({x}, {spec}, mode={mode!r}{ac})"


_nn("F.interpolate", _interpolate, tol=Tol(deg=1, scale=10.0), values="tame")


def _pad(cb):
    mode = cb.choice(["constant", "reflect", "replicate", "circular"])
    nd = 3 if mode != "constant" else cb.int(1, 4)
    shape = (cb.int(1, 2),) * (nd - 1) + (cb.int(1, 4),) if mode != "constant" else \
        cb.shape(min_dims=1)
    if mode != "constant" and cb.often(2):
        shape = shape[:-1] + (cb.int(1, 3), cb.int(1, 4))
    x = cb.tensor(shape, _fdt(cb))
    npairs = cb.int(1, 1 if mode != "constant" else min(len(shape), 3))
    if mode != "constant":
        npairs = len(shape) - 2 if len(shape) > 2 else 1
    lo = -1 if mode == "constant" else 0
    pads = tuple(cb.int(lo, 2) for _ in range(2 * npairs))
    val = f", value={cb.scalar('num')}" if mode == "constant" and cb.often(2) else ""
    return f"{F}.pad({x}, {pads!r}, mode={mode!r}{val})"


_nn("F.pad", _pad, tol=EXACT, values="full")


def _misc(cb):
    fn = cb.choice(["one_hot", "linear", "bilinear", "pixel_shuffle", "pixel_unshuffle",
                    "unfold", "fold", "dropout", "sdpa"])
    cb.label = fn
    dt = _fdt(cb)
    if fn == "one_hot":
        i = cb.index_tensor(cb.shape(max_dims=2), 4, low=0)
        return f"{F}.one_hot({i}{', ' + str(cb.int(4, 6)) if cb.often(2) else ''})"
    if fn == "linear":
        fi, fo = cb.int(0, 3), cb.int(0, 3)
        x = cb.tensor(cb.shape(max_dims=2) + (fi,), dt)
        w = cb.tensor((fo, fi), dt)
        b = cb.tensor((fo,), dt) if cb.often(2) else "None"
        return f"{F}.linear({x}, {w}, {b})"
    if fn == "bilinear":
        n, i1, i2, o = cb.int(0, 2), cb.int(1, 3), cb.int(1, 3), cb.int(1, 3)
        a, b = cb.tensor((n, i1), dt), cb.tensor((n, i2), dt)
        w = cb.tensor((o, i1, i2), dt)
        bias = cb.tensor((o,), dt) if cb.often(2) else "None"
        return f"{F}.bilinear({a}, {b}, {w}, {bias})"
    if fn == "pixel_shuffle":
        r = cb.int(1, 2)
        x = cb.tensor((cb.int(1, 2), cb.int(1, 2) * r * r, cb.int(1, 2), cb.int(1, 2)), dt)
        return f"{F}.pixel_shuffle({x}, {r})"
    if fn == "pixel_unshuffle":
        r = cb.int(1, 2)
        x = cb.tensor((cb.int(1, 2), cb.int(1, 2), cb.int(1, 2) * r, cb.int(1, 2) * r), dt)
        return f"{F}.pixel_unshuffle({x}, {r})"
    if fn in ("unfold", "fold"):
        k, s, p, d = cb.int(1, 2), cb.int(1, 2), cb.int(0, 1), cb.int(1, 2)
        if fn == "unfold":
            x = cb.tensor((cb.int(1, 2), cb.int(1, 2), cb.int(1, 4), cb.int(1, 4)), dt)
            return f"{F}.unfold({x}, {k}, dilation={d}, padding={p}, stride={s})"
        H, W, c = cb.int(2, 4), cb.int(2, 4), cb.int(1, 2)
        nb = [(H + 2 * p - d * (k - 1) - 1) // s + 1, (W + 2 * p - d * (k - 1) - 1) // s + 1]
        L = max(nb[0], 0) * max(nb[1], 0)
        x = cb.tensor((cb.int(1, 2), c * k * k, L), dt)
        return f"{F}.fold({x}, ({H}, {W}), {k}, dilation={d}, padding={p}, stride={s})"
    if fn == "dropout":
        x = cb.tensor(dtype=dt)
        return cb.choice([f"{F}.dropout({x}, 0.5, training=False)",
                          f"{F}.dropout({x}, 0.0)", f"{F}.dropout({x}, 1.0)",
                          f"{F}.alpha_dropout({x}, 0.5, training=False)"])
    n, L, S, E, Ev = cb.int(1, 2), cb.int(1, 3), cb.int(1, 3), cb.int(1, 3), cb.int(1, 3)
    q, k_, v = cb.tensor((n, L, E), dt), cb.tensor((n, S, E), dt), cb.tensor((n, S, Ev), dt)
    extra = cb.choice(["", ", is_causal=True", "mask", ", scale=0.5"])
    if extra == "mask":
        extra = f", attn_mask={cb.mask((L, S)) if cb.often(2) else cb.tensor((L, S), dt)}"
    return f"{F}.scaled_dot_product_attention({q}, {k_}, {v}{extra})"


_nn("F.misc", _misc, tol=NN_LOOSE, values="tame")
