"""Seed document 003 (blog "深度学习笔记-计算图,autograd,逻辑回归"), section "Computational
graph -> features -> memory efficiency" (计算图 / 特点 / 内存效率): ``tensor.retain_grad()``,
``tensor.grad_fn`` and ``tensor.is_leaf``.

Only leaves keep their gradients: reading ``.grad`` of an intermediate node gives ``None`` and
the warning the seed quotes, unless ``retain_grad()`` was called on it before ``backward``.
``grad_fn`` names the function that made a tensor (``None`` for a leaf), ``is_leaf`` tells
leaves from intermediate nodes.

The seed shows the three attributes on a placeholder ``tensor``; this script shows them on the
graph ``y = (w + x) * (w + 1)`` at ``w = 1, x = 2`` (dy/dw = 5, dy/dx = 2).

Run: ``python -m ember.examples.retain_grad_leaves``.
"""
import warnings

import ember as torch


def main():
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)

    a = torch.add(w, x)
    a.retain_grad()  # retain the intermediate node's grad
    b = torch.add(w, 1)
    y = torch.mul(a, b)

    y.backward()
    print("w.grad:", w.grad)
    print("x.grad:", x.grad)

    # is_leaf: is the tensor a leaf of the graph?
    print("is_leaf:", w.is_leaf, x.is_leaf, a.is_leaf, b.is_leaf, y.is_leaf)

    # grad_fn: the function that created the tensor, used to compute its derivative
    print("grad_fn of w, x:", w.grad_fn, x.grad_fn)
    print("grad_fn of a:", a.grad_fn)
    print("grad_fn of b:", b.grad_fn)
    print("grad_fn of y:", y.grad_fn)

    # a kept its gradient (retain_grad); b did not
    print("a.grad:", a.grad)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        print("b.grad:", b.grad)
    for warning in caught:
        first_sentence = str(warning.message).split(" Its .grad")[0]
        print(f"{warning.category.__name__}: {first_sentence}")


if __name__ == "__main__":
    main()
