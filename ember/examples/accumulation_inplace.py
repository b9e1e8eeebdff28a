"""Seed document 003 (blog "深度学习笔记-计算图,autograd,逻辑回归"), section "autograd - points
to note" (autograd中有如下需要注意的点), its three points as code:

1. gradients are not zeroed automatically: every ``backward`` adds to ``.grad``;
2. nodes that depend on a leaf with ``requires_grad=True`` get ``requires_grad=True``
   without asking;
3. a leaf that requires grad refuses in-place operations (``+=`` writes into the same memory,
   ``a = a + 1`` makes a new tensor).

The seed states these points in prose; this script shows them on ``y = (w + x) * (w + 1)``.

Run: ``python -m ember.examples.accumulation_inplace``.
"""
import ember as torch


def forward(w, x):
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)
    return a, b, y


def main():
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)

    # 1. gradients accumulate
    for i in range(4):
        _, _, y = forward(w, x)
        y.backward()
        print(f"iteration {i}: w.grad = {w.grad}")
    for i in range(2):
        w.grad.zero_()  # zero the gradient before each backward
        _, _, y = forward(w, x)
        y.backward()
        print(f"iteration {i} with zeroing: w.grad = {w.grad}")

    # 2. requires_grad spreads to the nodes that depend on a leaf
    a, b, y = forward(w, x)
    print("requires_grad of a, b, y:", a.requires_grad, b.requires_grad, y.requires_grad)

    # 3. in-place operations: same memory or new memory?
    t = torch.ones((1,))
    address = t.data_ptr()
    t = t + torch.ones((1,))
    print("t = t + 1 keeps the memory:", t.data_ptr() == address)
    address = t.data_ptr()
    t += torch.ones((1,))
    print("t += 1 keeps the memory:", t.data_ptr() == address)

    # ... which a leaf that requires grad refuses
    try:
        w.add_(1)
    except RuntimeError as error:
        print(f"w.add_(1) -> RuntimeError: {error}")


if __name__ == "__main__":
    main()
