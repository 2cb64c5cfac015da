"""Numbered contact sheets of boxes on the data set's photos, for an audit by eye.

The sheets are written outside the project (the sfchd photos must not be copied into it), with the
audit file's lines (verdict left as `?`) beside them in audit_template.txt.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vision.images import read_image


def contact_sheets(
    sample: list[tuple[str, Path, np.ndarray]],
    out: Path,
    margin: float = 0.15,
    grid: tuple[int, int] = (5, 4),
    tile: int = 200,
) -> None:
    """Each (name, image path, box) as a numbered tile, the box drawn in red on `margin` of its size around
    it, on sheets of `grid` (columns, rows) tiles; the template's lines are `name x1 y1 x2 y2 ?`."""
    out.mkdir(parents=True, exist_ok=True)
    cols, rows = grid
    lines = []
    for start in range(0, len(sample), cols * rows):
        sheet = np.full((rows * tile, cols * tile, 3), 255, np.uint8)
        for k, (name, path, box) in enumerate(sample[start : start + cols * rows]):
            img = read_image(path)
            x1, y1, x2, y2 = box[:4].astype(int)
            m = int(margin * max(x2 - x1, y2 - y1))
            cx1, cy1 = max(x1 - m, 0), max(y1 - m, 0)
            crop = img[cy1 : min(y2 + m, img.shape[0]), cx1 : min(x2 + m, img.shape[1])]
            f = (tile - 4) / max(crop.shape[:2])
            crop = cv2.resize(
                crop,
                (max(int(crop.shape[1] * f), 1), max(int(crop.shape[0] * f), 1)),
                interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA,
            )
            # drawn after scaling, so a small head's box stays a thin line
            cv2.rectangle(
                crop,
                (int((x1 - cx1) * f), int((y1 - cy1) * f)),
                (int((x2 - cx1) * f), int((y2 - cy1) * f)),
                (0, 0, 255),
                1 if f > 1 else 2,
            )
            r, c = divmod(k, cols)
            sheet[r * tile : r * tile + crop.shape[0], c * tile : c * tile + crop.shape[1]] = crop
            cv2.putText(
                sheet,
                str(start + k),
                (c * tile + 4, r * tile + 22),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.8,
                (255, 0, 255),
                2,
            )
            lines.append(f"{name} {box[0]:.1f} {box[1]:.1f} {box[2]:.1f} {box[3]:.1f} ?")
        cv2.imwrite(str(out / f"sheet_{start // (cols * rows):02d}.png"), sheet)
    (out / "audit_template.txt").write_text("\n".join(lines) + "\n")
