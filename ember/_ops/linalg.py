"""Matrix products: matmul in all its forms, mm/bmm/mv/dot/outer, addmm, einsum."""
from __future__ import annotations

from .. import _dtype as D
from .._backend import matmul2, xp
from .._backend import xp as _xp  # index arrays built inside backward formulas
from .._tensor import Tensor
from ..autograd.function import Op, _apply, _apply2
from . import pointwise as _pw
from . import shape as _sh
from ._utils import as_tensor_arg, broadcast_error, cpp_dtype_name, scalar_type_name


def _mat_t(x, xp):
    return x.swapaxes(-1, -2)  # (ndarray and Tensor method alike)


class Matmul(Op):
    """C = A @ B (mm, bmm): dA = G B^T, dB = A^T G."""

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
            # torch's mm backward: a column-major (transposed-view) 2-D operand gets its
            # gradient in column-major order too: computed as (.. @ ..)^T, so that after the
            # transpose back (x @ w.t(): TBackward) it lands contiguous in w's layout
            ctx.cm = (_col_major(a) if need[0] else False, _col_major(b) if need[1] else False)
        return matmul2(a, b) if a.ndim == 2 and b.ndim == 2 else xp.matmul(a, b)

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        cm_a, cm_b = ctx.cm
        ga = gb = None
        if b is not None:
            ga = _mat_t(xp.matmul(b, _mat_t(g, xp)), xp) if cm_a else \
                xp.matmul(g, _mat_t(b, xp))
        if a is not None:
            gb = _mat_t(xp.matmul(_mat_t(g, xp), a), xp) if cm_b else \
                xp.matmul(_mat_t(a, xp), g)
        return ga, gb


def _col_major(x):
    """A 2-D array laid out column-major (a transposed contiguous matrix), as torch tests it."""
    if x.ndim != 2:
        return False
    s0, s1 = x.strides
    n0, n1 = x.shape
    return s0 == x.itemsize and s1 == n0 * x.itemsize and n1 > 1 and n0 > 1


class Mm(Matmul):
    node_name = "MmBackward0"


class Bmm(Matmul):
    node_name = "BmmBackward0"


class Mv(Op):
    """y = A v: dA = g v^T, dv = A^T g."""

    @staticmethod
    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return xp.matmul(a, v)

    @staticmethod
    def backward(ctx, g, xp):
        a, v = ctx.saved_tensors
        ga = xp.matmul(g[..., :, None], v[..., None, :])
        gv = xp.matmul(_mat_t(a, xp), g[..., :, None])[..., 0]
        return ga, gv


class Dot(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.dot(a, b)

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        return g * b, g * a


def _promote(a, b):
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{cpp_dtype_name(a._array.dtype)} != "
                           f"{cpp_dtype_name(b._array.dtype)}")


def matmul(input, other):
    """torch.matmul, composed exactly as torch's ``_matmul_impl`` composes it (so the graph is
    torch's node for node): dot, mv, ``unsqueeze -> mm -> squeeze_``, mm, a fold of the larger
    operand's batch into mm/mv (``reshape -> mm -> _unsafe_view``), or broadcast batches
    through ``expand -> reshape -> bmm -> _unsafe_view``."""
    if isinstance(input, Tensor) and isinstance(other, Tensor):  # 2-D @ 2-D, the common case
        aa, ba = input._array, other._array
        if aa.ndim == 2 and ba.ndim == 2 and aa.shape[1] == ba.shape[0] and \
                aa.dtype == ba.dtype:
            return _apply2(Mm, input, other)
    a, b = as_tensor_arg(input), as_tensor_arg(other)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    na, nb = a._array.ndim, b._array.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D "
                           f"and {nb}D")
    if na == 1 and nb == 1:
        return dot(a, b)
    if na == 2 and nb == 1:
        return mv(a, b)
    if na == 1 and nb == 2:
        return _sh.squeeze_inplace_dim(mm(_sh.unsqueeze(a, 0), b), 0)
    if na == 2 and nb == 2:
        return mm(a, b)
    if _should_fold(a, b):
        transpose = nb > na
        t1 = _sh.transpose(b, -1, -2) if transpose else a
        t2 = (_sh.t(a) if na == 2 else a) if transpose else b
        sizes1 = t1._array.shape
        out_shape = sizes1[:-1]
        folded = _numel(out_shape)
        if t2._array.ndim == 2:
            out_shape += (t2._array.shape[1],)
        t1f = _sh.reshape(t1, (folded, sizes1[-1]))
        if t2._array.ndim == 2:
            out = _sh.unsafe_view(mm(t1f, t2), out_shape)
            return _sh.contiguous(_sh.transpose(out, -1, -2)) if transpose else out
        return _sh.unsafe_view(mv(t1f, t2), out_shape)
    sa, sb = a._array.shape, b._array.shape
    n = sa[-2] if na > 1 else 1
    m1 = sa[-1]
    batch1 = sa[:max(na - 2, 0)]
    m2 = sb[-2] if nb > 1 else sb[0]
    p = sb[-1] if nb > 1 else 1
    batch2 = sb[:max(nb - 2, 0)]
    if na == 3 and nb == 3 and batch1[0] != batch2[0]:
        if batch1[0] == 1 and a._req:
            return matmul(_sh.squeeze(a, 0), b)
        if batch2[0] == 1 and b._req:
            return matmul(a, _sh.squeeze(b, 0))
    try:
        out_shape = tuple(xp.broadcast_shapes(batch1, batch2))
    except ValueError:
        raise broadcast_error(batch1, batch2) from None
    nbatch = _numel(out_shape)
    t1e = _sh.reshape(_sh.expand(a, out_shape + (n, m1)), (nbatch, n, m1))
    vector_rhs = nb == 1
    if vector_rhs:
        t2e = _sh.unsqueeze(_sh.reshape(_sh.expand(b, out_shape + (m2,)), (nbatch, m2)), 2)
    else:
        t2e = _sh.reshape(_sh.expand(b, out_shape + (m2, p)), (nbatch, m2, p))
    if na > 1:
        out_shape += (n,)
    if nb > 1:
        out_shape += (p,)
    prod = bmm(t1e, t2e)
    if vector_rhs:
        prod = _sh.squeeze(prod, -1)
    return _sh.unsafe_view(prod, out_shape)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _should_fold(a, b):
    """torch's ``should_fold``: fold the larger operand's batch into mm/mv when the other is
    1-D/2-D and that needs no copy (or the other operand requires grad: folding then avoids
    a batch-sized gradient buffer in backward)."""
    na, nb = a._array.ndim, b._array.ndim
    larger = na >= nb
    dim_t1, dim_t2 = (na, nb) if larger else (nb, na)
    if not (dim_t1 >= 3 and dim_t2 <= 2):
        return False
    if (b if larger else a)._req:
        return True
    if na == 2:
        return False
    t1 = a._array if larger else b._array.swapaxes(-1, -2)
    if t1.size == 0:
        return True
    shape, strides = t1.shape, t1.strides
    for i in range(dim_t1 - 2):
        if strides[i] != strides[i + 1] * shape[i + 1]:
            return False
    return True


def mm(input, mat2):
    na, nb = input._array.ndim, mat2._array.ndim
    if na != 2:
        raise RuntimeError(f"self must be a matrix")
    if nb != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    sa, sb = input._array.shape, mat2._array.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and "
                           f"{sb[0]}x{sb[1]})")
    _promote(input, mat2)
    return _apply(Mm, (input, mat2), {}, None)


def bmm(input, mat2):
    if input._array.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if mat2._array.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    sa, sb = input._array.shape, mat2._array.shape
    if sa[0] != sb[0] or sa[2] != sb[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    if input._array.dtype != mat2._array.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input._array.dtype)} but "
                           f"found {scalar_type_name(mat2._array.dtype)}")
    return _apply(Bmm, (input, mat2), {}, None)


def mv(input, vec):
    if input._array.ndim != 2 or vec._array.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._array.ndim}, "
                           f"{vec._array.ndim}")
    sa, sb = input._array.shape, vec._array.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec "
                           f"({sb[0]})")
    if input._array.dtype != vec._array.dtype:
        v, m = scalar_type_name(vec._array.dtype), scalar_type_name(input._array.dtype)
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {v}, {m}, "
                           f"and {v}")
    return _apply(Mv, (input, vec), {}, None)


def dot(input, other):
    if input._array.ndim != 1 or other._array.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._array.ndim}D and "
                           f"{other._array.ndim}D tensors")
    sa, sb = input._array.shape, other._array.shape
    if sa[0] != sb[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                           f"[{sb[0]}] to have the same number of elements, but got "
                           f"{sa[0]} and {sb[0]} elements respectively")
    if input._array.dtype != other._array.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{scalar_type_name(input._array.dtype)} and "
                           f"{scalar_type_name(other._array.dtype)}")
    return _apply(Dot, (input, other), {}, None)


vdot = inner = dot


def outer(input, vec2):
    """torch's outer: ``input.reshape(n, 1) * vec2`` (MulBackward0 over ViewBackward0)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t._array.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{t._array.ndim}-D")
    return _pw.mul(_sh.reshape(input, (input._array.shape[0], 1)), vec2)


ger = outer


class Addmm(Op):
    """beta*C + alpha*(A @ B): dC = beta G (the engine sums it to C's shape), dA = alpha G B^T,
    dB = alpha A^T G.  A column-major operand (``w.t()`` in ``F.linear``) gets its gradient in
    column-major order, as torch's mm backward does, so that after ``TBackward0`` it lands
    contiguous in the parameter's own layout."""

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
            ctx.cm = (_col_major(a) if need[1] else False, _col_major(b) if need[2] else False)
        ctx.beta, ctx.alpha = beta, alpha
        out = matmul2(a, b)
        if alpha != 1:
            out *= alpha
        if beta == 0:
            return out
        if beta != 1:
            return out + beta * c
        out += c  # c broadcasts into the fresh product
        return out

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        cm_a, cm_b = ctx.cm
        beta, alpha = ctx.beta, ctx.alpha
        gc = g if beta == 1 else (g * beta if beta != 0 else None)
        ga = gb = None
        if b is not None:
            ga = _mat_t(xp.matmul(b, _mat_t(g, xp)), xp) if cm_a else \
                xp.matmul(g, _mat_t(b, xp))
        if a is not None:
            gb = _mat_t(xp.matmul(_mat_t(g, xp), a), xp) if cm_b else \
                xp.matmul(_mat_t(a, xp), g)
        if alpha != 1:
            ga = ga * alpha if ga is not None else None
            gb = gb * alpha if gb is not None else None
        return gc, ga, gb, None, None


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    if mat1._array.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1._array.ndim}-D tensor")
    if mat2._array.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2._array.ndim}-D tensor")
    sa, sb = mat1._array.shape, mat2._array.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and "
                           f"{sb[0]}x{sb[1]})")
    da, db, dc = mat1._array.dtype, mat2._array.dtype, input._array.dtype
    if da != db:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(da)} and {scalar_type_name(db)}")
    if dc != db:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(dc)} and {scalar_type_name(db)}")
    if input._array.shape != (sa[0], sb[1]):
        _sh.expand_shape(input._array.shape, (sa[0], sb[1]), dc)  # torch's expand errors
    return _apply(Addmm, (input, mat1, mat2, beta, alpha), {}, None)


class Baddbmm(Op):
    """beta*C + alpha*(A @ B) over a batch (torch's one BaddbmmBackward0 node): dC = beta G
    (the engine sums it to C's shape), dA = alpha G B^T, dB = alpha A^T G."""

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        out = xp.matmul(a, b)
        if alpha != 1:
            out *= alpha
        if beta == 0:
            return out
        return out + (c if beta == 1 else beta * c)

    @staticmethod
    def backward(ctx, g, xp):
        a, b = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        gc = g if beta == 1 else g * beta
        ga = xp.matmul(g, xp.swapaxes(b, 1, 2)) if b is not None else None
        gb = xp.matmul(xp.swapaxes(a, 1, 2), g) if a is not None else None
        if alpha != 1:
            ga = ga * alpha if ga is not None else None
            gb = gb * alpha if gb is not None else None
        return gc, ga, gb, None, None


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    a1, a2 = batch1._array, batch2._array
    sa, sb = a1.shape, a2.shape
    if a1.ndim != 3 or a2.ndim != 3 or sa[0] != sb[0] or sa[2] != sb[1] or \
            a1.dtype != a2.dtype:
        bmm(batch1, batch2)  # raises torch's error for these operands
    if input._array.shape != (sa[0], sa[1], sb[2]):
        _sh.expand_shape(input._array.shape, (sa[0], sa[1], sb[2]), input._array.dtype)
    return _apply(Baddbmm, (input, batch1, batch2, beta, alpha), {}, None)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    prod = mv(mat, vec)
    if alpha != 1:
        prod = prod * alpha
    return input * beta + prod if beta != 1 else input + prod


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    prod = bmm(batch1, batch2).sum(0)
    if alpha != 1:
        prod = prod * alpha
    return input * beta + prod if beta != 1 else input + prod


# ------------------------------------------------------------------------------ einsum

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(eq, shapes):
    eq = eq.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the "
                           f"equation" if len(shapes) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    ell_n = 0
    for t, s in zip(terms, shapes):
        if "..." in t:
            ell_n = max(ell_n, len(s) - (len(t) - 3))
    ell = "".join(free[:ell_n])
    new_terms = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            t = t.replace("...", ell[ell_n - k:] if k else "")
        new_terms.append(t)
    if rhs is None:
        counts = {}
        for t in new_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    return new_terms, rhs


class Einsum(Op):
    """Each operand's gradient is an einsum of the output gradient with the other operands."""

    @staticmethod
    def forward(ctx, terms, rhs, *arrays):
        ctx.terms, ctx.rhs = terms, rhs
        ctx.shapes = [a.shape for a in arrays]
        ctx.save_for_backward(*arrays)
        return xp.einsum(",".join(terms) + "->" + rhs, *arrays, optimize=_einsum_opt(arrays))

    @staticmethod
    def backward(ctx, g, xp):
        ops = ctx.saved_tensors
        grads = [None, None]
        for i, (t, shape) in enumerate(zip(ctx.terms, ctx.shapes)):
            if not ctx.needs_input_grad[i + 2]:
                grads.append(None)
                continue
            others = [o for j, o in enumerate(ops) if j != i]
            oterms = [tt for j, tt in enumerate(ctx.terms) if j != i]
            # letters of t missing from rhs and others are summed: broadcast them back
            present = set(ctx.rhs) | set("".join(oterms))
            target = "".join(c for c in dict.fromkeys(t) if c in present)
            r = xp.einsum(",".join([ctx.rhs] + oterms) + "->" + target, g, *others,
                          optimize=_einsum_opt(others + [g]))
            if target != t:
                r = _expand_einsum(r, target, t, shape, xp)
            grads.append(r)
        return tuple(grads)


_EINSUM_BLAS = 4096  # operand size from which einsum's optimizer (BLAS via tensordot) pays


def _einsum_opt(arrays):
    """Let NumPy plan the contraction (and hand it to BLAS) for 3+ operands or big ones; the
    plain C loop wins on small ones (planning costs tens of µs)."""
    return len(arrays) > 2 or any(
        (a.size if a.__class__ is _xp.ndarray else a.numel()) >= _EINSUM_BLAS for a in arrays)


def _expand_einsum(r, target, t, shape, xp):
    """Bring a gradient over ``target`` letters to operand term ``t``: letters summed out in
    forward are broadcast back; a letter repeated in ``t`` (``ii``) puts it on the diagonal."""
    sizes = dict(zip(t, shape))
    uniq = "".join(dict.fromkeys(t))  # target is uniq without the summed letters, same order
    if target != uniq:
        r = r.reshape(tuple(sizes[c] if c in target else 1 for c in uniq))
        r = xp.broadcast_to(r, tuple(sizes[c] for c in uniq))
    if uniq == t:
        return r
    n = len(uniq)
    idx = tuple(_xp.arange(sizes[c]).reshape(tuple(sizes[c] if k == uniq.index(c) else 1
                                                   for k in range(n))) for c in t)
    return xp.put_at(shape, idx, r)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, rhs = _parse_einsum(equation, [o._array.shape for o in operands])
    dts = {o._array.dtype for o in operands}
    cast = D.result_type(*operands).np if len(dts) > 1 else None
    try:
        return _apply(Einsum, (terms, rhs, *operands), {}, cast)
    except ValueError as e:
        raise RuntimeError(f"einsum(): {e}") from None


def tensordot(a, b, dims=2):
    if isinstance(dims, int):
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    la = _LETTERS[:a.ndim]
    lb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for i, j in zip(da, db):
        lb[j] = la[i]
    lb = "".join(lb)
    out = "".join(c for c in la if c not in lb) + "".join(c for c in lb if c not in la)
    return einsum(f"{la},{lb}->{out}", a, b)


def kron(a, b):
    """Kronecker product as one einsum: out[i*mb + k, ...] = a[i, ...] * b[k, ...]."""
    nd = max(a.ndim, b.ndim)
    a = a.reshape(*((1,) * (nd - a.ndim) + tuple(a.shape)))
    b = b.reshape(*((1,) * (nd - b.ndim) + tuple(b.shape)))
    la, lb = _LETTERS[:nd], _LETTERS[nd:2 * nd]
    r = einsum(f"{la},{lb}->" + "".join(x + y for x, y in zip(la, lb)), a, b)
    return r.reshape(*[sa * sb for sa, sb in zip(a.shape, b.shape)])
