"""Seed document 001 (notes on chapter 6 of the book "深度学习之PyTorch实战计算机视觉"), section
"Custom forward and backward" (自定义传播函数).

The same two-layer network as ``manual_training``, with the forward pass moved into a
``torch.nn.Module`` subclass whose ``forward`` takes the weights as arguments.  The ``backward``
method the seed defines is an ordinary method that is never called: autograd computes the
gradients itself.

Typos fixed from the seed: ``torch.nn.module`` -> ``torch.nn.Module``;
``super(Module, self)`` -> ``super(Model, self)``; ``forward(self, input, w1, w2)`` used ``x``
before assigning it -> ``torch.mm(input, w1)``; ``le-6`` -> ``1e-6``; ``loss.data[0]`` ->
``loss.item()``; the statements glued on one line are split.
Added: ``torch.manual_seed(0)`` so the printed numbers are reproducible.

Run: ``python -m ember.examples.custom_module``.
"""
import ember as torch
from ember.autograd import Variable

batch_n = 100
hidden_layer = 100
input_data = 1000
output_data = 10


class Model(torch.nn.Module):
    def __init__(self):
        super(Model, self).__init__()

    def forward(self, input, w1, w2):
        # the forward pass as matrix operations
        x = torch.mm(input, w1)
        x = torch.clamp(x, min=0)
        x = torch.mm(x, w2)
        return x

    def backward(self):
        # the backward pass is computed by autograd
        pass


def main():
    torch.manual_seed(0)

    model = Model()

    # the model is built; now train it and optimise its parameters
    x = Variable(torch.randn(batch_n, input_data), requires_grad=False)
    y = Variable(torch.randn(batch_n, output_data), requires_grad=False)
    w1 = Variable(torch.randn(input_data, hidden_layer), requires_grad=True)
    w2 = Variable(torch.randn(hidden_layer, output_data), requires_grad=True)

    epoch_n = 20
    learning_rate = 1e-6

    for epoch in range(epoch_n):
        y_pred = model(x, w1, w2)  # changed; was x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        print("Epoch:{}, Loss:{:.4f}".format(epoch, loss.item()))

        loss.backward()

        w1.data -= learning_rate * w1.grad.data
        w2.data -= learning_rate * w2.grad.data

        w1.grad.data.zero_()
        w2.grad.data.zero_()


if __name__ == "__main__":
    main()
