"""Seed document 002 (blog "pytorch基础【4】梯度计算、链式法则、梯度清零"), section "What is the
chain rule? -> a concrete example / the backward pass" (链式法则是什么? / 具体示例 / 反向传播过程).

The seed derives, without code, the backward pass of a three-layer network
``z1 = W1 x + b1, a1 = sigmoid(z1); z2 = W2 a1 + b2, a2 = sigmoid(z2); y = W3 a2 + b3`` with a
mean-squared-error loss ``L``.  This script builds that network, lets autograd compute the
gradients, and recomputes them by hand with the chain rule, layer by layer from the loss back to
the input, printing both.  (The seed's formulas swap the order of the two factors in places;
the script applies them in the right order: dL/dz = dL/da * sigmoid'(z), dL/da_prev = W^T dL/dz,
dL/dW = dL/dz a_prev^T.)

Not a code sample of the seed: it turns the seed's derivation into one.

Run: ``python -m ember.examples.chain_rule_by_hand``.
"""
import ember as torch


def main():
    torch.manual_seed(0)

    x = torch.randn(3, requires_grad=True)  # input
    y_target = torch.tensor([0.5])
    W1 = torch.randn(4, 3, requires_grad=True)
    b1 = torch.randn(4, requires_grad=True)
    W2 = torch.randn(4, 4, requires_grad=True)
    b2 = torch.randn(4, requires_grad=True)
    W3 = torch.randn(1, 4, requires_grad=True)
    b3 = torch.randn(1, requires_grad=True)

    # forward pass
    z1 = W1 @ x + b1
    a1 = torch.sigmoid(z1)
    z2 = W2 @ a1 + b2
    a2 = torch.sigmoid(z2)
    y = W3 @ a2 + b3
    L = ((y - y_target) ** 2).mean()
    for t in (z1, z2, y):
        t.retain_grad()  # keep the gradients of the intermediate nodes
    print("y =", y)
    print("L =", L)

    # backward pass by autograd
    L.backward()

    # backward pass by hand, with the chain rule
    with torch.no_grad():
        dL_dy = 2 * (y - y_target)  # dL/dy
        dL_dW3 = torch.outer(dL_dy, a2)
        dL_db3 = dL_dy
        dL_da2 = W3.t() @ dL_dy  # dL/da2 = W3^T dL/dy
        dL_dz2 = dL_da2 * a2 * (1 - a2)  # dL/dz2 = dL/da2 * sigmoid'(z2)
        dL_dW2 = torch.outer(dL_dz2, a1)
        dL_db2 = dL_dz2
        dL_da1 = W2.t() @ dL_dz2  # dL/da1 = W2^T dL/dz2
        dL_dz1 = dL_da1 * a1 * (1 - a1)  # dL/dz1 = dL/da1 * sigmoid'(z1)
        dL_dW1 = torch.outer(dL_dz1, x)
        dL_db1 = dL_dz1
        dL_dx = W1.t() @ dL_dz1  # dL/dx = W1^T dL/dz1

    steps = [
        ("dL/dy", y.grad, dL_dy), ("dL/dz2", z2.grad, dL_dz2), ("dL/dz1", z1.grad, dL_dz1),
        ("dL/dW3", W3.grad, dL_dW3), ("dL/db3", b3.grad, dL_db3),
        ("dL/dW2", W2.grad, dL_dW2), ("dL/db2", b2.grad, dL_db2),
        ("dL/dW1", W1.grad, dL_dW1), ("dL/db1", b1.grad, dL_db1), ("dL/dx", x.grad, dL_dx),
    ]
    for name, auto, manual in steps:
        print(f"{name}: autograd {auto}")
        print(f"{name}: by hand  {manual}")
        print(f"{name}: equal: {torch.allclose(auto, manual)}")


if __name__ == "__main__":
    main()
