"""Seed document 002 (blog "pytorch基础【4】梯度计算、链式法则、梯度清零"), section "The steps of
gradient computation -> example code" (梯度求导的过程 / 示例代码).

A one-input linear regression ``nn.Linear(1, 1)`` on four points of ``y = 2 x``: forward pass,
``nn.MSELoss``, ``loss.backward()``, the gradients of the weight and the bias, and one
``optim.SGD`` step.

Typos fixed from the seed: the statements the page glued on one line are split (the class
body, ``import torch.optim as optim# ...``, ``for param in ...:print(param.grad)``).
Added: ``torch.manual_seed(0)``, and the loss and the parameters printed before and after the
step, so the step's effect is visible.

Run: ``python -m ember.examples.linear_regression``.
"""
import ember as torch
import ember.nn as nn
import ember.optim as optim


# a simple linear model
class LinearModel(nn.Module):
    def __init__(self):
        super(LinearModel, self).__init__()
        self.linear = nn.Linear(1, 1)  # one input feature, one output feature

    def forward(self, x):
        return self.linear(x)


def main():
    torch.manual_seed(0)

    # the model
    model = LinearModel()

    # the loss function and the optimizer
    criterion = nn.MSELoss()  # mean squared error
    optimizer = optim.SGD(model.parameters(), lr=0.01)  # stochastic gradient descent

    # input data and targets
    inputs = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    targets = torch.tensor([[2.0], [4.0], [6.0], [8.0]])

    # forward pass
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    print(f"loss = {loss.item():.6f}")  # (added)

    # backward pass
    loss.backward()

    # the gradients
    for param in model.parameters():
        print(param.grad)

    # update the parameters
    for name, param in model.named_parameters():  # (added)
        print(f"before step: {name} = {param.data}")
    optimizer.step()
    for name, param in model.named_parameters():  # (added)
        print(f"after step:  {name} = {param.data}")
    print(f"loss after one step = {criterion(model(inputs), targets).item():.6f}")  # (added)


if __name__ == "__main__":
    main()
