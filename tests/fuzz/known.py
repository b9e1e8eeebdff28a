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
    # ------------------------------------------------------------------------ dtype
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
    # ------------------------------------------------------------------------ shape
    # ------------------------------------------------------------------------ grad
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
    # ------------------------------------------------------------------------ spurious_error
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
    # ------------------------------------------------------------------------ error_class
    # ------------------------------------------------------------------------ numpy_leak
    # ---------------------- found by a 30-minute run (seed 11) at d2dd309, 2026-12-07
    K(('F.misc:unfold',), 'numpy_leak',
      'ember raised ValueError: negative dimensions are not allowed; torch raised RuntimeError: Given input with spatial size (#), kernel_size=(#), dilation=(#, ',
      'F.misc:unfold', '''\
a = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1, 1, 1)), requires_grad=True)
out = lib.nn.functional.unfold(a, 2, dilation=2, padding=0, stride=1)
leaves = [a]
'''),
    K(('F.misc:unfold',), 'missing_error',
      'torch raised RuntimeError: Given input with spatial size (#), kernel_size=(#), dilation=(#), padding=(#), calculated shape of the array of sliding b',
      'F.misc:unfold', '''\
a = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1, 1, 1)), requires_grad=True)
out = lib.nn.functional.unfold(a, 2, dilation=1, padding=0, stride=1)
leaves = [a]
'''),
    K(('F.misc:fold',), 'missing_error',
      'torch raised RuntimeError: Expected #D or #D (batch mode) tensor for input with possibly # batch size and non-zero dimensions for input, but got: [#]',
      'F.misc:fold', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((1, 4, 0)), requires_grad=True)
out = lib.nn.functional.fold(a, (2, 2), 2, dilation=2, padding=0, stride=1)
leaves = [a]
'''),
    K(('scatter:scatter_reduce',), 'grad',
      'grad: missing error (torch raised, ember did not): torch raised RuntimeError: The size of tensor a (#) must match the size of tensor b (#) at non-singleton dime',
      'scatter:scatter_reduce', '''\
a0 = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 5)), requires_grad=True)
a = a0.expand(2, 5)
b = lib.tensor(np.array([], dtype='int64').reshape((2, 0)))
c = lib.tensor(np.array([], dtype='float32').reshape((3, 0)), requires_grad=True)
out = lib.scatter_reduce(a, 0, b, c, 'prod', include_self=True)
leaves = [a0, c]
'''),
    K(('scatter:scatter_reduce',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf #: ember False, torch True',
      'scatter:scatter_reduce', '''\
a = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
b = lib.tensor(np.array([], dtype='int64').reshape((0, 0)))
c = lib.tensor(np.array([], dtype='float32').reshape((0, 0)), requires_grad=True)
out = lib.scatter_reduce(a, 0, b, c, 'prod', include_self=True)
leaves = [a, c]
'''),
    K(('gather:take_along_dim',), 'spurious_error',
      'ember raised RuntimeError: index # is out of bounds for dimension # with size #',
      'gather:take_along_dim', '''\
a = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
b = lib.tensor(np.array([-1], dtype='int64'))
out = lib.take_along_dim(a, b, 0)
leaves = [a]
'''),
    K(('prod',), 'grad2',
      '#nd-order grad of leaf at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'prod', '''\
a = lib.tensor(np.array([1.0, 1.0, 1.0, 6.103515625e-05], dtype='float32'), requires_grad=True)
out = a.prod(dim=0, keepdim=True)
leaves = [a]
'''),
    K(('inplace:add_',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'inplace:add_', '''\
a = lib.tensor(np.array([], dtype='float16'), requires_grad=True)
base = a.clone()
b = lib.tensor(np.array([], dtype='float16'), requires_grad=True)
r = base.add_(b, alpha=2147483648)
out = (r, base)
leaves = [a, b]
'''),
    K(('inplace:addcmul_',), 'error_class',
      'ember raised OverflowError: cannot convert T infinity to integer; torch raised RuntimeError: value cannot be converted to type T#_t without overflow',
      'inplace:addcmul_', '''\
a = lib.tensor(np.array([], dtype='int64'))
base = a.clone()
b = lib.tensor(np.array([], dtype='int64'))
c = lib.tensor(np.array([], dtype='int64'))
r = base.addcmul_(b, c, value=inf)
out = (r, base)
leaves = []
'''),
    K(('F.pool:max',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf: ember False, torch True',
      'F.pool:max', '''\
a = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
out = lib.nn.functional.max_pool1d(a, 1, stride=None, padding=0, dilation=1, ceil_mode=True)
leaves = [a]
'''),
    K(('F.pool:adaptive_max',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf: ember False, torch True',
      'F.pool:adaptive_max', '''\
a = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
out = lib.nn.functional.adaptive_max_pool1d(a, 1)
leaves = [a]
'''),
    K(('setitem',), 'error_class',
      'ember raised IndexError: index # is out of bounds for dimension # with size #; torch raised RuntimeError: value cannot be converted to type T#_t without overf',
      'setitem', '''\
a = lib.tensor(np.array([], dtype='int8'))
x = a.clone()
x[0] = 255
out = x
leaves = []
'''),
    K(('logsumexp',), 'spurious_error',
      "ember raised RuntimeError: output with shape [#] doesn't match the broadcast shape [#]",
      'logsumexp', '''\
a = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
out = a.logsumexp(dim=(), keepdim=True)
leaves = [a]
'''),
    K(('pow',), 'grad',
      'grad: missing error (torch raised, ember did not): torch raised RuntimeError: Subtraction, the `-` operator, with a bool tensor is not supported. If you are try',
      'pow', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(False, dtype='bool'))
out = lib.pow(a, b)
leaves = [a]
'''),
    K(('pow',), 'grad2',
      '#nd-order grad of leaf nan mismatch at (#): ember nan, torch #',
      'pow', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(0, dtype='uint8'))
out = lib.pow(a, b)
leaves = [a]
'''),
    K(('kron',), 'missing_error',
      "torch raised RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .",
      'kron', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((4, 5)), requires_grad=True)
b0 = lib.tensor(np.array([0, 0], dtype='int64').reshape((1, 2)))
b = b0.permute(1, 0)
out = lib.kron(a, b)
leaves = [a]
'''),
    K(('atan2',), 'grad2',
      '#nd-order grad of leaf nan mismatch at (#): ember #, torch nan',
      'atan2', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(-9223372036854775808, dtype='int64'))
out = lib.atan2(a, b)
leaves = [a]
'''),
    K(('F.cross_entropy:cross_entropy',), 'grad2',
      "first-order grads (create_graph=True): spurious error (ember raised, torch did not): ember raised TypeError: exp(#): argument 'input' (position #) must be Tensor",
      'F.cross_entropy:cross_entropy', '''\
a = lib.tensor(np.array([0.0], dtype='float16'), requires_grad=True)
b = lib.tensor(np.array(0, dtype='int64'))
out = lib.nn.functional.cross_entropy(a, b)
leaves = [a]
'''),
    K(('F.cosine_embedding_loss:triplet_margin_loss',), 'dtype',
      'output: ember torch.float#, torch torch.float#',
      'F.cosine_embedding_loss:triplet_margin_loss', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 1)))
b = lib.tensor(np.array([], dtype='int64').reshape((0, 1)))
c = lib.tensor(np.array([], dtype='int64').reshape((0, 1)))
out = lib.nn.functional.triplet_margin_loss(a, b, c, p=1)
leaves = []
'''),
    K(('F.cosine_embedding_loss:margin_ranking_loss',), 'dtype',
      'output: ember torch.float#, torch torch.float#',
      'F.cosine_embedding_loss:margin_ranking_loss', '''\
a = lib.tensor(np.array([], dtype='int64'))
b = lib.tensor(np.array([], dtype='int64'))
c = lib.tensor(np.array([], dtype='int64'))
out = lib.nn.functional.margin_ranking_loss(a, b, c.sign(), margin=0.0)
leaves = []
'''),
    K(('F.cosine_embedding_loss:cosine_embedding_loss',), 'dtype',
      'output: ember torch.float#, torch torch.float#',
      'F.cosine_embedding_loss:cosine_embedding_loss', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 1)))
b = lib.tensor(np.array([], dtype='int64').reshape((0, 1)))
c = lib.tensor(np.array([], dtype='int64'))
out = lib.nn.functional.cosine_embedding_loss(a, b, c.sign())
leaves = []
'''),
    K(('addbmm',), 'spurious_error',
      'ember raised RuntimeError: value cannot be converted to type T without overflow',
      'addbmm', '''\
a = lib.tensor(np.array([], dtype='int32').reshape((0, 0)))
b = lib.tensor(np.array([], dtype='int32').reshape((0, 0, 0)))
c = lib.tensor(np.array([], dtype='int32').reshape((0, 0, 0)))
out = lib.addbmm(a, b, c, beta=2147483648, alpha=0)
leaves = []
'''),
    K(('median',), 'spurious_error',
      'ember raised ValueError: cannot convert T NaN to integer',
      'median', '''\
a = lib.tensor(np.array([], dtype='int64'))
out = a.median()
leaves = []
'''),
    K(('argsort',), 'missing_error',
      'torch raised IndexError: Dimension out of range (expected to be in range of [#], but got #)',
      'argsort', '''\
a = lib.tensor(np.array(0, dtype='int64'))
out = lib.argsort(a, dim=1, stable=True, descending=True)
leaves = []
'''),
    K(('addcdiv',), 'numpy_leak',
      'ember raised ValueError: operands could not be broadcast together with shapes (#) (#); torch raised RuntimeError: The size of tensor a (#) must match the size',
      'addcdiv', '''\
a0 = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
a = a0.expand(2,)
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
c = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = lib.addcdiv(a, b, c, value=0)
leaves = [a0, b, c]
'''),
    K(('addcdiv',), 'grad2',
      '#nd-order grad of leaf # nan mismatch at (#): ember #, torch nan',
      'addcdiv', '''\
a = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
c = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = lib.addcdiv(a, b, c, value=0)
leaves = [a, b, c]
'''),
    K(('addcdiv',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'addcdiv', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
c = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = lib.addcdiv(a, b, c, value=1e+300)
leaves = [a, b, c]
'''),
    K(('var_mean',), 'grad',
      'grad of leaf nan mismatch at (#): ember nan, torch #',
      'var_mean', '''\
a = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
out = lib.var_mean(a, dim=0, keepdim=True, correction=2)
leaves = [a]
'''),
    K(('sub',), 'value',
      'output nan mismatch at (#): ember #, torch nan',
      'sub', '''\
a = lib.tensor(np.array(0, dtype='int64'))
out = lib.sub(a, 1e+300, alpha=0)
leaves = []
'''),
    K(('getitem',), 'numpy_leak',
      'ember raised IndexError: too many indices for array: array is #-dimensional, but # were indexed; torch raised IndexError: Dimension out of range (expected to be',
      'getitem', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((0, 0)), requires_grad=True)
out = a[..., ..., ::2]
leaves = [a]
'''),
    K(('getitem',), 'missing_error',
      'torch raised IndexError: index is out of bounds for dimension with size #',
      'getitem', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((0, 0)), requires_grad=True)
out = a[None, [0]]
leaves = [a]
'''),
    K(('floor_divide',), 'value',
      'output nan mismatch at (#): ember nan, torch #',
      'floor_divide', '''\
a = lib.tensor(np.array([0.0], dtype='float16'), requires_grad=True)
out = lib.floor_divide(a, 1e-40)
leaves = [a]
'''),
    K(('floor_divide',), 'spurious_error',
      'ember raised RuntimeError: ZeroDivisionError',
      'floor_divide', '''\
a = lib.tensor(np.array([], dtype='int64'))
out = lib.floor_divide(a, 0)
leaves = []
'''),
    K(('F.mse_loss:binary_cross_entropy_with_logits',), 'missing_error',
      'torch raised NotImplementedError: "log_sigmoid_cpu" not implemented for \'T\'',
      'F.mse_loss:binary_cross_entropy_with_logits', '''\
a = lib.tensor(np.array([], dtype='int64'))
b = lib.tensor(np.array([], dtype='int64'))
out = lib.nn.functional.binary_cross_entropy_with_logits(a, b)
leaves = []
'''),
    K(('F.mse_loss:poisson_nll_loss',), 'dtype',
      'output: ember torch.float#, torch torch.float#',
      'F.mse_loss:poisson_nll_loss', '''\
a = lib.tensor(np.array([], dtype='int64'))
b = lib.tensor(np.array([], dtype='int64'))
out = lib.nn.functional.poisson_nll_loss(a, b, log_input=False)
leaves = []
'''),
    K(('F.mse_loss:kl_div',), 'missing_error',
      'torch raised RuntimeError: kl_div: Integral inputs not supported.',
      'F.mse_loss:kl_div', '''\
a = lib.tensor(np.array([], dtype='int64'))
b = lib.tensor(np.array([], dtype='int64'))
out = lib.nn.functional.kl_div(a, b, log_target=True)
leaves = []
'''),
    K(('addcmul',), 'grad',
      'grad of leaf # nan mismatch at (#): ember #, torch nan',
      'addcmul', '''\
a0 = lib.tensor(np.array([0.0], dtype='float64'), requires_grad=True)
a = a0.expand(2,)
b = lib.tensor(np.array(0, dtype='int64'))
c = lib.tensor(np.array([0.0], dtype='float64'), requires_grad=True)
out = lib.addcmul(a, b, c, value=1e+300)
leaves = [a0, c]
'''),
    K(('addcmul',), 'numpy_leak',
      'ember raised ValueError: operands could not be broadcast together with shapes (#) (#); torch raised RuntimeError: The size of tensor a (#) must match the size',
      'addcmul', '''\
a0 = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
a = a0.expand(2,)
b = lib.tensor(np.array(0, dtype='int64'))
c = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
out = lib.addcmul(a, b, c, value=0)
leaves = [a0, c]
'''),
    K(('addcmul',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'addcmul', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
c = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = lib.addcmul(a, b, c, value=1e+300)
leaves = [a, b, c]
'''),
    K(('inplace:fill',), 'spurious_error',
      'ember raised RuntimeError: value cannot be converted to type T without overflow',
      'inplace:fill', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
base = a.clone()
r = base.fill_(2147483648)
out = (r, base)
leaves = [a]
'''),
    K(('table:kron',), 'missing_error',
      "torch raised RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .",
      'table:kron', '''\
a = lib.tensor(np.array([-0.08767948299646378, 0.48681846261024475, 0.23238880932331085], dtype='float32'), requires_grad=True)
b0 = lib.tensor(np.array([1.3719533681869507, -0.7276347875595093, 0.8303235769271851, 0.3068837523460388], dtype='float32').reshape((2, 2)), requires_grad=True)
b = b0.permute(1, 0)
fn = lambda lib, a, b: lib.kron(a, b)
out = fn(lib, a, b)
leaves = [a, b0]
'''),
    K(('table:prod_zeros',), 'grad2',
      '#nd-order grad of leaf at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'table:prod_zeros', '''\
a = lib.tensor(np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.858552400703388e-144], dtype='float64').reshape((2, 3)), requires_grad=True)
fn = lambda lib, a: a.prod()
out = fn(lib, a)
leaves = [a]
'''),
    K(('inplace:addcmul_',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'inplace:addcmul_', '''\
a = lib.tensor(np.array([], dtype='float32'))
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
c = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = a.addcmul_(b, c, value=1e+300)
out = (r, a)
leaves = [b, c]
'''),
    K(('atan2',), 'grad',
      'grad of leaf at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'atan2', '''\
a = lib.tensor(np.array([-9223372036854775808], dtype='int64'))
b = lib.tensor(np.array(1.0, dtype='float32'), requires_grad=True)
out = lib.atan2(a, b)
leaves = [b]
'''),
    K(('inplace_view:view.detach()',), 'requires_grad',
      'output #: ember True, torch False',
      'inplace_view:view.detach()', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((1, 0, 0)))
base = a.clone()
x = base.detach()
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
r = x.copy_(b)
out = (x, base)
leaves = [b]
'''),
    K(('inplace_view:view.chunk(2)[0]',), 'missing_error',
      'torch raised RuntimeError: A view was created in no_grad mode and is being modified inplace with grad mode enabled. This view is the output of a function that r',
      'inplace_view:view.chunk(2)[0]', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((1, 0)))
base = a.clone()
x = base.chunk(2)[0]
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
r = x.copy_(b)
out = (x, base)
leaves = [b]
'''),
    K(('inplace_view:view.unbind(0)[-1]',), 'missing_error',
      'torch raised RuntimeError: A view was created in no_grad mode and is being modified inplace with grad mode enabled. This view is the output of a function that r',
      'inplace_view:view.unbind(0)[-1]', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((1, 0)))
base = a.clone()
x = base.unbind(0)[-1]
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
r = x.copy_(b)
out = (x, base)
leaves = [b]
'''),
    K(('inplace_view:view.split(1)[0]',), 'missing_error',
      'torch raised RuntimeError: A view was created in no_grad mode and is being modified inplace with grad mode enabled. This view is the output of a function that r',
      'inplace_view:view.split(1)[0]', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((1, 0)))
base = a.clone()
x = base.split(1)[0]
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
r = x.copy_(b)
out = (x, base)
leaves = [b]
'''),
    K(('scatter:index_add',), 'value',
      'output at (#): ember #, torch #',
      'scatter:index_add', '''\
a0 = lib.tensor(np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], dtype='int64').reshape((6, 5, 2)))
a = a0[1:, :, 1:]
b = lib.tensor(np.array([0, 0, 0], dtype='int64'))
c = lib.tensor(np.array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], dtype='int64').reshape((3, 5, 1)))
out = lib.index_add(a, 0, b, c, alpha=0.5)
leaves = []
'''),
    K(('scatter:index_add',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T#_t without overflow',
      'scatter:index_add', '''\
a0 = lib.tensor(np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], dtype='int64').reshape((5, 6, 2)))
a = a0[:, 1:, 1:]
b = lib.tensor(np.array([0, 0, 0], dtype='int64'))
c = lib.tensor(np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], dtype='int64').reshape((3, 5, 1)))
out = lib.index_add(a, 0, b, c, alpha=inf)
leaves = []
'''),
    K(('scatter:index_add',), 'error_class',
      'ember raised RuntimeError: index # is out of bounds for dimension # with size #; torch raised IndexError: index out of range in self',
      'scatter:index_add', '''\
a0 = lib.tensor(np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], dtype='int64').reshape((5, 6, 2)))
a = a0[:, 1:, 1:]
b = lib.tensor(np.array([-1], dtype='int64'))
c = lib.tensor(np.array([0, 0, 0, 0, 0], dtype='int64').reshape((1, 5, 1)))
out = lib.index_add(a, 0, b, c, alpha=0)
leaves = []
'''),
    K(('searchsorted:bincount',), 'error_class',
      "ember raised ValueError: 'list' argument must have no negative elements; torch raised RuntimeError: bincount only supports #-d non-negative integral inputs.",
      'searchsorted:bincount', '''\
a = lib.tensor(np.array([0, 0, 0, -1], dtype='int64'))
b0 = lib.tensor(np.array([0.0], dtype='float32'))
b = b0.expand(4,)
out = lib.bincount(a, weights=b, minlength=0)
leaves = []
'''),
    K(('kron',), 'spurious_error',
      "ember raised RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .",
      'kron', '''\
a0 = lib.tensor(np.array([0, 0, 0, 0], dtype='int64').reshape((1, 4)))
a = a0.expand(2, 4)
b = lib.tensor(np.array([0.0, 0.0], dtype='float32'), requires_grad=True)
out = lib.kron(a, b)
leaves = [b]
'''),
    K(('cumprod',), 'grad',
      'grad of leaf nan mismatch at (#): ember -inf, torch nan',
      'cumprod', '''\
a0 = lib.tensor(np.array([0.0, inf], dtype='float32').reshape((1, 2)), requires_grad=True)
a = a0.expand(2, 2)
out = a.cumprod(0)
leaves = [a0]
'''),
    K(('table:einsum_ellipsis',), 'value',
      'output inf mismatch at (#): ember inf, torch -inf',
      'table:einsum_ellipsis', '''\
a0 = lib.tensor(np.array([65504.0], dtype='float16').reshape((1, 1, 1)), requires_grad=True)
a = a0.expand(2, 2, 3)
b = lib.tensor(np.array([1.0673828125, -1.587890625, -1.744140625, -1.78515625, -0.5224609375, 0.3583984375, 0.03448486328125, 0.305419921875, 0.69140625, 0.385498046875, -0.56591796875, -0.74609375], dtype='float16').reshape((2, 3, 2)), requires_grad=True)
fn = lambda lib, a, b: lib.einsum('...ij,...jk', a, b)
out = fn(lib, a, b)
leaves = [a0, b]
'''),
    K(('F.cosine_embedding_loss:cosine_similarity',), 'grad2',
      '#nd-order grad of leaf # nan mismatch at (#): ember nan, torch #',
      'F.cosine_embedding_loss:cosine_similarity', '''\
a0 = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
a = a0.expand(1, 2)
b0 = lib.tensor(np.array([1.0], dtype='float32').reshape((1, 1)), requires_grad=True)
b = b0.expand(1, 2)
out = lib.nn.functional.cosine_similarity(a, b, dim=0)
leaves = [a0, b0]
'''),
    K(('div',), 'spurious_error',
      'ember raised RuntimeError: ZeroDivisionError',
      'div', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 0)))
out = lib.div(a, 0, rounding_mode='trunc')
leaves = []
'''),
    K(('scatter:index_put',), 'error_class',
      'ember raised RuntimeError: Index put requires the source and destination dtypes match, got T for the destination and T for the source.; torch raised In',
      'scatter:index_put', '''\
a = lib.tensor(np.array([], dtype='float64').reshape((0, 0)), requires_grad=True)
b = lib.tensor(np.array([0], dtype='int64'))
out = lib.index_put(a, (b,), lib.tensor(1.5), accumulate=True)
leaves = [a]
'''),
    K(('add',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T#_t without overflow',
      'add', '''\
a = lib.tensor(np.array(0, dtype='int8'))
b = lib.tensor(np.array(0, dtype='int8'))
out = lib.add(a, b, alpha=255)
leaves = []
'''),
    K(('F.misc:fold',), 'numpy_leak',
      "ember raised ValueError: non-broadcastable output operand with shape (#) doesn't match the broadcast shape (#); torch raised RuntimeError: Expected ",
      'F.misc:fold', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((1, 4, 0)), requires_grad=True)
out = lib.nn.functional.fold(a, (2, 2), 2, dilation=2, padding=0, stride=2)
leaves = [a]
'''),
    K(('searchsorted:bucketize',), 'value',
      'output at (#): ember #, torch #',
      'searchsorted:bucketize', '''\
a = lib.tensor(np.array([1.6898430585861206], dtype='float32'))
b = lib.tensor(np.array(1.6898431170685804, dtype='float64'))
out = lib.bucketize(b, a)
leaves = []
'''),
    K(('searchsorted',), 'value',
      'output at (#): ember #, torch #',
      'searchsorted', '''\
a = lib.tensor(np.array([1.6898430585861206], dtype='float32'))
b = lib.tensor(np.array(1.6898431170685804, dtype='float64'))
out = lib.searchsorted(a, b)
leaves = []
'''),
    K(('addmm',), 'value',
      'output nan mismatch at (#): ember nan, torch inf',
      'addmm', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 1.0], dtype='float16').reshape((2, 2)), requires_grad=True)
b = lib.tensor(np.array([0.0, 0.0], dtype='float16').reshape((2, 1)), requires_grad=True)
c = lib.tensor(np.array([0.0, 0.0], dtype='float16').reshape((1, 2)), requires_grad=True)
out = lib.addmm(a, b, c, beta=2147483648, alpha=2147483648)
leaves = [a, b, c]
'''),
    K(('F.interpolate',), 'value',
      'output nan mismatch at (#): ember #, torch nan',
      'F.interpolate', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, inf], dtype='float32').reshape((1, 2, 3)), requires_grad=True)
out = lib.nn.functional.interpolate(a, size=1, mode='linear')
leaves = [a]
'''),
    K(('lerp',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'lerp', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = lib.lerp(a, b, 1e+300)
leaves = [a, b]
'''),
    K(('inplace:addcmul_',), 'value',
      'output # nan mismatch at (#): ember nan, torch #',
      'inplace:addcmul_', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
base = a.clone()
b = lib.tensor(np.array(0, dtype='int64'))
c = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
r = base.addcmul_(b, c, value=2147483648)
out = (r, base)
leaves = [a, c]
'''),
    K(('inplace:**=',), 'grad',
      'grad of leaf # nan mismatch at (#): ember nan, torch #',
      'inplace:**=', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
b = lib.tensor(np.array(3.4028234663852886e+38, dtype='float32'), requires_grad=True)
base **= b
r = base
out = (r, base)
leaves = [a, b]
'''),
    K(('inplace:sub_',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'inplace:sub_', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
base = a.clone()
r = base.sub_(0, alpha=2147483648)
out = (r, base)
leaves = [a]
'''),
    K(('inplace:**=',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'inplace:**=', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
base = a.clone()
base **= 2147483648
r = base
out = (r, base)
leaves = [a]
'''),
    K(('inplace:pow_',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'inplace:pow_', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
base = a.clone()
r = base.pow_(2147483648)
out = (r, base)
leaves = [a]
'''),
    K(('F.softmax:normalize',), 'grad2',
      'first-order grads (create_graph=True) of leaf nan mismatch at (#): ember inf, torch nan',
      'F.softmax:normalize', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
out = lib.nn.functional.normalize(a, p=2, dim=0)
leaves = [a]
'''),
    K(('addbmm',), 'value',
      'output nan mismatch at (#): ember nan, torch #',
      'addbmm', '''\
a = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
b = lib.tensor(np.array([0.0, 0.0], dtype='float32').reshape((2, 1, 1)), requires_grad=True)
c = lib.tensor(np.array([0.0, inf], dtype='float32').reshape((2, 1, 1)), requires_grad=True)
out = lib.addbmm(a, b, c, beta=0, alpha=0)
leaves = [a, b, c]
'''),
    K(('remainder',), 'spurious_error',
      'ember raised RuntimeError: ZeroDivisionError',
      'remainder', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 0, 0)))
out = lib.remainder(a, 0)
leaves = []
'''),
    K(('F.conv',), 'spurious_error',
      'ember raised RuntimeError: Given input size per channel: (#). Calculated output size per channel: (#). Output size is too small',
      'F.conv', '''\
a0 = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((4, 2, 1)), requires_grad=True)
a = a0.permute(2, 0, 1)
b = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((4, 1, 1)), requires_grad=True)
out = lib.nn.functional.conv_transpose1d(a, b, None, stride=1, padding=1, output_padding=0, groups=2, dilation=1)
leaves = [a0, b]
'''),
    K(('tensordot',), 'spurious_error',
      'ember raised NotImplementedError: "dot" not implemented for \'T\'',
      'tensordot', '''\
a = lib.tensor(np.array([False, False, False, False], dtype='bool').reshape((1, 2, 2)))
b0 = lib.tensor(np.array([False, False, False, False], dtype='bool').reshape((2, 1, 2)))
b = b0.permute(2, 0, 1)
out = lib.tensordot(a, b, dims=2)
leaves = []
'''),
    K(('scatter:scatter_reduce',), 'missing_error',
      'torch raised NotImplementedError: "div_floor_cpu" not implemented for \'T\'',
      'scatter:scatter_reduce', '''\
a0 = lib.tensor(np.array([False, False, False, False, False, False, False, False], dtype='bool').reshape((2, 4, 1)))
a = a0.permute(2, 0, 1)
b = lib.tensor(np.array([], dtype='int64').reshape((0, 0, 0)))
c = lib.tensor(np.array([], dtype='bool').reshape((0, 0, 0)))
out = lib.scatter_reduce(a, 0, b, c, 'mean', include_self=True)
leaves = []
'''),
    K(('F.mse_loss:gaussian_nll_loss',), 'grad2',
      '#nd-order grad of leaf # nan mismatch at (#): ember nan, torch inf',
      'F.mse_loss:gaussian_nll_loss', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 3, 2, 3)), requires_grad=True)
b0 = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -inf, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 2, 3, 3)), requires_grad=True)
b = b0.permute(0, 2, 1, 3)
c = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 3, 2, 3)), requires_grad=True)
out = lib.nn.functional.gaussian_nll_loss(a, b, c.abs() + 0.1)
leaves = [a, b0, c]
'''),
    K(('saved_modified:zero_()',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'saved_modified:zero_()', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 3.4028234663852886e+38], dtype='float32'), requires_grad=True)
x = a * 1
y = x ** 2
y.zero_()
out = y
leaves = [a]
'''),
    K(('F.softmax:glu',), 'error_class',
      'ember raised NotImplementedError: "glu_cpu" not implemented for \'T\'; torch raised RuntimeError: Halving dimension must be even, but dimension # is size #',
      'F.softmax:glu', '''\
a = lib.tensor(np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], dtype='int64').reshape((5, 5)))
out = lib.nn.functional.glu(a, 0)
leaves = []
'''),
    K(('dot',), 'spurious_error',
      'ember raised NotImplementedError: "dot" not implemented for \'T\'',
      'dot', '''\
a = lib.tensor(np.array([False, False], dtype='bool'))
b0 = lib.tensor(np.array([False], dtype='bool'))
b = b0.expand(2,)
out = lib.inner(a, b)
leaves = []
'''),
    K(('addcmul',), 'error_class',
      'ember raised OverflowError: cannot convert T infinity to integer; torch raised RuntimeError: value cannot be converted to type T#_t without overflow',
      'addcmul', '''\
a = lib.tensor(np.array(0, dtype='int64'))
b = lib.tensor(np.array(0, dtype='int64'))
c = lib.tensor(np.array(0, dtype='int64'))
out = lib.addcmul(a, b, c, value=inf)
leaves = []
'''),
    K(('table:scatter_reduce_prod',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf: ember False, torch True',
      'table:scatter_reduce_prod', '''\
a = lib.tensor(np.array([-0.5403481125831604, -0.01970038004219532, -1.8862223625183105, -0.746772289276123, -1.1475849151611328, -0.6783179640769958, -0.30721452832221985, 0.25477898120880127, 1.1478813886642456, -0.2585814297199249, -0.9490629434585571, -0.09022004157304764], dtype='float32').reshape((3, 4)), requires_grad=True)
b = lib.tensor(np.array([3, 0, 0, 2, 1, 3, 0, 2, 3], dtype='int64').reshape((3, 3)))
c = lib.tensor(np.array([-1.251490831375122, -1.1873352527618408, 0.4017338752746582, 1.8819458484649658, 2.0421338081359863, 1.2282456159591675, 0.3885149657726288, 1.5334994792938232, -0.6762881278991699], dtype='float32').reshape((3, 3)))
fn = lambda lib, a, i, s: lib.scatter_reduce(a, 1, i, s, 'prod')
out = fn(lib, a, b, c)
leaves = [a]
'''),
    K(('pow',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'pow', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float16'), requires_grad=True)
out = lib.pow(a, 2147483648)
leaves = [a]
'''),
    K(('F.cosine_embedding_loss:pairwise_distance',), 'grad2',
      '#nd-order grad of leaf # at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'F.cosine_embedding_loss:pairwise_distance', '''\
a = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
b = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
out = lib.nn.functional.pairwise_distance(a, b, p=2.0)
leaves = [a, b]
'''),
    K(('inplace:addcdiv_',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'inplace:addcdiv_', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 5, 5)), requires_grad=True)
base = a.clone()
b = lib.tensor(np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], dtype='int64').reshape((1, 5, 5)))
c = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 5, 5)), requires_grad=True)
r = base.addcdiv_(b, c, value=1e+300)
out = (r, base)
leaves = [a, c]
'''),
    K(('sub',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'sub', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
b = lib.tensor(np.array(0, dtype='int64'))
out = lib.sub(a, b, alpha=2147483648)
leaves = [a]
'''),
    K(('inplace_view:view.unbind(0)[-1]',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: A view wa',
      'inplace_view:view.unbind(0)[-1]', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float32'))
base = a.clone()
x = base.unbind(0)[-1]
b = lib.tensor(np.array([0.0, 0.0], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [b]
'''),
    K(('inplace_view:view.split(1)[0]',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: A view wa',
      'inplace_view:view.split(1)[0]', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float32'))
base = a.clone()
x = base.split(1)[0]
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [b]
'''),
    K(('inplace_view:view.narrow(0, 0, 1)',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.narrow(0, 0, 1)', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float32'), requires_grad=True)
base = a.clone()
x = base.narrow(0, 0, 1)
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.select(-1, 0)',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.select(-1, 0)', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float32'), requires_grad=True)
base = a.clone()
x = base.select(-1, 0)
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view[0]',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view[0]', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float32'), requires_grad=True)
base = a.clone()
x = base[0]
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.reshape(-1)',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.reshape(-1)', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.reshape(-1)
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.view(-1)',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.view(-1)', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.view(-1)
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.squeeze()',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.squeeze()', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.squeeze()
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.unsqueeze(0)',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.unsqueeze(0)', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.unsqueeze(0)
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view[None]',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view[None]', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base[None]
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.T',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.T', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.T
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.t()',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.t()', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.t()
b = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('F.cosine_embedding_loss:pairwise_distance',), 'dtype',
      'output: ember torch.float#, torch torch.float#',
      'F.cosine_embedding_loss:pairwise_distance', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 1)))
b = lib.tensor(np.array([], dtype='int64').reshape((0, 1)))
out = lib.nn.functional.pairwise_distance(a, b, p=1.0)
leaves = []
'''),
    K(('table:scatter_reduce_prod_excl',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf: ember False, torch True',
      'table:scatter_reduce_prod_excl', '''\
a = lib.tensor(np.array([-0.27773618698120117, -0.804050087928772, 0.7807957530021667, -0.12035765498876572, -0.8039054870605469, -0.6304227709770203, 0.3480220139026642, 1.2062255144119263, 1.6664732694625854, 1.3441601991653442, -0.17310170829296112, 0.8276389241218567], dtype='float32').reshape((3, 4)), requires_grad=True)
b = lib.tensor(np.array([0, 1, 1, 1, 2, 0, 0, 2], dtype='int64').reshape((2, 4)))
c = lib.tensor(np.array([-0.4615058898925781, 0.24314385652542114, 0.3871609568595886, -1.7054413557052612, 1.4446561336517334, 1.102803349494934, 0.7410465478897095, 0.14245685935020447], dtype='float32').reshape((2, 4)))
fn = lambda lib, a, i, s: a.scatter_reduce(0, i, s, 'prod', include_self=False)
out = fn(lib, a, b, c)
leaves = [a]
'''),
    K(('fmod',), 'spurious_error',
      'ember raised RuntimeError: ZeroDivisionError',
      'fmod', '''\
a = lib.tensor(np.array([], dtype='int64').reshape((0, 0)))
out = lib.fmod(a, 0)
leaves = []
'''),
    K(('inplace_view:view.view_as(b)',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.view_as(b)', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.view_as(base)
b = lib.tensor(np.array([0.0, 0.0], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.detach()',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.detach()', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.detach()
b = lib.tensor(np.array([0.0, 0.0], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.flatten()',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: value array of shape (#) could not be broadcast to indexing result of shape (#); torch raised RuntimeError: output wi',
      'inplace_view:view.flatten()', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.flatten()
b = lib.tensor(np.array([0.0, 0.0], dtype='float32'), requires_grad=True)
r = x.add_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('inplace_view:view.detach()',), 'grad',
      'grad of leaf # at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'inplace_view:view.detach()', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
base = a.clone()
x = base.detach()
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
r = x.copy_(b)
out = (x, base)
leaves = [a, b]
'''),
    K(('F.batch_norm:batch_norm',), 'value',
      'output nan mismatch at (#): ember -inf, torch nan',
      'F.batch_norm:batch_norm', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], dtype='float32').reshape((1, 2, 2, 3)), requires_grad=True)
b = lib.tensor(np.array([0.0, inf], dtype='float32'), requires_grad=True)
c = lib.tensor(np.array([0.0, 0.0], dtype='float32'), requires_grad=True)
y = lib.nn.functional.batch_norm(a, None, None, b, c, training=True)
out = y
leaves = [a, b, c]
'''),
    K(('F.batch_norm:batch_norm',), 'grad',
      'grad of leaf # nan mismatch at (#): ember nan, torch inf',
      'F.batch_norm:batch_norm', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 2, 2)), requires_grad=True)
b = lib.tensor(np.array([0.0, inf], dtype='float32'), requires_grad=True)
c = lib.tensor(np.array([0.0, 0.0], dtype='float32'), requires_grad=True)
d = lib.tensor(np.array([0.0, 0.0], dtype='float32'))
e = lib.tensor(np.array([0.0, 0.0], dtype='float32'))
e = e.abs() + 0.5
y = lib.nn.functional.batch_norm(a, d, e, b, c, training=True)
out = (y, d, e)
leaves = [a, b, c]
'''),
    K(('F.batch_norm:batch_norm',), 'missing_error',
      "torch raised TypeError: batch_norm(#): argument 'momentum' (position #) must be T, not NoneType",
      'F.batch_norm:batch_norm', '''\
a = lib.tensor(np.array([0.0, 0.0], dtype='float32').reshape((1, 1, 2)), requires_grad=True)
y = lib.nn.functional.batch_norm(a, None, None, None, None, training=True, momentum=None)
out = y
leaves = [a]
'''),
    K(('F.batch_norm:batch_norm',), 'error_class',
      'ember raised NotImplementedError: "batch_norm" not implemented for \'T\'; torch raised RuntimeError: mean(#): could not infer output dtype. Input dtype must be ',
      'F.batch_norm:batch_norm', '''\
a0 = lib.tensor(np.array([0], dtype='int64').reshape((1, 1, 1, 1)))
a = a0.expand(1, 1, 2, 2)
y = lib.nn.functional.batch_norm(a, None, None, None, None, training=True)
out = y
leaves = []
'''),
    K(('inplace_view:view.expand(2, *s)',), 'numpy_leak',
      'ember raised ValueError: output array is read-only; torch raised RuntimeError: unsupported operation: more than one element of the written-to tensor refers to a',
      'inplace_view:view.expand(2, *s)', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((4, 1)))
base = a.clone()
x = base.expand(2, *(4, 1))
r = x.add_(1)
out = (x, base)
leaves = []
'''),
    K(('table:prod_dim_keepdim',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'table:prod_dim_keepdim', '''\
a = lib.tensor(np.array([1.0, 1.0, 1.0, 1.0, 1.0, inf], dtype='float32').reshape((2, 3)), requires_grad=True)
fn = lambda lib, a: a.prod(0, keepdim=True)
out = fn(lib, a)
leaves = [a]
'''),
    K(('table:prod_dim_keepdim',), 'grad2',
      '#nd-order grad of leaf nan mismatch at (#): ember nan, torch #',
      'table:prod_dim_keepdim', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, inf], dtype='float32').reshape((2, 3)), requires_grad=True)
fn = lambda lib, a: a.prod(0, keepdim=True)
out = fn(lib, a)
leaves = [a]
'''),
    K(('bitwise_and',), 'error_class',
      'ember raised NotImplementedError: "bitwise_and_cpu" not implemented for \'T\'; torch raised RuntimeError: The size of tensor a (#) must match the size of tens',
      'bitwise_and', '''\
a = lib.tensor(np.array([], dtype='float32').reshape((0, 2)), requires_grad=True)
b = lib.tensor(np.array([], dtype='bool'))
out = lib.bitwise_and(a, b)
leaves = [a]
'''),
    K(('scatter:index_put',), 'spurious_error',
      'ember raised IndexError: index # is out of bounds for dimension # with size #',
      'scatter:index_put', '''\
a0 = lib.tensor(np.array([], dtype='float32').reshape((2, 0, 1)), requires_grad=True)
a = a0.permute(2, 0, 1)
b = lib.tensor(np.array([0, 1], dtype='int64'))
out = lib.index_put(a, (b,), lib.tensor(1.5), accumulate=False)
leaves = [a0]
'''),
    K(('F.hardswish',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'F.hardswish', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, nan], dtype='float32').reshape((2, 4, 4)), requires_grad=True)
out = lib.nn.functional.hardswish(a)
leaves = [a]
'''),
    K(('F.hardswish',), 'value',
      'output inf mismatch at (#): ember inf, torch #',
      'F.hardswish', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 21840.0], dtype='float16').reshape((2, 3, 5)), requires_grad=True)
out = lib.nn.functional.hardswish(a)
leaves = [a]
'''),
    K(('table:kthvalue',), 'value',
      'output # at (#): ember #, torch #',
      'table:kthvalue', '''\
a0 = lib.tensor(np.array([-1.067549705505371], dtype='float32'), requires_grad=True)
a = a0.expand(4,)
fn = lambda lib, a: lib.kthvalue(a, 2, 0)
out = fn(lib, a)
leaves = [a0]
'''),
    K(('F.misc:bilinear',), 'grad',
      'grad of leaf # nan mismatch at (#): ember inf, torch nan',
      'F.misc:bilinear', '''\
a0 = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
a = a0.expand(2, 1)
b = lib.tensor(np.array([0.0, inf], dtype='float32').reshape((2, 1)), requires_grad=True)
c = lib.tensor(np.array([0.0, 0.0, 1.0], dtype='float32').reshape((3, 1, 1)), requires_grad=True)
d = lib.tensor(np.array([0.0, 0.0, 0.0], dtype='float32'), requires_grad=True)
out = lib.nn.functional.bilinear(a, b, c, d)
leaves = [a0, b, c, d]
'''),
    K(('F.conv',), 'grad',
      'grad of leaf # nan mismatch at (#): ember nan, torch #',
      'F.conv', '''\
a0 = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 1, 2, 4)), requires_grad=True)
a = a0.expand(1, 2, 2, 4)
b = lib.tensor(np.array([0.0, 0.0, 0.0, inf], dtype='float32').reshape((1, 2, 1, 2)), requires_grad=True)
c = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
out = lib.nn.functional.conv2d(a, b, c, stride=1, padding=0, dilation=1, groups=1)
leaves = [a0, b, c]
'''),
    K(('sort',), 'missing_error',
      'torch raised IndexError: Dimension out of range (expected to be in range of [#], but got #)',
      'sort', '''\
a = lib.tensor(np.array(0, dtype='int64'))
out = lib.sort(a, 1, descending=True)
leaves = []
'''),
    K(('F.embedding',), 'missing_error',
      'torch raised RuntimeError: norm(#): input dtype should be either floating point or complex. Got T instead.',
      'F.embedding', '''\
a = lib.tensor(np.array([0, 0, 0, 0, 0, 0], dtype='int64').reshape((2, 3)))
b = lib.tensor(np.array(0, dtype='int64'))
y = lib.nn.functional.embedding(b, a, max_norm=0.5)
out = (y, a)
leaves = []
'''),
    K(('F.elu',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'F.elu', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, nan, 0.0], dtype='float64').reshape((3, 3)), requires_grad=True)
out = lib.nn.functional.elu(a)
leaves = [a]
'''),
    K(('setitem',), 'requires_grad',
      'output: ember False, torch True',
      'setitem', '''\
a = lib.tensor(np.array([], dtype='int64'))
x = a.clone()
b = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
x[()] = b
out = x
leaves = [b]
'''),
    K(('div',), 'grad',
      'grad of leaf nan mismatch at (#): ember inf, torch nan',
      'div', '''\
a0 = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.4028234663852886e+38], dtype='float32').reshape((1, 2, 2, 5)), requires_grad=True)
a = a0[:, 1:, 1:, 1:]
out = inf / a
leaves = [a0]
'''),
    K(('where',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'where', '''\
a = lib.tensor(np.array(False, dtype='bool'))
b = lib.tensor(np.array(0, dtype='int64'))
out = lib.where(a, 1e+300, b)
leaves = []
'''),
    K(('std_mean',), 'value',
      'output # nan mismatch at (#): ember inf, torch nan',
      'std_mean', '''\
a = lib.tensor(np.array([inf, 0.0], dtype='float32'), requires_grad=True)
out = lib.std_mean(a, dim=())
leaves = [a]
'''),
    K(('std_mean',), 'grad',
      'grad of leaf nan mismatch at (#): ember nan, torch #',
      'std_mean', '''\
a = lib.tensor(np.array([0.0, 1.0], dtype='float32'), requires_grad=True)
out = lib.std_mean(a, dim=(), correction=2)
leaves = [a]
'''),
    K(('cummax',), 'spurious_error',
      'ember raised IndexError: Dimension out of range (expected to be in range of [#], but got #)',
      'cummax', '''\
a = lib.tensor(np.array([], dtype='int64'))
out = lib.cummax(a, 1)
leaves = []
'''),
    K(('prod',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'prod', '''\
a = lib.tensor(np.array([inf], dtype='float32'), requires_grad=True)
out = a.prod()
leaves = [a]
'''),
    K(('table:prod_dim',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'table:prod_dim', '''\
a = lib.tensor(np.array([1.0, 1.0, 1.0, 1.0, 1.0, inf], dtype='float32').reshape((2, 3)), requires_grad=True)
fn = lambda lib, a: a.prod(1)
out = fn(lib, a)
leaves = [a]
'''),
    K(('table:prod_dim',), 'grad2',
      '#nd-order grad of leaf nan mismatch at (#): ember nan, torch inf',
      'table:prod_dim', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, inf], dtype='float32').reshape((2, 3)), requires_grad=True)
fn = lambda lib, a: a.prod(1)
out = fn(lib, a)
leaves = [a]
'''),
    K(('F.gelu',), 'grad2',
      '#nd-order grad of leaf nan mismatch at (#): ember #, torch nan',
      'F.gelu', '''\
a = lib.tensor(np.array(3.4028234663852886e+38, dtype='float32'), requires_grad=True)
out = lib.nn.functional.gelu(a)
leaves = [a]
'''),
    K(('addcdiv',), 'value',
      'output inf mismatch at (#): ember inf, torch #',
      'addcdiv', '''\
a = lib.tensor(np.array([0.0], dtype='float16'), requires_grad=True)
b = lib.tensor(np.array([65504.0], dtype='float16'), requires_grad=True)
c = lib.tensor(np.array([3.0], dtype='float16'), requires_grad=True)
out = lib.addcdiv(a, b, c, value=2)
leaves = [a, b, c]
'''),
    K(('cat:concat',), 'spurious_error',
      'ember raised IndexError: Dimension out of range (expected to be in range of [#], but got #)',
      'cat:concat', '''\
a = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
out = lib.concat([a], 1)
leaves = [a]
'''),
    K(('cat',), 'spurious_error',
      'ember raised IndexError: Dimension out of range (expected to be in range of [#], but got #)',
      'cat', '''\
a = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
out = lib.cat([a], 1)
leaves = [a]
'''),
    K(('float_power',), 'grad2',
      '#nd-order grad of leaf nan mismatch at (#): ember nan, torch #',
      'float_power', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32'), requires_grad=True)
out = lib.float_power(a, 1e+300)
leaves = [a]
'''),
    K(('einsum',), 'value',
      'output nan mismatch at (#): ember inf, torch nan',
      'einsum', '''\
a0 = lib.tensor(np.array([inf], dtype='float32'), requires_grad=True)
a = a0.expand(2,)
b = lib.tensor(np.array([0.0, 1.0], dtype='float32'), requires_grad=True)
out = lib.einsum('i,i->', a, b)
leaves = [a0, b]
'''),
    K(('table:cumprod_zeros',), 'value',
      'output nan mismatch at (#): ember nan, torch #',
      'table:cumprod_zeros', '''\
a0 = lib.tensor(np.array([3.4028234663852886e+38, 0.0, 2.0, 0.0, 0.0, 0.0], dtype='float32').reshape((3, 2)), requires_grad=True)
a = a0.permute(1, 0)
fn = lambda lib, a: lib.cumprod(a, 1)
out = fn(lib, a)
leaves = [a0]
'''),
    K(('table:cumprod_zeros',), 'grad2',
      '#nd-order grad of leaf at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'table:cumprod_zeros', '''\
a0 = lib.tensor(np.array([1.0, 2.220446049250313e-16, 1.0, 1.0, 1.0, 1.0], dtype='float32').reshape((3, 2)), requires_grad=True)
a = a0.permute(1, 0)
fn = lambda lib, a: lib.cumprod(a, 1)
out = fn(lib, a)
leaves = [a0]
'''),
    K(('table:cumprod_zeros',), 'grad',
      'grad of leaf nan mismatch at (#): ember nan, torch #',
      'table:cumprod_zeros', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, inf], dtype='float32').reshape((2, 3)), requires_grad=True)
fn = lambda lib, a: lib.cumprod(a, 1)
out = fn(lib, a)
leaves = [a]
'''),
    K(('F.selu',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'F.selu', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, nan], dtype='float32').reshape((4, 4)), requires_grad=True)
out = lib.nn.functional.selu(a)
leaves = [a]
'''),
    K(('table:scatter_reduce_prod_excl',), 'grad',
      'grad of leaf # nan mismatch at (#): ember nan, torch #',
      'table:scatter_reduce_prod_excl', '''\
a = lib.tensor(np.array([-0.27773618698120117, -0.804050087928772, 0.7807957530021667, -0.12035765498876572, -0.8039054870605469, -0.6304227709770203, 0.3480220139026642, 1.2062255144119263, 1.6664732694625854, 1.3441601991653442, -0.17310170829296112, 0.8276389241218567], dtype='float32').reshape((3, 4)), requires_grad=True)
b = lib.tensor(np.array([0, 1, 1, 1, 2, 0, 0, 2], dtype='int64').reshape((2, 4)))
c = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, inf], dtype='float32').reshape((2, 4)), requires_grad=True)
fn = lambda lib, a, i, s: a.scatter_reduce(0, i, s, 'prod', include_self=False)
out = fn(lib, a, b, c)
leaves = [a, c]
'''),
    K(('baddbmm',), 'grad2',
      '#nd-order grad of leaf # nan mismatch at (#): ember nan, torch inf',
      'baddbmm', '''\
a0 = lib.tensor(np.array([0.0], dtype='float16').reshape((1, 1, 1)), requires_grad=True)
a = a0.expand(1, 1, 2)
b = lib.tensor(np.array([0.0, 0.0], dtype='float16').reshape((1, 1, 2)), requires_grad=True)
c = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float16').reshape((1, 2, 2)), requires_grad=True)
out = lib.baddbmm(a, b, c, beta=0, alpha=70000.0)
leaves = [a0, b, c]
'''),
    K(('F.celu',), 'grad2',
      '#nd-order grad of leaf nan mismatch at (#): ember #, torch nan',
      'F.celu', '''\
a0 = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, nan, 0.0], dtype='float64').reshape((3, 3)), requires_grad=True)
a = a0.permute(1, 0)
out = lib.nn.functional.celu(a)
leaves = [a0]
'''),
    K(('F.celu',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'F.celu', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, nan, 0.0], dtype='float64').reshape((3, 3)), requires_grad=True)
out = lib.nn.functional.celu(a)
leaves = [a]
'''),
    K(('getitem',), 'error_class',
      'ember raised IndexError: slice(#) cannot be applied to a #-dim tensor.; torch raised ValueError: slice step cannot be zero',
      'getitem', '''\
a = lib.tensor(np.array(0, dtype='int64'))
out = a[::0]
leaves = []
'''),
    K(('table:addmm_beta_alpha',), 'value',
      'output inf mismatch at (#): ember #, torch inf',
      'table:addmm_beta_alpha', '''\
a = lib.tensor(np.array([-1.2339203357696533, 1.2817457914352417, 1.0745153427124023, 0.9745633602142334, -0.11538885533809662, -0.38831207156181335, -0.5568180084228516, 0.9871886372566223], dtype='float32').reshape((2, 4)), requires_grad=True)
b = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 3.4028234663852886e+38], dtype='float32').reshape((2, 3)), requires_grad=True)
c = lib.tensor(np.array([-0.6123762726783752, 0.08304798603057861, -1.1812952756881714, 0.7037401795387268, -0.7380070090293884, 1.1058050394058228, 1.0205885171890259, -0.305412620306015, 0.41649994254112244, 0.13586215674877167, -0.6743355393409729, 0.21481256186962128], dtype='float32').reshape((3, 4)), requires_grad=True)
fn = lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2.0)
out = fn(lib, a, b, c)
leaves = [a, b, c]
'''),
    K(('table:einsum_batch_diag_sum',), 'value',
      'output at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'table:einsum_batch_diag_sum', '''\
a = lib.tensor(np.array([1.9284189581720124, 1.0532674623888107, 0.23964739432353344, -0.2346845946706817, -0.3409913314510677, -1.202023400821412, -1.0148869955945592, -0.8997968321008705, -1.7822614464616515, 0.34042816664577613, 0.46927642363526323, 0.11846436012510013, 0.7841260926108677, -0.4803595023762989, 1.2436401421498158, -0.3646537087317797, -0.39817161328565487, -1.3564707935744815], dtype='float64').reshape((2, 3, 3)), requires_grad=True)
b = lib.tensor(np.array([1.2802094221115112, 0.3716312646865845, 0.49680155515670776, 1.017187476158142], dtype='float32').reshape((2, 2)), requires_grad=True)
fn = lambda lib, a, b: lib.einsum('bii,bj->b', a, b)
out = fn(lib, a, b)
leaves = [a, b]
'''),
    K(('addmv',), 'value',
      'output nan mismatch at (#): ember nan, torch #',
      'addmv', '''\
a = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
b0 = lib.tensor(np.array([0.0], dtype='float32').reshape((1, 1)), requires_grad=True)
b = b0.expand(1, 2)
c = lib.tensor(np.array([0.0, inf], dtype='float32'), requires_grad=True)
out = lib.addmv(a, b, c, beta=0, alpha=0)
leaves = [a, b0, c]
'''),
    K(('table:scatter_reduce_mean_excl',), 'missing_error',
      'torch raised NotImplementedError: "scatter_gather_tensor_cpu_reduce_mean" not implemented for \'T\'',
      'table:scatter_reduce_mean_excl', '''\
a = lib.tensor(np.array([True, True, True, True, True, True, True, True, True, True, True, True], dtype='bool').reshape((3, 4)))
b = lib.tensor(np.array([0, 1, 0, 2, 2, 0, 0, 0], dtype='int64').reshape((2, 4)))
c = lib.tensor(np.array([True, True, True, True, True, True, True, True], dtype='bool').reshape((2, 4)))
fn = lambda lib, a, i, s: a.scatter_reduce(0, i, s, 'mean', include_self=False)
out = fn(lib, a, b, c)
leaves = []
'''),
    K(('pow_scalar',), 'grad',
      'grad of leaf inf mismatch at (#): ember inf, torch -inf',
      'pow_scalar', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0], dtype='float32').reshape((2, 5)), requires_grad=True)
out = a ** 0.5
leaves = [a]
'''),
    K(('std',), 'grad',
      'grad of leaf nan mismatch at (#): ember nan, torch #',
      'std', '''\
a = lib.tensor(np.array([0.0, 1.0], dtype='float32'), requires_grad=True)
out = a.std(dim=(), keepdim=True, correction=2)
leaves = [a]
'''),
    K(('table:hardtanh',), 'spurious_error',
      'ember raised RuntimeError: cannot do hardtanh on an unsigned type with negative limits',
      'table:hardtanh', '''\
a = lib.tensor(np.array(0, dtype='uint8'))
fn = lambda lib, a: lib.nn.functional.hardtanh(a, -0.5, 0.7)
out = fn(lib, a)
leaves = []
'''),
    K(('table:scatter_reduce_sum',), 'value',
      'output at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'table:scatter_reduce_sum', '''\
a = lib.tensor(np.array([0.0, 0.0, -1.0, 0.0, 0.0, 0.0], dtype='float16').reshape((2, 3)), requires_grad=True)
b = lib.tensor(np.array([2, 2, 1, 0], dtype='int64').reshape((2, 2)))
c = lib.tensor(np.array([-0.11614990234375, -0.65478515625, -1.0830078125, 0.147216796875], dtype='float16').reshape((2, 2)), requires_grad=True)
fn = lambda lib, a, i, s: lib.scatter_reduce(a, 1, i, s, 'sum')
out = fn(lib, a, b, c)
leaves = [a, c]
'''),
    K(('addmv',), 'grad',
      'grad of leaf # nan mismatch at (#): ember nan, torch inf',
      'addmv', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
b = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0], dtype='float16').reshape((1, 4)), requires_grad=True)
c = lib.tensor(np.array([0.0, 0.0, 0.0, inf], dtype='float16'), requires_grad=True)
out = lib.addmv(a, b, c, beta=0, alpha=1e-40)
leaves = [a, b, c]
'''),
    K(('F.batch_norm:group_norm',), 'value',
      'output nan mismatch at (#): ember inf, torch nan',
      'F.batch_norm:group_norm', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], dtype='float32').reshape((3, 4)), requires_grad=True)
b = lib.tensor(np.array([0.0, 0.0, 0.0, inf], dtype='float32'), requires_grad=True)
c0 = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
c = c0.expand(4,)
out = lib.nn.functional.group_norm(a, 1, b, c)
leaves = [a, b, c0]
'''),
    K(('lerp',), 'grad',
      'grad of leaf # nan mismatch at (#): ember nan, torch inf',
      'lerp', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
b = lib.tensor(np.array([1.0, 1.0, 1.0, 1.0, 1.0], dtype='float16'), requires_grad=True)
out = lib.lerp(a, b, 70000.0)
leaves = [a, b]
'''),
    K(('lerp',), 'value',
      'output nan mismatch at (#): ember nan, torch #',
      'lerp', '''\
a = lib.tensor(np.array(0.0, dtype='float16'), requires_grad=True)
b = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0], dtype='float16'), requires_grad=True)
out = lib.lerp(a, b, 70000.0)
leaves = [a, b]
'''),
    K(('inplace:clamp',), 'spurious_error',
      'ember raised RuntimeError: value cannot be converted to type T without overflow',
      'inplace:clamp', '''\
a = lib.tensor(np.array([], dtype='float16'))
r = a.clamp_(2147483648, nan)
out = (r, a)
leaves = []
'''),
    K(('scatter:index_add',), 'numpy_leak',
      'ember raised OverflowError: Python integer # out of bounds for T#; torch raised RuntimeError: value cannot be converted to type T#_t without overflow',
      'scatter:index_add', '''\
a = lib.tensor(np.array([0], dtype='int8'))
b = lib.tensor(np.array([], dtype='int64'))
c = lib.tensor(np.array([], dtype='int8'))
out = lib.index_add(a, 0, b, c, alpha=255)
leaves = []
'''),
    K(('F.pad',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'F.pad', '''\
a = lib.tensor(np.array([], dtype='float16').reshape((0, 0)), requires_grad=True)
out = lib.nn.functional.pad(a, (0, 1), mode='constant', value=2147483648)
leaves = [a]
'''),
    K(('F.batch_norm:group_norm',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf #: ember False, torch True',
      'F.batch_norm:group_norm', '''\
a = lib.tensor(np.array([0.0, 0.0], dtype='float32').reshape((1, 2)))
b = lib.tensor(np.array([0.0, 0.0], dtype='float32'), requires_grad=True)
c0 = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
c = c0.expand(2,)
out = lib.nn.functional.group_norm(a, 1, b, c)
leaves = [b, c0]
'''),
    K(('var',), 'grad',
      'grad of leaf nan mismatch at (#): ember nan, torch #',
      'var', '''\
a = lib.tensor(np.array([0.0], dtype='float32'), requires_grad=True)
out = a.var(dim=(), keepdim=True, correction=2)
leaves = [a]
'''),
    K(('F.conv',), 'missing_error',
      'torch raised NotImplementedError: "slow_conv#d_cpu" not implemented for \'T\'',
      'F.conv', '''\
a = lib.tensor(np.array([False], dtype='bool').reshape((1, 1, 1)))
b = lib.tensor(np.array([False], dtype='bool').reshape((1, 1, 1)))
c = lib.tensor(np.array([False], dtype='bool'))
out = lib.nn.functional.conv1d(a, b, c, stride=1, padding=0, dilation=1, groups=1)
leaves = []
'''),
    K(('addmv',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T without overflow',
      'addmv', '''\
a = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
b = lib.tensor(np.array([], dtype='float32').reshape((0, 0)), requires_grad=True)
c = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
out = lib.addmv(a, b, c, beta=1e+300, alpha=0)
leaves = [a, b, c]
'''),
    K(('logit',), 'grad',
      'grad of leaf inf mismatch at (#): ember -inf, torch inf',
      'logit', '''\
a = lib.tensor(np.array(-0.0, dtype='float32'), requires_grad=True)
out = lib.logit(a)
leaves = [a]
'''),
    K(('saved_modified:exp_()',), 'value',
      'output nan mismatch at (#): ember nan, torch -inf',
      'saved_modified:exp_()', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, -inf, 3.4028234663852886e+38, 3.4028234663852886e+38], dtype='float32').reshape((2, 4)), requires_grad=True)
x = a * 1
y = x.sum()
x.exp_()
out = y
leaves = [a]
'''),
    K(('saved_modified:zero_()',), 'value',
      'output nan mismatch at (#): ember nan, torch -inf',
      'saved_modified:zero_()', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, -inf, 3.4028234663852886e+38, 3.4028234663852886e+38], dtype='float32').reshape((2, 4)), requires_grad=True)
x = a * 1
y = x.sum()
x.zero_()
out = y
leaves = [a]
'''),
    K(('saved_modified:add_(1)',), 'value',
      'output nan mismatch at (#): ember nan, torch -inf',
      'saved_modified:add_(1)', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, -inf, 3.4028234663852886e+38, 3.4028234663852886e+38], dtype='float32').reshape((2, 4)), requires_grad=True)
x = a * 1
y = x.sum()
x.add_(1)
out = y
leaves = [a]
'''),
    K(('saved_modified:mul_(2)',), 'value',
      'output nan mismatch at (#): ember nan, torch -inf',
      'saved_modified:mul_(2)', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, -inf, 3.4028234663852886e+38, 3.4028234663852886e+38], dtype='float32').reshape((2, 4)), requires_grad=True)
x = a * 1
y = x.sum()
x.mul_(2)
out = y
leaves = [a]
'''),
    K(('table:fmod',), 'grad2',
      '#nd-order grad of leaf # nan mismatch at (#): ember nan, torch #',
      'table:fmod', '''\
a = lib.tensor(np.array([2.4788272380828857, -0.05646632984280586, 1.0176100730895996, 0.5490469336509705, 0.3158963918685913, 0.22573545575141907], dtype='float32').reshape((2, 3)), requires_grad=True)
b = lib.tensor(np.array([0.0, 0.0, 0.0], dtype='float32'), requires_grad=True)
fn = lambda lib, a, b: lib.fmod(a, b)
out = fn(lib, a, b)
leaves = [a, b]
'''),
    K(('inplace_view:view.contiguous()',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is between arg # with shape (#) and arg # with shape (#).; t',
      'inplace_view:view.contiguous()', '''\
a = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
base = a.clone()
x = base.contiguous()
b = lib.tensor(np.array([0, 0], dtype='int64'))
r = x.add_(b)
out = (x, base)
leaves = [a]
'''),
    K(('inplace_view:view[..., ::2]',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is between arg # with shape (#) and arg # with shape (#).; t',
      'inplace_view:view[..., ::2]', '''\
a = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
base = a.clone()
x = base[..., ::2]
b = lib.tensor(np.array([0, 0], dtype='int64'))
r = x.add_(b)
out = (x, base)
leaves = [a]
'''),
    K(('inplace_view:view[1:]',), 'numpy_leak',
      'ember raised ValueError: shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is between arg # with shape (#) and arg # with shape (#).; t',
      'inplace_view:view[1:]', '''\
a = lib.tensor(np.array([], dtype='float32'), requires_grad=True)
base = a.clone()
x = base[1:]
b = lib.tensor(np.array([0, 0], dtype='int64'))
r = x.add_(b)
out = (x, base)
leaves = [a]
'''),
    K(('remainder',), 'grad',
      'grad of leaf nan mismatch at (#): ember -inf, torch nan',
      'remainder', '''\
a = lib.tensor(np.array(9223372036854775807, dtype='int64'))
b = lib.tensor(np.array(1.0, dtype='float16'), requires_grad=True)
out = lib.remainder(a, b)
leaves = [b]
'''),
    K(('table:kron',), 'spurious_error',
      "ember raised RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .",
      'table:kron', '''\
a0 = lib.tensor(np.array([-0.39316585659980774, 1.1443387269973755, -0.26680776476860046, 0.264461874961853, -0.6606965065002441, -0.47250524163246155], dtype='float32').reshape((3, 2)), requires_grad=True)
a = a0.permute(1, 0)
b0 = lib.tensor(np.array([0.8918901085853577, -1.2930556535720825, 1.0866402387619019, -0.26241961121559143], dtype='float32').reshape((2, 2)), requires_grad=True)
b = b0.permute(1, 0)
fn = lambda lib, a, b: lib.kron(a, b)
out = fn(lib, a, b)
leaves = [a0, b0]
'''),
    K(('F.pool:adaptive_max',), 'grad',
      'grad of leaf at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'F.pool:adaptive_max', '''\
a0 = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, nan, 0.0, nan, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype='float32').reshape((1, 4, 6, 2)), requires_grad=True)
a = a0.permute(3, 0, 1, 2)
out = lib.nn.functional.adaptive_max_pool2d(a, 1)
leaves = [a0]
'''),
    K(('F.batch_norm:layer_norm',), 'value',
      'output nan mismatch at (#): ember nan, torch -inf',
      'F.batch_norm:layer_norm', '''\
a = lib.tensor(np.array([3.0], dtype='float16').reshape((1, 1)), requires_grad=True)
b = lib.tensor(np.array([0.0], dtype='float16'), requires_grad=True)
c = lib.tensor(np.array([0.0], dtype='float16'), requires_grad=True)
d = lib.tensor(np.array([inf], dtype='float16'), requires_grad=True)
e = lib.tensor(np.array([0.0], dtype='float16'), requires_grad=True)
out = lib.nn.functional.layer_norm(a, (1,), d, e, eps=0.1)
leaves = [a, b, c, d, e]
'''),
    K(('addbmm',), 'grad',
      'grad of leaf # nan mismatch at (#): ember nan, torch inf',
      'addbmm', '''\
a = lib.tensor(np.array([0.0], dtype='float16').reshape((1, 1)), requires_grad=True)
b0 = lib.tensor(np.array([0.0], dtype='float16').reshape((1, 1, 1)), requires_grad=True)
b = b0.expand(2, 1, 1)
c = lib.tensor(np.array([0.0, 1.0], dtype='float16').reshape((2, 1, 1)), requires_grad=True)
out = lib.addbmm(a, b, c, beta=0, alpha=2147483648)
leaves = [a, b0, c]
'''),
    K(('table:lerp_0d_double',), 'grad',
      'grad of leaf # nan mismatch at (#): ember inf, torch nan',
      'table:lerp_0d_double', '''\
a = lib.tensor(np.array([0.0, 0.0, 0.0, inf, 3.4028234663852886e+38, 3.4028234663852886e+38], dtype='float32').reshape((2, 3)), requires_grad=True)
b = lib.tensor(np.array([-0.27103936672210693, 1.050759196281433, -0.6325280666351318, -0.41968461871147156, -0.04426227882504463, -0.1851767748594284], dtype='float32').reshape((2, 3)), requires_grad=True)
c = lib.tensor(np.array(0.18590158224105835, dtype='float32'), requires_grad=True)
fn = lambda lib, a, b, w: lib.lerp(a, b, w.to(lib.float64))
out = fn(lib, a, b, c)
leaves = [a, b, c]
'''),
    K(('table:std_dim',), 'grad2',
      '#nd-order grad of leaf inf mismatch at (#): ember #, torch inf',
      'table:std_dim', '''\
a0 = lib.tensor(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0, 1.0714760725383474e-34], dtype='float32').reshape((3, 5, 3)), requires_grad=True)
a = a0[1:, ::2, ::2]
fn = lambda lib, a: a.std(-1, keepdim=True)
out = fn(lib, a)
leaves = [a0]
'''),
    K(('F.interpolate',), 'spurious_error',
      "ember raised NotImplementedError: interpolate: ember has no T# bilinear resampling (torch's fixed-point image kernel); convert the input to T",
      'F.interpolate', '''\
a = lib.tensor(np.array([0], dtype='uint8').reshape((1, 1, 1, 1)))
out = lib.nn.functional.interpolate(a, size=1, mode='bilinear')
leaves = []
'''),
    K(('cumsum',), 'error_class',
      'ember raised RuntimeError: Autograd not support dtype: T; torch raised IndexError: Dimension out of range (expected to be in range of [#], but got #)',
      'cumsum', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = a.cumsum(1, dtype=lib.int64)
leaves = [a]
'''),
    K(('add',), 'value',
      'output nan mismatch at (#): ember inf, torch nan',
      'add', '''\
a = lib.tensor(np.array(0, dtype='int64'))
out = lib.add(a, inf, alpha=1e-300)
leaves = []
'''),
    K(('baddbmm',), 'value',
      'output nan mismatch at (#): ember nan, torch inf',
      'baddbmm', '''\
a = lib.tensor(np.array([0.0, 0.0], dtype='float16').reshape((1, 2, 1)), requires_grad=True)
b = lib.tensor(np.array([inf, 0.0, 0.0, 0.0], dtype='float16').reshape((1, 2, 2)), requires_grad=True)
c = lib.tensor(np.array([1.0, 0.0], dtype='float16').reshape((1, 2, 1)), requires_grad=True)
out = lib.baddbmm(a, b, c, beta=2147483648, alpha=1)
leaves = [a, b, c]
'''),
    K(('setitem',), 'missing_error',
      'torch raised RuntimeError: value cannot be converted to type T#_t without overflow',
      'setitem', '''\
a = lib.tensor(np.array(0, dtype='int8'))
x = a.clone()
x[False] = 255
out = x
leaves = []
'''),
    K(('F.softmax:normalize',), 'grad',
      'grad of leaf nan mismatch at (#): ember #, torch nan',
      'F.softmax:normalize', '''\
a = lib.tensor(np.array(3.4028234663852886e+38, dtype='float32'), requires_grad=True)
out = lib.nn.functional.normalize(a, p=3, dim=0)
leaves = [a]
'''),
    K(('cumprod',), 'error_class',
      'ember raised RuntimeError: Autograd not support dtype: T; torch raised IndexError: Dimension out of range (expected to be in range of [#], but got #)',
      'cumprod', '''\
a = lib.tensor(np.array(0.0, dtype='float32'), requires_grad=True)
out = a.cumprod(1, dtype=lib.int64)
leaves = [a]
'''),
    K(('table:scatter_reduce_mean',), 'value',
      'output at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'table:scatter_reduce_mean', '''\
a = lib.tensor(np.array([0.038818359375, 0.69287109375, -0.60693359375, 1.1015625, -0.81201171875, -0.47998046875, -1.109375, -0.50537109375, -0.379638671875, 0.104248046875, 0.92578125, 0.90087890625], dtype='float16').reshape((3, 4)), requires_grad=True)
b = lib.tensor(np.array([3, 0, 2, 2, 2, 1, 1, 3, 1], dtype='int64').reshape((3, 3)))
c0 = lib.tensor(np.array([1.0], dtype='float16').reshape((1, 1)), requires_grad=True)
c = c0.expand(3, 3)
fn = lambda lib, a, i, s: lib.scatter_reduce(a, 1, i, s, 'mean')
out = fn(lib, a, b, c)
leaves = [a, c0]
'''),
    # --- found when issue 13 added op-table rows (not yet fixed)
    K(('table:conv3d',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf #: ember False, torch True',
      'table:conv3d', '''\
a = lib.tensor(np.array([-0.6236357688903809, -0.9295669198036194, -1.4959131479263306, 1.2941999435424805, -0.5761523842811584, -0.23105056583881378, -0.3439946174621582, -0.9215683341026306, 0.35391148924827576, -1.8130974769592285, 0.10664604604244232, -0.021262696012854576, 0.2949264645576477, 0.022647155448794365, 0.18325436115264893, 0.3317822515964508, -0.10403571277856827, 0.3820101320743561, 2.794842481613159, -0.2505306899547577, -1.6353830099105835, -1.4761285781860352, 0.30439555644989014, -1.3486194610595703, 0.5253992676734924, -1.3012771606445312, -0.0647803395986557, 2.8139491081237793, 1.2298022508621216, 0.8881609439849854, -0.5423545241355896, -0.5415120124816895, 0.16136802732944489, -1.2417397499084473, -0.265874981880188, -1.1320101022720337, 0.0696285218000412, -0.6713504195213318, 0.7588732242584229, 0.6822736263275146, 0.8413072228431702, -1.0349839925765991, 0.8095470666885376, 0.1666533350944519, 1.2067763805389404, -0.27894729375839233, 0.7016030550003052, -0.20806846022605896, 2.155583620071411, 1.5844191312789917, -0.3053258955478668, 0.8219094276428223, 0.49124810099601746, -0.5643840432167053, -1.8904130458831787, 0.4683166742324829, -1.0041759014129639, -0.6603674292564392, -1.6441088914871216, -0.3653908669948578, -0.630138099193573, -0.16376739740371704, -1.1974848508834839, 1.9688849449157715, 0.9056300520896912, -0.9908069968223572, -0.2525157332420349, 2.0233044624328613, 0.6179412007331848, 0.6632382869720459, 0.9637934565544128, -1.1048028469085693], dtype='float32').reshape((1, 2, 3, 4, 3)), requires_grad=True)
b = lib.tensor(np.array([-0.06318604201078415, 2.6395387649536133, -0.3990810215473175, 0.23145756125450134, -0.09306524693965912, -0.5603383779525757, 0.3196050524711609, -2.263575315475464, 0.6221650242805481, -1.9052764177322388, 0.19077962636947632, 1.0517140626907349, -1.2650232315063477, -0.5185797214508057, -1.5275461673736572, 0.5756222009658813, 1.0177571773529053, 0.5959489941596985, -0.7424419522285461, 1.3888351917266846, 2.2632641792297363, -0.5047439336776733, -0.35195767879486084, -0.6232550740242004, 2.6454758644104004, 0.5151050686836243, -1.0867253541946411, -0.6382803320884705, 0.8905571103096008, 0.46971651911735535, -0.0017266427166759968, -2.053525447845459, 1.8150062561035156, 0.8358595967292786, 1.8139803409576416, 0.6525801420211792, 0.9162023663520813, 0.6268450617790222, -1.7452192306518555, 0.26987674832344055, 0.6044408679008484, -0.4268576502799988, -0.5351070761680603, 0.41362667083740234, 0.5262229442596436, 0.3061656951904297, 0.6149052977561951, 2.084246873855591], dtype='float32').reshape((2, 2, 2, 3, 2)), requires_grad=True)
c = lib.tensor(np.array([-0.05640154331922531, -0.42242541909217834], dtype='float32'), requires_grad=True)
fn = lambda lib, x, w, b: lib.nn.functional.conv3d(x, w, b, stride=(1, 2, 1), padding=1)
out = fn(lib, a, b, c)
leaves = [a, b, c]
'''),
    K(('table:conv_transpose3d',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf #: ember False, torch True',
      'table:conv_transpose3d', '''\
a = lib.tensor(np.array([0.46286770701408386, -0.04478863254189491, -0.1983569860458374, 1.2688887119293213, -0.13016332685947418, 0.8377307653427124, -0.5686907172203064, 0.7270533442497253, -0.324240118265152, -0.8087760210037231, 0.8742001056671143, -2.3146591186523438, -1.2175344228744507, -0.07929074019193649, -0.7063231468200684, -0.3206349313259125], dtype='float32').reshape((1, 2, 2, 2, 2)), requires_grad=True)
b = lib.tensor(np.array([0.14681272208690643, -0.01739584095776081, 0.18215885758399963, -1.2412621974945068, 0.07817744463682175, -1.1428059339523315, -1.3159897327423096, 1.4628788232803345, -1.4399932622909546, 0.9590730667114258, -0.40598994493484497, 1.093661904335022, -1.6046481132507324, 0.40853404998779297, 0.16781258583068848, 0.5049606561660767, 1.3028267621994019, -0.3506765365600586, 1.5986226797103882, -0.6324436664581299, -0.3294931948184967, 0.3884708881378174, -0.7123041152954102, -1.6311358213424683, 1.0882723331451416, -0.9619330167770386, 0.48146960139274597, 0.02062731608748436, 1.3772962093353271, 0.6849028468132019, -1.0737906694412231, 1.5602753162384033, 1.5370855331420898, 1.477094054222107, 1.278278112411499, -0.03968510404229164, -0.11731012910604477, 0.36245033144950867, 0.6756740212440491, 1.3449841737747192, -0.5333002805709839, 0.4221166968345642, 0.2729012072086334, -0.3998737633228302, 1.4925013780593872, 0.3831140100955963, 0.8510181903839111, 0.5766460299491882], dtype='float32').reshape((2, 3, 2, 2, 2)), requires_grad=True)
c = lib.tensor(np.array([1.0894134044647217, 0.2628808319568634, 0.48811855912208557], dtype='float32'), requires_grad=True)
fn = lambda lib, x, w, b: lib.nn.functional.conv_transpose3d(x, w, b, stride=2, padding=(1, 0, 0), output_padding=(1, 0, 1))
out = fn(lib, a, b, c)
leaves = [a, b, c]
'''),
    K(('table:avg_pool3d',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf: ember False, torch True',
      'table:avg_pool3d', '''\
a = lib.tensor(np.array([-0.5390722751617432, 0.13536107540130615, 1.2914248704910278, 0.8721814155578613, -1.8604198694229126, 0.740190327167511, -0.17570365965366364, -0.5223909616470337, -0.722528338432312, 1.5538959503173828, -2.183488368988037, -0.8927487134933472, 0.001574876718223095, -0.5301008224487305, 1.9913697242736816, -0.4860211908817291, -1.500481128692627, -0.6882374286651611, -0.45058146119117737, -1.634307861328125, -0.5269155502319336, -1.7819331884384155, -1.4384136199951172, 1.529495120048523, -0.07618911564350128, -0.7162762880325317, -0.22214342653751373, -0.05801040306687355, -0.5466612577438354, -0.10225728899240494, 1.162553310394287, -1.3061012029647827, -0.680635929107666, 0.9805461764335632, 1.0036691427230835, -0.5696814060211182], dtype='float32').reshape((1, 2, 3, 3, 2)), requires_grad=True)
fn = lambda lib, x: lib.nn.functional.avg_pool3d(x, 2, 1, 1, count_include_pad=False)
out = fn(lib, a)
leaves = [a]
'''),
    K(('table:grid_sample_nearest_reflection',), 'grad2',
      'requires_grad: first-order grads (create_graph=True) of leaf #: ember False, torch True',
      'table:grid_sample_nearest_reflection', '''\
a = lib.tensor(np.array([0.30395227670669556, 0.10675504058599472, -0.9879950284957886, -0.16102443635463715, -1.295374870300293, 1.3544602394104004, 0.44410908222198486, 1.3352563381195068, -2.9252407550811768, -0.9249616861343384, -1.8295674324035645, -0.9477856159210205, -2.24715518951416, 1.584865689277649, -0.04320773109793663, -0.1375845968723297, -1.6687170267105103, -1.819484829902649, 0.0035829718690365553, -0.0016244908329099417, -0.9302623867988586, 0.004405160900205374, 0.7788886427879333, -0.4889076054096222, -1.0633317232131958, -0.6335500478744507, 0.2585303485393524, 1.229911208152771, -0.2940545678138733, -0.2432732880115509, 1.2850487232208252, -1.4324347972869873, 1.9218854904174805, -2.247161865234375, 0.8553681373596191, -0.708459198474884, 0.7353876233100891, 2.2501320838928223, -0.6350833773612976, 0.8806777596473694, 0.6387400031089783, -0.2674267590045929, -0.7833859324455261, 0.10283614695072174, 0.7476983070373535, -0.5629945397377014, 0.5039508938789368, -0.4097948372364044], dtype='float32').reshape((2, 2, 3, 4)), requires_grad=True)
b = lib.tensor(np.array([0.9626479148864746, -0.5542752742767334, 0.26818519830703735, 0.7215886116027832, 0.5617940425872803, 1.0799883604049683, 0.9370234608650208, 1.0874178409576416, -1.2308719158172607, -0.163155198097229, -0.03914475068449974, -1.1305991411209106, -1.285372257232666, 0.8596157431602478, 1.2565858364105225, 0.7399856448173523, -0.4794309139251709, 0.5338676571846008, -0.522129237651825, 0.625946044921875, -0.5726572275161743, 0.7347363829612732, 1.2681258916854858, 1.2642202377319336], dtype='float32').reshape((2, 3, 2, 2)), requires_grad=True)
fn = lambda lib, x, g, m='nearest', p='reflection', a=True: lib.nn.functional.grid_sample(x, g, mode=m, padding_mode=p, align_corners=a)
out = fn(lib, a, b)
leaves = [a, b]
'''),
    K(('table:linalg_pinv_hermitian',), 'grad2',
      '#nd-order grad of leaf at (#): ember #, torch # (|diff| # > atol # + rtol # * |torch|)',
      'table:linalg_pinv_hermitian', '''\
a = lib.tensor(np.array([0.03802330791950226, -0.5634610056877136, 0.7557244896888733, 0.23483702540397644, -0.45935729146003723, -1.2684093713760376, -0.460649311542511, 0.12726500630378723, 0.2594658136367798], dtype='float32').reshape((3, 3)), requires_grad=True)
fn = lambda lib, a: lib.linalg.pinv(a + a.mT, hermitian=True)
out = fn(lib, a)
leaves = [a]
'''),
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
