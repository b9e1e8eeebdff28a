"""Build small versions of vit-pytorch's models (configurations from its README, sizes cut down
so that each runs in a fraction of a second), then for each: a forward in train mode (dropout
on), a loss, backward, one SGD step (Adam would turn the rounding noise of the exactly-zero gradients of conv biases before BatchNorm into lr-sized steps) and a forward in eval mode. Prints sums, gradient norms and
the eval output so that two libraries can be compared line by line."""
import sys
import types

import torch

# the package's __init__ imports modules that need torchvision: load the submodules directly
pkg = types.ModuleType("vit_pytorch")
pkg.__path__ = [__import__("os").path.join(__import__("os").path.dirname(__file__), "vit_pytorch")]
sys.modules["vit_pytorch"] = pkg

from vit_pytorch.vit import ViT  # noqa: E402
from vit_pytorch.simple_vit import SimpleViT  # noqa: E402
from vit_pytorch.deepvit import DeepViT  # noqa: E402
from vit_pytorch.cait import CaiT  # noqa: E402
from vit_pytorch.t2t import T2TViT  # noqa: E402
from vit_pytorch.cct import CCT  # noqa: E402
from vit_pytorch.cross_vit import CrossViT  # noqa: E402
from vit_pytorch.pit import PiT  # noqa: E402
from vit_pytorch.levit import LeViT  # noqa: E402
from vit_pytorch.cvt import CvT  # noqa: E402
from vit_pytorch.twins_svt import TwinsSVT  # noqa: E402
from vit_pytorch.crossformer import CrossFormer  # noqa: E402
from vit_pytorch.sep_vit import SepViT  # noqa: E402
from vit_pytorch.max_vit import MaxViT  # noqa: E402
from vit_pytorch.mobile_vit import MobileViT  # noqa: E402
from vit_pytorch.xcit import XCiT  # noqa: E402
from vit_pytorch.parallel_vit import ViT as ParallelViT  # noqa: E402
from vit_pytorch.vit_for_small_dataset import ViT as SmallDataViT  # noqa: E402
from vit_pytorch.simple_vit_1d import SimpleViT as SimpleViT1D  # noqa: E402
from vit_pytorch.vit_3d import ViT as ViT3D  # noqa: E402

MODELS = [
    ("ViT", lambda: ViT(image_size=32, patch_size=8, num_classes=10, dim=32, depth=2, heads=4,
                        mlp_dim=64, dropout=0.1, emb_dropout=0.1), (2, 3, 32, 32)),
    ("SimpleViT", lambda: SimpleViT(image_size=32, patch_size=8, num_classes=10, dim=32,
                                    depth=2, heads=4, mlp_dim=64), (2, 3, 32, 32)),
    ("DeepViT", lambda: DeepViT(image_size=32, patch_size=8, num_classes=10, dim=32, depth=2,
                                heads=4, mlp_dim=64, dropout=0.1, emb_dropout=0.1),
     (2, 3, 32, 32)),
    ("CaiT", lambda: CaiT(image_size=32, patch_size=8, num_classes=10, dim=32, depth=2,
                          cls_depth=1, heads=4, mlp_dim=64, dropout=0.1, emb_dropout=0.1,
                          layer_dropout=0.05), (2, 3, 32, 32)),
    ("T2TViT", lambda: T2TViT(dim=32, image_size=32, depth=2, heads=4, mlp_dim=64,
                              num_classes=10, t2t_layers=((7, 4), (3, 2), (3, 2))),
     (2, 3, 32, 32)),
    ("CCT", lambda: CCT(img_size=(32, 48), embedding_dim=32, n_conv_layers=2, kernel_size=3,
                        stride=1, padding=1, pooling_kernel_size=3, pooling_stride=2,
                        pooling_padding=1, num_layers=2, num_heads=4, mlp_ratio=2.,
                        num_classes=10, positional_embedding='learnable'), (2, 3, 32, 48)),
    ("CrossViT", lambda: CrossViT(image_size=32, num_classes=10, depth=1, sm_dim=16,
                                  sm_patch_size=8, sm_enc_depth=1, sm_enc_heads=2,
                                  sm_enc_mlp_dim=32, lg_dim=24, lg_patch_size=16,
                                  lg_enc_depth=1, lg_enc_heads=2, lg_enc_mlp_dim=32,
                                  cross_attn_depth=1, cross_attn_heads=2, dropout=0.1,
                                  emb_dropout=0.1), (2, 3, 32, 32)),
    ("PiT", lambda: PiT(image_size=32, patch_size=4, dim=16, num_classes=10, depth=(1, 1, 1),
                        heads=2, mlp_dim=32, dropout=0.1, emb_dropout=0.1), (2, 3, 32, 32)),
    ("LeViT", lambda: LeViT(image_size=64, num_classes=10, stages=3, dim=(16, 24, 32),
                            depth=1, heads=(2, 3, 4), mlp_mult=2, dropout=0.1),
     (2, 3, 64, 64)),
    ("CvT", lambda: CvT(num_classes=10, s1_emb_dim=16, s1_emb_kernel=7, s1_emb_stride=4,
                        s1_proj_kernel=3, s1_kv_proj_stride=2, s1_heads=1, s1_depth=1,
                        s1_mlp_mult=2, s2_emb_dim=24, s2_emb_kernel=3, s2_emb_stride=2,
                        s2_proj_kernel=3, s2_kv_proj_stride=2, s2_heads=2, s2_depth=1,
                        s2_mlp_mult=2, s3_emb_dim=32, s3_emb_kernel=3, s3_emb_stride=2,
                        s3_proj_kernel=3, s3_kv_proj_stride=2, s3_heads=2, s3_depth=1,
                        s3_mlp_mult=2, dropout=0.), (2, 3, 64, 64)),
    ("TwinsSVT", lambda: TwinsSVT(num_classes=10, s1_emb_dim=16, s1_patch_size=4,
                                  s1_local_patch_size=4, s1_global_k=4, s1_depth=1,
                                  s2_emb_dim=24, s2_patch_size=2, s2_local_patch_size=4,
                                  s2_global_k=4, s2_depth=1, s3_emb_dim=32, s3_patch_size=2,
                                  s3_local_patch_size=2, s3_global_k=2, s3_depth=1,
                                  s4_emb_dim=48, s4_patch_size=2, s4_local_patch_size=1,
                                  s4_global_k=1, s4_depth=1, peg_kernel_size=3, dropout=0.),
     (2, 3, 64, 64)),
    ("CrossFormer", lambda: CrossFormer(num_classes=10, dim=(32, 32, 32, 32), depth=(1, 1, 1, 1),
                                        global_window_size=(4, 2, 1, 1), local_window_size=4),
     (2, 3, 128, 128)),
    ("SepViT", lambda: SepViT(num_classes=10, dim=16, dim_head=8, heads=(1, 2, 2, 4),
                              depth=(1, 1, 1, 1), window_size=7, dropout=0.1), (1, 3, 224, 224)),
    ("MaxViT", lambda: MaxViT(num_classes=10, dim_conv_stem=16, dim=16, dim_head=8,
                              depth=(1, 1), window_size=4, mbconv_expansion_rate=2,
                              mbconv_shrinkage_rate=0.25, dropout=0.1), (2, 3, 32, 32)),
    ("MobileViT", lambda: MobileViT(image_size=(64, 64), dims=[16, 24, 32],
                                    channels=[8, 8, 16, 16, 24, 24, 32, 32, 48, 48, 64],
                                    num_classes=10), (2, 3, 64, 64)),
    ("XCiT", lambda: XCiT(image_size=32, patch_size=8, num_classes=10, dim=32, depth=2,
                          cls_depth=1, heads=4, mlp_dim=64, dropout=0.1, emb_dropout=0.1,
                          local_patch_kernel_size=3, layer_dropout=0.05), (2, 3, 32, 32)),
    ("ParallelViT", lambda: ParallelViT(image_size=32, patch_size=8, num_classes=10, dim=32,
                                        depth=2, heads=4, mlp_dim=64, num_parallel_branches=2,
                                        dropout=0.1, emb_dropout=0.1), (2, 3, 32, 32)),
    ("SmallDataViT", lambda: SmallDataViT(image_size=32, patch_size=8, num_classes=10, dim=32,
                                          depth=2, heads=4, mlp_dim=64, dropout=0.1,
                                          emb_dropout=0.1), (2, 3, 32, 32)),
    ("SimpleViT1D", lambda: SimpleViT1D(seq_len=64, patch_size=8, num_classes=10, dim=32,
                                        depth=2, heads=4, mlp_dim=64), (2, 3, 64)),
    ("ViT3D", lambda: ViT3D(image_size=16, frames=8, image_patch_size=8, frame_patch_size=4,
                            num_classes=10, dim=32, depth=2, heads=4, mlp_dim=64, dropout=0.1,
                            emb_dropout=0.1), (2, 3, 8, 16, 16)),
]

only = sys.argv[1:]  # optional: names of the models to run
for name, build, shape in MODELS:
    if only and name not in only:
        continue
    torch.manual_seed(0)
    model = build()
    n = sum(p.numel() for p in model.parameters())
    x = torch.randn(*shape)
    model.train()
    out = model(x)
    loss = out.float().pow(2).mean()
    loss.backward()
    gn = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters()
                        if p.grad is not None))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    opt.step()
    model.eval()
    with torch.no_grad():
        ev = model(x)
    print(f"{name:12s} params {n:7d} out {tuple(out.shape)} loss {loss.item():.6f} "
          f"grad-norm {gn.item():.6f} eval-sum {ev.sum().item():.6f} "
          f"eval[0,:3] {[round(v, 5) for v in ev[0, :3].tolist()]}")
