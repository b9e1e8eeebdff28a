"""``add_embedding``'s files for TensorBoard's projector, as torch writes them:
``tensors.tsv``, ``metadata.tsv``, ``sprite.png`` and ``projector_config.pbtxt``."""
from __future__ import annotations

import math
import os

import numpy as np

from ._png import encode_png
from .summary import make_grid, make_np

__all__ = ["make_tsv", "make_sprite", "make_mat", "get_embedding_info", "write_pbtxt"]


def _write(path, data: bytes):
    with open(path, "wb") as f:
        f.write(data)


def make_tsv(metadata, save_path, metadata_header=None):
    """``metadata.tsv``: one label per line (or tab-separated columns under a header)."""
    if not metadata_header:
        metadata = [str(x) for x in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError(
                "len of header must be equal to the number of columns in metadata")
        metadata = ["\t".join(str(e) for e in row) for row in [metadata_header] + metadata]
    _write(os.path.join(save_path, "metadata.tsv"), ("\n".join(metadata) + "\n").encode())


def make_sprite(label_img, save_path):
    """``sprite.png``: the label images tiled into a square grid."""
    nrow = math.ceil(label_img.size(0) ** 0.5)
    chw = make_grid(make_np(label_img), ncols=nrow)
    square = np.zeros((chw.shape[2], chw.shape[2], 3))
    hwc = chw.transpose(1, 2, 0)
    square[:hwc.shape[0], :, :] = hwc
    _write(os.path.join(save_path, "sprite.png"),
           encode_png(np.uint8((square * 255).clip(0, 255))))


def get_embedding_info(metadata, label_img, subdir, global_step, tag):
    """The projector's ``EmbeddingInfo`` for one embedding."""
    from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo
    info = EmbeddingInfo()
    info.tensor_name = f"{tag}:{str(global_step).zfill(5)}"
    info.tensor_path = os.path.join(subdir, "tensors.tsv")
    if metadata is not None:
        info.metadata_path = os.path.join(subdir, "metadata.tsv")
    if label_img is not None:
        info.sprite.image_path = os.path.join(subdir, "sprite.png")
        info.sprite.single_image_dim.extend([label_img.size(3), label_img.size(2)])
    return info


def write_pbtxt(save_path, contents):
    """``projector_config.pbtxt``."""
    _write(os.path.join(save_path, "projector_config.pbtxt"), contents.encode())


def make_mat(matlist, save_path):
    """``tensors.tsv``: one tab-separated row per data point."""
    with open(os.path.join(save_path, "tensors.tsv"), "wb") as f:
        for x in matlist:
            f.write(("\t".join(str(i.item()) for i in x) + "\n").encode())
