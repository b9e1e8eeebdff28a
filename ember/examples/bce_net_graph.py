"""Seed document 000 (blog "小白的进阶之路系列之七 ... pytorch自动微分", after the PyTorch
"Automatic differentiation with torch.autograd" tutorial), sections "Tensors, functions and
computational graph" (张量、函数与计算图), "Computing gradients" (计算梯度) and "Disabling
gradient tracking" (禁用梯度跟踪).

A one-layer network with input ``x``, parameters ``w`` and ``b`` and a binary cross-entropy
loss: print the graph nodes, backpropagate, print the gradients, then switch tracking off with
``no_grad`` and with ``detach``.

Typos fixed from the seed: ``import torchx = torch.ones(5)`` (two statements glued on one
line) and ``print(z.requires_grad)with torch.no_grad():z = ...`` are split into lines.
Added: ``torch.manual_seed(0)`` so the printed numbers are reproducible.

Run: ``python -m ember.examples.bce_net_graph``.
"""
import ember as torch


def main():
    torch.manual_seed(0)

    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

    # Tensors, functions and computational graph
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")

    # Computing gradients: d loss / d w and d loss / d b
    loss.backward()
    print(w.grad)
    print(b.grad)

    # Disabling gradient tracking
    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)

    # The same result with detach()
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)


if __name__ == "__main__":
    main()
