"""Writes vision/models/unifont_gb2312.hex.gz: the GNU Unifont glyphs of printable ASCII and every
character of GB 2312 (the 6,763 hanzi of zone and edge names, and its symbols), which vision/text.py
burns into evidence pictures. OpenCV's own fonts have no Chinese, and a 16-pixel bitmap font needs
no font library.

    python scripts/unifont_subset.py /usr/share/unifont/unifont.hex   # Debian: apt-get install unifont

Unifont 13.0.04 and later are dual-licensed under the SIL Open Font License 1.1 and the GNU GPL 2+
with the font embedding exception; the subset is distributed under the OFL
(vision/models/UNIFONT_LICENSE.txt).
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "vision" / "models" / "unifont_gb2312.hex.gz"


def gb2312_chars() -> set[str]:
    """Every character GB 2312 encodes (rows 0xA1-0xF7, columns 0xA1-0xFE)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # an unassigned cell
    return chars


def main(source: Path) -> None:
    """Write the subset of ``source`` (a unifont.hex: ``CODEPOINT:BITMAP`` per line)."""
    glyphs = dict(line.strip().split(":") for line in source.read_text(encoding="ascii").splitlines())
    wanted = {chr(c) for c in range(0x20, 0x7F)} | gb2312_chars()
    lines = [f"{ord(c):04X}:{glyphs[f'{ord(c):04X}']}" for c in sorted(wanted) if f"{ord(c):04X}" in glyphs]
    # mtime=0: the same source gives the same bytes
    OUT.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("ascii"), 9, mtime=0))
    print(f"{OUT}: {len(lines)} glyphs")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
