"""nn.functional and nn modules build torch's backward graph node for node (class names, edge
order, ``(None, 0)`` edges, shared nodes, which parameter each AccumulateGrad feeds), with
torch's values and gradients: each case runs in ember and in torch from the same NumPy data
(modules: torch's parameters copied into ember's), in float32 and float64.

Where ember's graph deliberately differs from torch's, the case is in ``GRAPH_DIFFERS`` with the
reason, and its graph test is a strict xfail (visible; a graph that starts matching turns it
red).  Values and gradients must match in every case."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from graph_sig import format_signature, graph_signature

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

_RNN_FUSED = ("ember runs each layer and direction as one fused op (one GEMM and in-place "
              "gate math per step, closed-form BPTT); torch on CPU decomposes {what} into "
              "per-step ops (addmm, sigmoid/tanh, unsafe_split, mul, add, stack...), which in "
              "ember would cost {n} small ops per time step (nn.RNN composed so: 2-2.8x slower "
              "forward+backward at batch 4-32, hidden 32-128)")

# Deliberate differences (case id -> why).  A case id is "<name>-<dtype>".
GRAPH_DIFFERS = {
    **{f"rnn_{k}-{dt}": _RNN_FUSED.format(what="nn.RNN", n="3") for k in ("tanh", "relu2")
       for dt in ("float32", "float64")},
    **{f"gru_{k}-{dt}": _RNN_FUSED.format(what="nn.GRU", n="about 12")
       for k in ("plain", "bidir") for dt in ("float32", "float64")},
    **{f"lstm_{k}-float64": _RNN_FUSED.format(what="float64 nn.LSTM (oneDNN's fused layer, "
                                              "whose node ember's float32 graph reproduces, "
                                              "is float32 only)", n="about 14")
       for k in ("plain", "two_layers_bf_hx", "bidir", "nobias_unbatched", "dropout")},
    **{f"lstmcell{k}-{dt}": "nn.LSTMCell is one fused node per step (LSTMCellBackward0) where "
       "torch records 13 (two addmm, unsafe_chunk, sigmoid/tanh, mul, add): composed, a Python "
       "loop of a small cell (batch 4, hidden 32) ran about 2x slower (GRUCell and RNNCell, "
       "whose composition costs about what their fused form did, are composed as torch's)"
       for k in ("", "_unbatched") for dt in ("float32", "float64")},
    **{f"lstm_packed-{dt}": _RNN_FUSED.format(what="nn.LSTM over a PackedSequence (oneDNN "
                                              "takes no packed input)", n="about 14")
       for dt in ("float32", "float64")},
    **{f"lstm_proj-{dt}": _RNN_FUSED.format(what="nn.LSTM with proj_size (oneDNN has no "
                                            "projections)", n="about 15")
       for dt in ("float32", "float64")},
}

# Not torch's graph yet, being fixed elsewhere (strict: the fix turns the entry red).
KNOWN = {}


class Env:
    """Inputs of one case in one library, from one NumPy stream (the same in both)."""

    def __init__(self, lib, dtype):
        self.lib, self.F, self.nn = lib, lib.nn.functional, lib.nn
        self.np = np.dtype(dtype)
        self.dt = getattr(lib, dtype)
        self.rng = np.random.default_rng(0)
        self.leaves = []

    def T(self, *shape, req=True):
        t = self.lib.tensor(self.rng.standard_normal(shape).astype(self.np))
        if req:
            t.requires_grad_(True)
            self.leaves.append(t)
        return t

    def P(self, *shape):
        """A positive constant (running variances)."""
        return self.lib.tensor((self.rng.random(shape) + 0.5).astype(self.np))

    def C(self, a):
        """A constant from NumPy data (masks, indices)."""
        return self.lib.tensor(np.asarray(a))


def _pair(x):
    return x.unsqueeze(0)


# ------------------------------------------------------------------------- functional cases

FUNCTIONAL = {
    # pooling: 1-D is 2-D between unsqueeze(-2) and squeeze(-2); unbatched inputs, one node
    "avg_pool1d": lambda e: e.F.avg_pool1d(e.T(2, 3, 8), 2),
    "avg_pool1d_pad_ceil": lambda e: e.F.avg_pool1d(e.T(2, 3, 9), 3, 2, 1, ceil_mode=True,
                                                    count_include_pad=False),
    "avg_pool1d_unbatched": lambda e: e.F.avg_pool1d(e.T(3, 8), 2),
    "max_pool1d": lambda e: e.F.max_pool1d(e.T(2, 3, 8), 2),
    "max_pool1d_overlap": lambda e: e.F.max_pool1d(e.T(2, 3, 9), 3, 2, 1, dilation=1),
    "max_pool1d_indices": lambda e: e.F.max_pool1d(e.T(2, 3, 8), 2, return_indices=True),
    "max_pool1d_unbatched": lambda e: e.F.max_pool1d(e.T(3, 8), 2),
    "max_pool2d": lambda e: e.F.max_pool2d(e.T(2, 3, 4, 4), 2),
    "max_pool2d_overlap": lambda e: e.F.max_pool2d(e.T(2, 3, 5, 5), 3, 1, 1),
    "max_pool2d_indices": lambda e: e.F.max_pool2d(e.T(2, 3, 4, 4), 2, return_indices=True),
    "max_pool2d_unbatched": lambda e: e.F.max_pool2d(e.T(3, 4, 4), 2),
    "max_pool2d_unbatched_overlap": lambda e: e.F.max_pool2d(e.T(3, 5, 5), 3, 2, 1,
                                                             ceil_mode=True),
    "avg_pool2d": lambda e: e.F.avg_pool2d(e.T(2, 3, 4, 4), 2),
    "avg_pool2d_unbatched": lambda e: e.F.avg_pool2d(e.T(3, 5, 5), 3, 2, 1,
                                                     count_include_pad=False),
    "avg_pool2d_divisor": lambda e: e.F.avg_pool2d(e.T(2, 3, 4, 4), 2, divisor_override=3),
    "lp_pool1d": lambda e: e.F.lp_pool1d(e.T(2, 3, 8), 2, 2),
    "lp_pool2d": lambda e: e.F.lp_pool2d(e.T(2, 3, 4, 4), 2, 2),
    "adaptive_avg_pool1d": lambda e: e.F.adaptive_avg_pool1d(e.T(2, 3, 8), 3),
    "adaptive_avg_pool1d_div": lambda e: e.F.adaptive_avg_pool1d(e.T(2, 3, 8), 4),
    "adaptive_avg_pool1d_1": lambda e: e.F.adaptive_avg_pool1d(e.T(2, 3, 8), 1),
    "adaptive_avg_pool1d_unbatched": lambda e: e.F.adaptive_avg_pool1d(e.T(3, 7), 3),
    "adaptive_avg_pool2d_1": lambda e: e.F.adaptive_avg_pool2d(e.T(2, 3, 4, 4), 1),
    "adaptive_avg_pool2d_11": lambda e: e.F.adaptive_avg_pool2d(e.T(2, 3, 4, 5), (1, 1)),
    "adaptive_avg_pool2d_div": lambda e: e.F.adaptive_avg_pool2d(e.T(2, 3, 4, 4), 2),
    "adaptive_avg_pool2d_nondiv": lambda e: e.F.adaptive_avg_pool2d(e.T(2, 3, 5, 7), (3, 2)),
    "adaptive_avg_pool2d_none": lambda e: e.F.adaptive_avg_pool2d(e.T(2, 3, 4, 5), (1, None)),
    "adaptive_avg_pool2d_unbatched": lambda e: e.F.adaptive_avg_pool2d(e.T(3, 5, 5), 3),
    "adaptive_avg_pool2d_unbatched_1": lambda e: e.F.adaptive_avg_pool2d(e.T(3, 5, 5), 1),
    "adaptive_max_pool1d": lambda e: e.F.adaptive_max_pool1d(e.T(2, 3, 8), 3),
    "adaptive_max_pool1d_indices": lambda e: e.F.adaptive_max_pool1d(e.T(3, 7), 3, True),
    "adaptive_max_pool2d": lambda e: e.F.adaptive_max_pool2d(e.T(2, 3, 5, 5), 2),
    "adaptive_max_pool2d_unbatched": lambda e: e.F.adaptive_max_pool2d(e.T(3, 5, 5), 3),
    # convolution: input, weight, bias edges (a missing bias is (None, 0))
    "conv1d": lambda e: e.F.conv1d(e.T(2, 3, 8), e.T(2, 3, 3)),
    "conv1d_bias_same": lambda e: e.F.conv1d(e.T(2, 4, 8), e.T(4, 2, 3), e.T(4), padding="same",
                                             groups=2),
    "conv1d_unbatched": lambda e: e.F.conv1d(e.T(3, 8), e.T(2, 3, 3)),
    "conv2d_nobias": lambda e: e.F.conv2d(e.T(2, 3, 5, 5), e.T(2, 3, 3, 3), stride=2),
    "conv2d_unbatched": lambda e: e.F.conv2d(e.T(3, 5, 5), e.T(2, 3, 2, 2), e.T(2)),
    "conv_transpose1d": lambda e: e.F.conv_transpose1d(e.T(2, 3, 5), e.T(3, 2, 3)),
    "conv_transpose2d_bias": lambda e: e.F.conv_transpose2d(e.T(2, 3, 3, 3), e.T(3, 2, 2, 2),
                                                            e.T(2), stride=2),
    # normalisation: torch's native norms have (input, weight, bias) edges
    "layer_norm": lambda e: e.F.layer_norm(e.T(2, 3, 4), (4,)),
    "layer_norm_weight": lambda e: e.F.layer_norm(e.T(2, 3, 4), (3, 4), e.T(3, 4)),
    "layer_norm_bias": lambda e: e.F.layer_norm(e.T(2, 3, 4), (4,), None, e.T(4)),
    "layer_norm_affine": lambda e: e.F.layer_norm(e.T(2, 3, 4), (4,), e.T(4), e.T(4)),
    "batch_norm_train": lambda e: e.F.batch_norm(e.T(2, 3, 4, 4), None, None, training=True),
    "batch_norm_train_stats": lambda e: e.F.batch_norm(e.T(4, 3), e.T(3, req=False), e.P(3),
                                                       e.T(3), e.T(3), training=True),
    "batch_norm_eval": lambda e: e.F.batch_norm(e.T(2, 3, 5), e.T(3, req=False), e.P(3),
                                                e.T(3), None),
    "batch_norm_eval_noaffine": lambda e: e.F.batch_norm(e.T(2, 3, 4, 4), e.T(3, req=False),
                                                         e.P(3)),
    "instance_norm": lambda e: e.F.instance_norm(e.T(2, 3, 4, 4)),
    "instance_norm_affine": lambda e: e.F.instance_norm(e.T(2, 3, 6), None, None, e.T(3),
                                                        e.T(3)),
    "instance_norm_stats": lambda e: e.F.instance_norm(e.T(2, 3, 4, 4).transpose(2, 3),
                                                       e.T(3, req=False), e.P(3), e.T(3)),
    "instance_norm_eval": lambda e: e.F.instance_norm(e.T(2, 3, 5), e.T(3, req=False), e.P(3),
                                                      None, e.T(3), use_input_stats=False),
    "group_norm": lambda e: e.F.group_norm(e.T(2, 4, 3, 3), 2),
    "group_norm_affine": lambda e: e.F.group_norm(e.T(2, 4, 5), 4, e.T(4), e.T(4)),
    "local_response_norm": lambda e: e.F.local_response_norm(e.T(2, 4, 3, 3), 3),
    # distances and activations with torch's own compositions
    "normalize": lambda e: e.F.normalize(e.T(2, 3, 4, 4), dim=1),
    "normalize_p1": lambda e: e.F.normalize(e.T(3, 5), p=1, dim=-1),
    "cosine_similarity": lambda e: (lambda x: e.F.cosine_similarity(x, x * 2, dim=1))(
        e.T(2, 3, 4)),
    "cosine_similarity_bcast": lambda e: e.F.cosine_similarity(e.T(3, 5), e.T(1, 5), dim=-1),
    "cosine_similarity_zero": lambda e: e.F.cosine_similarity(e.T(3, 5), e.T(3, 5) * 0),
    "pairwise_distance": lambda e: e.F.pairwise_distance(e.T(4, 5), e.T(4, 5)),
    "pairwise_distance_p1_keepdim": lambda e: e.F.pairwise_distance(e.T(4, 5), e.T(5), p=1,
                                                                    keepdim=True),
    "pairwise_distance_1d": lambda e: e.F.pairwise_distance(e.T(5), e.T(5), p=3),
    "prelu": lambda e: e.F.prelu(e.T(2, 3, 4, 4), e.T(1)),
    "prelu_channels": lambda e: e.F.prelu(e.T(2, 3, 5), e.T(3)),
    "prelu_1d": lambda e: e.F.prelu(e.T(5), e.T(1)),
    "prelu_0d_weight": lambda e: e.F.prelu(e.T(2, 3), e.T()),
    "rrelu_eval": lambda e: e.F.rrelu(e.T(3, 4)),
    "glu": lambda e: e.F.glu(e.T(2, 4, 3), 1),
    "pixel_shuffle": lambda e: e.F.pixel_shuffle(e.T(2, 8, 3, 3), 2),
    "pad_reflect": lambda e: e.F.pad(e.T(2, 3, 4, 4), (1, 1, 2, 0), mode="reflect"),
    "pad_replicate": lambda e: e.F.pad(e.T(2, 3, 4), (1, 2), mode="replicate"),
    # attention: torch's CPU flash kernel is one node for 4-D inputs
    "sdpa": lambda e: e.F.scaled_dot_product_attention(e.T(2, 2, 3, 4), e.T(2, 2, 5, 4),
                                                       e.T(2, 2, 5, 4)),
    "sdpa_causal_scale": lambda e: e.F.scaled_dot_product_attention(
        e.T(1, 2, 4, 3), e.T(1, 2, 4, 3), e.T(1, 2, 4, 3), is_causal=True, scale=0.3),
    "sdpa_bool_mask": lambda e: e.F.scaled_dot_product_attention(
        e.T(2, 2, 3, 4), e.T(2, 2, 3, 4), e.T(2, 2, 3, 4),
        attn_mask=e.C([[True, False, True], [True, True, False], [False, False, False]])),
    "sdpa_float_mask": lambda e: e.F.scaled_dot_product_attention(
        e.T(2, 2, 3, 4), e.T(2, 2, 5, 4), e.T(2, 2, 5, 4), attn_mask=e.T(2, 1, 3, 5, req=False)),
    "sdpa_3d": lambda e: e.F.scaled_dot_product_attention(e.T(2, 3, 4), e.T(2, 5, 4),
                                                          e.T(2, 5, 4)),
    "sdpa_mask_grad": lambda e: e.F.scaled_dot_product_attention(
        e.T(1, 2, 3, 4), e.T(1, 2, 3, 4), e.T(1, 2, 3, 4), attn_mask=e.T(3, 3)),
}

# random draws differ between the libraries: the graph only
GRAPH_ONLY = {
    "dropout": lambda e: e.F.dropout(e.T(4, 5), 0.4),
    "dropout_inplace": lambda e: e.F.dropout(e.T(4, 5) * 1, 0.4, inplace=True),
    "dropout_p1": lambda e: e.F.dropout(e.T(4, 5), 1.0),
    "dropout1d": lambda e: e.F.dropout1d(e.T(2, 3, 5), 0.5),
    "dropout2d": lambda e: e.F.dropout2d(e.T(2, 3, 4, 4), 0.5),
    "alpha_dropout": lambda e: e.F.alpha_dropout(e.T(4, 5), 0.5, True),
    "feature_alpha_dropout": lambda e: e.F.feature_alpha_dropout(e.T(2, 3, 4, 4), 0.5, True),
    "rrelu_train": lambda e: e.F.rrelu(e.T(3, 4), training=True),
    "sdpa_dropout": lambda e: e.F.scaled_dot_product_attention(
        e.T(1, 2, 3, 4), e.T(1, 2, 3, 4), e.T(1, 2, 3, 4), dropout_p=0.5),
}


# ----------------------------------------------------------------------------- module cases


def _lstm(**kw):
    return lambda nn: nn.LSTM(3, 4, **kw)


def _seq_input(batch_first=False, unbatched=False):
    def run(e, m):
        x = e.T(5, 3) if unbatched else (e.T(2, 5, 3) if batch_first else e.T(5, 2, 3))
        return m(x)
    return run


def _with_state(n_states, L=2, B=2, H=4, batch_first=False):
    def run(e, m):
        x = e.T(B, 5, 3) if batch_first else e.T(5, B, 3)
        hs = tuple(e.T(L, B, H) for _ in range(n_states))
        return m(x, hs if n_states > 1 else hs[0])
    return run


def _cell_loop(n_states):
    def run(e, m):
        xs = e.T(3, 2, 3)
        hx = None
        outs = []
        for t in range(3):
            hx = m(xs[t], hx)
            outs.append(hx[0] if n_states > 1 else hx)
        return (e.lib.stack(outs),) + (hx if n_states > 1 else (hx,))
    return run


def _mha(**kw):
    return lambda nn: nn.MultiheadAttention(8, 2, **kw)


def _mha_self(batch_first=True, **call):
    def run(e, m):
        x = e.T(2, 3, 8)
        return m(x, x, x, **call)
    return run


MODELS = {
    "cnn": (lambda nn: nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2),
                                     nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.0),
                                     nn.Linear(2 * 4 * 4, 3)),
            lambda e, m: m(e.T(2, 1, 8, 8, req=False))),
    "cnn_eval": (lambda nn: nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3),
                                          nn.AdaptiveAvgPool2d((2, 2))).eval(),
                 lambda e, m: m(e.T(2, 2, 6, 6))),
    "conv1d_model": (lambda nn: nn.Sequential(nn.Conv1d(2, 3, 3), nn.AvgPool1d(2), nn.GELU()),
                     lambda e, m: m(e.T(2, 2, 9, req=False))),
    "conv1d_pools": (lambda nn: nn.Sequential(nn.Conv1d(2, 4, 3, bias=False), nn.MaxPool1d(2),
                                              nn.AdaptiveMaxPool1d(2), nn.PReLU(4)),
                     lambda e, m: m(e.T(2, 2, 11))),
    "groupnorm": (lambda nn: nn.Sequential(nn.Conv2d(2, 4, 1), nn.GroupNorm(2, 4), nn.SiLU(),
                                           nn.AdaptiveAvgPool2d(1)),
                  lambda e, m: m(e.T(2, 2, 3, 3, req=False))),
    "instancenorm": (lambda nn: nn.Sequential(nn.InstanceNorm2d(3, affine=True),
                                              nn.AdaptiveAvgPool2d(3)),
                     lambda e, m: m(e.T(2, 3, 5, 5))),
    "instancenorm_unbatched_stats": (
        lambda nn: nn.InstanceNorm1d(3, affine=True, track_running_stats=True),
        lambda e, m: m(e.T(3, 6))),
    "instancenorm_momentum_none": (
        lambda nn: nn.InstanceNorm1d(3, momentum=None, track_running_stats=True),
        lambda e, m: m(e.T(2, 3, 6))),
    "embedding_layernorm": (lambda nn: nn.Sequential(nn.Embedding(10, 4), nn.LayerNorm(4)),
                            lambda e, m: m(e.C([[1, 2], [3, 4]]))),
    "layernorm_nobias": (lambda nn: nn.LayerNorm(4, bias=False),
                         lambda e, m: m(e.T(2, 4))),
    "prelu_module": (lambda nn: nn.PReLU(3), lambda e, m: m(e.T(2, 3, 4))),
    # attention
    "mha": (_mha(batch_first=True), _mha_self()),
    "mha_seq_first_kv": (_mha(), lambda e, m: (lambda k: m(e.T(3, 2, 8), k, k))(e.T(4, 2, 8))),
    "mha_cross": (_mha(), lambda e, m: m(e.T(3, 2, 8), e.T(4, 2, 8), e.T(4, 2, 8))),
    "mha_no_weights": (_mha(batch_first=True), _mha_self(need_weights=False)),
    "mha_masks": (_mha(batch_first=True), lambda e, m: (lambda x: m(
        x, x, x, key_padding_mask=e.C([[False, False, True], [False, True, False]]),
        attn_mask=e.C(np.triu(np.ones((3, 3), bool), 1))))(e.T(2, 3, 8))),
    "mha_masks_no_weights": (_mha(batch_first=True), lambda e, m: (lambda x: m(
        x, x, x, key_padding_mask=e.C([[False, False, True], [False, True, False]]),
        need_weights=False))(e.T(2, 3, 8))),
    "mha_causal_no_weights": (_mha(batch_first=True), lambda e, m: (lambda x: m(
        x, x, x, attn_mask=e.C(np.triu(np.ones((3, 3), bool), 1)), is_causal=True,
        need_weights=False))(e.T(2, 3, 8))),
    "mha_unbatched": (_mha(), lambda e, m: (lambda x: m(x, x, x))(e.T(3, 8))),
    "mha_kdim_bias_kv": (_mha(kdim=5, vdim=6, add_bias_kv=True, add_zero_attn=True),
                         lambda e, m: m(e.T(3, 2, 8), e.T(4, 2, 5), e.T(4, 2, 6),
                                        average_attn_weights=False)),
    "mha_nobias": (_mha(bias=False, batch_first=True), _mha_self()),
    "encoder_layer": (lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                            batch_first=True),
                      lambda e, m: m(e.T(2, 3, 8))),
    "encoder_layer_norm_first_gelu": (
        lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu",
                                              norm_first=True),
        lambda e, m: m(e.T(3, 2, 8), src_key_padding_mask=e.C([[False, False, True],
                                                               [False, False, False]]))),
    "encoder_causal": (lambda nn: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), 2),
        lambda e, m: m(e.T(2, 4, 8), mask=nn_causal(e, 4))),
    "decoder_layer": (lambda nn: nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0),
                      lambda e, m: m(e.T(3, 2, 8), e.T(4, 2, 8), tgt_mask=nn_causal(e, 3))),
    "transformer": (lambda nn: nn.Transformer(8, 2, 1, 1, 16, dropout=0.0, batch_first=True),
                    lambda e, m: m(e.T(2, 4, 8), e.T(2, 3, 8))),
    # recurrent
    "lstm_plain": (_lstm(), _seq_input()),
    "lstm_two_layers_bf_hx": (_lstm(num_layers=2, batch_first=True),
                              _with_state(2, batch_first=True)),
    "lstm_bidir": (_lstm(bidirectional=True, num_layers=2), _seq_input()),
    "lstm_nobias_unbatched": (_lstm(bias=False), _seq_input(unbatched=True)),
    "lstm_proj": (_lstm(proj_size=2), _seq_input()),
    "lstm_packed": (_lstm(), lambda e, m: m(e.lib.nn.utils.rnn.pack_padded_sequence(
        e.T(4, 2, 3), [4, 2]))[0].data),
    "rnn_tanh": (lambda nn: nn.RNN(3, 4, batch_first=True), _seq_input(batch_first=True)),
    "rnn_relu2": (lambda nn: nn.RNN(3, 4, 2, nonlinearity="relu"), _with_state(1)),
    "gru_plain": (lambda nn: nn.GRU(3, 4), _seq_input()),
    "gru_bidir": (lambda nn: nn.GRU(3, 4, bidirectional=True), _seq_input()),
    "lstmcell": (lambda nn: nn.LSTMCell(3, 4), _cell_loop(2)),
    "grucell": (lambda nn: nn.GRUCell(3, 4), _cell_loop(1)),
    "rnncell": (lambda nn: nn.RNNCell(3, 4), _cell_loop(1)),
    "rnncell_relu_nobias": (lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
                            _cell_loop(1)),
    "lstmcell_unbatched": (lambda nn: nn.LSTMCell(3, 4, bias=False),
                           lambda e, m: m(e.T(3), (e.T(4), e.T(4)))),
}

# the graph only (dropout draws)
MODELS_GRAPH_ONLY = {
    "lstm_dropout": (_lstm(num_layers=2, dropout=0.5), _seq_input()),
    "encoder_layer_dropout": (lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5),
                              lambda e, m: m(e.T(3, 2, 8))),
}


def nn_causal(e, n):
    return e.lib.nn.Transformer.generate_square_subsequent_mask(n, dtype=e.dt)


DTYPES = ("float32", "float64")


def _outputs(out):
    """The float tensors of a case's output (tuples flattened, None and integer ones dropped)."""
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res += _outputs(o)
        return res
    if out is None or not out.dtype.is_floating_point:
        return []
    return [out]


def _run_functional(lib, name, dtype, table):
    e = Env(lib, dtype)
    lib.manual_seed(0)
    return _outputs(table[name](e)), e.leaves


def _run_model(name, dtype, table):
    build, run = table[name]
    res = []
    state = None
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = build(lib.nn)
        if dtype == "float64":
            m = m.double()
        if state is None:
            state = {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
        else:
            m.load_state_dict({k: ember.tensor(v) for k, v in state.items()})
        e = Env(lib, dtype)
        out = _outputs(run(e, m))
        res.append((out, list(m.parameters()) + e.leaves, m))
    return res


def _marks(cid):
    if cid in GRAPH_DIFFERS:
        return [pytest.mark.xfail(strict=True, reason=GRAPH_DIFFERS[cid])]
    if cid in KNOWN:
        return [pytest.mark.xfail(strict=True, reason=KNOWN[cid])]
    return []


def _params(names, graph=True):
    return [pytest.param(n, dt, id=f"{n}-{dt}", marks=_marks(f"{n}-{dt}") if graph else [])
            for n in names for dt in DTYPES]


def _assert_same_graphs(oe, ot, le, lt):
    assert len(oe) == len(ot)
    for i, (a, b) in enumerate(zip(oe, ot)):
        ge, gt = graph_signature(a, le), graph_signature(b, lt)
        assert ge == gt, (f"output {i}: graph differs\n--- ember\n{format_signature(ge)}\n"
                          f"--- torch\n{format_signature(gt)}")


def _tol(dtype):
    return (2e-4, 2e-5) if dtype == "float32" else (1e-9, 1e-10)


def _assert_same_values(oe, ot, le, lt, dtype):
    rtol, atol = _tol(dtype)
    assert len(oe) == len(ot)
    for a, b in zip(oe, ot):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol, atol)
    rng = np.random.default_rng(1)
    ws = [rng.standard_normal(tuple(b.shape)).astype(b.detach().numpy().dtype) for b in ot]
    pairs = [(a, b, w) for a, b, w in zip(oe, ot, ws) if b.requires_grad]
    if not pairs:
        return
    sum((a * ember.tensor(w)).sum() for a, _, w in pairs).backward()
    sum((b * torch.tensor(w)).sum() for _, b, w in pairs).backward()
    for i, (x, y) in enumerate(zip(le, lt)):
        if y.grad is None:
            assert x.grad is None or not np.any(x.grad.numpy()), f"leaf {i}"
            continue
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol * 5, atol * 5,
                                   err_msg=f"gradient of leaf {i}")


@needs_torch
@pytest.mark.parametrize("name,dtype", _params(list(FUNCTIONAL) + list(GRAPH_ONLY)))
def test_functional_graph_vs_torch(name, dtype):
    table = FUNCTIONAL if name in FUNCTIONAL else GRAPH_ONLY
    ot, lt = _run_functional(torch, name, dtype, table)
    oe, le = _run_functional(ember, name, dtype, table)
    _assert_same_graphs(oe, ot, le, lt)


@needs_torch
@pytest.mark.parametrize("name,dtype", _params(FUNCTIONAL, graph=False))
def test_functional_values_vs_torch(name, dtype):
    ot, lt = _run_functional(torch, name, dtype, FUNCTIONAL)
    oe, le = _run_functional(ember, name, dtype, FUNCTIONAL)
    _assert_same_values(oe, ot, le, lt, dtype)


@needs_torch
@pytest.mark.parametrize("name,dtype", _params(list(MODELS) + list(MODELS_GRAPH_ONLY)))
def test_model_graph_vs_torch(name, dtype):
    table = MODELS if name in MODELS else MODELS_GRAPH_ONLY
    (ot, lt, _), (oe, le, _) = _run_model(name, dtype, table)
    _assert_same_graphs(oe, ot, le, lt)


@needs_torch
@pytest.mark.parametrize("name,dtype", _params(MODELS, graph=False))
def test_model_values_vs_torch(name, dtype):
    (ot, lt, mt), (oe, le, me) = _run_model(name, dtype, MODELS)
    _assert_same_values(oe, ot, le, lt, dtype)
    rtol, atol = _tol(dtype)
    for k, v in mt.state_dict().items():  # running statistics updated alike
        np.testing.assert_allclose(me.state_dict()[k].numpy(), v.detach().numpy(), rtol, atol,
                                   err_msg=k)


def test_deliberate_differences_name_real_cases():
    ids = {f"{n}-{dt}" for n in list(FUNCTIONAL) + list(GRAPH_ONLY) + list(MODELS)
           + list(MODELS_GRAPH_ONLY) for dt in DTYPES}
    assert set(GRAPH_DIFFERS) <= ids and set(KNOWN) <= ids


# ------------------------------------------------ the new and restructured ops: gradchecks


def _t(*shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return ember.tensor(a, requires_grad=True)


F = ember.nn.functional

GRADCHECKS = {
    "adaptive_avg_pool2d_nondiv": (lambda x: F.adaptive_avg_pool2d(x, (3, 2)), [(2, 2, 5, 7)]),
    "adaptive_avg_pool1d": (lambda x: F.adaptive_avg_pool1d(x, 3), [(3, 7)]),
    "adaptive_avg_pool2d_unbatched_div": (lambda x: F.adaptive_avg_pool2d(x, 2), [(2, 4, 4)]),
    "adaptive_max_pool2d_unbatched": (lambda x: F.adaptive_max_pool2d(x, 2), [(2, 5, 5)]),
    "max_pool2d_unbatched_tiled": (lambda x: F.max_pool2d(x, 2), [(2, 4, 4)]),
    "max_pool2d_unbatched": (lambda x: F.max_pool2d(x, 3, 2, 1), [(2, 5, 5)]),
    "max_pool1d": (lambda x: F.max_pool1d(x, 3, 2, 1), [(2, 2, 7)]),
    "avg_pool2d_unbatched": (lambda x: F.avg_pool2d(x, 3, 2, 1), [(2, 5, 5)]),
    "avg_pool1d": (lambda x: F.avg_pool1d(x, 2), [(3, 6)]),
    "prelu": (lambda x, w: F.prelu(x, w), [(2, 3, 4), (3,)]),
    "cosine_similarity": (lambda a, b: F.cosine_similarity(a, b, dim=-1), [(3, 4), (1, 4)]),
    "pairwise_distance": (lambda a, b: F.pairwise_distance(a, b), [(3, 4), (3, 4)]),
    "normalize": (lambda x: F.normalize(x), [(3, 4)]),
    "instance_norm": (lambda x, w: F.instance_norm(x, weight=w), [(2, 3, 4), (3,)]),
    "sdpa_flash": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v), [(1, 2, 3, 4),
                                                                              (1, 2, 5, 4),
                                                                              (1, 2, 5, 4)]),
    "sdpa_flash_mask": (lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=ember.tensor([[True, False, True], [False, False, False],
                                         [True, True, True]])), [(1, 1, 3, 2)] * 3),
    "lstm_layer_reverse": (lambda x, wi, wh, bi, bh, h, c: ember.autograd.function._apply(
        ember._ops.rnn.LSTMSeq, (x, wi, wh, bi, bh, h, c, True), {}, None),
        [(3, 2, 2), (8, 2), (8, 2), (8,), (8,), (2, 2), (2, 2)]),
}


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_gradcheck_and_gradgradcheck(name):
    fn, shapes = GRADCHECKS[name]
    xs = [_t(*s, seed=i) for i, s in enumerate(shapes)]
    assert gradcheck(fn, xs, atol=1e-5, rtol=1e-3)
    assert gradgradcheck(fn, xs, atol=1e-5, rtol=1e-3)
