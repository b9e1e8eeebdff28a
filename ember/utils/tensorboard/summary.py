"""Summary protocol buffers, built as ``torch.utils.tensorboard.summary`` builds them (scalars,
histograms with torch's bucket rule, images as PNG, text, raw tensors, hparams)."""
from __future__ import annotations

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

from ._png import encode_png

__all__ = ["make_np", "scalar", "histogram", "histogram_raw", "make_histogram", "image",
           "make_image", "convert_to_HWC", "make_grid", "text", "tensor_proto", "hparams",
           "figure_to_image"]


def make_np(x) -> np.ndarray:
    """An ndarray from an ndarray, a Python number or an ember Tensor (as torch's make_np)."""
    from ... import Tensor
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if isinstance(x, Tensor):
        a = np.asarray(x.detach().numpy())
        if a.dtype.kind == "V" or a.dtype.name == "bfloat16":  # torch goes via float16
            a = a.astype(np.float32).astype(np.float16)
        return a
    raise NotImplementedError(
        f"Got {type(x)}, but numpy array or torch tensor are expected.")


def scalar(name, tensor, collections=None, new_style=False, double_precision=False):
    """A Summary with one scalar: ``simple_value``, or a tensor for the scalars plugin."""
    tensor = make_np(tensor).squeeze()
    if tensor.ndim != 0:
        raise AssertionError(
            f"Tensor should contain one element (0 dimensions). Was given size: {tensor.size} "
            f"and {tensor.ndim} dimensions.")
    value = float(tensor)
    if new_style:
        proto = (TensorProto(double_val=[value], dtype="DT_DOUBLE") if double_precision
                 else TensorProto(float_val=[value], dtype="DT_FLOAT"))
        smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
        return Summary(value=[Summary.Value(tag=name, tensor=proto, metadata=smd)])
    return Summary(value=[Summary.Value(tag=name, simple_value=value)])


_TENSOR_TYPES = {  # numpy kind+size -> (TensorProto dtype, field)
    "f2": ("DT_HALF", "half_val"), "f4": ("DT_FLOAT", "float_val"),
    "f8": ("DT_DOUBLE", "double_val"), "i1": ("DT_INT8", "int_val"),
    "u1": ("DT_UINT8", "uint32_val"), "i2": ("DT_INT16", "int_val"),
    "i4": ("DT_INT32", "int_val"), "i8": ("DT_INT64", "int64_val"),
    "c8": ("DT_COMPLEX64", "scomplex_val"), "c16": ("DT_COMPLEX128", "dcomplex_val"),
    "b1": ("DT_BOOL", "bool_val"),
}


def tensor_proto(tag, tensor):
    """A Summary holding a whole tensor (``add_tensor``), with torch's dtype table."""
    a = make_np(tensor)
    if a.nbytes >= 1 << 31:
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    key = f"{a.dtype.kind}{a.dtype.itemsize}"
    if key not in _TENSOR_TYPES:
        raise ValueError(f"{tag} has unsupported tensor dtype {tensor.dtype}")
    dtype, field = _TENSOR_TYPES[key]
    flat = a.reshape(-1)
    if key == "f2":
        vals = [int(v) for v in flat.astype(np.float32).view(np.int32)]
    elif a.dtype.kind == "c":
        vals = np.stack([flat.real, flat.imag], -1).reshape(-1).tolist()
    else:
        vals = flat.tolist()
    proto = TensorProto(dtype=dtype, tensor_shape=TensorShapeProto(
        dim=[TensorShapeProto.Dim(size=s) for s in a.shape]), **{field: vals})
    smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="tensor"))
    return Summary(value=[Summary.Value(tag=tag, metadata=smd, tensor=proto)])


def histogram_raw(name, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    """A histogram Summary from precomputed statistics and buckets."""
    hist = HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                          bucket_limit=bucket_limits, bucket=bucket_counts)
    return Summary(value=[Summary.Value(tag=name, histo=hist)])


def histogram(name, values, bins, max_bins=None):
    """A histogram Summary of ``values`` (``np.histogram`` with ``bins``, as torch)."""
    hist = make_histogram(make_np(values).astype(float), bins, max_bins)
    return Summary(value=[Summary.Value(tag=name, histo=hist)])


def make_histogram(values, bins, max_bins=None):
    """torch's bucketing: ``np.histogram``, optional subsampling to ``max_bins``, the empty
    buckets at both ends trimmed to one zero bucket."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        sub = num_bins // max_bins
        rem = num_bins % sub
        if rem != 0:
            counts = np.pad(counts, pad_width=[[0, sub - rem]], mode="constant",
                            constant_values=0)
        counts = counts.reshape(-1, sub).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:sub]
        new_limits[-1] = limits[-1]
        limits = new_limits
    cum = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum, [0, cum[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    return HistogramProto(min=values.min(), max=values.max(), num=len(values),
                          sum=values.sum(), sum_squares=values.dot(values),
                          bucket_limit=limits.tolist(), bucket=counts.tolist())


def make_grid(I, ncols=8):  # noqa: E741 - torch's name
    """Tiles an NCHW batch into one CHW image, ``ncols`` images a row (torch's layout)."""
    if I.shape[1] == 1:
        I = np.concatenate([I, I, I], 1)  # noqa: E741
    if I.ndim != 4 or I.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, H, W = I.shape
    ncols = min(n, ncols)
    nrows = int(np.ceil(float(n) / ncols))
    canvas = np.zeros((3, H * nrows, W * ncols), dtype=I.dtype)
    for i in range(n):
        y, x = divmod(i, ncols)
        canvas[:, y * H:(y + 1) * H, x * W:(x + 1) * W] = I[i]
    return canvas


def convert_to_HWC(tensor, input_format):
    """Reorders an image (or a batch, tiled by ``make_grid``) to HWC with 3 or 4 channels."""
    if len(set(input_format)) != len(input_format):
        raise AssertionError("You can not use the same dimension shorthand twice. "
                             f"input_format: {input_format}")
    if len(tensor.shape) != len(input_format):
        raise AssertionError("size of input tensor and input format are different. "
                             f"tensor shape: {tensor.shape}, input_format: {input_format}")
    fmt = input_format.upper()
    if len(fmt) == 4:
        return make_grid(tensor.transpose([fmt.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = tensor.transpose([fmt.find(c) for c in "HWC"])
        return np.concatenate([hwc, hwc, hwc], 2) if hwc.shape[2] == 1 else hwc
    hw = tensor.transpose([fmt.find(c) for c in "HW"])
    return np.stack([hw, hw, hw], 2)


def image(tag, tensor, rescale=1, dataformats="NCHW"):
    """An image Summary: uint8 data as is, float data scaled by 255, clipped, PNG-encoded."""
    a = convert_to_HWC(make_np(tensor), dataformats)
    scale = 1 if a.dtype == np.uint8 else 255
    a = (a.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    return Summary(value=[Summary.Value(tag=tag, image=make_image(a, rescale=rescale))])


def make_image(tensor, rescale=1):
    """A ``Summary.Image`` from an HWC uint8 array (PNG written by ember itself)."""
    height, width, channel = tensor.shape
    if rescale != 1:
        h2, w2 = int(height * rescale), int(width * rescale)
        rows = (np.arange(h2) * height // max(h2, 1)).clip(0, height - 1)
        cols = (np.arange(w2) * width // max(w2, 1)).clip(0, width - 1)
        tensor = tensor[rows][:, cols]
    return Summary.Image(height=height, width=width, colorspace=channel,
                         encoded_image_string=encode_png(tensor))


def figure_to_image(figures, close=True):
    """Renders a matplotlib figure (CHW uint8) or a list of them (NCHW) with the Agg canvas."""
    import matplotlib.backends.backend_agg as agg
    import matplotlib.pyplot as plt

    def render(figure):
        canvas = agg.FigureCanvasAgg(figure)
        canvas.draw()
        data = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8)
        w, h = figure.canvas.get_width_height()
        chw = np.moveaxis(data.reshape([h, w, 4])[:, :, 0:3], 2, 0)
        if close:
            plt.close(figure)
        return chw
    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)


def text(tag, text):
    """A text-plugin Summary (tag ``<tag>/text_summary``)."""
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
    smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
    proto = TensorProto(dtype="DT_STRING", string_val=[text.encode(encoding="utf_8")],
                        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=smd,
                                        tensor=proto)])


def _hparam_info(k, v, domains, hps, ssi):
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams.api_pb2 import DataType, HParamInfo

    from ... import Tensor
    if isinstance(v, Tensor):
        v = float(make_np(v).reshape(-1)[0])
        ssi.hparams[k].number_value = v
        hps.append(HParamInfo(name=k, type=DataType.Value("DATA_TYPE_FLOAT64")))
        return
    # torch tests int/float first, so a bool is logged as a number
    for types, field, dt in (((int, float), "number_value", "DATA_TYPE_FLOAT64"),
                             (str, "string_value", "DATA_TYPE_STRING")):
        if isinstance(v, types):
            setattr(ssi.hparams[k], field, v)
            dd = (struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d})
                                               for d in domains[k]])
                  if k in domains else None)
            hps.append(HParamInfo(name=k, type=DataType.Value(dt), domain_discrete=dd))
            return
    raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")


def hparams(hparam_dict=None, metric_dict=None, hparam_domain_discrete=None):
    """The hparams plugin's three Summaries (experiment, session start, session end)."""
    from tensorboard.plugins.hparams import metadata as M
    from tensorboard.plugins.hparams.api_pb2 import Experiment, MetricInfo, MetricName, Status
    from tensorboard.plugins.hparams.plugin_data_pb2 import (HParamsPluginData, SessionEndInfo,
                                                             SessionStartInfo)
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError(
            "parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in domains.items():
        if (k not in hparam_dict or not isinstance(v, list)
                or not all(isinstance(d, type(hparam_dict[k])) for d in v)):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same "
                            f"type as hparam_dict[{k}].")
    hps: list = []
    ssi = SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is not None:
            _hparam_info(k, v, domains, hps, ssi)

    def wrap(tag, **content):
        data = HParamsPluginData(version=M.PLUGIN_DATA_VERSION, **content).SerializeToString()
        smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
            plugin_name=M.PLUGIN_NAME, content=data))
        return Summary(value=[Summary.Value(tag=tag, metadata=smd)])
    exp = Experiment(hparam_infos=hps,
                     metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict])
    return (wrap(M.EXPERIMENT_TAG, experiment=exp),
            wrap(M.SESSION_START_INFO_TAG, session_start_info=ssi),
            wrap(M.SESSION_END_INFO_TAG,
                 session_end_info=SessionEndInfo(status=Status.Value("STATUS_SUCCESS"))))
