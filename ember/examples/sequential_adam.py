"""Seed document 001 (notes on chapter 6 of the book "深度学习之PyTorch实战计算机视觉"), section
"Building the model and optimising the parameters" (模型搭建和参数优化: the torch.nn and
torch.optim packages).

The two-layer network built from ``torch.nn.Sequential(Linear, ReLU, Linear)``, the loss from
``torch.nn.MSELoss`` and the update from ``torch.optim.Adam``: ``optimizer.zero_grad()``
replaces the ``w.grad.data.zero_()`` calls and ``optimizer.step()`` the ``w.data -= ...``
updates of ``manual_training``.

Typos fixed from the seed: ``le-6`` -> ``1e-6``; the optimizer was created as ``optimzer`` and
used as ``optimer`` -> ``optimizer`` throughout; ``loss.data[0]`` -> ``loss.item()``; the
statements glued on one line are split.
Added: ``torch.manual_seed(0)`` so the printed numbers are reproducible.

Run: ``python -m ember.examples.sequential_adam``.
"""
import ember as torch
from ember.autograd import Variable


def main():
    torch.manual_seed(0)

    # settings
    batch_n = 100
    hidden_layer = 100
    input_data = 1000
    output_data = 10

    x = Variable(torch.randn(batch_n, input_data), requires_grad=False)
    y = Variable(torch.randn(batch_n, output_data), requires_grad=False)

    # the model
    models = torch.nn.Sequential(
        torch.nn.Linear(input_data, hidden_layer),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden_layer, output_data),
    )

    # hyper-parameters
    epoch_n = 20
    learning_rate = 1e-6

    # the loss function and the optimizer of the weights
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.Adam(models.parameters(), lr=learning_rate)

    for epoch in range(epoch_n):
        y_pred = models(x)
        loss = loss_fn(y_pred, y)  # changed; was loss = (y_pred-y).pow(2).sum()
        print("Epoch:{}, Loss:{:.4f}".format(epoch, loss.item()))
        optimizer.zero_grad()  # zero the parameters' gradients (was w1.grad.data.zero_() ...)

        loss.backward()
        optimizer.step()  # update the parameters (was w1.data -= learning_rate*w1.grad.data ...)


if __name__ == "__main__":
    main()
