"""Seed document 004 (PyTorch's "Automatic differentiation with torch.autograd" tutorial, with
notes in Chinese), section "Optional Reading: Tensor Gradients and Jacobian Products".

``torch.eye(5)`` makes a 5x5 identity matrix; ``out = (inp + 1).pow(2)`` is not a scalar, so
``backward`` takes the vector of the vector-Jacobian product (all ones).  The gradient
accumulates across calls (4/2, then 8/4) until ``inp.grad.zero_()`` (4/2 again).

Run: ``python -m ember.examples.jacobian_eye``.
"""
import ember as torch


def main():
    # torch.eye(n, m=None, out=None): ones on the diagonal, zeros elsewhere
    inp = torch.eye(5, requires_grad=True)
    print("inp=", inp)
    out = (inp + 1).pow(2)
    print("\nout=", out)
    out.backward(torch.ones_like(inp), retain_graph=True)
    print("\nFirst call\n", inp.grad)
    out.backward(torch.ones_like(inp), retain_graph=True)
    print("\nSecond call\n", inp.grad)
    # zero the gradient
    inp.grad.zero_()
    out.backward(torch.ones_like(inp), retain_graph=True)
    print("\nCall after zeroing gradients\n", inp.grad)


if __name__ == "__main__":
    main()
