# ruff: noqa: E501  (reproducers hold their input arrays on one line)
"""Known mismatches between ember and torch that are not fixed yet -- the one list of them.

Each entry is one defect as the fuzzer sees it: the case labels it covers (fuzz op names, or
``op:function`` where an op draws among several functions), the outcome kind
(compare.KINDS), the start of the outcome's detail text with every number replaced by ``#``
(so that the same defect shown by other values, shapes or dtype widths still matches) and one
minimal reproducer (a case body; ``repro_label`` names the fuzz op whose tolerances it runs
under).  tests/test_fuzz.py
- runs every reproducer as a strict xfail: once the defect is fixed the reproducer matches,
  the test turns red, and the entry (or the fixed labels of it) must be deleted here;
- lets a fuzz case pass only when its mismatch is covered by an entry.
A failing fuzz test prints a ready-made entry (``stub``) for a new mismatch; with
``FUZZ_COLLECT=PATH`` in the environment the fuzz tests append every uncovered mismatch's
stub to PATH and pass, so that one run lists them all.
The entries were generated from a 30-minute run (python -m tests.fuzz --json), one per
(kind, detail template), and are grouped by kind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?"


# torch's C++ names of scalar types in its messages ('Long', 'c10::Half', 'long int',
# 'uint8_t' after the digits became '#' ...); not the 'float32' of 'torch.float32'
_CTYPE = (r"(?<!torch\.)\b(?:Bool|Byte|Char|Short|Int|Long|Half|Float|Double|BFloat#|"
          r"(?:unsigned |signed )?(?:char|short int|long int|u?int|float|double))\b")


def template(detail: str) -> str:
    """``detail`` with its numbers (values, indices, sizes, dtype widths) replaced by ``#``,
    torch's names of scalar types by ``T`` and its shapes and index tuples by ``(#)`` /
    ``[#]`` whatever their length."""
    t = re.sub(_NUM, "#", detail[:160].replace("c10::", ""))
    t = re.sub(_CTYPE, "T", t)
    t = re.sub(r"\((?:#(?:, ?#)*,?)?\)", "(#)", t)
    return re.sub(r"\[(?:#(?:, ?#)*,?)?\]", "[#]", t)


@dataclass(frozen=True)
class Known:
    labels: tuple      # the case labels it covers
    kind: str          # compare.KINDS key
    detail: str        # template() of the detail text: a prefix match
    repro_label: str   # the label of the reproducer case
    repro: str         # the reproducer: a case body (see runner.py)

    @property
    def op(self) -> str:
        """The fuzz op whose tolerances and gradient flags the reproducer runs under."""
        from .spec import OPS
        parts = self.repro_label.split(":")
        for i in range(len(parts), 0, -1):
            if ":".join(parts[:i]) in OPS:
                return ":".join(parts[:i])
        raise KeyError(self.repro_label)

    def covers(self, label: str, outcome) -> bool:
        return (outcome.kind == self.kind and label in self.labels
                and template(outcome.detail).startswith(self.detail))


K = Known
KNOWN: list[Known] = [
    # ------------------------------------------------------------------------ value
    K(('inplace:addcmul_',),
      'grad', 'grad of leaf # at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'inplace:addcmul_', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
b = lib.tensor(np.array(2, dtype='int64'))
c = lib.tensor(np.array(1.0, dtype='float32'), requires_grad=True)
r = base.addcmul_(b, c, value=4611686018427387904)
out = (r, base)
leaves = [a, c]
'''),
    K(('inplace:addcdiv_',),
      'grad', 'grad of leaf # inf mismatch at (#): ember -inf, torch inf',
      'inplace:addcdiv_', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
b = lib.tensor(np.array(2, dtype='int64'))
c = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
r = base.addcdiv_(b, c, value=4611686018427387904)
out = (r, base)
leaves = [a, c]
'''),
    K(('inplace:add_', 'inplace:sub_'),
      'value', 'output # nan mismatch at (#): ember #, torch nan',
      'inplace:add_', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float16').reshape((1, 4, 5)), requires_grad=True)
base = a.clone()
r = base.add_(2147483648, alpha=0)
out = (r, base)
leaves = [a]
'''),
    K(('var_mean',),
      'value', 'output # nan mismatch at (#): ember inf, torch nan',
      'var_mean', '''\
a = lib.tensor(np.array([inf, 0.0], dtype='float32'), requires_grad=True)
out = lib.var_mean(a, dim=0, keepdim=True)
leaves = [a]
'''),
    K(('inplace:*=', 'inplace:mul_'),
      'value', 'output # nan mismatch at (#): ember nan, torch #',
      'inplace:mul_', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
base = a.clone()
r = base.mul_(2147483648)
out = (r, base)
leaves = [a]
'''),
    K(('inplace:/=',),
      'value', 'output # nan mismatch at (#): ember nan, torch inf',
      'inplace:/=', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, inf], dtype='float16').reshape((4, 5)), requires_grad=True)
base = a.clone()
base /= 2147483648
r = base
out = (r, base)
leaves = [a]
'''),
    K(('pow',),
      'value', 'output at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'pow', '''\
a = lib.tensor(np.array(0, dtype='int64'))
out = lib.pow(a, 1e-300)
leaves = []
'''),
    K(('table:std',),
      'grad2', '#nd-order grad of leaf nan mismatch at (#): ember ',
      'table:std', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 3.4028234663852886e+38], dtype='float32').reshape((2, 3)), requires_grad=True)
fn = lambda lib, a: lib.std(a)
out = fn(lib, a)
leaves = [a]
'''),
    K(('baddbmm',),
      'value', 'output nan mismatch at (#): ember nan, torch inf',
      'baddbmm', '''\
a0 = lib.tensor(np.array([-5.1171875], dtype='float16').reshape((1, 1)), requires_grad=True)
a = a0.expand(2, 1)
b0 = lib.tensor(np.array([-2.0, 0.0], dtype='float16').reshape((1, 1, 2)), requires_grad=True)
b = b0.expand(1, 2, 2)
c0 = lib.tensor(np.array([-5.0], dtype='float16').reshape((1, 1, 1)))
c = c0.expand(1, 2, 1)
out = lib.baddbmm(a, b, c, beta=4611686018427387904, alpha=4611686018427387904)
leaves = [a0, b0]
'''),
    # ------------------------------------------------------------------------ dtype
    K(('addbmm',),
      'dtype', 'output: ember torch.float#, torch torch.bool',
      'addbmm', '''\
a = lib.tensor(np.array([], dtype='bool'))
b0 = lib.tensor(np.array([], dtype='bool').reshape((3, 4, 0)))
b = b0.permute(2, 0, 1)
c0 = lib.tensor(np.array([], dtype='bool').reshape((1, 4, 0)))
c = c0.expand(0, 4, 0)
out = lib.addbmm(a, b, c, beta=0.0, alpha=1e-40)
leaves = []
'''),
    K(('F.mse_loss:binary_cross_entropy_with_logits',
       'add',
       'addcdiv',
       'addcmul',
       'cat',
       'cat:hstack',
       'clamp_tensor',
       'einsum',
       'sub'),
      'dtype', 'output: ember torch.float#, torch torch.float#',
      'F.mse_loss:binary_cross_entropy_with_logits', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(0.0, dtype='float64'), requires_grad=True)
out = lib.nn.functional.binary_cross_entropy_with_logits(a, b)
leaves = [a, b]
'''),
    K(('addbmm', 'clamp_tensor', 'einsum', 'prod'),
      'dtype', 'output: ember torch.int#, torch torch.int#',
      'einsum', '''\
a = lib.tensor(np.array([], dtype='int32').reshape((0, 0)))
out = lib.einsum('ii', a)
leaves = []
'''),
    K(('einsum',),
      'dtype', 'output: ember torch.uint#, torch torch.int#',
      'einsum', '''\
a = lib.tensor(np.array([], dtype='uint8').reshape((0, 0)))
out = lib.einsum('ii', a)
leaves = []
'''),
    # ------------------------------------------------------------------------ shape
    K(('addmv',),
      'shape', 'output: ember (#), torch (#)',
      'addmv', '''\
a = lib.tensor(np.array(0, dtype='int64'))
b = lib.tensor(np.array([], dtype='int64').reshape((0, 0)))
c = lib.tensor(np.array([], dtype='int64'))
out = lib.addmv(a, b, c)
leaves = []
'''),
    # ------------------------------------------------------------------------ requires_grad
    # ------------------------------------------------------------------------ grad
    K(('addmm',),
      'grad', 'dtype: grad of leaf #: ember returned NoneType, torch Tensor',
      'addmm', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((0, 0)), requires_grad=True)
b = lib.tensor(np.array([], dtype='float32').reshape((0, 0)), requires_grad=True)
c = lib.tensor(np.array([], dtype='float32').reshape((0, 0)), requires_grad=True)
out = lib.addmm(a, b, c, beta=0, alpha=0)
leaves = [a, b, c]
'''),
    K(('addbmm',),
      'grad', 'grad of leaf # nan mismatch at (#): ember #, torch nan',
      'addbmm', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((0, 1)), requires_grad=True)
b = lib.tensor(np.array([], dtype='float32').reshape((1, 0, 1)), requires_grad=True)
c = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1, 1)), requires_grad=True)
out = lib.addbmm(a, b, c, beta=0, alpha=inf)
leaves = [a, b, c]
'''),
    K(('F.embedding', 'norm', 'table:std'),
      'grad', 'grad of leaf at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'norm', '''\
a0 = lib.tensor(np.array([7.0, -1.1754943508222875e-38, -5.0, 0.5, -8.0, 0.5, 6.0, 8.0, 5.960464477539063e-08], dtype='float32').reshape((3, 1, 1, 3)), requires_grad=True)
a = a0.permute(2, 3, 1, 0)
out = a.norm(dim=0, p=2)
leaves = [a0]
'''),
    K(('norm',), 'grad',
      'grad of leaf inf mismatch at (#): ember -inf, torch #',
      'norm', '''\
a = lib.tensor(np.array([-7.0, -2.6253247261047363, 4.189183712005615, 1.2816755771636963, -4.809985160827637, 5.440020561218262, -9.550755807323679e-30, -1.276295781135559, -0.6236246824264526, -3.0, -4.970658302307129, 7.803487777709961, -3.068390130996704, -3.0, -3.3486716747283936], dtype='float32').reshape((5, 3)), requires_grad=True)
out = lib.norm(a, dim=(0,), keepdim=True, p=0.5)
leaves = [a]
'''),
    K(('F.elu', 'F.pool:lp', 'cumprod', 'div', 'inplace:pow_'),
      'grad', 'grad of leaf nan mismatch at (#): ember nan, torch #',
      'cumprod', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, inf], dtype='float32').reshape((3, 3)), requires_grad=True)
out = a.cumprod(0)
leaves = [a]
'''),
    K(('addcdiv', 'inplace:addcdiv_'),
      'grad', "grad: missing error (torch raised, ember did not): torch raised RuntimeError: result type T can't be cast to the desired output type T",
      'inplace:addcdiv_', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((0, 0, 0)))
b0 = lib.tensor(np.array([], dtype='float32').reshape((0, 0, 0)), requires_grad=True)
b = b0.permute(2, 0, 1)
c = lib.tensor(np.array([], dtype='int64').reshape((0, 0, 0)))
r = a.addcdiv_(b, c, value=0)
out = (r, a)
leaves = [b0]
'''),
    K(('inplace:addcdiv_',),
      'grad', 'grad: missing error (torch raised, ember did not): torch raised RuntimeError: value cannot be converted to type T#_t without overflow',
      'inplace:addcdiv_', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
c = lib.tensor(np.array(0, dtype='int8'))
r = base.addcdiv_(b, c, value=255)
out = (r, base)
leaves = [a, b]
'''),
    # ------------------------------------------------------------------------ grad2
    K(('table:div',),
      'grad2', '#nd-order grad of leaf # nan mismatch at (#): ember inf, torch nan',
      'table:div', '''\
a = lib.tensor(np.array(-0.27115434408187866, dtype='float32'), requires_grad=True)
b0 = lib.tensor(np.array([0.0, 0.0], dtype='float32').reshape((2, 1)), requires_grad=True)
b = b0.expand(2, 3)
fn = lambda lib, a, b: lib.div(a, b)
out = fn(lib, a, b)
leaves = [a, b0]
'''),
    K(('fmod', 'remainder'),
      'grad2', '#nd-order grad of leaf # nan mismatch at (#): ember nan, torch #',
      'fmod', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = lib.fmod(a, b)
leaves = [a, b]
'''),
    K(('F.mse_loss:gaussian_nll_loss',),
      'grad2', '#nd-order grad of leaf # nan mismatch at (#): ember nan, torch -inf',
      'F.mse_loss:gaussian_nll_loss', '''\
a = lib.tensor(np.array(inf, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
c = lib.tensor(np.array(1.0, dtype='float32'), requires_grad=True)
out = lib.nn.functional.gaussian_nll_loss(a, b, c.abs() + 0.1)
leaves = [a, b, c]
'''),
    K(('F.mse_loss:binary_cross_entropy',),
      'grad2', '#nd-order grad of leaf # nan mismatch at (#): ember nan, torch inf',
      'F.mse_loss:binary_cross_entropy', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
b = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
out = lib.nn.functional.binary_cross_entropy(a, b.sigmoid())
leaves = [a, b]
'''),
    K(('cumprod',),
      'grad2', '#nd-order grad of leaf at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'cumprod', '''\
a0 = lib.tensor(np.array([-1.739557966392403, 1.0103779609282144, 0.5641895835477551, -1.2727081454417482, -9.665734593252389e-32, -5.69250639462346e-05, 2.2726016446847173e-125], dtype='float64'), requires_grad=True)
a = a0[::3]
out = lib.cumprod(a, -1, dtype=lib.float64)
leaves = [a0]
'''),
    K(('F.mish', 'asinh', 'pow'),
      'grad2', '#nd-order grad of leaf nan mismatch at (#): ember #, torch nan',
      'asinh', '''\
a = lib.tensor(np.array(3.4028234663852886e+38, dtype='float32'), requires_grad=True)
out = lib.asinh(a)
leaves = [a]
'''),
    K(('remainder',),
      'grad2', '#nd-order grad of leaf nan mismatch at (#): ember nan, torch #',
      'remainder', '''\
a = lib.tensor(np.array(0, dtype='int64'))
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = lib.remainder(a, b)
leaves = [b]
'''),
    K(('F.batch_norm:batch_norm',
       'F.batch_norm:instance_norm',
       'F.batch_norm:layer_norm',
       'F.conv'),
      'grad2', 'requires_grad: first-order grads (create_graph=True) of leaf #: ember False, torch True',
      'F.batch_norm:instance_norm', '''\
a = lib.tensor(np.array([0.0, 0.0], dtype='float32').reshape((1, 1, 2)), requires_grad=True)
b = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
c = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
out = lib.nn.functional.instance_norm(a, weight=b, bias=c)
leaves = [a, b, c]
'''),
    K(('F.batch_norm:instance_norm',
       'F.conv',
       'F.cross_entropy:multi_margin_loss',
       'F.cross_entropy:nll_loss',
       'F.interpolate',
       'F.pad',
       'F.pool:adaptive_avg',
       'F.pool:avg',
       'F.softmax:softmax',
       'F.softmax:softmin',
       'cummax',
       'inplace:**=',
       'inplace:log_',
       'inplace:pow_',
       'inplace:square_',
       'saved_modified:__setitem__(0, 5.0)',
       'saved_modified:add_(1)',
       'saved_modified:exp_()',
       'saved_modified:mul_(2)',
       'saved_modified:t_()',
       'saved_modified:unsqueeze_(0)',
       'saved_modified:zero_()',
       'softmax',
       'table:softmax_0d'),
      'grad2', 'requires_grad: first-order grads (create_graph=True) of leaf: ember False, torch True',
      'softmax', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = a.softmax(0)
leaves = [a]
'''),
    # ------------------------------------------------------------------------ missing_error
    K(('mm',),
      'missing_error', 'torch raised NotImplementedError: "addmm_impl_cpu_" not implemented for \'T\'',
      'mm', '''\
a = lib.tensor(np.array([False], dtype='bool').reshape((1, 1)))
b = lib.tensor(np.array([False], dtype='bool').reshape((1, 1)))
out = lib.mm(a, b)
leaves = []
'''),
    K(('addmv', 'mv'),
      'missing_error', 'torch raised NotImplementedError: "addmv_impl_cpu" not implemented for \'T\'',
      'mv', '''\
a = lib.tensor(np.array([False], dtype='bool').reshape((1, 1)))
b = lib.tensor(np.array([False], dtype='bool'))
out = lib.mv(a, b)
leaves = []
'''),
    K(('bmm', 'einsum'),
      'missing_error', 'torch raised NotImplementedError: "bmm" not implemented for \'T\'',
      'bmm', '''\
a = lib.tensor(np.array([False], dtype='bool').reshape((1, 1, 1)))
b = lib.tensor(np.array([False], dtype='bool').reshape((1, 1, 1)))
out = lib.bmm(a, b)
leaves = []
'''),
    K(('dot', 'matmul'),
      'missing_error', 'torch raised NotImplementedError: "dot" not implemented for \'T\'',
      'dot', '''\
a = lib.tensor(np.array([], dtype='bool'))
b = lib.tensor(np.array([], dtype='bool'))
out = lib.dot(a, b)
leaves = []
'''),
    K(('baddbmm',),
      'missing_error', 'torch raised RuntimeError: Input dtypes must be the same, got: input T, batch#: T, batch#: T',
      'baddbmm', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((0, 0, 0)), requires_grad=True)
b = lib.tensor(np.array([], dtype='int64').reshape((0, 0, 0)))
c = lib.tensor(np.array([], dtype='int64').reshape((0, 0, 0)))
out = lib.baddbmm(a, b, c, beta=0, alpha=0)
leaves = [a]
'''),
    K(('addmv',),
      'missing_error', 'torch raised RuntimeError: addmv input tensors must have the same dtype, but got T, T, and T',
      'addmv', '''\
a = lib.tensor(np.array([], dtype='float64'), requires_grad=True)
b = lib.tensor(np.array([], dtype='float32').reshape((0, 0)), requires_grad=True)
c = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
out = lib.addmv(a, b, c, beta=0, alpha=0)
leaves = [a, b, c]
'''),
    K(('tensordot',),
      'missing_error', 'torch raised RuntimeError: both inputs should have same dtype',
      'tensordot', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((0, 1, 0)), requires_grad=True)
b = lib.tensor(np.array([], dtype='float64').reshape((1, 0, 0)), requires_grad=True)
out = lib.tensordot(a, b, dims=2)
leaves = [a, b]
'''),
    K(('table:einsum_ellipsis', 'table:einsum_three'),
      'missing_error', 'torch raised RuntimeError: expected scalar type T but found T',
      'table:einsum_three', '''\
a = lib.tensor(np.array([-0.5427967309951782, -1.7512497901916504, -1.0235761404037476, -0.8749805688858032, -1.831606149673462, 1.0924289226531982], dtype='float32').reshape((2, 3)), requires_grad=True)
b = lib.tensor(np.array([-0.40805232524871826, -0.47991979122161865, -1.6972274780273438, 1.111573576927185, -0.25581735372543335, 0.9093099236488342], dtype='float32').reshape((3, 2)), requires_grad=True)
c = lib.tensor(np.array([0.2533552393375419, 0.94964832460263], dtype='float64'), requires_grad=True)
fn = lambda lib, a, b, c: lib.einsum('ij,jk,k->i', a, b, c)
out = fn(lib, a, b, c)
leaves = [a, b, c]
'''),
    K(('addbmm', 'baddbmm'),
      'missing_error', "torch raised RuntimeError: result type T can't be cast to the desired output type T",
      'baddbmm', '''\
a = lib.tensor(np.array([False], dtype='bool').reshape((1, 1, 1)))
b = lib.tensor(np.array([], dtype='bool').reshape((1, 1, 0)))
c = lib.tensor(np.array([], dtype='bool').reshape((1, 0, 1)))
out = lib.baddbmm(a, b, c)
leaves = []
'''),
    K(('addmv',),
      'missing_error', 'torch raised RuntimeError: size mismatch, got input (#), mat (#x#), vec (#)',
      'addmv', '''\
a = lib.tensor(np.array([0, 0], dtype='int64'))
b = lib.tensor(np.array([], dtype='int64').reshape((1, 0)))
c = lib.tensor(np.array([], dtype='int64'))
out = lib.addmv(a, b, c)
leaves = []
'''),
    K(('diag:trace',),
      'missing_error', 'torch raised RuntimeError: trace: expected a matrix, but got tensor with dim #',
      'diag:trace', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 0, 0)))
out = lib.trace(a)
leaves = []
'''),
    K(('addmm', 'addmv'), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'addmm', '''\
a0 = lib.tensor(np.array([8.0], dtype='float16'), requires_grad=True)
a = a0.expand(2,)
b0 = lib.tensor(np.array([-5.0, -7.37109375, -5.7734375, -3.0], dtype='float16').reshape((2, 2)), requires_grad=True)
b = b0[1:, 1::2]
c0 = lib.tensor(np.array([-2.630859375, -0.5, 7.94921875], dtype='float16').reshape((1, 3)), requires_grad=True)
c = c0[::3, ::2]
out = lib.addmm(a, b, c, beta=1e+300, alpha=-4.0)
leaves = [a0, b0, c0]
'''),
    K(('addbmm', 'addmv'),
      'missing_error', 'torch raised RuntimeError: value cannot be converted to type T#_t without overflow',
      'addmv', '''\
a = lib.tensor(np.array(1, dtype='uint8'))
b0 = lib.tensor(np.array([3], dtype='uint8').reshape((1, 1)))
b = b0.expand(3, 1)
c = lib.tensor(np.array([2], dtype='uint8'))
out = lib.addmv(a, b, c, beta=2147483648, alpha=nan)
leaves = []
'''),
    K(('kron',),
      'missing_error', "torch raised RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .",
      'kron', '''\
a0 = lib.tensor(np.array([0, 0, 0, 0], dtype='int64').reshape((2, 2)))
a = a0.permute(1, 0)
b = lib.tensor(np.array([0, 0], dtype='int64'))
out = lib.kron(a, b)
leaves = []
'''),
    # ------------------------------------------------------------------------ spurious_error
    K(('addbmm', 'baddbmm', 'bmm', 'matmul'),
      'spurious_error', 'ember raised RuntimeError: expected scalar type T but found T',
      'matmul', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 0)))
b = lib.tensor(np.array([], dtype='int32').reshape((0, 0, 0)))
out = lib.matmul(a, b)
leaves = []
'''),
    K(('inplace_view:view.expand(2, *s)',),
      'spurious_error', 'ember raised RuntimeError: unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone(#) the tensor b',
      'inplace_view:view.expand(2, *s)', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.expand(2, *())
r = x.zero_()
out = (x, base)
leaves = [a]
'''),
    K(('addbmm',),
      'dtype', 'output: ember torch.',
      'addbmm', '''\
a = lib.tensor(np.array([], dtype='uint8').reshape((0, 0)))
b = lib.tensor(np.array([], dtype='uint8').reshape((0, 0, 0)))
c = lib.tensor(np.array([], dtype='uint8').reshape((0, 0, 0)))
out = lib.addbmm(a, b, c, beta=0, alpha=0)
leaves = []
'''),
    K(('addmm', 'baddbmm'),
      'spurious_error', "ember raised numpy._core._exceptions.UFuncTypeError: Cannot cast ufunc 'multiply' output from dtype('T#') to dtype('T#') with casting rule 'same_kind'",
      'addmm', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 0)))
b = lib.tensor(np.array([], dtype='int64').reshape((0, 0)))
c = lib.tensor(np.array([], dtype='int64').reshape((0, 0)))
out = lib.addmm(a, b, c, beta=0, alpha=0.0)
leaves = []
'''),
    K(('baddbmm',),
      'spurious_error', "ember raised numpy._core._exceptions.UFuncTypeError: Cannot cast ufunc 'multiply' output from dtype('T#') to dtype('bool') with casting rule 'same_kind'",
      'baddbmm', '''\
a = lib.tensor(np.array([], dtype='bool').reshape((0, 0, 0)))
b = lib.tensor(np.array([], dtype='bool').reshape((0, 0, 0)))
c = lib.tensor(np.array([], dtype='bool').reshape((0, 0, 0)))
out = lib.baddbmm(a, b, c, beta=0, alpha=0)
leaves = []
'''),
    # ------------------------------------------------------------------------ error_class
    K(('diag:trace',),
      'error_class', 'ember raised IndexError: Dimension out of range (expected to be in range of [#], but got #); torch raised NotImplementedError: "trace" not implemented for \'',
      'diag:trace', '''\
a = lib.tensor(np.array(False, dtype='bool'))
out = lib.trace(a)
leaves = []
'''),
    K(('diag:trace',),
      'error_class', 'ember raised IndexError: Dimension out of range (expected to be in range of [#], but got #); torch raised RuntimeError: trace: expected a matrix, but got te',
      'diag:trace', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = lib.trace(a)
leaves = [a]
'''),
    K(('bmm',),
      'error_class', 'ember raised RuntimeError: expected scalar type T but found T; torch raised NotImplementedError: "bmm" not implemented for \'T\'',
      'bmm', '''\
a = lib.tensor(np.array([False], dtype='bool').reshape((1, 1, 1)))
b = lib.tensor(np.array([0], dtype='int64').reshape((1, 1, 1)))
out = lib.bmm(a, b)
leaves = []
'''),
    K(('addmv',),
      'error_class', 'ember raised RuntimeError: size mismatch, got input (#), mat (#x#), vec (#); torch raised IndexError: Dimension specified as # but tensor has no dimensions',
      'addmv', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array([], dtype='float32').reshape((0, 1)), requires_grad=True)
c = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
out = lib.addmv(a, b, c)
leaves = [a, b, c]
'''),
    # ------------------------------------------------------------------------ numpy_leak
]


def find(label: str, outcome) -> Known | None:
    """The entry covering this mismatch, if any."""
    for k in KNOWN:
        if k.covers(label, outcome):
            return k
    return None


def stub(label: str, outcome, code: str) -> str:
    """Source of a KNOWN entry for this mismatch (for pasting into the list above)."""
    return (f"    K(({label!r},), {outcome.kind!r},\n      {template(outcome.detail)!r},\n"
            f"      {label!r}, '''\\\n{code.rstrip()}\n'''),")
