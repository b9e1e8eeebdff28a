"""Seed document 004 (PyTorch's "Automatic differentiation with torch.autograd" tutorial, with
notes in Chinese), sections "Tensors, Functions and Computational graph", "Computing Gradients"
and "Disabling Gradient Tracking".

A one-layer network with input ``x``, parameters ``w`` and ``b`` and a binary cross-entropy
loss: print the graph nodes, backpropagate, print the gradients, then switch tracking off with
``no_grad`` and with ``detach`` (``z_det`` shares ``z``'s data but does not require grad).

Added: ``torch.manual_seed(0)`` so the printed numbers are reproducible.

Run: ``python -m ember.examples.grad_fn_detach``.
"""
import ember as torch


def main():
    torch.manual_seed(0)

    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

    print("Gradient function for z=", z.grad_fn)
    print("Gradient function for loss=", loss.grad_fn)

    # Computing Gradients
    loss.backward()
    print(w.grad)
    print(b.grad)

    # Disabling Gradient Tracking
    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    # because w and b have requires_grad=True

    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)

    # z_det shares its data with z, but z_det.requires_grad is False
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)


if __name__ == "__main__":
    main()
