"""Seed document 001 (notes on chapter 6 of the book "深度学习之PyTorch实战计算机视觉"), section
"Automatic gradients" (自动梯度).

A two-layer network ``relu(x @ w1) @ w2`` trained for 20 epochs by hand: the loss is the sum of
squared errors, ``loss.backward()`` fills ``w1.grad`` and ``w2.grad``, and the weights are
updated and the gradients zeroed through ``.data`` (the old ``Variable`` style, which still
works: ``Variable(t, requires_grad=...)`` returns a Tensor).

Typos fixed from the seed: ``learning_rate = le-6`` -> ``1e-6``; the pre-0.4 ``loss.data[0]``
-> ``loss.item()``; the statements the page glued on one line are split.
Added: ``torch.manual_seed(0)`` so the printed numbers are reproducible.

Run: ``python -m ember.examples.manual_training``.
"""
import ember as torch
from ember.autograd import Variable


def main():
    torch.manual_seed(0)

    batch_n = 100
    hidden_layer = 100
    input_data = 1000
    output_data = 10

    x = Variable(torch.randn(batch_n, input_data), requires_grad=False)
    y = Variable(torch.randn(batch_n, output_data), requires_grad=False)
    w1 = Variable(torch.randn(input_data, hidden_layer), requires_grad=True)  # weight 1: 1000*100
    w2 = Variable(torch.randn(hidden_layer, output_data), requires_grad=True)  # weight 2: 100*10

    epoch_n = 20
    learning_rate = 1e-6

    for epoch in range(epoch_n):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        print("Epoch:{}, Loss:{:.4f}".format(epoch, loss.item()))

        loss.backward()

        w1.data -= learning_rate * w1.grad.data
        w2.data -= learning_rate * w2.grad.data

        w1.grad.data.zero_()
        w2.grad.data.zero_()


if __name__ == "__main__":
    main()
