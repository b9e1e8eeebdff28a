"""Process targets for tests/test_multiprocessing.py: a light module (ember and NumPy only)
that spawned children import quickly."""
import os

import ember


def _add_rank(rank, t, done):
    t[rank] += rank + 1  # in place, in the shared memory
    done.put(rank)


def _echo(q_in, q_out, received):
    t = q_in.get()
    t.mul_(2)  # the parent's tensor changes too
    q_out.put((t.is_shared(), t * 1, t[1:]))
    received.wait(30)  # a sender stays alive until its tensors are received (as in torch)


def _fail_on_one(i, msg):
    if i == 1:
        raise ValueError(msg)


def _exit_three(i):
    os._exit(3)


def _record(i, path, offset):
    with open(f"{path}.{i}", "w") as f:
        f.write(str(i + offset))


class Net(ember.nn.Module):  # mnist_hogwild's Net, scaled down to 1x8x8 images
    def __init__(self):
        super().__init__()
        nn = ember.nn
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3)
        self.fc1 = nn.Linear(4 * 3 * 3, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        F = ember.nn.functional
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = x.view(-1, 4 * 3 * 3)
        x = F.relu(self.fc1(x))
        return F.log_softmax(self.fc2(x), dim=1)


def _hogwild_train(rank, lib, model, data, target, epochs):
    lib.manual_seed(1 + rank)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
    model.train()
    for _ in range(epochs):
        for k in range(0, len(data), 16):
            optimizer.zero_grad()
            loss = lib.nn.functional.nll_loss(model(data[k:k + 16]), target[k:k + 16])
            loss.backward()
            optimizer.step()


def _hogwild_proc(rank, model, data, target, epochs):
    _hogwild_train(rank, ember, model, data, target, epochs)
