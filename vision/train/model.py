"""The hard-hat network: a small plain CNN with a two-level top-down merge and a CenterNet head at stride 8.

Plain 3x3 convolutions (no depthwise) because they are what a 2-core CPU runs fastest per
useful FLOP in cv2.dnn and torch; about 0.5 GMAC at 384x384.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def cbr(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """3x3 conv + batch norm + ReLU."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


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
        self.body = nn.Sequential(cbr(3, 24, 2), cbr(24, 32), cbr(32, 48, 2), cbr(48, 48),
                                  cbr(48, 96, 2), cbr(96, 96), cbr(96, 128, 2), cbr(128, 128))
        self.fc = nn.Linear(128, n_classes)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Unnormalised class scores (what the loss sees); normalisation of pixels as in HeadNet."""
        x = self.body((x - 114.0) / 64.0)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities, rows summing to 1."""
        return torch.softmax(self.logits(x), 1)
