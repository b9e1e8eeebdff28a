"""Seed document 003 (blog "深度学习笔记-计算图,autograd,逻辑回归"), section "autograd - the
automatic differentiation system" (autograd-自动求导系统): ``torch.autograd.backward`` and
``torch.autograd.grad``.

First the two functions the seed documents by their signatures: ``torch.autograd.backward``
with ``grad_tensors`` (weights for the gradients of several outputs) and ``retain_graph``;
then the seed's code sample, a second derivative with ``torch.autograd.grad`` and
``create_graph=True``: for ``y = x ** 2`` at ``x = 3``, dy/dx = 2x = 6 and d2y/dx2 = 2.

Typos fixed from the seed: ``create_graph=Flase`` in the signature -> ``False``.

Run: ``python -m ember.examples.grad_tensors_higher_order``.
"""
import ember as torch


def main():
    # torch.autograd.backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False)
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y0 = torch.mul(a, b)  # dy0/dw = 5
    y1 = torch.add(a, b)  # dy1/dw = 2
    loss = torch.cat([y0, y1], dim=0)
    grad_tensors = torch.tensor([1.0, 2.0])  # the weights of the two gradients
    torch.autograd.backward(loss, grad_tensors=grad_tensors, retain_graph=True)
    print("w.grad with grad_tensors [1, 2]:", w.grad)  # 5*1 + 2*2 = 9
    w.grad.zero_()
    torch.autograd.backward(y0)  # the graph was retained: a second backward works
    print("w.grad of y0 alone:", w.grad)

    # torch.autograd.grad(outputs, inputs, grad_outputs=None, retain_graph=None,
    #                     create_graph=False)
    x = torch.tensor([3.0], requires_grad=True)
    y = torch.pow(x, 2)

    grad_1 = torch.autograd.grad(y, x, create_graph=True)  # a tuple
    print(grad_1)

    grad_2 = torch.autograd.grad(grad_1[0], x)  # grad_1 is a tuple: take its element
    print(grad_2)


if __name__ == "__main__":
    main()
