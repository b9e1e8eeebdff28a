"""ember's driver for kuangliu/pytorch-cifar's models (unchanged, MIT, @49b7aa9): each network
built, run forward and backward on a random batch, its output and gradient summed."""
import torch

from models import (VGG, DPN26, LeNet, MobileNet, MobileNetV2, PreActResNet18, RegNetX_200MF,
                    ResNet18, ResNeXt29_2x64d, SENet18, ShuffleNetV2, SimpleDLA)

for make in [LeNet, lambda: VGG("VGG11"), ResNet18, PreActResNet18, MobileNet, MobileNetV2,
             SENet18, lambda: ShuffleNetV2(0.5), RegNetX_200MF, SimpleDLA, DPN26,
             ResNeXt29_2x64d]:
    net = make()
    x = torch.randn(2, 3, 32, 32)
    out = net(x)
    out.square().sum().backward()
    first = next(net.parameters())
    n = sum(p.numel() for p in net.parameters())
    print(f"{type(net).__name__}: params {n} out {tuple(out.shape)} sum {out.sum().item():.5f} "
          f"grad {first.grad.abs().sum().item():.5f}")
