"""Seed document 002 (blog "pytorch基础【4】梯度计算、链式法则、梯度清零"), section "Gradient
computation -> example code" (梯度计算 / 示例代码).

``y = x ** 2`` at ``x = 2``: ``y.backward()`` stores dy/dx = 2 * x = 4 in ``x.grad``; inside
``torch.no_grad()`` the product ``x * 2`` is computed without a graph (``tensor(4.)``, no
``grad_fn``).

Typos fixed from the seed: the statements the page glued on one line (``import torch# ...``,
``y = x ** 2# ...``, ``with torch.no_grad():z = x * 2print(z)``) are split into lines.

Run: ``python -m ember.examples.gradient_of_square``.
"""
import ember as torch


def main():
    # a tensor with requires_grad=True tracks the history of its computations
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 2

    # the gradient of y in the graph
    y.backward()  # computes dy/dx
    print(x.grad)  # dy/dx = 2*x => 4

    # a computation that needs no gradient
    with torch.no_grad():
        z = x * 2
        print(z)  # tensor(4.)


if __name__ == "__main__":
    main()
