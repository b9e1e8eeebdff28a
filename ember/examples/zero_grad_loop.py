"""Seed document 002 (blog "pytorch基础【4】梯度计算、链式法则、梯度清零"), section "Why gradients
must be zeroed -> how to zero them" (为什么需要梯度清零 / 如何实现梯度清零).

A small network ``fc2(relu(fc1(x)))`` trained for 100 steps with ``optim.SGD``; each step
starts with ``optimizer.zero_grad()`` so that the gradients of the previous step do not
accumulate into this one's.

Typos fixed from the seed: the statements the page glued on one line are split (the class
body and the training loop).
Added: ``torch.manual_seed(0)``; the loss printed every 20 epochs and at the end (the seed
prints nothing); and, to show why the zeroing matters, the gradient of ``fc2.bias`` after a
second backward pass without ``zero_grad`` (twice the first) for a new target.

Run: ``python -m ember.examples.zero_grad_loop``.
"""
import ember as torch
import ember.nn as nn
import ember.optim as optim


# a simple neural network
class SimpleNet(nn.Module):
    def __init__(self):
        super(SimpleNet, self).__init__()
        self.fc1 = nn.Linear(10, 5)
        self.fc2 = nn.Linear(5, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        return x


def main():
    torch.manual_seed(0)

    # the model and the optimizer
    model = SimpleNet()
    optimizer = optim.SGD(model.parameters(), lr=0.01)

    # some fake data
    data = torch.randn(10)  # input
    target = torch.tensor([1.0])  # target label

    # the loss function
    criterion = nn.MSELoss()

    # one mini-batch per step of the training loop
    for epoch in range(100):  # say, 100 epochs
        optimizer.zero_grad()  # zero the gradients
        output = model(data)  # forward pass
        loss = criterion(output, target)  # the loss
        loss.backward()  # backward pass: compute the gradients
        optimizer.step()  # update the parameters
        if epoch % 20 == 0:  # (added)
            print(f"epoch {epoch:3d}  loss {loss.item():.6f}")
    print(f"final output {model(data).item():.6f}, target {target.item():.1f}")  # (added)

    # (added) what zero_grad prevents: a second backward adds to the first gradient
    # (a new target, so that the gradient is not ~0 as it is at the trained target)
    new_target = torch.tensor([0.0])
    optimizer.zero_grad()
    criterion(model(data), new_target).backward()
    first = model.fc2.bias.grad.clone()
    criterion(model(data), new_target).backward()
    print(f"fc2.bias.grad after one backward:  {first}")
    print(f"fc2.bias.grad after two backwards: {model.fc2.bias.grad}")


if __name__ == "__main__":
    main()
