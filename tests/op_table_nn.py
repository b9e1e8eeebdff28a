"""The op table's second half: ``nn.functional``, ``linalg`` and the less common core ops, so
that every Op class is reached by the generic tests (values, gradients, ``grad_fn`` names vs
torch, float64 gradcheck and gradgradcheck).  ``tests/test_design_rules.py`` checks that every
Op is reached by some entry of the table or is on its documented exemption list.

Imported by ``op_table.py``; entries use its helpers and land in the same ``OPS`` list.
"""
from __future__ import annotations

import numpy as np

from op_table import NZ, P, PERM, R, S, U, I, op, un_samples  # noqa: F401


def F(lib):
    return lib.nn.functional


_ACT = [S(R(2, 3)), S(R(3, 1, 2))]

# ------------------------------------------------------------------------------ core math

op("atan2", lambda lib, a, b: lib.atan2(a, b), [S(R(2, 3), NZ(2, 3)), S(R(3), NZ(2, 1))])
op("erfc", lambda lib, a: lib.erfc(a), un_samples())
op("erfinv", lambda lib, a: lib.erfinv(a), un_samples(U))
op("frac", lambda lib, a: lib.frac(a), [S(R(2, 3) * 3)])
op("fmax", lambda lib, a, b: lib.fmax(a, b), [S(R(2, 3), R(2, 3)), S(R(2, 3), R(3))])
op("fmin", lambda lib, a, b: lib.fmin(a, b), [S(R(2, 3), R(2, 3))])
op("nan_to_num", lambda lib, a: lib.nan_to_num(a / a.detach().abs().gt(0.3).to(a.dtype)),
   [S(NZ(2, 3))])
op("rsub_alpha", lambda lib, a, b: lib.rsub(a, b, alpha=2.5), [S(R(2, 3), R(2, 3))])
op("addcdiv", lambda lib, a, b, c: lib.addcdiv(a, b, c, value=0.5),
   [S(R(2, 3), R(2, 3), NZ(2, 3))])
op("clamp_tensor_bounds", lambda lib, a, lo, hi: lib.clamp(a, lo, hi),
   [S(R(2, 3), R(2, 3) - 1, R(2, 3) + 1)])
op("clamp_min_tensor", lambda lib, a, lo: lib.clamp(a, min=lo), [S(R(2, 3), R(2, 3))])
# (no gradcheck: a float64 step of 1e-6 vanishes in the float32 copy)
op("to_float32", lambda lib, a: a.to(lib.float32) * 1.0, [S(R(2, 3))], dtypes=("float64",),
   grad_samples=[])

# ------------------------------------------------------------------------------ linalg


def _spd(n):
    a = R(n, n)
    return a @ a.T + n * np.eye(n)


op("linalg_inv", lambda lib, a: lib.linalg.inv(a), [S(_spd(3))])
op("linalg_det", lambda lib, a: lib.linalg.det(a), [S(_spd(3))])
op("linalg_slogdet", lambda lib, a: lib.linalg.slogdet(a)[1], [S(_spd(3))])
op("linalg_solve", lambda lib, a, b: lib.linalg.solve(a, b), [S(_spd(3), R(3, 2))])
# symmetrised inside, so that gradcheck's one-sided perturbations stay symmetric
op("linalg_cholesky", lambda lib, a: lib.linalg.cholesky((a + a.mT) / 2), [S(_spd(3))])
op("linalg_cross", lambda lib, a, b: lib.linalg.cross(a, b), [S(R(2, 3), R(2, 3))])

# issue 13 (linalg): decompositions compared through gauge-invariant functions (|U|, |V|: the
# columns' signs are arbitrary), well-conditioned inputs with distinct singular/eigenvalues
_DEC = dict(atol=1e-4, rtol=1e-3)


def _tri(n, upper=True):
    a = R(n, n) * 0.3 + 2 * np.eye(n)
    return np.triu(a) if upper else np.tril(a)


def _svd_parts(r):
    return r[0].abs(), r[1], r[2].abs()


op("linalg_svd", lambda lib, a: _svd_parts(lib.linalg.svd(a, full_matrices=False)),
   [S(R(4, 3)), S(R(3, 4)), S(R(2, 3, 3))], **_DEC)
op("linalg_svd_full", lambda lib, a: (lambda r: (r.U[..., :3].abs(), r.S, r.Vh.abs()))(
    lib.linalg.svd(a)), [S(R(4, 3))], **_DEC)
op("svd_old", lambda lib, a: _svd_parts(lib.svd(a)), [S(R(4, 3)), S(R(2, 3, 4))], **_DEC)
op("svd_old_no_uv", lambda lib, a: lib.svd(a, compute_uv=False), [S(R(4, 3))], **_DEC)
op("linalg_svdvals", lambda lib, a: lib.linalg.svdvals(a), [S(R(3, 4)), S(R(2, 4, 3))], **_DEC)
op("linalg_qr", lambda lib, a: tuple(lib.linalg.qr(a)), [S(R(4, 3)), S(R(2, 3, 3))], **_DEC)
op("linalg_qr_wide", lambda lib, a: tuple(lib.linalg.qr(a, mode="complete")), [S(R(3, 5))],
   **_DEC)
op("linalg_qr_r", lambda lib, a: lib.linalg.qr(a, mode="r")[1], [S(R(4, 3))], grad=False)
op("qr_old", lambda lib, a: tuple(lib.qr(a, some=False)), [S(R(3, 3))], **_DEC)
op("linalg_eigh", lambda lib, a: (lambda r: (r[0], r[1].abs()))(lib.linalg.eigh(a + a.mT)),
   [S(R(3, 3)), S(R(2, 4, 4))], **_DEC)
op("linalg_eigh_upper", lambda lib, a: lib.linalg.eigh(a.triu() + a.triu(1).mT, UPLO="U")[0],
   [S(R(3, 3))], **_DEC)
op("linalg_eigvalsh", lambda lib, a: lib.linalg.eigvalsh(a + a.mT), [S(R(2, 3, 3))], **_DEC)
# (complex results: compared through |.|; values, dtypes and phases in test_linalg_more.py)
op("linalg_eigvals", lambda lib, a: lib.linalg.eigvals(a).abs(), [S(R(3, 3)), S(_spd(3))],
   grad=False)
op("linalg_eig", lambda lib, a: tuple(x.abs() for x in lib.linalg.eig(a)), [S(R(3, 3))],
   grad=False)
op("linalg_pinv", lambda lib, a: lib.linalg.pinv(a), [S(R(4, 3)), S(R(3, 5)), S(R(2, 3, 3))],
   **_DEC)
op("linalg_pinv_hermitian", lambda lib, a: lib.linalg.pinv(a + a.mT, hermitian=True),
   [S(R(3, 3))], **_DEC)
def _pinv_tol_sample():
    """Singular values 3, 1.5 and 0.1: the 0.5 cutoff drops one, far from the kink where
    pinv is not differentiable (a sample from the shared stream could sit next to it)."""
    g = np.random.default_rng(41)
    u, _ = np.linalg.qr(g.standard_normal((4, 3)))
    v, _ = np.linalg.qr(g.standard_normal((3, 3)))
    return u @ np.diag([3.0, 1.5, 0.1]) @ v.T


# torch's pinv backward is the full-rank formula: with a cutoff that drops a singular value it
# is not the derivative (torch's own gradcheck fails), so gradients are compared with torch's
# and gradcheck is not run (grad_samples=[])
op("linalg_pinv_tol", lambda lib, a: lib.linalg.pinv(a, atol=0.5, rtol=0.1),
   [S(_pinv_tol_sample())], grad_samples=[], **_DEC)
op("pinverse", lambda lib, a: lib.pinverse(a), [S(R(3, 4))], **_DEC)
op("linalg_lstsq", lambda lib, a, b: lib.linalg.lstsq(a, b)[0],
   [S(R(5, 3), R(5, 2)), S(R(2, 5, 3), R(2, 5, 2)), S(R(4, 3), R(4))], **_DEC)
# (the singular values carry no gradient in torch: compared in test_linalg_more.py)
op("linalg_lstsq_gelsd", lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelsd")[:3],
   [S(R(5, 3), R(5, 2))], **_DEC)
op("linalg_solve_triangular",
   lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True), [S(_tri(3), R(3, 2))])
op("linalg_solve_triangular_right",
   lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False, left=False,
                                                 unitriangular=True),
   [S(_tri(3, False), R(2, 3)), S(_tri(3, False), R(2, 2, 3))])
op("triangular_solve", lambda lib, b, a: tuple(lib.triangular_solve(b, a)),
   [S(R(3, 2), _tri(3))])
op("triangular_solve_t", lambda lib, b, a: lib.triangular_solve(b, a, False, True)[0],
   [S(R(3, 2), _tri(3, False))])
op("linalg_matrix_exp", lambda lib, a: lib.linalg.matrix_exp(a),
   [S(R(3, 3) * 0.5), S(R(2, 2, 2) * 2)])
op("matrix_exp_old", lambda lib, a: lib.matrix_exp(a), [S(R(3, 3))])
op("linalg_matrix_norm_svd", lambda lib, a: (lib.linalg.matrix_norm(a, "nuc"),
                                             lib.linalg.matrix_norm(a, 2, keepdim=True),
                                             lib.linalg.matrix_norm(a, -2, dim=(0, 2))),
   [S(R(3, 4, 2))], **_DEC)
op("linalg_cond", lambda lib, a: (lib.linalg.cond(a), lib.linalg.cond(a, -2)),
   [S(_spd(3)), S(R(4, 3))], **_DEC)
op("linalg_cond_fro", lambda lib, a: lib.linalg.cond(a, "fro"), [S(_spd(3))], grad=False)
op("linalg_multi_dot", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]),
   [S(R(2, 3), R(3, 4), R(4, 2)), S(R(3), R(3, 4), R(4))])
op("linalg_multi_dot4", lambda lib, a, b, c, d: lib.linalg.multi_dot([a, b, c, d]),
   [S(R(3, 5), R(5, 1), R(1, 4), R(4, 2))])
op("chain_matmul", lambda lib, a, b: lib.chain_matmul(a, b), [S(R(2, 3), R(3, 4))])
op("linalg_lu_factor", lambda lib, a: tuple(lib.linalg.lu_factor(a)),
   [S(R(3, 3)), S(R(2, 4, 4)), S(R(3, 5)), S(R(5, 3))], **_DEC)
op("linalg_lu", lambda lib, a: tuple(lib.linalg.lu(a)),
   [S(R(3, 3)), S(R(4, 2)), S(R(2, 4))], **_DEC)
op("linalg_lu_factor_ex", lambda lib, a: tuple(lib.linalg.lu_factor_ex(a)), [S(R(3, 3))],
   **_DEC)
op("lu_old", lambda lib, a: lib.lu(a, get_infos=True), [S(R(3, 3))], **_DEC)
op("lu_unpack", lambda lib, a: tuple(lib.lu_unpack(*lib.linalg.lu_factor(a))),
   [S(R(3, 3)), S(R(4, 2)), S(R(2, 4))], **_DEC)
op("linalg_lu_solve", lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b),
   [S(R(3, 3) + 2 * np.eye(3), R(3, 2))], **_DEC)
op("linalg_lu_solve_adjoint",
   lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, adjoint=True),
   [S(R(3, 3) + 2 * np.eye(3), R(3, 2))], **_DEC)
op("linalg_lu_solve_right",
   lambda lib, a, b: (lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=False),
                      lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=False,
                                          adjoint=True)),
   [S(R(3, 3) + 2 * np.eye(3), R(2, 3))], **_DEC)
op("lu_solve_old", lambda lib, a, b: lib.lu_solve(b, *lib.linalg.lu_factor(a)),
   [S(R(3, 3) + 2 * np.eye(3), R(3, 2))], **_DEC)
op("linalg_cholesky_ex", lambda lib, a: tuple(lib.linalg.cholesky_ex((a + a.mT) / 2)),
   [S(_spd(3))])
op("linalg_inv_ex", lambda lib, a: tuple(lib.linalg.inv_ex(a)), [S(_spd(3))])
op("linalg_solve_ex", lambda lib, a, b: tuple(lib.linalg.solve_ex(a, b)),
   [S(_spd(3), R(3, 2))])
op("cholesky_old", lambda lib, a: lib.cholesky((a + a.mT) / 2, upper=True), [S(_spd(3))])
op("cholesky_solve", lambda lib, b, a: lib.cholesky_solve(b, lib.linalg.cholesky((a + a.mT) / 2)),
   [S(R(3, 2), _spd(3))])
op("cholesky_solve_upper", lambda lib, b, u: lib.cholesky_solve(b, u.triu(), upper=True),
   [S(R(3, 2), _tri(3))])
op("cholesky_inverse", lambda lib, a: (lib.cholesky_inverse(a.tril()),
                                       lib.cholesky_inverse(a.tril().mT, upper=True)),
   [S(_tri(3, False))])
# (det of singular matrices: gradients vs torch's create_graph ones in test_linalg_more.py)
op("det_old", lambda lib, a: (lib.det(a), a.det(), lib.logdet(a), a.logdet()),
   [S(_spd(3)), S(R(2, 3, 3))], grad_samples=[S(_spd(3))])  # (logdet < 0: nan)
op("slogdet_old", lambda lib, a: tuple(lib.slogdet(a)), [S(R(3, 3))])
op("inverse", lambda lib, a: (lib.inverse(a), a.inverse()), [S(_spd(3))])
op("matrix_power_old", lambda lib, a: (lib.matrix_power(a, 3), a.matrix_power(-2)),
   [S(_spd(3))])
op("cross_old", lambda lib, a, b: (lib.cross(a, b, dim=0), a.cross(b, 1)),
   [S(R(3, 3), R(3, 3))])
op("linalg_vander", lambda lib, x: lib.linalg.vander(x, N=4), [S(R(2, 3)), S(R(4))])
op("linalg_tensorinv", lambda lib, a: lib.linalg.tensorinv(a, ind=1),
   [S(_spd(4).reshape(4, 2, 2))], torch_grad_fn=False)  # torch: ReshapeAlias of LAPACK layout
op("linalg_tensorsolve", lambda lib, a, b: lib.linalg.tensorsolve(a, b),
   [S(_spd(6).reshape(2, 3, 6), R(2, 3))])
op("linalg_vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0), [S(R(3, 2), R(3, 2))])
# composed of differentiable ops (torch: one LinalgHouseholderProductBackward0 node)
op("linalg_householder_product", lambda lib, a, t: lib.linalg.householder_product(a, t),
   [S(R(4, 3), R(2)), S(R(2, 3, 3), R(2, 3))], torch_grad_fn=False)

# ------------------------------------------------------------------------------ activations

for _name, _kw in [("elu", {}), ("celu", {"alpha": 0.7}), ("gelu", {}),
                   ("gelu", {"approximate": "tanh"}), ("hardshrink", {}),
                   ("softshrink", {"lambd": 0.3}), ("hardsigmoid", {}), ("hardswish", {}),
                   ("leaky_relu", {"negative_slope": 0.2}), ("logsigmoid", {}), ("mish", {}),
                   ("silu", {})]:
    # (torch has no double backward for hardsigmoid: its second derivative raises)
    op(_name + ("_tanh" if _kw.get("approximate") else ""),
       (lambda n, kw: lambda lib, a: getattr(F(lib), n)(a, **kw))(_name, _kw), _ACT,
       gradgrad=_name != "hardsigmoid")
op("threshold", lambda lib, a: F(lib).threshold(a, 0.1, -2.0), _ACT)
op("glu", lambda lib, a: F(lib).glu(a, -1), [S(R(2, 4)), S(R(3, 2))])
op("prelu", lambda lib, a, w: F(lib).prelu(a, w), [S(R(2, 3, 2), R(3)), S(R(2, 3), R(1))])

# ------------------------------------------------------------------------------ padding

for _mode, _pads in [("constant", [(1, 2), (1, 0, 2, 1)]), ("reflect", [(1, 2), (1, 1, 2, 0),
                                                                       (1, 0, 1, 1, 0, 1)]),
                     ("replicate", [(1, 2), (1, 1, 2, 0), (1, 0, 1, 1, 0, 1)]),
                     ("circular", [(1, 2), (1, 1, 2, 0), (1, 0, 1, 1, 0, 1)])]:
    for _p in _pads:
        _shape = {2: (2, 2, 4), 4: (1, 2, 3, 4), 6: (1, 1, 3, 3, 3)}[len(_p)]
        # circular: torch records its slice copies (a CopySlices chain), ember one node
        op(f"pad_{_mode}_{len(_p) // 2}d",
           (lambda m, p: lambda lib, a: F(lib).pad(a, p, m))(_mode, _p), [S(R(*_shape))],
           torch_grad_fn=_mode != "circular")

# ------------------------------------------------------------------------------ losses

_SIG = lambda *s: np.asarray(np.random.default_rng(3).uniform(0.1, 0.9, s))  # noqa: E731
op("binary_cross_entropy", lambda lib, a, t: F(lib).binary_cross_entropy(a, t),
   [S(_SIG(2, 3), _SIG(2, 3))])
op("binary_cross_entropy_with_logits",
   lambda lib, a, t: F(lib).binary_cross_entropy_with_logits(a, t), [S(R(2, 3), _SIG(2, 3))])
op("mse_loss", lambda lib, a, t: F(lib).mse_loss(a, t), [S(R(2, 3), R(2, 3))])
op("huber_loss", lambda lib, a, t: F(lib).huber_loss(a, t, delta=0.5),
   [S(R(2, 3), R(2, 3))])
op("smooth_l1_loss", lambda lib, a, t: F(lib).smooth_l1_loss(a, t, beta=0.5),
   [S(R(2, 3), R(2, 3))])

# ------------------------------------------------------------------------------ normalisation


def _bn(lib, x, w, b):
    return F(lib).batch_norm(x, None, None, w, b, training=True)


op("batch_norm", _bn, [S(R(4, 3), R(3), R(3)), S(R(2, 3, 2), R(3), R(3))])
op("layer_norm", lambda lib, x, w, b: F(lib).layer_norm(x, (3,), w, b),
   [S(R(2, 3), R(3), R(3))])
op("group_norm", lambda lib, x, w, b: F(lib).group_norm(x, 2, w, b),
   [S(R(2, 4, 3), R(4), R(4))])
op("normalize", lambda lib, x: F(lib).normalize(x, dim=1), [S(R(2, 3))])
op("embedding", lambda lib, i, w: F(lib).embedding(i, w), [S(I(4, 2, 3), R(4, 3))])
op("dropout_eval", lambda lib, a: F(lib).dropout(a, 0.5, training=False) * 1.0, [S(R(2, 3))])

# ------------------------------------------------------------------------------ conv, pool

op("conv1d", lambda lib, x, w, b: F(lib).conv1d(x, w, b, padding=1),
   [S(R(2, 2, 5), R(3, 2, 3), R(3))])
op("conv2d", lambda lib, x, w, b: F(lib).conv2d(x, w, b, stride=2, padding=1),
   [S(R(1, 2, 5, 4), R(3, 2, 3, 3), R(3))])
op("conv_transpose2d", lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=2),
   [S(R(1, 2, 3, 3), R(2, 3, 2, 2))])
op("unfold", lambda lib, x: F(lib).unfold(x, 2), [S(R(1, 2, 3, 3))])
op("fold", lambda lib, x: F(lib).fold(x, (3, 3), 2), [S(R(1, 8, 4))])
op("pixel_shuffle", lambda lib, x: F(lib).pixel_shuffle(x, 2), [S(R(1, 4, 2, 3))])
op("pixel_unshuffle", lambda lib, x: F(lib).pixel_unshuffle(x, 2), [S(R(1, 1, 4, 2))])
op("max_pool2d", lambda lib, x: F(lib).max_pool2d(x, 2), [S(R(1, 2, 4, 4))])
op("max_pool2d_stride1", lambda lib, x: F(lib).max_pool2d(x, 3, 1, 1), [S(R(1, 1, 4, 5))])
op("avg_pool2d", lambda lib, x: F(lib).avg_pool2d(x, 2), [S(R(1, 2, 4, 4))])
op("avg_pool2d_pad", lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1), [S(R(1, 1, 5, 5))])
op("adaptive_avg_pool2d", lambda lib, x: F(lib).adaptive_avg_pool2d(x, (2, 3)),
   [S(R(1, 2, 5, 7)), S(R(1, 1, 4, 6))])
op("adaptive_avg_pool3d", lambda lib, x: F(lib).adaptive_avg_pool3d(x, 2),
   [S(R(1, 1, 3, 3, 3))])
op("adaptive_max_pool2d", lambda lib, x: F(lib).adaptive_max_pool2d(x, 2), [S(R(1, 2, 5, 5))])

# ------------------------------------------------------------------------------ resampling

for _mode, _shape, _kw in [("nearest", (1, 1, 3), {}), ("nearest", (1, 1, 2, 3), {}),
                           ("nearest", (1, 1, 2, 2, 2), {}), ("nearest-exact", (1, 1, 3), {}),
                           ("nearest-exact", (1, 1, 2, 3), {}),
                           ("nearest-exact", (1, 1, 2, 2, 2), {}),
                           ("linear", (1, 1, 3), {"align_corners": False}),
                           ("bilinear", (1, 1, 2, 3), {"align_corners": False}),
                           ("bicubic", (1, 1, 3, 3), {"align_corners": True}),
                           ("trilinear", (1, 1, 2, 2, 2), {"align_corners": False})]:
    op(f"interpolate_{_mode}_{len(_shape) - 2}d",
       (lambda m, kw: lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode=m, **kw))(
           _mode, _kw), [S(R(*_shape))])

# ------------------------------------------------------------------------------ attention

op("scaled_dot_product_attention",
   lambda lib, q, k, v: F(lib).scaled_dot_product_attention(q, k, v),
   [S(R(1, 2, 3, 4), R(1, 2, 5, 4), R(1, 2, 5, 4))])
op("scaled_dot_product_attention_causal",
   lambda lib, q, k, v: F(lib).scaled_dot_product_attention(q, k, v, is_causal=True),
   [S(R(1, 2, 3, 4), R(1, 2, 3, 4), R(1, 2, 3, 4))])

# ------------------------------------------------------------------------------ in-place


def _inplace(name, *args):
    def fn(lib, a):
        b = a * 1.0
        getattr(b, name)(*args)
        return b
    return fn


for _k, (_name, _args, _shape) in enumerate([("t_", (), (2, 3)), ("transpose_", (0, 1), (2, 3)),
                             ("squeeze_", (), (2, 1, 3)), ("squeeze_", (1,), (2, 1, 3)),
                             ("squeeze_", ((1, 3),), (2, 1, 3, 1)),
                             ("unsqueeze_", (1,), (2, 3)), ("fill_", (2.0,), (2, 3)),
                             ("zero_", (), (2, 3))]):
    op(f"inplace_{_name}{_k}", _inplace(_name, *_args), [S(R(*_shape))])
op("inplace_copy_", lambda lib, a, b: (a * 1.0).copy_(b), [S(R(2, 3), R(3))])
op("inplace_fill_tensor", lambda lib, a, v: (a * 1.0).fill_(v), [S(R(2, 3), R())])
op("setitem_fill", lambda lib, a: _setitem(a * 1.0, (0, slice(None)), 3.0), [S(R(2, 3))])
op("setitem_tensor", lambda lib, a, v: _setitem(a * 1.0, (slice(None), 1), v),
   [S(R(2, 3), R(2))])
op("index_put", lambda lib, a, v: (a * 1.0).index_put((lib.tensor([0, 1]),), v),
   [S(R(3, 2), R(2, 2))])


def _setitem(t, idx, v):
    t[idx] = v
    return t


op("setitem_all_fill", lambda lib, a: _setitem(a * 1.0, Ellipsis, 3.0), [S(R(2, 3))])
op("setitem_all_copy", lambda lib, a, v: _setitem(a * 1.0, Ellipsis, v), [S(R(2, 3), R(3))])
# an out-of-range index that gathers nothing: torch returns the empty result, no error
op("index_empty_out_of_range", lambda lib, a: a[:, lib.tensor([5])], [S(R(0, 3))])
op("clamp_max_fn", lambda lib, a: lib.clamp_max(a, 0.3), [S(R(2, 3))])
op("clamp_max_tensor", lambda lib, a, b: lib.clamp_max(a, b), [S(R(2, 3), R(3))])
op("clamp_min_tensor_fn", lambda lib, a, b: lib.clamp_min(a, b), [S(R(2, 3), R(3))])
op("fmod_scalar", lambda lib, a: lib.fmod(a, 1.5), [S(R(2, 3) * 3)])
op("rsub_scalar_alpha", lambda lib, a: lib.rsub(a, 2.0, alpha=2), [S(R(2, 3))])
op("local_response_norm_3d", lambda lib, x: F(lib).local_response_norm(x, 3),
   [S(R(1, 4, 2, 2, 2))])
op("poisson_nll_loss_full", lambda lib, a, t: F(lib).poisson_nll_loss(a, t, full=True),
   [S(R(2, 3), P(2, 3) * 3)])
op("kl_div", lambda lib, a, t: F(lib).kl_div(a, t, reduction="batchmean"),
   [S(R(2, 3), P(2, 3))])
# 3-D inputs: torch's math path (not the flash kernel): q and k scaled by sqrt(scale) each
op("scaled_dot_product_attention_3d",
   lambda lib, q, k, v: F(lib).scaled_dot_product_attention(q, k, v),
   [S(R(2, 3, 4), R(2, 5, 4), R(2, 5, 4))])
op("cross_entropy_probs_empty", lambda lib, a, t: F(lib).cross_entropy(a, t),
   [S(R(0, 3), R(0, 3))])
op("dropout_p0_train", lambda lib, a: F(lib).dropout(a, 0.0, training=True), [S(R(2, 3))])
op("transpose_0d", lambda lib, a: a.transpose(0, -1) * 1.0, [S(R())])
op("movedim_0d", lambda lib, a: lib.movedim(a, 0, 0) * 1.0, [S(R())])
# forward only: torch's backward raises for these (adaptive pooling to an empty output; huber
# of two dtypes: "Found dtype Double but expected Float")
op("adaptive_avg_pool2d_empty_out", lambda lib, x: F(lib).adaptive_avg_pool2d(x, (0, 2)),
   [S(R(1, 2, 3, 3))], grad=False)
op("adaptive_avg_pool3d_empty_out", lambda lib, x: F(lib).adaptive_avg_pool3d(x, (0, 1, 1)),
   [S(R(1, 1, 2, 2, 2))], grad=False)
op("huber_loss_mixed", lambda lib, a, t: F(lib).huber_loss(a.to(lib.float32), t),
   [S(R(2, 3), R(2, 3))], grad=False, dtypes=("float64",))
# an empty batch: torch's double backward of convolution is undefined there (no gradient)
op("conv2d_empty_batch", lambda lib, x, w: F(lib).conv2d(x, w), [S(R(0, 2, 4, 4), R(3, 2, 3, 3))])

# issue 13 (h13-linalg): conv_tbc (torch has no double backward for it)
op("conv_tbc", lambda lib, x, w, b: F(lib).conv_tbc(x, w, b, 1),
   [S(R(5, 2, 3), R(3, 3, 4), R(4)), S(R(4, 1, 2), R(2, 2, 3), R(3))], gradgrad=False)
# issue 13 (h13-linalg): geqrf (no derivative in torch), ormqr/orgqr composed (torch: one
# OrmqrBackward0 / LinalgHouseholderProductBackward0 node)
op("geqrf", lambda lib, a: lib.geqrf(a), [S(R(4, 3)), S(R(2, 3, 5))], grad=False)
op("ormqr", lambda lib, a, t, c: lib.ormqr(a, t, c), [S(R(4, 3), R(3), R(4, 2))],
   torch_grad_fn=False)
op("ormqr_right_t", lambda lib, a, t, c: lib.ormqr(a, t, c, False, True),
   [S(R(2, 4, 3), R(2, 3), R(2, 2, 4))], torch_grad_fn=False)
op("orgqr", lambda lib, a, t: a.orgqr(t), [S(R(4, 3), R(2))], torch_grad_fn=False)
# issue 13 (h13-linalg): fractional max pooling with given samples (torch's windows)
_FMP2 = np.random.default_rng(43).random((2, 3, 2))
_FMP3 = np.random.default_rng(44).random((1, 2, 3))
op("fractional_max_pool2d",
   lambda lib, x: F(lib).fractional_max_pool2d(x, (2, 3), (3, 4),
                                               _random_samples=lib.tensor(_FMP2, dtype=x.dtype)),
   [S(R(2, 3, 7, 9))])
op("fractional_max_pool3d",
   lambda lib, x: F(lib).fractional_max_pool3d(x, 2, (2, 3, 2), return_indices=True,
                                               _random_samples=lib.tensor(_FMP3,
                                                                          dtype=x.dtype))[0],
   [S(R(2, 5, 6, 4))])
