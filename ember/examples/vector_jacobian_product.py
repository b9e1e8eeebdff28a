"""Seed document 000 (blog "小白的进阶之路系列之七 ... pytorch自动微分"), section "Tensor
gradients and Jacobian products" (张量梯度和雅可比积).

``out`` is not a scalar, so ``backward`` takes the vector ``v`` of the vector-Jacobian product
``v^T J`` (here all ones).  Gradients accumulate in ``inp.grad`` across calls (4/2, then 8/4)
until they are zeroed (4/2 again); ``retain_graph=True`` keeps the graph for the next call.

Run: ``python -m ember.examples.vector_jacobian_product``.
"""
import ember as torch


def main():
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")


if __name__ == "__main__":
    main()
