"""A Chinese face named in every workbook partybuild writes.

openpyxl's default is Calibri, a Latin face: Excel and WPS on Chinese Windows substitute their own
Chinese font, but LibreOffice picks the first CJK face fontconfig offers for a Latin font, which
on most Linux machines is Noto Sans CJK JP — Japanese glyph shapes for 党, 骨, 直. Naming 宋体
(SimSun, on every Chinese Windows and in WPS; fontconfig and LibreOffice map it to a Simplified
Chinese face such as Noto Serif CJK SC) with the GB2312 character set makes every reader choose a
Chinese face.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook import Workbook

FONT_NAME = "宋体"
GB2312_CHARSET = 134
FONT_SIZE = 11


def font(**kwargs: Any) -> Font:
    """``Font(...)`` in the workbooks' Chinese face (bold, size, colour as given)."""
    kwargs.setdefault("sz", kwargs.pop("size", FONT_SIZE))
    return Font(name=FONT_NAME, charset=GB2312_CHARSET, **kwargs)


def use_chinese_font(workbook: Workbook) -> Workbook:
    """Make the workbook's default font (its first font and the Normal style's) the Chinese
    face, so cells without a font of their own are in it too. Call right after ``Workbook()``."""
    default = font()
    fonts = IndexedList()
    fonts.add(default)
    workbook._fonts = fonts
    for style in workbook._named_styles:
        if style.name == "Normal":
            style.font = font()
    return workbook
