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
