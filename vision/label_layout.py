"""Where each label of an evidence picture goes so that none covers another.

Heads close together had their labels drawn at the same height, one over the other, and the words of a
crowded picture could not be read. Each label is tried above its box, then below it, then stacked further
up and down a label's height at a time, and takes the first spot that is inside the picture and free.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Rect = tuple[int, int, int, int]  # x1, y1, x2, y2 (exclusive)
GAP = 2  # pixels between a label and its box, and between stacked labels
MAX_STEPS = 12  # stacked spots tried each way before the label goes where it was first wanted


def overlaps(a: Rect, b: Rect) -> bool:
    """Whether two rectangles share any pixel."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass
class LabelLayout:
    """The labels placed so far on one picture ``width`` × ``height``; ``taken`` may start with areas no
    label may cover (the header lines)."""

    width: int
    height: int
    taken: list[Rect] = field(default_factory=list)

    def place(self, size: tuple[int, int], box: Rect) -> tuple[int, int]:
        """The top-left corner for a label of ``size`` (width, height) naming ``box``: above it where free,
        else below it, else stacked away from it; the spot is then taken."""
        w, h = size
        x = min(max(box[0], 0), max(self.width - w, 0))
        above, below = box[1] - h - GAP, box[3] + GAP
        tries = [above, below]
        for step in range(1, MAX_STEPS + 1):
            tries += [above - step * (h + GAP), below + step * (h + GAP)]
        for y in tries:
            spot = (x, y, x + w, y + h)
            if y >= 0 and y + h <= self.height and not any(overlaps(spot, t) for t in self.taken):
                break
        else:  # a picture full of labels: keep it near its box, inside the picture
            y = min(max(above, 0), max(self.height - h, 0))
            spot = (x, y, x + w, y + h)
        self.taken.append(spot)
        return x, y
