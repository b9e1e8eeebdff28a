"""Build the generators and discriminators of eight PyTorch-GAN implementations (their
``models.py``, unchanged) at small image sizes, initialise them with each file's
``weights_init_normal`` where it has one, and run one generator and one discriminator step of
a least-squares GAN loss with SGD. Prints losses and gradient norms so that two libraries
can be compared line by line."""
import importlib.util
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    spec = importlib.util.spec_from_file_location(f"{name}_models",
                                                  os.path.join(HERE, name, "models.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def norm(params):
    return torch.sqrt(sum((p.grad.double() ** 2).sum() for p in params if p.grad is not None))


def gan_step(name, G, D, g_in, real, d_in=lambda fake, real: (fake,), init=None):
    """One LSGAN step: D's loss on real and fake, then G's loss through D."""
    if init is not None:
        G.apply(init)
        D.apply(init)
    # SGD, not the implementations' Adam: Adam turns the rounding noise of the exactly-zero
    # gradients of conv biases before InstanceNorm into lr-sized steps
    opt_g = torch.optim.SGD(G.parameters(), lr=1e-3, momentum=0.5)
    opt_d = torch.optim.SGD(D.parameters(), lr=1e-3, momentum=0.5)
    fake = G(*g_in)
    fake = fake[0] if isinstance(fake, tuple) else fake

    def score(*x):
        out = D(*x)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        return outs

    opt_d.zero_grad()
    d_loss = sum(((o - 1) ** 2).mean() for o in score(*d_in(real, real))) + \
        sum((o ** 2).mean() for o in score(*d_in(fake.detach(), real)))
    d_loss.backward()
    d_norm = norm(D.parameters())
    opt_d.step()
    opt_g.zero_grad()
    g_loss = sum(((o - 1) ** 2).mean() for o in score(*d_in(fake, real)))
    g_loss.backward()
    g_norm = norm(G.parameters())
    opt_g.step()
    with torch.no_grad():
        G.eval()
        again = G(*g_in)
        again = again[0] if isinstance(again, tuple) else again
    print(f"{name:16s} fake {tuple(fake.shape)} d_loss {d_loss.item():.6f} "
          f"d_grad {d_norm.item():.6f} g_loss {g_loss.item():.6f} g_grad {g_norm.item():.6f} "
          f"eval-mean {again.mean().item():.6f}")


torch.manual_seed(0)
np.random.seed(0)

m = load("pix2pix")
G, D = m.GeneratorUNet(3, 3), m.Discriminator(3)
x = torch.randn(1, 3, 256, 256)
y = torch.randn(1, 3, 256, 256)
gan_step("pix2pix", G, D, (x,), y, d_in=lambda img, _: (img, x), init=getattr(m, "weights_init_normal", None))

m = load("cyclegan")
G, D = m.GeneratorResNet((3, 32, 32), 2), m.Discriminator((3, 32, 32))
gan_step("cyclegan", G, D, (torch.randn(2, 3, 32, 32),), torch.randn(2, 3, 32, 32),
         init=getattr(m, "weights_init_normal", None))

m = load("discogan")
G, D = m.GeneratorUNet((3, 64, 64)), m.Discriminator((3, 64, 64))
gan_step("discogan", G, D, (torch.randn(2, 3, 64, 64),), torch.randn(2, 3, 64, 64),
         init=getattr(m, "weights_init_normal", None))

m = load("ccgan")
G, D = m.Generator((3, 128, 128)), m.Discriminator((3, 128, 128))
x = torch.randn(1, 3, 128, 128)
gan_step("ccgan", G, D, (x, torch.randn(1, 3, 32, 32)), torch.randn(1, 3, 128, 128),
         init=getattr(m, "weights_init_normal", None))

m = load("context_encoder")
G, D = m.Generator(3), m.Discriminator(3)
gan_step("context_encoder", G, D, (torch.randn(2, 3, 64, 64),), torch.randn(2, 3, 64, 64),
         init=getattr(m, "weights_init_normal", None))

m = load("stargan")
G, D = m.GeneratorResNet((3, 32, 32), 2, 5), m.Discriminator((3, 32, 32), 5, 3)
c = torch.randint(0, 2, (2, 5)).float()
gan_step("stargan", G, D, (torch.randn(2, 3, 32, 32), c), torch.randn(2, 3, 32, 32),
         d_in=lambda img, _: (img,), init=m.weights_init_normal)

m = load("munit")
enc, dec = m.Encoder(dim=16, n_residual=1, style_dim=8), m.Decoder(dim=16, n_residual=1,
                                                                   style_dim=8)


class MunitG(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.enc, self.dec = enc, dec

    def forward(self, x):
        content, style = self.enc(x)
        return self.dec(content, style)


gan_step("munit", MunitG(), m.MultiDiscriminator(3), (torch.randn(1, 3, 128, 128),),
         torch.randn(1, 3, 128, 128), init=getattr(m, "weights_init_normal", None))

m = load("unit")
shared_e, shared_g = m.ResidualBlock(features=64), m.ResidualBlock(features=64)
E, Gd = m.Encoder(dim=16, n_downsample=2, shared_block=shared_e), \
    m.Generator(dim=16, n_upsample=2, shared_block=shared_g)


class UnitG(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.E, self.G = E, Gd

    def forward(self, x):
        mu, z = self.E(x)
        return self.G(z)


gan_step("unit", UnitG(), m.Discriminator((3, 32, 32)), (torch.randn(2, 3, 32, 32),),
         torch.randn(2, 3, 32, 32), init=getattr(m, "weights_init_normal", None))
