"""Forward mode and reverse mode on the tutorials' Jacobian example (seed documents 000 and
004: ``out = (inp + 1).pow(2).t()`` at ``inp = eye(4, 5)``).

The tutorials compute vector-Jacobian products ``v^T J`` with ``backward(v)`` (reverse mode).
Forward mode computes the other product, ``J u``, in the same single pass that computes
``out``: each op carries a tangent beside its value (``torch.autograd.forward_ad``). The
example computes ``J u`` three ways (dual tensors, ``torch.func.jvp`` and the double-backward
trick of ``autograd.functional.jvp``), checks the adjoint identity ``<v, J u> = <J^T v, u>``
that ties the two modes together, and builds the whole Jacobian both ways (``jacfwd``: one
forward pass per input element; ``jacrev``: one backward pass per output element).

Run: ``python -m ember.examples.jvp``. Replace ``ember`` by ``torch`` and it is the PyTorch
program, printing the same thing.
"""
import ember as torch
import ember.autograd.forward_ad as fwAD


def f(inp):
    return (inp + 1).pow(2).t()


def main():
    inp = torch.eye(4, 5)
    u = torch.arange(20.0).reshape(4, 5) / 10  # a direction in input space
    v = torch.ones(5, 4)                        # a vector in output space

    # forward mode: one pass with dual tensors gives out and J u together
    with fwAD.dual_level():
        dual_out = f(fwAD.make_dual(inp, u))
        out, ju = fwAD.unpack_dual(dual_out)
    print(f"out = f(inp)\n{out}")
    print(f"\nJ u by forward mode (dual tensors)\n{ju}")

    # the same product through torch.func and through the double-backward trick
    _, ju_func = torch.func.jvp(f, (inp,), (u,))
    _, ju_dbl = torch.autograd.functional.jvp(f, inp, u)
    print(f"\ntorch.func.jvp agrees: {torch.allclose(ju, ju_func)}; "
          f"autograd.functional.jvp agrees: {torch.allclose(ju, ju_dbl)}")

    # reverse mode: backward(v) gives v^T J, as in the tutorials
    x = inp.clone().requires_grad_()
    f(x).backward(v)
    print(f"\nJ^T v by reverse mode (backward(v))\n{x.grad}")

    # the adjoint identity ties them: <v, J u> = <J^T v, u>
    lhs, rhs = (v * ju).sum(), (x.grad * u).sum()
    print(f"\n<v, J u> = {lhs.item():.4f}   <J^T v, u> = {rhs.item():.4f}")

    # the whole Jacobian (5*4 outputs by 4*5 inputs), column by column and row by row
    jf = torch.func.jacfwd(f)(inp)
    jr = torch.func.jacrev(f)(inp)
    print(f"\nJacobian shape {tuple(jf.shape)}; jacfwd equals jacrev: {torch.equal(jf, jr)}; "
          f"nonzero entries: {int((jf != 0).sum())} (each output depends on one input)")


if __name__ == "__main__":
    main()
