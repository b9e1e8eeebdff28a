"""A TorchScript-using program (script, trace, decorators, overloads, fork/wait, ScriptModule,
training a scripted model) that prints its results: tests/test_jit.py runs it under torch with
``PYTORCH_JIT=0`` and under ember (``python tests/jit_program.py torch|ember``) and compares."""
import sys
import warnings
if sys.argv[1] == "torch":
    import torch
else:
    import ember as torch
import numpy as np
from typing import List
nn = torch.nn


def caught(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = fn()
        except Exception as e:
            r = f"{type(e).__name__}: {e}"
    return r, [(x.category.__name__, str(x.message)) for x in w]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        if not torch.jit.is_scripting():
            h = self.helper(h)
        return self.fc2(h)

    @torch.jit.ignore
    def helper(self, h):
        return h * 2

    @torch.jit.export
    def extra(self, x):
        return x.sum()

    @torch.jit.unused
    def not_used(self, x):
        return x


@torch.jit._overload
def over(x: int) -> int: ...


@torch.jit._overload
def over(x: float) -> float: ...  # noqa: F811


def over(x):  # noqa: F811
    return x * 2


class WithOverload(nn.Module):
    @torch.jit._overload_method
    def f(self, x: int) -> int: ...

    @torch.jit._overload_method
    def f(self, x: float) -> float: ...  # noqa: F811

    def f(self, x):  # noqa: F811
        return x + 1

    def forward(self, x):
        return self.f(x)


class SM(torch.jit.ScriptModule):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 2)
        self.scale = torch.jit.Attribute(0.5, float)
        self.names = torch.jit.Attribute({}, dict)

    @torch.jit.script_method
    def forward(self, x):
        return self.lin(x) * self.scale


torch.manual_seed(0)
rng = np.random.default_rng(0)
net = Net()
w = {k: torch.tensor(rng.standard_normal(tuple(v.shape)).astype(np.float32))
     for k, v in net.state_dict().items()}
net.load_state_dict(w)
x = torch.tensor(rng.standard_normal((5, 4)).astype(np.float32))
s, warn = caught(lambda: torch.jit.script(net))
print("script", s is net, warn)
t, warn = caught(lambda: torch.jit.trace(net, x))
print("trace", t is net, warn, list(t.state_dict()))
tm, warn = caught(lambda: torch.jit.trace_module(net, {"forward": x}))
print("trace_module", tm is net, warn)
print("out", np.round(s(x).detach().numpy(), 5).tolist())
print("traced on other input", np.round(t(x[:2] * 3).detach().numpy(), 5).tolist())
def f(a, b):
    return a * b + 1
print("fn", caught(lambda: torch.jit.script(f))[0] is f,
      caught(lambda: torch.jit.trace(f, (x, x)))[0] is f)
print("flags", torch.jit.is_scripting(), torch.jit.is_tracing())
print("attr", torch.jit.Attribute([1], List[int]), torch.jit.annotate(List[int], []))
print("final", torch.jit.Final[int])
print("modifiers", Net.helper._torchscript_modifier, Net.extra._torchscript_modifier,
      Net.not_used._torchscript_modifier)
print("ignore drop", caught(lambda: torch.jit.ignore(drop=True)(f)._torchscript_modifier))
print("ignore bad", caught(lambda: torch.jit.ignore(3)))
print("overload", over(3), over(1.5), WithOverload()(2))
def bad():
    def g(x: int) -> int:
        return x
    return torch.jit._overload(g)
print("overload bad", caught(bad)[0].split("\n")[0])
class Iface:
    def run(self, x: int) -> int:
        pass
print("interface", caught(lambda: torch.jit.interface(Iface))[0] is Iface,
      caught(lambda: torch.jit.interface(Iface))[1])
print("interface fn", caught(lambda: torch.jit.interface(f)))
fut, warn = caught(lambda: torch.jit.fork(f, x, 2))
print("fork", warn, fut.done(), np.round(fut.value().numpy(), 4).tolist()[0])
print("wait", caught(lambda: np.round(torch.jit.wait(fut).numpy(), 4).tolist()[0]))
print("then", fut.then(lambda fu: fu.value().sum()).wait().shape)
def boom(a):
    raise ValueError("boom")
print("fork raise", caught(lambda: torch.jit.fork(boom, 1))[0])
m, warn = caught(SM)
print("ScriptModule", warn, isinstance(m, nn.Module), isinstance(m, torch.jit.ScriptModule),
      m.scale, list(m.state_dict()), m(x).shape)
print("isinstance", isinstance(net, torch.jit.ScriptModule),
      isinstance(f, torch.jit.ScriptFunction))
print("freeze", caught(lambda: torch.jit.freeze(net)))
with torch.jit.optimized_execution(False):
    print("optimized_execution", np.round(net(x).detach().numpy()[0], 4).tolist())
print("fuser", caught(lambda: torch.jit.fuser("nope").__enter__())[0])
opt = torch.optim.SGD(s.parameters(), lr=0.1)
for _ in range(3):
    opt.zero_grad()
    loss = s(x).pow(2).mean()
    loss.backward()
    opt.step()
print("trained", round(loss.item(), 5), np.round(net.fc2.bias.detach().numpy(), 5).tolist())
