"""A4 PDFs with Chinese text: the CJK font found on this machine, embedded (only the glyphs used), shared by
the regulator's reports and notices and the gateway's safety log (a layer both may import).

The font is Noto Sans CJK SC (Debian's fonts-noto-cjk; the Docker images install it) or the file
``SITEGW_CJK_FONT`` names (a .ttf, .otf or .ttc); only the glyphs used are embedded, so a document is a
few tens of kilobytes and opens on a machine without the font.
"""

from __future__ import annotations

import os
from pathlib import Path

from fpdf import FPDF

FONT_ENV = "SITEGW_CJK_FONT"
# (file, index in a font collection): Noto Sans CJK's collections hold JP, KR, SC, TC, HK in this order
FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)
FAMILY = "cjk"
PAGE_W = 210.0
MARGIN = 15.0


class ReportError(RuntimeError):
    """The document cannot be made here (no CJK font); the message names the fix."""


def cjk_font() -> tuple[str, int]:
    """The CJK font file to embed and its index in a collection."""
    named = os.environ.get(FONT_ENV, "").strip()
    if named:
        if not Path(named).is_file():
            raise ReportError(
                f"{FONT_ENV}={named!r} is not a file: name a .ttf, .otf or .ttc with Chinese glyphs"
            )
        return named, 2 if named.endswith("NotoSansCJK-Regular.ttc") else 0
    for path, index in FONTS:
        if Path(path).is_file():
            return path, index
    raise ReportError(
        "no Chinese font for the PDF: install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk), "
        f"or set {FONT_ENV} to a .ttf/.otf/.ttc with Chinese glyphs"
    )


class CjkPdf(FPDF):
    """An A4 document with the CJK font embedded as ``FAMILY``; ReportError when there is no CJK font."""

    def __init__(self, title: str, creator: str = "sitegw") -> None:
        super().__init__(format="A4")
        path, index = cjk_font()
        self.add_font(FAMILY, fname=path, collection_font_number=index)
        self.set_margins(MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.set_title(title)
        self.set_creator(creator)
        self.report_title = title
